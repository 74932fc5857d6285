"""Reading a user's files safely: size limits, binary and encoding checks, merge conflicts, TOML.

Used by the store for entries and by the importers for the files they are given. Nothing here
raises for bad content: what cannot be read becomes a :class:`~dossier.model.Problem` naming the
file and, where it can, the line and column.
"""

from __future__ import annotations

import errno
import re
import stat
import tomllib
from pathlib import Path
from typing import Any

from dossier.model import Problem

#: A kind file larger than this is not parsed: no hand-written entry comes near it.
MAX_TOML_BYTES = 1 * 1024 * 1024
#: A text file larger than this is listed but not read, indexed or shown.
MAX_TEXT_BYTES = 8 * 1024 * 1024
#: TOML nested deeper than this is refused before parsing (tomllib recurses).
MAX_TOML_NESTING = 100
CONFLICT_MARKERS = re.compile(r"^(<{7}|={7}|>{7}|\|{7})(?: |$)", re.MULTILINE)


def display(text: str) -> str:
    """A path or name safe to print: undecodable bytes from the file system as escapes."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def read_user_text(
    path: Path, rel: str, limit: int, entry_id: str | None = None
) -> tuple[str | None, list[Problem]]:
    """A user's file as text, or None and the problems that stopped us reading it.

    Refuses what is not a readable UTF-8 text file: too large (by size, before
    reading), binary (a NUL byte), invalid UTF-8 (with line and column of the
    first bad byte). Merge-conflict markers are reported, and the text is still
    returned so that the rest can be shown.
    """

    def problem(message: str, code: str, line: int | None = None, column: int | None = None) -> Problem:
        return Problem(rel, message, code, line, column, entry_id)

    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            return None, [problem("not a regular file", "unreadable")]
        if st.st_size > limit:
            return None, [
                problem(f"file is too large to read ({human_size(st.st_size)}; the limit is {human_size(limit)})",
                        "too-large")
            ]
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as exc:
        return None, [problem(os_message(exc), "unreadable")]
    if b"\0" in raw:
        return None, [problem("binary file (it holds NUL bytes); not read", "binary")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [
            problem(
                f"not valid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8",
                "encoding",
                line,
                column,
            )
        ]
    if text.startswith("\ufeff"):
        text = text[1:]
    problems = [
        problem(
            f"git merge conflict (lines {start}-{end}): resolve it and remove the markers"
            if end
            else "git merge-conflict marker: resolve the conflict and remove the markers",
            "merge-conflict",
            start,
        )
        for start, end in conflicts(text)
    ]
    return text, problems


def conflicts(text: str) -> list[tuple[int, int | None]]:
    """Each git merge conflict in the text: its first line and, if closed, its last."""
    found: list[tuple[int, int | None]] = []
    start = None
    for match in CONFLICT_MARKERS.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        marker = match.group(1)[0]
        if marker == "<":
            if start is not None:
                found.append((start, None))
            start = line
        elif marker == ">" and start is not None:
            found.append((start, line))
            start = None
    if start is not None:
        found.append((start, None))
    return found


_TOML_ERROR_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


def parse_toml(text: str, rel: str, entry_id: str | None = None) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Parse TOML text; on failure a problem with the parser's line and column."""
    depth = _nesting_depth(text)
    if depth <= MAX_TOML_NESTING and text.count(".") > MAX_TOML_NESTING and _DEEP_DOTTED_KEY.search(text):
        # Dotted keys nest without brackets, and tomllib takes time and memory quadratic in their depth.
        return None, [
            Problem(rel, f"TOML dotted key nested more than {MAX_TOML_NESTING} levels deep; not read", "toml",
                    entry_id=entry_id)
        ]
    if depth > MAX_TOML_NESTING:
        return None, [
            Problem(rel, f"TOML nested {depth} levels deep; the limit is {MAX_TOML_NESTING}", "toml",
                    entry_id=entry_id)
        ]
    try:
        return tomllib.loads(text), []
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        line = getattr(exc, "lineno", None)
        column = getattr(exc, "colno", None)
        match = _TOML_ERROR_POSITION.search(message)
        if match:
            line, column = int(match.group(1)), int(match.group(2))
            message = message[: match.start()]
        elif message.endswith("(at end of document)"):
            line = text.count("\n") + 1
            message = message.removesuffix(" (at end of document)") + " at the end of the file"
        return None, [Problem(rel, f"invalid TOML: {message}", "toml", line, column, entry_id)]
    except RecursionError:
        return None, [Problem(rel, "TOML nested too deeply to read", "toml", None, None, entry_id)]


_DEEP_DOTTED_KEY = re.compile(
    r"""(?:(?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*')[ \t]*\.[ \t]*)""" + f"{{{MAX_TOML_NESTING}}}"
)


def _nesting_depth(text: str) -> int:
    """An upper bound on bracket nesting, cheap enough to run before parsing."""
    if text.count("[") + text.count("{") <= MAX_TOML_NESTING:
        return 0
    depth = deepest = 0
    for char in text:
        if char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth = max(0, depth - 1)
    return deepest


def human_size(n: int) -> str:
    """A byte count for a message: 1.5 MB, 12 KB."""
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def os_message(exc: OSError) -> str:
    """Why the system refused to read a file, in a user's words."""
    if exc.errno == errno.ELOOP:
        return "symbolic link loop; not followed"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.ENOENT:
        return "no such file (a broken symbolic link, or removed while reading)"
    return exc.strerror or str(exc)

