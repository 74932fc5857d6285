"""The user's settings for the browser: a small TOML file in the user's config folder.

``$DOSSIER_CONFIG_DIR`` overrides the folder (tests point it at a temporary
folder so that they never touch the real home). Only what the user chose is
stored (the theme); a missing or unreadable file means the defaults.

The user's own keys go in a ``[keymap]`` table, binding id = keys (the ids
are shown by ``?``)::

    [keymap]
    "browser.search" = "ctrl+f"
    "app.quit" = "ctrl+q,q"
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import tomli_w

from dossier.atomic import atomic_write

CONFIG_FILE = "config.toml"
DEFAULT_THEME = "dossier-dark"


def config_dir() -> Path:
    """Where the user's config and themes live: $DOSSIER_CONFIG_DIR, else the platform's config folder."""
    override = os.environ.get("DOSSIER_CONFIG_DIR")
    if override:
        return Path(override).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("dossier", appauthor=False))


@dataclass
class Config:
    """The settings the browser remembers between runs."""

    theme: str = DEFAULT_THEME
    problem: str | None = None  # why the file could not be read, for a notification
    #: Binding id -> keys, for Textual's ``App.set_keymap``.
    keymap: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, folder: Path | None = None) -> Config:
        path = (folder or config_dir()) / CONFIG_FILE
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls()
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            return cls(problem=f"{path}: {exc}; using the defaults")
        theme = data.get("theme")
        keymap, problem = _keymap(data.get("keymap"), path)
        return cls(theme=theme if isinstance(theme, str) and theme else DEFAULT_THEME, keymap=keymap,
                   problem=problem)

    def save(self, folder: Path | None = None) -> str | None:
        """Write the settings; the reason on failure (the browser goes on without saving)."""
        folder = folder or config_dir()
        path = folder / CONFIG_FILE
        try:
            data: dict[str, object] = {}
            if path.exists():
                try:
                    data = tomllib.loads(path.read_text(encoding="utf-8"))
                except (UnicodeDecodeError, tomllib.TOMLDecodeError):
                    data = {}  # unreadable: replaced rather than left broken
            data["theme"] = self.theme
            folder.mkdir(parents=True, exist_ok=True)
            atomic_write(path, tomli_w.dumps(data).encode("utf-8"))
        except OSError as exc:
            return f"could not save {path}: {exc.strerror or exc}"
        return None


def _keymap(value: object, path: Path) -> tuple[dict[str, str], str | None]:
    """The ``[keymap]`` table's string entries, and what was wrong with the others (named, then left out)."""
    if value is None:
        return {}, None
    if not isinstance(value, dict):
        return {}, f"{path}: keymap must be a table of binding id = \"keys\"; ignored"
    keymap = {str(k): v.strip() for k, v in value.items() if isinstance(v, str) and v.strip()}
    bad = sorted(str(k) for k in value if str(k) not in keymap)
    problem = f"{path}: keymap entries that are not keys were left out: {', '.join(bad)}" if bad else None
    return keymap, problem
