"""The user's text editor: ``dossier new --edit`` and the browser's ``e`` hand a file to it."""

from __future__ import annotations

import os
import shlex
import subprocess


def open_in_editor(path: os.PathLike[str] | str) -> int:
    """Run $VISUAL/$EDITOR (else vi) on a file and wait for it."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    return subprocess.call([*shlex.split(editor), os.fspath(path)])
