"""Operating-system errors said in a user's words, naming the file (for the CLI and the browser)."""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

from dossier.safe import clean

_REASONS = {
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.ENOENT: "no such file or folder",
    errno.ENOTDIR: "a file is where a folder should be",
    errno.EISDIR: "it is a folder",
    errno.EEXIST: "it already exists",
}


def describe_os_error(exc: OSError, root: Path | None = None) -> str:
    """``path: reason`` for an error while reading or writing (the path relative to ``root`` when inside it)."""
    reason = _REASONS.get(exc.errno or 0) or exc.strerror or str(exc)
    filename = exc.filename
    if filename is None:
        return reason
    path = Path(os.fsdecode(filename))
    if exc.errno == errno.EEXIST and path.exists() and not path.is_dir():
        reason = "a file is where a folder should be"  # making a folder (mkdir) where a file has the name
    if root is not None:
        with contextlib.suppress(ValueError, OSError):
            path = path.resolve().relative_to(root.resolve())
    return f"{clean(str(path), 300)}: {reason}"
