"""The modification time of every folder of the tree: what was created, deleted or renamed, without a walk.

A folder's mtime changes when a name in it is created, deleted or renamed; not when a file in it is
written in place. So comparing each folder's mtime with the one recorded at the last reconcile finds
every new file, new entry, deleted or renamed entry, anywhere in the tree, for one ``stat`` per folder
(0.17 s for 100,000 folders here, against seconds for a walk that lists them all and stats every file).
Edits in place of files git tracks are what ``git status --untracked-files=no`` reports
(:mod:`~dossier.index.gitstate`); the two together are the reconcile of a tree kept in git.

A tree not kept in git has no stat cache of its own to ask; the entries' files are then stat'ed
one by one against the stamps recorded when they were indexed (:func:`file_changes`: size, mtime,
ctime and inode, so ``cp -p`` and same-size-same-mtime edits show): no folder is listed, where a walk
lists them all.

A folder or file whose mtime or ctime is within :data:`RACY_NS` of the moment it was looked at is
recorded as :data:`RACY`, so that it is looked at again next time: a change in the same clock tick as
the look would leave the stamp as it was (git's "racy clean" problem, solved the same way).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from dossier.model import KIND_FILES, is_hidden

#: A stamp that never matches: the folder is listed again at the next reconcile.
RACY = -1
#: An mtime this close to the moment it was read may still move within the same clock tick.
RACY_NS = 2_000_000_000

#: Tree-relative folder ("" for the root) -> its mtime in nanoseconds, or RACY.
Stamps = dict[str, int]
#: Tree-relative file -> (size, mtime_ns, ctime_ns, inode); mtime RACY to look at it again.
FileStamps = dict[str, tuple[int, int, int, int]]


def _abs(root: str, rel: str) -> str:
    return root if not rel else f"{root}/{rel}"


def stamp(mtime_ns: int, now_ns: int) -> int:
    """What to record for a folder of this mtime, looked at ``now_ns``."""
    return RACY if mtime_ns >= now_ns - RACY_NS else mtime_ns


def record(root: str, folders: Iterable[str]) -> Stamps:
    """The stamps of these folders as they are now (those that vanished are left out)."""
    now = time.time_ns()
    stamps: Stamps = {}
    for rel in folders:
        try:
            stamps[rel] = stamp(os.stat(_abs(root, rel)).st_mtime_ns, now)
        except OSError:
            continue
    return stamps


@dataclass
class FolderChanges:
    """What the folders say changed since their stamps, and the stamps to record now."""

    #: Tree-relative paths to hand to ``Index.apply``: files of changed folders, new and vanished folders.
    paths: set[str] = field(default_factory=set)
    #: The files of changed and new folders, as listed now: those git does not track are looked at until
    #: it does (an untracked file edited in place later moves no folder's mtime).
    looked_at: set[str] = field(default_factory=set)
    stamps: Stamps = field(default_factory=dict)


def changes(root: str, stamps: Stamps) -> FolderChanges:
    """Compare every recorded folder's mtime with now; list only the folders that changed.

    A changed folder's files are handed on (the kind files' names too: a deleted kind file is a
    removed entry), its new subfolders are walked whole (stat first, then listed, so that a change
    made during the walk moves a stamp already taken) and a vanished folder is handed on as itself.
    """
    found = FolderChanges(stamps=dict(stamps))
    now = time.time_ns()
    stat = os.stat
    prefix = root + "/"
    moved: list[tuple[str, int]] = []
    gone: list[str] = []
    # The one loop that runs for every folder of the tree: kept bare (0.3 s for 100,000 folders here).
    for rel, old in stamps.items():
        try:
            mtime = stat(prefix + rel if rel else root).st_mtime_ns
        except OSError:  # vanished, or no longer readable: either way, whatever was in it is looked at
            gone.append(rel)
            continue
        if mtime != old:
            moved.append((rel, mtime))
    for rel in gone:
        found.paths.add(rel)
        del found.stamps[rel]
    for rel, mtime in moved:
        found.stamps[rel] = stamp(mtime, now)
        _look_into(root, rel, stamps, found)
    return found


def _look_into(root: str, rel: str, known: Stamps, found: FolderChanges) -> None:
    prefix = f"{rel}/" if rel else ""
    for name in KIND_FILES:
        found.paths.add(prefix + name)
    for name, is_dir in _children(_abs(root, rel)):
        child = prefix + name
        if not is_dir:
            found.paths.add(child)
            found.looked_at.add(child)
        elif child not in known:
            found.paths.add(child)
            found.stamps.update(walk(root, child, files=found.looked_at))


def _children(folder: str) -> Iterator[tuple[str, bool]]:
    try:
        with os.scandir(folder) as it:
            for child in it:
                if is_hidden(child.name):
                    continue
                try:
                    yield child.name, child.is_dir(follow_symlinks=False)
                except OSError:
                    continue
    except OSError:
        return


def walk(root: str, start: str = "", files: set[str] | None = None) -> Stamps:
    """The stamps of ``start`` and every folder under it (hidden ones left out, links not followed);
    the files met are added to ``files`` when given.

    Each folder is stat'ed before it is listed: a name created while the walk runs moves a stamp
    already taken, so the next comparison finds it.
    """
    now = time.time_ns()
    stamps: Stamps = {}
    stack = [start]
    while stack:
        rel = stack.pop()
        try:
            stamps[rel] = stamp(os.stat(_abs(root, rel)).st_mtime_ns, now)
        except OSError:
            continue
        prefix = f"{rel}/" if rel else ""
        for name, is_dir in _children(_abs(root, rel)):
            if is_dir:
                stack.append(prefix + name)
            elif files is not None:
                files.add(prefix + name)
    return stamps


def file_stamps(fingerprints: Iterable[tuple[tuple[str, int, int, int, int], ...]], now_ns: int) -> FileStamps:
    """The stamps of the files in these fingerprints (what the scan saw when the entries were indexed)."""
    since = now_ns - RACY_NS
    stamps: FileStamps = {}
    for fingerprint in fingerprints:
        for path, size, mtime, ctime, inode in fingerprint:
            recent = mtime >= since or ctime >= since
            stamps[path] = (size, RACY if recent else mtime, ctime, inode)
    return stamps


def file_changes(root: str, stamps: FileStamps) -> set[str]:
    """The files whose stat differs from their stamp, or that vanished: one ``stat`` each, no listing."""
    stat = os.stat
    prefix = root + "/"
    changed = set()
    # Runs for every file of the tree: kept bare.
    for rel, (size, mtime, ctime, inode) in stamps.items():
        try:
            st = stat(prefix + rel)
        except OSError:
            changed.add(rel)
            continue
        if st.st_mtime_ns != mtime or st.st_ctime_ns != ctime or st.st_size != size or st.st_ino != inode:
            changed.add(rel)
    return changed
