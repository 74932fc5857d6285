"""Which entries a set of changed paths touches: the partial scan behind ``Index.apply``.

A watcher reports paths (files or folders, created, changed, deleted or moved); only the folders
they touch are scanned, and the predicate returned with the scan says which entries that scan
covers, so that an entry outside it is left alone.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import PurePosixPath

from dossier.index.state_table import Record
from dossier.model import KIND_FILES, TEXT_SUFFIXES, Problem, is_hidden
from dossier.store import Scan, Store


def normalise(path: str) -> str | None:
    """A tree-relative posix path, or None for what the index ignores (.git, hidden files)."""
    pure = PurePosixPath(str(path).replace(os.sep, "/"))
    parts = [p for p in pure.parts if p not in ("", ".")]
    if any(p == ".." for p in parts):
        return None
    if any(is_hidden(p) for p in parts):
        return None
    return "/".join(parts)


def problem_folder(problem: Problem) -> str:
    """The entry folder a problem is about (the folder of the file it names)."""
    path = PurePosixPath(problem.path)
    if path.name in KIND_FILES or path.suffix.lower() in TEXT_SUFFIXES:
        return str(path.parent)
    return str(path)


def partial_scan(
    store: Store, records: Mapping[str, Record], scan_problems: list[Problem], paths: set[str]
) -> tuple[Scan | None, Callable[[str], bool]]:
    """Scan only the folders these paths touch; the predicate says which folders were covered."""
    root = store.root
    entry_dirs: set[str] = set()
    trees: set[str] = set()
    for rel in paths:
        pure = PurePosixPath(rel)
        name = pure.name
        if name in KIND_FILES or name.lower().endswith(TEXT_SUFFIXES):
            parent = str(pure.parent)
            entry_dirs.add("." if parent in ("", ".") else parent)
            continue
        absolute = root / rel
        if absolute.is_file() or absolute.is_symlink() and not absolute.is_dir():
            continue  # some other file (an image, a temp file): not part of any entry
        trees.add(rel)  # a folder, or something gone that may have been one

    def covered(folder: str) -> bool:
        if folder in entry_dirs or folder in trees:
            return True
        return any(folder.startswith(t + "/") for t in trees)

    scan = Scan()
    seen_dirs: set[str] = set()
    for folder in sorted(entry_dirs):
        scan_folder(store, scan, folder, recursive=False, seen=seen_dirs)
    for folder in sorted(trees):
        scan_folder(store, scan, folder, recursive=True, seen=seen_dirs)
    # Duplicates: an id found here that the index has in a folder outside the scope,
    # which still holds an entry; or one found twice.
    found: dict[str, str] = {}
    for loc in scan.locations:
        if loc.id in found:
            return None, covered
        found[loc.id] = loc.folder
        record = records.get(loc.id)
        if (
            record is not None
            and record.folder != loc.folder
            and not covered(record.folder)
            and (root / record.folder / record.kind.filename).exists()
        ):
            return None, covered
    # An id that was a duplicate may stop being one: the scan problems say so.
    if any(p.code == "duplicate-id" for p in scan_problems):
        return None, covered
    return scan, covered


def scan_folder(store: Store, scan: Scan, folder: str, recursive: bool, seen: set[str]) -> None:
    """Add the entry in ``folder`` (and, when recursive, in its subfolders) to ``scan``."""
    root = store.root
    if folder in seen:
        return
    seen.add(folder)
    path = root / folder if folder != "." else root
    if not path.is_dir() or path.is_symlink():
        return
    if any(is_hidden(part) for part in PurePosixPath(folder).parts if part != "."):
        return
    # The folder's problems too (two kind files, a bad id): the caller replaces the ones it had.
    store.scan_folder(scan, path)
    if not recursive:
        return
    try:
        with os.scandir(path) as it:
            children = sorted(e.name for e in it if e.is_dir(follow_symlinks=False))
    except OSError:
        return
    for name in children:
        if is_hidden(name):
            continue
        child = f"{folder}/{name}" if folder != "." else name
        scan_folder(store, scan, child, recursive=True, seen=seen)
