"""Helpers for the trust tests: hostile content, entries written by hand, the CLI in a subprocess.

The CLI runs in a real subprocess here (not in-process like tests/cli) so that
what reaches stdout is exactly the bytes a terminal would receive.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

#: Terminal sequences a hostile tree might carry: colour, cursor moves and screen clear,
#: an OSC 52 clipboard write, an OSC 8 hyperlink, a window-title change, a bell, and C1 CSI.
ESCAPES = (
    "\x1b[31mRED\x1b[0m"
    "\x1b[2J\x1b[H"
    "\x1b]52;c;ZWNobyBwd25lZA==\x07"
    "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\"
    "\x1b]0;pwned-title\x07"
    "\x07"
    "\x9b31m"
    "\x9d0;c1-title\x9c"
)
#: Textual / Rich markup that must show literally and never act.
MARKUP = "[bold]B[/bold] [link=https://evil.example]L[/link] [@click=app.quit]Q[/] [@click=app.bell]X[/]"

#: Raw bytes that must never reach stdout from content: ESC, BEL, and C1 controls in UTF-8.
FORBIDDEN = re.compile(rb"[\x1b\x07]|\xc2[\x80-\x9f]")
#: What Rich itself writes to a colour terminal: SGR styles, and for progress bars cursor
#: hide/show, line up and erase line. Content's sequences would also carry OSC, BEL or C1.
RICH_OWN = re.compile(rb"\x1b\[(?:[0-9;]*m|\?25[lh]|[0-9]*A|2K)")


def toml_string(text: str) -> str:
    """A TOML basic string for any text (control characters as \\u escapes)."""
    out = []
    for char in text:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def write_entry(root: Path, kind: str, entry_id: str, toml: str, texts: dict[str, str | bytes] | None = None) -> Path:
    """An entry folder written by hand, as a user (or a colleague's commit) would."""
    filename = {"actor": "profile.toml", "event": "event.toml", "source": "source.toml"}[kind]
    folder = root / f"{kind}s" / entry_id
    folder.mkdir(parents=True, exist_ok=True)
    (folder / filename).write_text(toml, encoding="utf-8")
    for name, content in (texts or {}).items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (folder / name).write_bytes(data)
    return folder


def dossier(*args: str | Path, tty: bool = False, timeout: float = 60, cwd: Path | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run the real ``dossier`` command in a subprocess and capture its bytes.

    ``tty=True`` makes Rich believe it writes to a colour terminal, so that its
    own styling is on: content must still not smuggle sequences through.
    """
    full_env = dict(os.environ)
    full_env.pop("FORCE_COLOR", None)
    full_env["NO_COLOR"] = ""
    full_env.pop("NO_COLOR")
    if tty:
        full_env.update({"FORCE_COLOR": "1", "TERM": "xterm-256color", "COLORTERM": "truecolor"})
    else:
        full_env["TERM"] = "dumb"
    full_env["COLUMNS"] = "120"
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "dossier", *map(str, args)],
        capture_output=True,
        timeout=timeout,
        cwd=cwd,
        env=full_env,
    )


def have_module(name: str) -> bool:
    import importlib.util

    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def git_available() -> bool:
    return shutil.which("git") is not None


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "dossiers"
    root.mkdir()
    return root
