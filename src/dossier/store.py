"""The tree on disk: find entries, read them, write them atomically.

The store is the only code that touches the user's files. Reading never fails
with an exception for bad content: every unreadable file becomes a
:class:`~dossier.model.Problem` naming the file and, where it can, the line
(:mod:`dossier.userfiles`). Writing is always atomic (:mod:`dossier.atomic`),
never leaves the tree, and edits of existing files go through tomlkit so that
the user's comments, key order and unknown keys survive. What a new entry starts
with is in :mod:`dossier.templates`.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import stat
from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from dossier.atomic import ChangedOnDisk, StoreError, atomic_write
from dossier.model import (
    KIND_FILES,
    TEXT_SUFFIXES,
    Entry,
    Kind,
    Problem,
    Severity,
    is_hidden,
    is_valid_id,
    slugify,
    validate,
)
from dossier.templates import NEW_ENTRY_HINTS, dump_toml, new_entry_data, new_entry_id
from dossier.userfiles import (
    MAX_TEXT_BYTES,
    MAX_TOML_BYTES,
    MAX_TOML_NESTING,
    display,
    human_size,
    os_message,
    parse_toml,
    read_user_text,
)

if TYPE_CHECKING:
    import tomlkit

COLLECTION_FILE = "dossier.toml"


class EntryExists(StoreError):
    pass


class EntryNotFound(StoreError):
    pass


# ------------------------------------------------------------------ locations


@dataclass(frozen=True)
class FileStamp:
    """A file's path (relative, posix) with what tells that it changed.

    Size and mtime alone miss a change made by ``cp -p``, ``rsync -a``, ``tar`` or ``touch -r``,
    which restore the old mtime (and often the size is the same): the ctime and the inode are
    what such tools cannot set back.
    """

    path: str
    size: int
    mtime_ns: int
    ctime_ns: int = 0
    inode: int = 0


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
    def fingerprint(self) -> tuple[tuple[str, int, int, int, int], ...]:
        """Changes when any of the entry's files changes (size, mtime, ctime or inode)."""
        return tuple((s.path, s.size, s.mtime_ns, s.ctime_ns, s.inode) for s in (self.main, *self.texts))


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
                        if is_hidden(name):
                            continue
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
                            errors.append(Problem(display(prefix + name), os_message(exc), "unreadable"))
            except OSError as exc:
                problems.append(Problem(display(rel), f"folder not readable: {os_message(exc)}", "unreadable"))
                continue
            if kinds:
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
        _suggest_free_ids(scan)
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
        """Add the location of the entry in ``folder`` (or the problems that keep it out).

        The one place a folder becomes an entry: :meth:`scan` and :meth:`location_of` both come here.
        """
        entry_id = os.path.basename(folder)
        if len(kind_names) > 1:
            scan.problems.append(
                Problem(
                    display(folder_rel),
                    f"folder holds {' and '.join(kind_names)}; an entry has one kind file "
                    f"(read as {KIND_FILES[kind_names[0]].value}, the others ignored)",
                    "two-kinds",
                    entry_id=entry_id,
                )
            )
        if not is_valid_id(entry_id):
            scan.problems.append(
                Problem(
                    display(folder_rel),
                    f"folder name {display(entry_id)!r} is not a valid id (lowercase ASCII letters, digits and "
                    f"hyphens, starting with a letter or digit); rename it, e.g. to {slugify(display(entry_id))!r}",
                    "bad-id",
                    entry_id=display(entry_id),
                )
            )
            return
        prefix = "" if folder_rel == "." else folder_rel + "/"
        main = self._quick_stamp(scan, children[kind_names[0]], prefix + kind_names[0], root_real, entry_id)
        if main is None:
            return
        stamps = []
        for name in texts:
            stamp = self._quick_stamp(scan, children[name], prefix + name, root_real, entry_id)
            if stamp is not None:
                stamps.append(stamp)
        scan.locations.append(Location(entry_id, KIND_FILES[kind_names[0]], folder_rel, main, tuple(stamps)))

    def _quick_stamp(
        self, scan: Scan, child: os.DirEntry[str], rel: str, root_real: Path, entry_id: str
    ) -> FileStamp | None:
        """A file's stamp: one ``stat`` for a plain file (the usual case), else ``_stamp()``, which says why not."""
        try:
            if not child.is_symlink():
                st = child.stat()
                if stat.S_ISREG(st.st_mode):
                    return FileStamp(rel, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
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
            message = os_message(exc) if isinstance(exc, OSError) else "symbolic link loop; not followed"
            code = "symlink-loop" if "loop" in message else "unreadable"
            scan.problems.append(Problem(display(rel), message, code, entry_id=entry_id))
            return None
        if not stat.S_ISREG(st.st_mode):
            what = "a folder" if stat.S_ISDIR(st.st_mode) else "a pipe" if stat.S_ISFIFO(st.st_mode) else (
                "a socket" if stat.S_ISSOCK(st.st_mode) else "a device")
            scan.problems.append(
                Problem(display(rel), f"is {what}, not a regular file: "
                        + ("the entry is left out until it is a file" if child.name in KIND_FILES else "not read"),
                        "not-a-file", entry_id=entry_id)
            )
            return None
        return FileStamp(rel, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)

    def locate(self, entry_id: str) -> Location | None:
        """Find one entry by id: the conventional folders first, then a scan of folders."""
        if not is_valid_id(entry_id):
            return None
        for kind in Kind:
            folder = self.root / kind.plural / entry_id
            if (folder / kind.filename).is_file():
                found = self.location_of(folder)
                if found is not None:
                    return found
        return self.scan().by_id().get(entry_id)

    def location_of(self, folder: Path) -> Location | None:
        """The entry in this folder (absolute, inside the tree), or None when it holds none.

        Problems that keep a folder from being an entry (a bad id, an unreadable kind file) are
        reported by :meth:`scan` and :meth:`scan_folder`, not here.
        """
        scan = Scan()
        self.scan_folder(scan, folder)
        return scan.locations[0] if scan.locations else None

    def scan_folder(self, scan: Scan, folder: Path) -> None:
        """Add the entry in this one folder (absolute, inside the tree) to ``scan``, or the problems that
        keep it from being one (two kind files, a bad id), as :meth:`scan` does for every folder."""
        try:
            with os.scandir(folder) as it:
                children = {e.name: e for e in it}
        except OSError:
            return
        kind_names = [name for name in KIND_FILES if name in children]
        if not kind_names:
            return
        folder_text = os.fspath(folder)
        folder_rel = self._rel_text(folder_text) if folder_text != str(self.root) else "."
        texts = sorted(name for name in children if not is_hidden(name) and name.lower().endswith(TEXT_SUFFIXES))
        self._entry(scan, folder_text, folder_rel, kind_names, children, texts, self.root.resolve())

    # The name before it was public: branches started before the split may still call it.
    _location_of = location_of

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
            from dossier.merge import name_conflicts  # names the keys in conflict

            return None, text, name_conflicts(text, problems)
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
            if "/" in name or is_hidden(name) or not name.lower().endswith(TEXT_SUFFIXES):
                raise StoreError(f"{name!r} is not a text file name for an entry")
        kind_file = (dump_toml(kind, data) + template).encode("utf-8")
        # Never write what we would refuse to read back.
        if len(kind_file) > MAX_TOML_BYTES:
            raise StoreError(f"{kind.filename} for {entry_id!r} would be {human_size(len(kind_file))}; "
                             f"the limit is {human_size(MAX_TOML_BYTES)}")
        if oversized := [name for name, content in files.items() if len(content) > MAX_TEXT_BYTES]:
            raise StoreError(f"{oversized[0]} for {entry_id!r} is over the {human_size(MAX_TEXT_BYTES)} limit")
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
        location = self.location_of(target)
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
        new_text = edited_toml(text, change, location.main_file)
        atomic_write(path, new_text.encode("utf-8"), expect=before)
        found = self.location_of(path.parent)
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



def edited_toml(text: str, change: Callable[[tomlkit.TOMLDocument], None], rel: str) -> str:
    """``text`` with ``change`` applied to its tomlkit document: comments, order, quoting and CRLF kept.

    What :meth:`Store.edit` writes; curation calls it to show a change before making it.
    """
    import tomlkit  # here, not at the top: ``dossier --help`` and read-only runs never need it

    try:
        document = tomlkit.parse(text)
    except Exception as exc:  # tomlkit raises several error types for bad TOML
        raise StoreError(f"{rel} cannot be edited: invalid TOML ({exc})") from None
    change(document)
    new_text = tomlkit.dumps(document)
    if "\r\n" in text and "\n" not in text.replace("\r\n", ""):
        # tomlkit ends the lines it adds with "\n": keep a CRLF file all CRLF.
        new_text = new_text.replace("\r\n", "\n").replace("\n", "\r\n")
    import tomllib

    tomllib.loads(new_text)  # never write a file we could not read back
    return new_text


def _suggest_free_ids(scan: Scan) -> None:
    """A bad folder name's suggested id may be taken (``Mark-Milley`` beside ``mark-milley``): say so
    instead of suggesting a rename into a duplicate id."""
    bad = [p for p in scan.problems if p.code == "bad-id" and p.entry_id]
    if not bad:
        return
    folders = {loc.id: loc.folder for loc in scan.locations}
    for number, problem in enumerate(scan.problems):
        if problem.code != "bad-id" or not problem.entry_id:
            continue
        suggestion = slugify(problem.entry_id)
        taken = folders.get(suggestion)
        if taken is None:
            continue
        message = (f"folder name {problem.entry_id!r} is not a valid id (lowercase ASCII letters, digits and hyphens); "
                   f"{suggestion!r} is already the id of {taken}: if both are one entry, merge their files into "
                   f"{taken}; otherwise rename this folder, e.g. to {suggestion + '-2'!r}")
        scan.problems[number] = dataclasses.replace(problem, message=message)


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


__all__ = [
    "COLLECTION_FILE",
    "MAX_TEXT_BYTES",
    "MAX_TOML_BYTES",
    "MAX_TOML_NESTING",
    "NEW_ENTRY_HINTS",
    "ChangedOnDisk",
    "EntryExists",
    "EntryNotFound",
    "FileStamp",
    "Location",
    "Scan",
    "Store",
    "StoreError",
    "TextFile",
    "atomic_write",
    "display",
    "new_entry_data",
    "new_entry_id",
    "parse_toml",
    "read_user_text",
]
