"""What changed in a tree kept in git, asked of git: the fast path of ``Index.reconcile``.

Walking a tree of 100,000 entries to compare every file's stamp with the state table takes
seconds. Two cheaper questions answer the same:

* ``git status --untracked-files=no`` says which tracked files differ from the commit (from git's own
  index, a stat cache it keeps current in C, checking size, mtime, ctime and inode and re-hashing a
  file whose stat changed), so an edit by any program, ``cp -p`` and same-size-same-mtime edits
  included, shows there: 0.18 s at 100,000 files, where listing untracked files too took 0.8 s;
* the folders' mtimes (:mod:`~dossier.index.folder_stamps`) say where a name was created, deleted or
  renamed: new entries, new files, deletions and renames, tracked or not.

The index keeps a *baseline*: the commit checked out, the paths that differed from it (modified,
staged, deleted, untracked, ignored) and every folder's mtime, when the index last matched the tree.
A path git calls clean has its committed content; so, if it was clean at the baseline too and the
commit is the same (or ``git diff`` between the two commits does not name it), it has not changed
since. Everything else (the paths dirty now, dirty then, changed between the commits, or in a folder
whose mtime moved) is handed to ``Index.apply`` like a watcher's events. Untracked and ignored files
are not in git's stat cache: they stay in the baseline's dirty set, and are looked at every time,
until git tracks them. Whatever git cannot vouch for (no repository, git missing or failing, a
baseline of another tree, more changed paths than a walk costs) makes the caller walk the tree.

Known limits: files git is told not to look at (``assume-unchanged``, ``skip-worktree``) are not
seen changing (``dossier index --rebuild`` reads everything); a submodule makes the caller walk.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import msgpack

from dossier.index.folder_stamps import FileStamps, Stamps

#: The baseline's file in the index folder.
BASELINE_FILE = "git.msgpack"
#: More paths to look at than this and a walk of the tree is about as quick (and needs no partial scans).
MAX_PATHS = 2000
#: git status on 100,000 files takes well under this; a hung git (a lock, a network file system) must not hang us.
GIT_TIMEOUT = 20.0


@dataclass(frozen=True)
class View:
    """What git says of the tree now: the commit checked out, and the tree-relative paths that differ from it."""

    head: str
    dirty: frozenset[str]


@dataclass(frozen=True)
class Baseline:
    """The tree as the index last matched it: git's view then (a tree in git), every folder's mtime, and
    (a tree not in git) every entry file's stamp."""

    head: str
    dirty: frozenset[str]
    folders: Stamps
    files: FileStamps | None = None


def _top(root: Path) -> tuple[Path, str] | None:
    """The repository's top folder and the tree's path inside it ("" at the top), or None outside git."""
    real = root.resolve()
    for folder in (real, *real.parents):
        if (folder / ".git").exists():
            rel = real.relative_to(folder).as_posix()
            return folder, "" if rel == "." else rel + "/"
    return None


class _Pending:
    """A git command running in a child process while this one does other work."""

    def __init__(self, top: Path, args: tuple[str, ...]) -> None:
        # Variables such as GIT_DIR or GIT_INDEX_FILE would point git at another repository than the tree's.
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        env["GIT_OPTIONAL_LOCKS"] = "0"  # never take git's index lock from under the user's own git
        self._proc: subprocess.Popen[bytes] | None
        try:
            self._proc = subprocess.Popen(["git", "--literal-pathspecs", "-C", str(top), *args],
                                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                          stderr=subprocess.DEVNULL, env=env)
        except OSError:
            self._proc = None

    def output(self) -> bytes | None:
        """What git printed, or None when it failed, was missing or hung."""
        if self._proc is None:
            return None
        try:
            out, _ = self._proc.communicate(timeout=GIT_TIMEOUT)
        except subprocess.SubprocessError:
            self._proc.kill()
            self._proc.communicate()
            return None
        return out if self._proc.returncode == 0 else None


def in_repository(root: Path) -> bool:
    """True when the tree is inside a git working tree (a ``.git`` in it or above)."""
    return _top(root) is not None


def _git(top: Path, *args: str) -> bytes | None:
    return _Pending(top, args).output()


def _relative(prefix: str, path: bytes) -> str | None:
    text = os.fsdecode(path)
    if not text.startswith(prefix):
        return None
    return text[len(prefix):].rstrip("/") or None


def view(root: Path) -> View | None:
    """What git says of the whole tree at ``root`` (untracked and ignored files listed), or None when git
    cannot tell (no repository, no git)."""
    pending = start_status(root, untracked=True)
    return pending.view() if pending is not None else None


class PendingView:
    """A ``git status`` running; :meth:`view` waits for it."""

    def __init__(self, prefix: str, pending: _Pending) -> None:
        self._prefix = prefix
        self._pending = pending

    def view(self) -> View | None:
        out = self._pending.output()
        return _parse_status(out, self._prefix) if out is not None else None


def start_status(root: Path, *, untracked: bool, paths: Iterable[str] | None = None) -> PendingView | None:
    """Start ``git status`` of the tree: with ``untracked``, untracked and ignored files are listed (slow on
    a large tree: git lists every folder); with ``paths``, only those tree-relative paths are looked at."""
    found = _top(root)
    if found is None:
        return None
    top, prefix = found
    flags = ("--untracked-files=all", "--ignored=traditional") if untracked else ("--untracked-files=no",)
    specs = [prefix + path for path in paths] if paths is not None else [prefix or "."]
    args = ("status", "--porcelain=v2", "-z", "--branch", *flags, "--no-renames", "--", *specs)
    return PendingView(prefix, _Pending(top, args))


def _parse_status(out: bytes, prefix: str) -> View | None:
    head = ""
    dirty: set[str] = set()
    for record in out.split(b"\0"):
        if not record:
            continue
        tag = record[:1]
        if tag == b"#":
            if record.startswith(b"# branch.oid "):
                head = record[len(b"# branch.oid "):].decode("ascii", "replace")
            continue
        if tag in (b"?", b"!"):
            path = record[2:]
        elif tag in (b"1", b"u"):
            fields = record.split(b" ", 8 if tag == b"1" else 10)
            if len(fields) < (9 if tag == b"1" else 11):
                return None
            if fields[2] != b"N...":
                return None  # a submodule: its files are git's business, not this view's
            path = fields[-1]
        else:
            return None  # a record this parser does not know (renames are off): do not guess
        rel = _relative(prefix, path)
        if rel is not None:
            dirty.add(rel)
    return View(head, frozenset(dirty))


class PendingFiles:
    """A ``git ls-files`` running; :meth:`paths` waits for it."""

    def __init__(self, prefix: str, pending: _Pending) -> None:
        self._prefix = prefix
        self._pending = pending

    def paths(self) -> set[str] | None:
        """The tree-relative paths git tracks (its index: staged or committed), or None when git failed."""
        out = self._pending.output()
        if out is None:
            return None
        return {rel for path in out.split(b"\0") if path and (rel := _relative(self._prefix, path)) is not None}


def start_tracked_files(root: Path) -> PendingFiles | None:
    """Start ``git ls-files`` of the tree (0.08 s for 141,000 files: one read of git's index)."""
    found = _top(root)
    if found is None:
        return None
    top, prefix = found
    return PendingFiles(prefix, _Pending(top, ("ls-files", "-z", "--", prefix or ".")))


def changed_between(root: Path, old: str, new: str) -> set[str] | None:
    """Tree-relative paths whose committed content differs between two commits, or None when git cannot say."""
    if not old or not new:
        return None
    found = _top(root)
    if found is None:
        return None
    top, prefix = found
    out = _git(top, "diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", old, new, "--", prefix or ".")
    if out is None:
        return None
    return {rel for path in out.split(b"\0") if path and (rel := _relative(prefix, path)) is not None}


def read_baseline(path: Path, tree: Path) -> Baseline | None:
    """The baseline kept in ``path`` for this tree, or None (none yet, another tree's, unreadable)."""
    try:
        data = msgpack.unpackb(path.read_bytes(), use_list=False, unicode_errors="surrogateescape")
        if data["tree"] != str(tree):
            return None
        mtimes = _numbers(data["mtimes"])
        folders = dict(zip(_names(data["folders"], len(mtimes)), mtimes, strict=True))
        files = None
        if data.get("files") is not None:
            numbers = _numbers(data["stamps"])
            stamps = zip(*[iter(numbers)] * 4, strict=True)
            files = dict(zip(_names(data["files"], len(numbers) // 4), stamps, strict=True))
        return Baseline(data["head"], frozenset(data["dirty"]), folders, files)
    except Exception:  # missing, truncated, foreign or older: the caller walks the tree
        return None


def write_baseline(path: Path, tree: Path, baseline: Baseline) -> None:
    """Replace the baseline atomically.

    Folders and files are kept as one string of names and one array of numbers each: loading 100,000
    folders' stamps as a map took 60 ms of a command meant to take a few hundred.
    """
    data: dict[str, object] = {"tree": str(tree), "head": baseline.head, "dirty": sorted(baseline.dirty),
                               "folders": "\n".join(baseline.folders),
                               "mtimes": _packed_numbers(baseline.folders.values()), "files": None}
    if baseline.files is not None:
        data["files"] = "\n".join(baseline.files)
        data["stamps"] = _packed_numbers(n for stamp in baseline.files.values() for n in stamp)
    tmp = path.with_name(f".git.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_bytes(msgpack.packb(data, use_bin_type=True, unicode_errors="surrogateescape"))
    os.replace(tmp, path)


def _names(joined: str, count: int) -> list[str]:
    """The names joined by newlines; ``count`` of them ("" is the root folder's name, so "" may be one)."""
    return joined.split("\n") if count else []


def _packed_numbers(numbers: Iterable[int]) -> bytes:
    values = array("q", numbers)
    if sys.byteorder != "little":
        values.byteswap()
    return values.tobytes()


def _numbers(raw: bytes) -> array:
    values = array("q")
    values.frombytes(raw)
    if sys.byteorder != "little":
        values.byteswap()
    return values


def forget_baseline(path: Path) -> None:
    """Drop the baseline: the next reconcile walks the tree."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
