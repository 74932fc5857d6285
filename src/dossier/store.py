"""The tree on disk: find entries, read them, write them atomically.

The store is the only code that touches the user's files. Reading never fails
with an exception for bad content: every unreadable file becomes a
:class:`~dossier.model.Problem` naming the file and, where it can, the line.
Writing is always atomic (a temporary file beside the target, then a rename),
never leaves the tree, and edits of existing files go through tomlkit so that
the user's comments, key order and unknown keys survive.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import re
import stat
import tempfile
import time
import tomllib
from collections.abc import Callable, Container, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import tomli_w
import tomlkit

from dossier.model import (
    DATE_FIELD,
    KIND_FILES,
    TEXT_SUFFIXES,
    Entry,
    Kind,
    Problem,
    Severity,
    is_valid_id,
    ordered,
    slugify,
    validate,
)

#: A kind file larger than this is not parsed: no hand-written entry comes near it.
MAX_TOML_BYTES = 1 * 1024 * 1024
#: A text file larger than this is listed but not read, indexed or shown.
MAX_TEXT_BYTES = 8 * 1024 * 1024
#: TOML nested deeper than this is refused before parsing (tomllib recurses).
MAX_TOML_NESTING = 100

COLLECTION_FILE = "dossier.toml"
CONFLICT_MARKERS = re.compile(r"^(<{7}|={7}|>{7}|\|{7})(?: |$)", re.MULTILINE)


class StoreError(Exception):
    """A write the store refused, with a message for the user."""


class EntryExists(StoreError):
    pass


class EntryNotFound(StoreError):
    pass


class ChangedOnDisk(StoreError):
    """The file changed between reading it and writing it: the write was not made."""


# ------------------------------------------------------------------ locations


@dataclass(frozen=True)
class FileStamp:
    """A file's path (relative, posix) with the size and mtime that tell if it changed."""

    path: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Location:
    """Where an entry lives, found by scanning folders without parsing any file."""

    id: str
    kind: Kind
    folder: str
    main: FileStamp
    texts: tuple[FileStamp, ...] = ()

    @property
    def main_file(self) -> str:
        return self.main.path

    @property
    def fingerprint(self) -> tuple[tuple[str, int, int], ...]:
        """Changes when any of the entry's files changes (size or mtime)."""
        return tuple((s.path, s.size, s.mtime_ns) for s in (self.main, *self.texts))


@dataclass
class Scan:
    """Every entry in the tree and the problems found just by looking at folders."""

    locations: list[Location] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def by_id(self) -> dict[str, Location]:
        """The first location of each id (duplicates are problems of the scan)."""
        found: dict[str, Location] = {}
        for loc in self.locations:
            found.setdefault(loc.id, loc)
        return found


@dataclass
class TextFile:
    """One of an entry's text files, read, or the reason it could not be."""

    path: str
    text: str | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def name(self) -> str:
        return PurePosixPath(self.path).name


def display(text: str) -> str:
    """A path or name safe to print: undecodable bytes from the file system as escapes."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


# --------------------------------------------------------------------- reading


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
                problem(f"file is too large to read ({_size(st.st_size)}; the limit is {_size(limit)})", "too-large")
            ]
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as exc:
        return None, [problem(_os_message(exc), "unreadable")]
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


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def _os_message(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symbolic link loop; not followed"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.ENOENT:
        return "no such file (a broken symbolic link, or removed while reading)"
    return exc.strerror or str(exc)


# ---------------------------------------------------------------------- store


class Store:
    """A dossier tree: the folders under ``root``."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).absolute()

    # -- paths

    def path(self, rel: str) -> Path:
        """The absolute path of a tree-relative path, refusing anything outside the tree."""
        candidate = (self.root / rel).resolve()
        if not candidate.is_relative_to(self.root.resolve()):
            raise StoreError(f"{display(rel)} is outside the tree")
        return candidate

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    # -- scanning

    def scan(self) -> Scan:
        """Every entry folder in the tree, without parsing any file.

        One ``os.scandir`` per folder and one ``stat`` per kind or text file, with
        string paths: this runs on every launch (reconcile), and at 20,000 entries
        each microsecond per folder is 20 ms. Folder kinds come from the
        directory listing (``d_type``), so other files and folders cost no stat.
        """
        scan = Scan()
        root_real = self.root.resolve()
        root = str(self.root)
        kind_files = KIND_FILES
        suffixes = TEXT_SUFFIXES
        problems = scan.problems
        locations = scan.locations
        sep = os.sep
        stack: list[tuple[str, str]] = [(root, ".")]
        while stack:
            folder, rel = stack.pop()
            prefix = "" if rel == "." else rel + "/"
            kinds: list[str] = []
            files: dict[str, os.DirEntry[str]] = {}
            subfolders: list[str] = []
            links: list[str] = []
            errors: list[Problem] = []
            try:
                with os.scandir(folder) as it:
                    for child in it:
                        name = child.name
                        if name[0] == "." or name == "__pycache__":
                            continue  # hidden: .git/, editors' and our own temporary files
                        if name in kind_files:
                            kinds.append(name)
                            files[name] = child
                        elif name.lower().endswith(suffixes):
                            files[name] = child
                        try:
                            if child.is_symlink():
                                links.append(child.path)
                            elif child.is_dir(follow_symlinks=False):
                                subfolders.append(name)
                        except OSError as exc:
                            errors.append(Problem(display(prefix + name), _os_message(exc), "unreadable"))
            except OSError as exc:
                problems.append(Problem(display(rel), f"folder not readable: {_os_message(exc)}", "unreadable"))
                continue
            if len(kinds) == 1 and not links and is_valid_id(entry_id := os.path.basename(folder)):
                # The common case, inline: one kind file, no links, a valid id (as _entry does).
                kind_name = kinds[0]
                main = self._quick_stamp(scan, files[kind_name], prefix + kind_name, root_real, entry_id)
                if main is not None:
                    stamps = []
                    for name in sorted(files):
                        if name not in kind_files:
                            stamp = self._quick_stamp(scan, files[name], prefix + name, root_real, entry_id)
                            if stamp is not None:
                                stamps.append(stamp)
                    locations.append(Location(entry_id, kind_files[kind_name], rel, main, tuple(stamps)))
            elif kinds:
                if len(kinds) > 1:
                    kinds = [name for name in kind_files if name in files]
                texts = sorted(name for name in files if name not in kind_files)
                self._entry(scan, folder, rel, kinds, files, texts, root_real)
            for link in links:
                self._check_folder_link(scan, Path(link), root_real)
            problems.extend(errors)
            if subfolders:
                subfolders.sort(reverse=True)
                stack.extend((folder + sep + name, prefix + name) for name in subfolders)
        _report_duplicates(scan)
        return scan

    def _rel_text(self, path: str) -> str:
        """``rel()`` for a path string under the root, without pathlib (which is slow per file)."""
        prefix = self.__dict__.get("_root_prefix")
        if prefix is None:
            prefix = self.__dict__["_root_prefix"] = len(os.path.join(str(self.root), ""))
        rel = path[prefix:]
        return rel.replace(os.sep, "/") if os.sep != "/" else rel

    def _check_folder_link(self, scan: Scan, path: Path, root_real: Path) -> None:
        """Symbolic links are never followed as folders; say so when one matters."""
        rel = display(self.rel(path))
        try:
            target = path.resolve(strict=True)
        except RuntimeError:
            scan.problems.append(Problem(rel, "symbolic link loop; not followed", "symlink-loop"))
            return
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                scan.problems.append(Problem(rel, "symbolic link loop; not followed", "symlink-loop"))
            else:
                scan.problems.append(
                    Problem(rel, "broken symbolic link; not followed", "broken-link", severity=Severity.WARNING)
                )
            return
        if target.is_dir() and not target.is_relative_to(root_real):
            scan.problems.append(
                Problem(rel, "symbolic link to a folder outside the tree; not followed", "outside-tree")
            )
        elif target.is_dir() and path.parent.resolve().is_relative_to(target):
            # Followed, it would hold itself forever (e.g. ``self -> ..``): say why it is skipped.
            scan.problems.append(
                Problem(rel, "symbolic link to a folder that contains it (a loop); not followed", "symlink-loop")
            )

    def _collect(
        self, scan: Scan, folder: Path | str, children: dict[str, os.DirEntry[str]], root_real: Path
    ) -> None:
        """The entry in one folder, from its listing (``scan()`` does the same inline)."""
        kind_names = [name for name in KIND_FILES if name in children]
        if not kind_names:
            return
        folder_text = os.fspath(folder)
        folder_rel = self._rel_text(folder_text) if folder_text != str(self.root) else "."
        texts = sorted(
            name for name in children if not name.startswith(".") and name.lower().endswith(TEXT_SUFFIXES)
        )
        self._entry(scan, folder_text, folder_rel, kind_names, children, texts, root_real)

    def _entry(
        self,
        scan: Scan,
        folder: str,
        folder_rel: str,
        kind_names: list[str],
        children: Mapping[str, os.DirEntry[str]],
        texts: list[str],
        root_real: Path,
    ) -> None:
        """Add the location of the entry in ``folder`` (or the problems that keep it out)."""
        entry_id = os.path.basename(folder)
        shown_rel = display(folder_rel)
        if len(kind_names) > 1:
            scan.problems.append(
                Problem(
                    shown_rel,
                    f"folder holds {' and '.join(kind_names)}; an entry has one kind file "
                    f"(read as {KIND_FILES[kind_names[0]].value}, the others ignored)",
                    "two-kinds",
                    entry_id=entry_id,
                )
            )
        if not is_valid_id(entry_id):
            scan.problems.append(
                Problem(
                    shown_rel,
                    f"folder name {display(entry_id)!r} is not a valid id (lowercase ASCII letters, digits and "
                    f"hyphens, starting with a letter or digit); rename it, e.g. to {slugify(display(entry_id))!r}",
                    "bad-id",
                    entry_id=display(entry_id),
                )
            )
            return
        prefix = "" if folder_rel == "." else folder_rel + "/"
        main = self._stamp(scan, children[kind_names[0]], prefix + kind_names[0], root_real, entry_id)
        if main is None:
            return
        stamps = []
        for name in texts:
            stamp = self._stamp(scan, children[name], prefix + name, root_real, entry_id)
            if stamp is not None:
                stamps.append(stamp)
        scan.locations.append(Location(entry_id, KIND_FILES[kind_names[0]], folder_rel, main, tuple(stamps)))

    def _quick_stamp(
        self, scan: Scan, child: os.DirEntry[str], rel: str, root_real: Path, entry_id: str
    ) -> FileStamp | None:
        """``_stamp()`` without its checks for a plain file (no symbolic link, stat works)."""
        try:
            if not child.is_symlink():
                st = child.stat()
                return FileStamp(rel, st.st_size, st.st_mtime_ns) if stat.S_ISREG(st.st_mode) else None
        except OSError:
            pass
        return self._stamp(scan, child, rel, root_real, entry_id)  # says why, once

    def _stamp(
        self, scan: Scan, child: os.DirEntry[str], rel: str, root_real: Path, entry_id: str
    ) -> FileStamp | None:
        try:
            if child.is_symlink():
                target = Path(child.path).resolve(strict=True)
                if not target.is_relative_to(root_real):
                    scan.problems.append(
                        Problem(display(rel), "symbolic link to a file outside the tree; not read", "outside-tree",
                                entry_id=entry_id)
                    )
                    return None
            st = child.stat()
        except (OSError, RuntimeError) as exc:
            message = _os_message(exc) if isinstance(exc, OSError) else "symbolic link loop; not followed"
            code = "symlink-loop" if "loop" in message else "unreadable"
            scan.problems.append(Problem(display(rel), message, code, entry_id=entry_id))
            return None
        if not stat.S_ISREG(st.st_mode):
            return None
        return FileStamp(rel, st.st_size, st.st_mtime_ns)

    def locate(self, entry_id: str) -> Location | None:
        """Find one entry by id: the conventional folders first, then a scan of folders."""
        if not is_valid_id(entry_id):
            return None
        for kind in Kind:
            folder = self.root / kind.plural / entry_id
            if (folder / kind.filename).is_file():
                found = self._location_of(folder)
                if found is not None:
                    return found
        return self.scan().by_id().get(entry_id)

    def _location_of(self, folder: Path) -> Location | None:
        scan = Scan()
        try:
            with os.scandir(folder) as it:
                children = {e.name: e for e in it}
        except OSError:
            return None
        self._collect(scan, folder, children, self.root.resolve())
        return scan.locations[0] if scan.locations else None

    # -- loading

    def load(self, where: Location | str) -> Entry:
        """One entry, parsed and validated on its own: no other file in the tree is read."""
        location = where if isinstance(where, Location) else self.locate(where)
        if location is None:
            raise EntryNotFound(f"no entry with id {where!r} in {self.root}")
        entry = Entry(location.id, location.kind, location.folder, text_files=[t.path for t in location.texts])
        data, text, problems = self.read_kind_file(location)
        entry.problems.extend(problems)
        if data is not None:
            entry.data = data
            entry.problems.extend(validate(entry.id, entry.kind, data, location.main_file, text or ""))
        return entry

    def read_kind_file(self, location: Location) -> tuple[dict[str, Any] | None, str | None, list[Problem]]:
        """The parsed kind file, its text, and what stopped it being read."""
        rel = location.main_file
        text, problems = read_user_text(self.root / rel, display(rel), MAX_TOML_BYTES, location.id)
        if text is None:
            return None, None, problems
        if problems:  # merge-conflict markers: the TOML would only half-parse
            return None, text, problems
        data, parse_problems = parse_toml(text, display(rel), location.id)
        return data, text, parse_problems

    def read_text_file(self, rel: str, entry_id: str | None = None) -> TextFile:
        """One of an entry's text files."""
        try:
            path = self.path(rel)
        except StoreError as exc:
            return TextFile(rel, None, [Problem(display(rel), str(exc), "outside-tree", entry_id=entry_id)])
        text, problems = read_user_text(path, display(rel), MAX_TEXT_BYTES, entry_id)
        return TextFile(rel, text, problems)

    def collection(self) -> tuple[dict[str, Any], list[Problem]]:
        """The optional ``dossier.toml`` at the root: the collection's title and defaults."""
        path = self.root / COLLECTION_FILE
        if not path.exists():
            return {}, []
        text, problems = read_user_text(path, COLLECTION_FILE, MAX_TOML_BYTES)
        if text is None or problems:
            return {}, problems
        data, problems = parse_toml(text, COLLECTION_FILE)
        return data or {}, problems

    # -- writing

    def create(
        self,
        kind: Kind,
        entry_id: str,
        data: Mapping[str, Any],
        *,
        folder: str | None = None,
        texts: Mapping[str, str] | None = None,
        template: str = "",
        known_ids: Container[str] | None = None,
        sync: bool = True,
    ) -> Location:
        """A new entry folder with its kind file (and text files); never overwrites.

        ``template`` is appended to the kind file as-is: commented hints for the
        fields a person fills in next. Bulk writers (importers) pass
        ``known_ids``, the ids of a scan they made, so that each new entry does not
        rescan the tree, and ``sync=False``, then flush once at the end (an
        fsync per file would dominate a bulk import).
        """
        if not is_valid_id(entry_id):
            raise StoreError(f"{entry_id!r} is not a valid id")
        if known_ids is not None:
            if entry_id in known_ids:
                raise EntryExists(f"an entry with id {entry_id!r} already exists")
        else:
            existing = self.locate(entry_id)
            if existing is not None:
                raise EntryExists(f"an entry with id {entry_id!r} already exists at {existing.folder}")
        target = self.path(folder or f"{kind.plural}/{entry_id}")
        if target.name != entry_id:
            raise StoreError(f"the folder of entry {entry_id!r} must be named {entry_id!r}")
        files = {name: text.encode("utf-8") for name, text in (texts or {}).items()}
        for name in files:
            if "/" in name or name.startswith(".") or not name.lower().endswith(TEXT_SUFFIXES):
                raise StoreError(f"{name!r} is not a text file name for an entry")
        kind_file = (dump_toml(kind, data) + template).encode("utf-8")
        # Never write what we would refuse to read back.
        if len(kind_file) > MAX_TOML_BYTES:
            raise StoreError(f"{kind.filename} for {entry_id!r} would be {_size(len(kind_file))}; "
                             f"the limit is {_size(MAX_TOML_BYTES)}")
        if oversized := [name for name, content in files.items() if len(content) > MAX_TEXT_BYTES]:
            raise StoreError(f"{oversized[0]} for {entry_id!r} is over the {_size(MAX_TEXT_BYTES)} limit")
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            target.mkdir()
        except FileExistsError:
            # A folder without a kind file is not an entry: most likely what an interrupted create
            # left. Finish it, as long as that overwrites nothing (a re-run writes the same texts).
            if not target.is_dir() or any((target / name).exists() for name in KIND_FILES) or any(
                (target / name).exists() and (target / name).read_bytes() != content for name, content in files.items()
            ):
                raise EntryExists(f"{self.rel(target)} already exists") from None
        # Text files first, the kind file last: the folder becomes an entry only once it is whole.
        for name, content in files.items():
            atomic_write(target / name, content, sync=sync)
        atomic_write(target / kind.filename, kind_file, sync=sync)
        location = self._location_of(target)
        assert location is not None
        return location

    def edit(self, where: Location | str, change: Callable[[tomlkit.TOMLDocument], None]) -> Location:
        """Change an entry's kind file in place, keeping comments, order and unknown keys.

        ``change`` receives the tomlkit document and mutates it. The file is
        re-read just before the rename; if another program changed it since we
        read it, nothing is written and :class:`ChangedOnDisk` is raised.
        """
        location = where if isinstance(where, Location) else self.locate(where)
        if location is None:
            raise EntryNotFound(f"no entry with id {where!r}")
        path = self.path(location.main_file)
        before = path.read_bytes()
        text, problems = read_user_text(path, location.main_file, MAX_TOML_BYTES, location.id)
        if text is None or problems:
            raise StoreError(f"{location.main_file} cannot be edited: {problems[0].message}")
        try:
            document = tomlkit.parse(text)
        except Exception as exc:  # tomlkit raises several error types for bad TOML
            raise StoreError(f"{location.main_file} cannot be edited: invalid TOML ({exc})") from None
        change(document)
        new_text = tomlkit.dumps(document)
        if "\r\n" in text and "\n" not in text.replace("\r\n", ""):
            # tomlkit ends the lines it adds with "\n": keep a CRLF file all CRLF.
            new_text = new_text.replace("\r\n", "\n").replace("\n", "\r\n")
        tomllib.loads(new_text)  # never write a file we could not read back
        atomic_write(path, new_text.encode("utf-8"), expect=before)
        found = self._location_of(path.parent)
        assert found is not None
        return found

    def set_fields(self, where: Location | str, values: Mapping[str, Any]) -> Location:
        """Set top-level fields of an entry (None removes one), keeping everything else."""

        def change(document: tomlkit.TOMLDocument) -> None:
            for key, value in values.items():
                if value is None:
                    document.pop(key, None)
                else:
                    document[key] = value

        return self.edit(where, change)

    def write_text(self, where: Location | str, name: str, text: str) -> None:
        """Write one of an entry's text files (atomically)."""
        location = where if isinstance(where, Location) else self.locate(where)
        if location is None:
            raise EntryNotFound(f"no entry with id {where!r}")
        if "/" in name or name.startswith(".") or not name.lower().endswith(TEXT_SUFFIXES):
            raise StoreError(f"{name!r} is not a text file name for an entry")
        atomic_write(self.path(f"{location.folder}/{name}"), text.encode("utf-8"))


def _report_duplicates(scan: Scan) -> None:
    ids = [loc.id for loc in scan.locations]
    if len(set(ids)) == len(ids):
        return  # the usual case, without a list per entry
    seen: dict[str, list[Location]] = {}
    for loc in scan.locations:
        seen.setdefault(loc.id, []).append(loc)
    for entry_id, locations in seen.items():
        if len(locations) < 2:
            continue
        for loc in locations:
            others = ", ".join(o.folder for o in locations if o is not loc)
            scan.problems.append(
                Problem(
                    loc.main_file,
                    f"duplicate id {entry_id!r}: also used by {others}; ids must be unique across the tree",
                    "duplicate-id",
                    entry_id=entry_id,
                )
            )


# ------------------------------------------------------------------ new files


def dump_toml(kind: Kind, data: Mapping[str, Any]) -> str:
    """TOML for a new file: canonical key order, tables last."""
    return tomli_w.dumps(ordered(kind, data))


def new_entry_data(kind: Kind, title: str, date: object = None, today: dt.date | None = None) -> dict[str, Any]:
    """The fields a new entry starts with."""
    today = today or dt.date.today()
    if kind is Kind.ACTOR:
        data: dict[str, Any] = {"name": title, "type": "person", "aliases": [], "summary": "", "tags": []}
        if date is not None:
            data["born"] = date
        return data
    if kind is Kind.EVENT:
        return {
            "title": title,
            **({"date": date} if date is not None else {}),  # unknown: left out, never today's date
            "importance": 5,
            "status": "reported",
            "actors": [],
            "tags": [],
            "sources": [],
        }
    data = {"title": title, "url": "", "outlet": "", "author": ""}
    if date is not None:
        data["published"] = date
    data.update({"accessed": today, "type": "news"})
    return data


NEW_ENTRY_HINTS = {
    Kind.ACTOR: (
        "\n# type: person | organization | group | state | other\n"
        "# [[roles]]\n# title = \"\"\n# org = \"\"          # an actor id, or free text\n# from = 2020-01-01\n"
        "# [[links]]\n# to = \"\"           # an actor id\n# rel = \"\"\n# sources = []\n"
    ),
    Kind.EVENT: (
        "\n# status: reported | confirmed | disputed | debunked; importance 1-10\n"
        "# location = \"\"\n# related = []\n"
        "# [[accounts]]      # who says what\n# by = \"\"\n# claim = \"\"\n# source = \"\"\n"
    ),
    Kind.SOURCE: (
        "\n# type: news | opinion | analysis | book | document | interview | web\n"
        "# reliability = \"B\"  # Admiralty source grade A-F\n"
        "# credibility = 2    # Admiralty information grade 1-6\n"
    ),
}


def new_entry_id(kind: Kind, title: str, date: object = None) -> str:
    """The id a new entry gets: a slug of its title, date first for events and sources."""
    slug = slugify(title)
    if kind is Kind.ACTOR or date is None:
        return slug
    return f"{date}-{slug}"


def date_of(kind: Kind, data: Mapping[str, Any]) -> object:
    return data.get(DATE_FIELD[kind])


# ---------------------------------------------------------------- atomic write


def atomic_write(path: Path, content: bytes, *, expect: bytes | None = None, sync: bool = True) -> None:
    """Replace ``path`` with ``content`` so that readers see the old or the new file, whole.

    The temporary file is a hidden sibling (same file system, so the rename is
    atomic; hidden, so scanners and watchers skip it). When ``expect`` is given
    and the file no longer holds it, nothing is written.
    """
    folder = path.parent
    mode = None
    with contextlib.suppress(FileNotFoundError):
        mode = stat.S_IMODE(path.stat().st_mode)
    _remove_stale_temp_files(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            if sync:
                os.fsync(handle.fileno())
        os.chmod(tmp_name, mode if mode is not None else 0o644)
        if expect is None:
            os.replace(tmp_name, path)
        else:
            # Compare and replace under a lock on the file being replaced: two programs that
            # read the same version cannot both pass the comparison (the second would lose
            # the first one's edit). A writer that waited finds the file replaced and stops.
            with _locked(path):
                try:
                    current = path.read_bytes()
                except FileNotFoundError:
                    current = None
                if current != expect:
                    raise ChangedOnDisk(f"{path.name} changed on disk while it was being edited; nothing was written")
                os.replace(tmp_name, path)
    except BaseException as exc:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        if isinstance(exc, OSError) and exc.errno is not None and exc.filename is None:
            exc.filename = str(path)  # a full disk fails in write(), which names no file: name the one meant
        raise
    if sync:
        _fsync_folder(folder)


#: A temporary file of ours this old was left by a write that was killed (writes take milliseconds).
STALE_TEMP_SECONDS = 600


def _remove_stale_temp_files(path: Path) -> None:
    """Remove what killed writes of this file left behind: git would show them as untracked."""
    try:
        with os.scandir(path.parent) as it:
            names = [e.name for e in it if e.name.startswith(f".{path.name}.") and e.name.endswith(".tmp")]
    except OSError:
        return
    now = time.time()
    for name in names:
        stale = path.parent / name
        with contextlib.suppress(OSError):
            if now - stale.lstat().st_mtime > STALE_TEMP_SECONDS:
                stale.unlink()


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive advisory lock on the file now at ``path`` (none where there is no flock)."""
    try:
        import fcntl
    except ImportError:  # Windows: no flock; the comparison alone still catches most races
        yield
        return
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
