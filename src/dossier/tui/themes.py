"""Themes from files: every ``*.toml`` in the shipped ``themes/`` folder and the user's.

A theme file holds the fields of a Textual :class:`~textual.theme.Theme`
(``name``, ``dark``, ``primary`` ... and an optional ``[variables]`` table). A
file that cannot be read or holds a bad colour is skipped and named in one
error message; the browser then falls back to the default theme.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path

from textual.theme import Theme

from dossier.safe import clean

_THEME_FIELDS = {f.name for f in fields(Theme)}
_COLOUR_FIELDS = {"primary", "secondary", "warning", "error", "success", "accent",
                  "foreground", "background", "surface", "panel", "boost"}


def shipped_themes_dir() -> Path:
    """The shipped themes: ``dossier/themes`` in the package (in the repository a symbolic link to the
    top-level ``themes/``, copied as files into a wheel by the package-data rule), else the top level."""
    packaged = Path(__file__).resolve().parents[1] / "themes"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "themes"


@dataclass
class LoadedThemes:
    themes: dict[str, Theme] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def message(self) -> str | None:
        """All errors as one notification, or None."""
        if not self.errors:
            return None
        return "Some theme files were skipped:\n" + "\n".join(f"• {e}" for e in self.errors)


def load_theme_file(path: Path) -> Theme:
    """One theme file as a Theme; ValueError with the reason when it is not one."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"not readable ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"invalid TOML: {exc}") from None
    unknown = sorted(set(data) - _THEME_FIELDS)
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(unknown)}")
    if not isinstance(data.get("name"), str) or not data["name"].strip():
        raise ValueError("'name' is missing")
    if not isinstance(data.get("primary"), str):
        raise ValueError("'primary' colour is missing")
    for key in _COLOUR_FIELDS & set(data):
        if not isinstance(data[key], str):
            raise ValueError(f"'{key}' must be a colour in quotes")
    variables = data.get("variables", {})
    if not isinstance(variables, dict) or not all(isinstance(v, str) for v in variables.values()):
        raise ValueError("[variables] must map names to text values")
    if "dark" in data and not isinstance(data["dark"], bool):
        raise ValueError("'dark' must be true or false")
    try:
        theme = Theme(**data)
        theme.to_color_system().generate()  # a bad colour fails here, not when the theme is applied
    except Exception as exc:  # Textual raises several error types for bad colours
        raise ValueError(f"bad colour: {exc}") from None
    return theme


def load_themes(*folders: Path) -> LoadedThemes:
    """Every theme in these folders (later folders override earlier ones by name)."""
    loaded = LoadedThemes()
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            try:
                theme = load_theme_file(path)
            except ValueError as exc:
                loaded.errors.append(clean(f"{path}: {exc}", 300))
                continue
            loaded.themes[theme.name] = theme
    return loaded
