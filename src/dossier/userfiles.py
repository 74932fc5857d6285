"""Reading a user's files safely: size limits, binary and encoding checks, merge conflicts, TOML.

Used by the store for entries and by the importers for the files they are given. Nothing here
raises for bad content: what cannot be read becomes a :class:`~dossier.model.Problem` naming the
file and, where it can, the line and column.
"""

from __future__ import annotations

import errno
import re
import stat
from pathlib import Path
from typing import Any

from dossier.model import Problem

#: A kind file larger than this is not parsed: no hand-written entry comes near it.
MAX_TOML_BYTES = 1 * 1024 * 1024
#: A text file larger than this is listed but not read, indexed or shown.
MAX_TEXT_BYTES = 8 * 1024 * 1024
#: TOML nested deeper than this is refused before parsing (tomllib recurses).
MAX_TOML_NESTING = 100
#: YAML front matter at the start of a Markdown file: ``---``, the fields (group 1), ``---`` or ``...``.
FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL | re.MULTILINE)
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
    if _looks_utf16(raw):
        return None, [problem(
            "saved as UTF-16, not UTF-8; not read. Save it as UTF-8 in your editor, or convert it: "
            f"iconv -f UTF-16 -t UTF-8 '{path.name}' > converted && mv converted '{path.name}'", "encoding")]
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


def _looks_utf16(raw: bytes) -> bool:
    """A UTF-16 byte-order mark, or text whose every other byte is NUL (UTF-16 without a mark)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    head = raw[:200]
    if len(head) < 4 or len(head) % 2:
        head = head[: len(head) - len(head) % 2]
    if len(head) < 4:
        return False
    even, odd = head[0::2], head[1::2]
    return odd.count(0) == len(odd) and 0 not in even or even.count(0) == len(even) and 0 not in odd


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
    import tomllib  # not at start-up: a search answered from the index parses no TOML

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
        message, line = _plain_toml_error(message, text, line)
        return None, [Problem(rel, f"invalid TOML: {message}", "toml", line, column, entry_id)]
    except RecursionError:
        return None, [Problem(rel, "TOML nested too deeply to read", "toml", None, None, entry_id)]


_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*')"""
_KEY_LINE = re.compile(rf"^[ \t]*({_KEY_PART}(?:[ \t]*\.[ \t]*{_KEY_PART})*)[ \t]*=")
_TABLE_LINE = re.compile(r"^[ \t]*(\[\[?)[ \t]*([^\]\n]+?)[ \t]*\]")


def _plain_toml_error(message: str, text: str, line: int | None) -> tuple[str, int | None]:
    """tomllib's message in the user's words, and the line where it points when it says none."""
    if message.startswith("Illegal character '\\n'"):
        return "the value does not end on this line: is a closing quote (\" or ') missing?", line
    declared = re.match(r"Cannot declare \((.*?),?\) twice", message)
    if declared:
        name = ".".join(part.strip().strip("'\"") for part in declared.group(1).split(","))
        return f"the table [{name}] is declared twice: merge the two into one", line
    if message.startswith("Cannot overwrite a value"):
        twice = _key_set_twice(text)
        if twice is not None:
            key, first, second = twice
            return f"the key {key!r} is set twice (lines {first} and {second}): keep one", second
        return "a key is set twice, or a table and a value share a name: keep one", line
    return message, line


def _key_set_twice(text: str) -> tuple[str, int, int] | None:
    """The first key set twice in one table: (key, first line, second line)."""
    seen: dict[str, int] = {}
    table = ""
    for number, line in enumerate(text.splitlines(), start=1):
        header = _TABLE_LINE.match(line)
        if header:
            table = header.group(2).replace(" ", "")
            if header.group(1) == "[[":
                seen = {k: v for k, v in seen.items() if not k.startswith(table + ".")}
            continue
        match = _KEY_LINE.match(line)
        if not match:
            continue
        key = match.group(1).replace(" ", "")
        full = f"{table}.{key}" if table else key
        if full in seen:
            return key, seen[full], number
        seen[full] = number
    return None


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

