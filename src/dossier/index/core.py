"""The index of one tree: :class:`Index`, Whoosh over the entries plus the state table.

Everything the TUI lists, counts, links and searches comes from here, so that a
tree of tens of thousands of entries opens without parsing every file.

Two things live in the index folder (outside the tree, in the user's cache):

* ``whoosh/``: one Whoosh document per entry (:mod:`~dossier.index.document`), for
  full-text and field queries (:mod:`~dossier.index.query`);
* the state table (:mod:`~dossier.index.state_table`): per entry its files' fingerprint,
  a content hash, the row the lists draw, its references, problems and names. Reconciling
  with an unchanged tree is then a folder scan and a comparison, with no Whoosh reader at
  all; lists, counts, backlinks and problems are answered from memory.

The state is written after each Whoosh commit, so it never runs ahead of the
index: after a crash between the two, the next reconcile re-indexes the few
entries concerned (``update_document`` is idempotent). A version or schema
change, a corrupt or missing part: the folder is wiped and rebuilt.

Writes are serialised: a thread lock inside the process, and the writer lock
(:mod:`~dossier.index.writer_lock`) between processes.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import posixpath
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from dossier.index import folder_stamps, gitstate, state_table
from dossier.index.damage import retry_vanished
from dossier.index.document import load_entry
from dossier.index.listing import Listing
from dossier.index.rows import Changes, Row
from dossier.index.schema import (
    build_schema,
    schema_signature,
)
from dossier.index.scope import normalise, partial_scan, problem_folder
from dossier.index.searching import Searching
from dossier.index.state_table import RecordTable, packed_fingerprint
from dossier.index.writer_lock import IndexBusy, IndexWriteError, WriterLock
from dossier.model import Problem
from dossier.store import COLLECTION_FILE, Location, Scan, Store

log = logging.getLogger(__name__)
T = TypeVar("T")


#: Documents in the first commit of a large (re)build, so that search soon works on what is indexed so far.
#: Each later commit holds four times more than the one before: every commit leaves a segment, and a
#: query costs about as much per segment (20,000 entries in five segments searched 2.5x slower than in one).
BATCH_DOCS = 4000
#: More changed entries than this make a bulk update: the bulk writer's settings, commits in batches.
BULK_ENTRIES = 200
#: How long a writer waits for another process's write before giving up on this attempt.
WRITE_WAIT = 10.0
#: At least this many new entries (and :attr:`Index.workers` above 1) build in worker processes (:mod:`.bulk`).
PARALLEL_ENTRIES = 2000


def batch_sizes(total: int) -> list[int]:
    """How many entries each commit of a large build holds: ``BATCH_DOCS``, then four times more each
    time; a last batch smaller than the one before it joins that one (fewer segments to search)."""
    sizes: list[int] = []
    left = total
    while left > 0:
        size = min(left, BATCH_DOCS * 4 ** len(sizes))
        if left - size < size:
            size = left
        sizes.append(size)
        left -= size
    return sizes


def default_index_dir(store: Store) -> Path:
    """The user cache folder / dossier / a hash of the tree's resolved path."""
    import platformdirs

    root = str(store.root.resolve())
    digest = hashlib.sha1(root.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return Path(platformdirs.user_cache_dir("dossier")) / "index" / f"{store.root.name or 'tree'}-{digest}"


def index_folder(store: Store, index_dir: Path | None = None) -> Path:
    """Where the tree's index lives: ``index_dir``, else ``$DOSSIER_INDEX``, else the user's cache."""
    if index_dir is not None:
        return Path(index_dir)
    env = os.environ.get("DOSSIER_INDEX")
    return Path(env).expanduser() if env else default_index_dir(store)


class Index(Searching, Listing):
    """The index of one tree. Safe to share between threads; see the module docstring."""

    def __init__(self, store: Store, index_dir: Path) -> None:
        self.store = store
        self.dir = index_dir
        self._whoosh_dir = index_dir / "whoosh"
        self._state_path = index_dir / state_table.STATE_FILE
        self._baseline_path = index_dir / gitstate.BASELINE_FILE
        self._write_lock = threading.RLock()
        self._read_lock = threading.RLock()
        self._file_lock = WriterLock(index_dir / "write.lock")
        self._records = RecordTable()
        self._scan_problems: list[Problem] = []
        self._collection_problems: list[Problem] = []
        self._state_stamp: tuple[int, int] | None = None
        self._segments: dict[str, state_table.SegmentStamp] = {}
        # The problems in the state file as last written or read: unchanged, it need not be rewritten.
        self._written_problems: tuple[list[Problem], list[Problem]] | None = None
        # Caches derived from ``_records``, built by readers without the write lock. A reader stores
        # what it built only if no writer published new records meanwhile (the generation is unchanged):
        # otherwise a reader paused mid-build would store rows older than what ``apply`` returned.
        self._rows: dict[str, Row] | None = None
        self._generation = 0
        self._vocab: tuple[int, dict[str, dict[str, str]]] | None = None  # words to correct a typo to (see _vocabulary)
        self._surface: tuple[int, dict[str, str]] | None = None
        self._name_parts: tuple[int, dict[str, list[str]]] | None = None  # actors' name words (suggestions)
        self._cache_lock = threading.Lock()
        self._searcher: Any = None
        self._ix: Any = None
        self._state_text = "opening"
        self.rebuilt_reason: str | None = None
        # After a reset, only a scan of the whole tree can say what to index (not the watcher's few paths).
        self._full_sync_needed = False
        #: Processes a large build of new entries may use (:mod:`.bulk`). One (in this process) unless
        #: the program is a command of its own, such as ``dossier index``: never a browser's threads.
        self.workers = 1
        #: A large first build runs as ``dossier index`` in a process of its own, followed from here
        #: (:mod:`.apart`): what a browser or a command does; ``dossier index`` itself builds.
        self.build_apart = True

    # -- opening

    @classmethod
    def open(cls, store: Store, index_dir: Path | None = None) -> Index:
        """Open (or create / rebuild on version change or corruption) the index of this tree.

        Does not reconcile: call :meth:`reconcile` (from a worker) for that.
        """
        index = cls(store, index_folder(store, index_dir))
        index._open()
        return index

    def _open(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        reason = self._try_load()
        if reason is not None:
            self.rebuilt_reason = reason
            self._reset()
        self._state_text = "up to date" if self._records else "empty"

    def _try_load(self) -> str | None:
        """Load the state and open Whoosh; the reason they cannot be used, or None.

        What looks damaged is looked at again while no other process writes: a commit racing
        this open (its merge removes segments, its new table of contents replaces the old) is
        not damage, and calling it damage would wipe an index another program is filling.
        """
        reason = self._load()
        if reason is None or reason in ("no index yet", "the index format changed"):
            return reason
        if not self._file_lock.acquire(WRITE_WAIT):
            return reason
        try:
            return self._load()
        finally:
            self._file_lock.release()

    def _load(self) -> str | None:
        from dossier.index import storage  # imports Whoosh: not at start-up

        if not self._state_path.exists():
            return "no index yet"
        try:
            state = self._read_state()
        except Exception:  # a truncated or foreign file: rebuild
            return "the index's state file is unreadable"
        if state.get("version") != state_table.INDEX_FORMAT_VERSION or state.get("schema") != schema_signature():
            return "the index format changed"
        damaged = state_table.damaged_segment(self._whoosh_dir, state.get("segments", {}))
        if damaged is not None:
            return f"the index was damaged ({damaged} changed or vanished since it was written)"
        try:
            ix = retry_vanished(lambda: storage.open_index(str(self._whoosh_dir)))
            with retry_vanished(ix.searcher) as searcher:
                searcher.doc_count()
        except Exception:  # Whoosh raises many kinds of errors for damaged files
            return "the index was damaged"
        self._ix = ix
        self._apply_state(state)
        return None

    def _read_state(self) -> dict[str, Any]:
        return state_table.read_state(self._state_path)

    def _apply_state(self, state: dict[str, Any]) -> None:
        self._records = state["entries"]
        self._scan_problems = state.get("scan_problems", [])
        self._collection_problems = state.get("collection_problems", [])
        self._state_stamp = state["_stamp"]
        self._segments = state.get("segments", {})
        self._written_problems = (list(self._scan_problems), list(self._collection_problems))
        self._invalidate()

    def _reset(self) -> None:
        """Wipe and create an empty index (reconcile then indexes everything)."""
        with self._write_lock:
            locked = self._file_lock.acquire(WRITE_WAIT)
            try:
                self._reset_locked(write_state=locked)
            finally:
                if locked:
                    self._file_lock.release()

    def _reset_locked(self, write_state: bool = True) -> None:
        """:meth:`_reset` for a caller that holds the writer lock already."""
        from dossier.index import storage

        self._close_searcher()
        if self._whoosh_dir.exists():
            shutil.rmtree(self._whoosh_dir, ignore_errors=True)
        for name in (state_table.STATE_FILE, *state_table.LEGACY_STATE_FILES, gitstate.BASELINE_FILE):
            with contextlib.suppress(FileNotFoundError):
                (self.dir / name).unlink()
        try:
            self._whoosh_dir.mkdir(parents=True, exist_ok=True)
            self._ix = storage.create_index(str(self._whoosh_dir), build_schema())
        except OSError as exc:
            raise IndexWriteError(self.dir, exc, self._remove_partial_files()) from exc
        self._records = RecordTable()
        self._scan_problems = []
        self._collection_problems = []
        self._full_sync_needed = True
        self._invalidate()
        if write_state:
            self._write_state()

    def _damage(self) -> str | None:
        """Why the index on disk cannot be used as it is (deleted under us), or None. A few stats."""
        if not self._whoosh_dir.is_dir() or not any(self._whoosh_dir.glob("_MAIN_*.toc")):
            return "the index folder was deleted"
        return None

    def recover(self, reason: str) -> Changes:
        """Rebuild a damaged or deleted index from the tree, saying why in :attr:`rebuilt_reason`."""
        log.warning("rebuilding the index: %s", reason)
        with self._writing():
            self._recover_locked(reason)
            return self._sync(self.store.scan(), None, None, full=True)

    def _recover_locked(self, reason: str) -> None:
        self.rebuilt_reason = reason
        self._state_text = f"rebuilding ({reason})"
        self._reset_locked()

    def _write_state(self) -> None:
        try:
            self._segments = state_table.segment_stamps(self._whoosh_dir, self._segments)
            self._state_stamp = state_table.write_state(
                self._state_path, self.store.root, self._records, self._scan_problems, self._collection_problems,
                self._segments,
            )
        except OSError as exc:
            raise IndexWriteError(self.dir, exc) from exc
        self._written_problems = (list(self._scan_problems), list(self._collection_problems))

    def _refresh_from_disk(self) -> None:
        """Pick up what another process wrote (its state file is newer than ours)."""
        try:
            st = self._state_path.stat()
        except FileNotFoundError:
            return
        if (st.st_mtime_ns, st.st_size) == self._state_stamp:
            return
        with self._read_lock:
            try:
                state = self._read_state()
            except Exception:
                return
            if state.get("version") == state_table.INDEX_FORMAT_VERSION:
                self._apply_state(state)

    def _invalidate(self) -> None:
        """Drop the caches after new records were published (call it after assigning ``_records``)."""
        with self._cache_lock:
            self._generation += 1
            self._rows = None

    def _store_cache(self, name: str, value: Any, generation: int) -> None:
        with self._cache_lock:
            if self._generation == generation:
                setattr(self, name, value)

    def close(self) -> None:
        with self._read_lock:
            self._close_searcher()
            self._ix = None

    def _close_searcher(self) -> None:
        if self._searcher is not None:
            with contextlib.suppress(Exception):
                self._searcher.close()
            self._searcher = None

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def state(self) -> str:
        """What the index is doing, for a status line."""
        return self._state_text

    # -- writing

    @contextlib.contextmanager
    def _writing(self, wait: float | None = None) -> Iterator[None]:
        with self._write_lock:
            if not self._file_lock.acquire(0):
                before, self._state_text = self._state_text, "waiting for another program that writes the index"
                if not self._file_lock.acquire(WRITE_WAIT if wait is None else wait):
                    self._state_text = before
                    raise IndexBusy("another program is updating this index")
                self._state_text = before
            try:
                # Another process may have written since we last looked: start from its state.
                self._refresh_from_disk()
                damage = self._damage()
                if damage is not None:
                    self._recover_locked(damage)
                yield
            finally:
                self._file_lock.release()

    def _writer(self, bulk: bool = False) -> Any:
        if bulk:
            return self._ix.writer(limitmb=256, timeout=WRITE_WAIT, delay=0.05, compound=False)
        return self._ix.writer(limitmb=64, timeout=WRITE_WAIT, delay=0.05, compound=False)

    def reconcile(self, progress: Callable[[int, int], None] | None = None, wait: float | None = None,
                  committed: Callable[[], None] | None = None) -> Changes:
        """Bring the index in line with the tree: new, changed, deleted and moved entries.

        A large (re)build commits in batches; ``committed`` is called after each batch but
        the last, when rows, counts and search already cover what is indexed so far.
        Raises :class:`IndexBusy` when another process keeps the index for more
        than ``wait`` seconds; the index can still be read.
        """
        built = self._build_apart(progress, committed) if self.build_apart and not self._records else None
        if built is not None:
            if self._ix is None:  # closed while it followed the build (the browser quit): the build goes on
                return Changes(built)
            self.build_apart = False  # then reconciled here as usual: what changed while the other process built
            try:
                changes = self.reconcile(progress, wait, committed)
            finally:
                self.build_apart = True
            return Changes(built | changes.added, changes.changed - built, changes.removed)
        with self._writing(wait):
            _, collection_problems = self.store.collection()
            self._collection_problems = collection_problems
            baseline = None if self._full_sync_needed else gitstate.read_baseline(self._baseline_path, self.store.root)
            fast = self._reconcile_from_git(baseline)
            if fast is None:
                fast = self._reconcile_from_stamps(baseline)
            if fast is not None:
                return fast
            # Asked before and after the walk: a path clean both times did not change in between. The
            # folders are stamped before the walk lists them: a name created meanwhile moves a stamp.
            root = self.store.root
            before = gitstate.view(root)
            folders = folder_stamps.walk(str(root))
            started = time.time_ns()
            scan = self.store.scan()
            changes = self._sync(scan, None, progress, full=True, committed=committed)
            if before is None:  # not in git: the next reconcile stats the files the scan saw
                files = folder_stamps.file_stamps((loc.fingerprint for loc in scan.locations), started)
                gitstate.write_baseline(self._baseline_path, root, gitstate.Baseline("", frozenset(), folders, files))
                return changes
            after = gitstate.view(root)
            if after is not None and before.head == after.head:
                self._keep_baseline(after.head, before.dirty | after.dirty, folders, started, changes)
            else:
                gitstate.forget_baseline(self._baseline_path)
            return changes

    def _build_apart(self, progress: Callable[[int, int], None] | None,
                     committed: Callable[[], None] | None) -> frozenset[str] | None:
        """Build an empty index of a large tree in a process of its own (:mod:`.apart`); the ids it
        indexed, or None when it was not wanted or failed (the caller then builds here)."""
        from dossier.index import apart

        if not apart.wanted(self, len(self.store.scan().locations)) or not apart.build(self, progress, committed):
            return None
        self._refresh_from_disk()
        return frozenset(self._records)

    def _reconcile_from_git(self, baseline: gitstate.Baseline | None) -> Changes | None:
        """Reconcile by looking only where git and the folders' mtimes say something changed; None when
        they cannot say.

        See :mod:`~dossier.index.gitstate`: the paths dirty now or at the last reconcile, changed between
        the two commits, or in a folder whose mtime moved are applied; every other file has the content
        it had. ``git status`` runs in a child process while this one stats the folders. Files git does
        not track (new, or ignored) stay on the baseline's dirty list, looked at every time, until git
        tracks them; ``git ls-files`` says which, when a name appeared or the commit moved.
        """
        if self._full_sync_needed or not self._records or baseline is None or baseline.files is not None:
            return None
        root = self.store.root
        started = time.time_ns()
        status = gitstate.start_status(root, untracked=False)
        if status is None:
            return None
        moved = folder_stamps.changes(str(root), baseline.folders)
        listing = gitstate.start_tracked_files(root) if moved.looked_at else None
        now = status.view()
        if now is None:
            return None
        named = set(baseline.dirty | now.dirty | moved.paths)
        carried = set(baseline.dirty)
        if now.head != baseline.head:
            between = gitstate.changed_between(root, baseline.head, now.head)
            if between is None:
                return None
            named |= between
            carried -= between - now.dirty  # committed since: git's own index watches them now
        if listing is not None:
            tracked = listing.paths()
            if tracked is None:
                return None
            carried |= {path for path in moved.looked_at if path not in tracked}
        paths = {n for n in map(normalise, named) if n is not None}
        if len(paths) > self._most_paths():
            return None
        changes = self._apply_found(paths)
        carried = {p for p in carried if os.path.lexists(root / p)}
        if paths or now.head != baseline.head or carried != baseline.dirty or moved.stamps != baseline.folders:
            self._keep_baseline(now.head, now.dirty | frozenset(carried), moved.stamps, started, changes)
        return changes

    def _most_paths(self) -> int:
        """More changed paths than this and a walk is as quick as looking at each (a tenth of the tree)."""
        return max(gitstate.MAX_PATHS, len(self._records) // 10)

    def _reconcile_from_stamps(self, baseline: gitstate.Baseline | None) -> Changes | None:
        """Reconcile a tree not in git by one ``stat`` per folder and per entry file (no listing); None
        when there is no baseline of that kind (the tree is walked, and one is recorded).

        Folder mtimes find names created, deleted or renamed; the files' stamps (size, mtime, ctime,
        inode) find edits in place. What either names is handed to ``apply``, as a watcher's events.
        """
        if self._full_sync_needed or not self._records or baseline is None or baseline.files is None:
            return None
        root = self.store.root
        if gitstate.in_repository(root):
            return None  # a tree put in git since: walked once, then asked of git
        started = time.time_ns()
        moved = folder_stamps.changes(str(root), baseline.folders)
        edited = folder_stamps.file_changes(str(root), baseline.files)
        paths = {n for n in map(normalise, moved.paths | edited) if n is not None}
        if len(paths) > self._most_paths():
            return None
        changes = self._apply_found(paths)
        files = self._restamp(baseline.files, paths, started) if paths else baseline.files
        if paths or moved.stamps != baseline.folders:
            gitstate.write_baseline(self._baseline_path, root, gitstate.Baseline("", frozenset(), moved.stamps, files))
        return changes

    def _apply_found(self, paths: set[str]) -> Changes:
        """Apply what a fast reconcile found changed (the writer lock held); nothing found, nothing written."""
        if paths:
            return self._apply_locked(paths)
        self._write_state_if_changed()
        self._state_text = "up to date"
        return Changes()

    def _restamp(self, files: folder_stamps.FileStamps, paths: set[str], started: int) -> folder_stamps.FileStamps:
        """The file stamps after ``paths`` were applied: those of the entries in the folders they touch are
        replaced by the fingerprints just indexed (a folder named may be an entry, or hold some)."""
        touched = paths | {posixpath.dirname(p) for p in paths}

        def within(folder: str) -> bool:
            while True:
                if folder in touched:
                    return True
                if not folder:
                    return False
                folder = posixpath.dirname(folder)

        kept = {rel: stamp for rel, stamp in files.items() if not within(posixpath.dirname(rel))}
        records = self._records
        # The packed fingerprints alone: a record decoded here would stay decoded, and be packed again on each write.
        fresh = [state_table.unpacked_fingerprint(stamp[2]) for i in records
                 if within(records.folder(i)) and (stamp := records.stamp(i)) is not None]
        kept.update(folder_stamps.file_stamps(fresh, started))
        return kept

    def _keep_baseline(self, head: str, dirty: frozenset[str], folders: folder_stamps.Stamps, started: int,
                       changes: Changes) -> None:
        # An entry whose file changed while this reconcile ran (its ctime is that recent) is looked at once
        # more next time: changed while it was read and put back to its committed content before the next
        # ``git status``, it would look clean to git, and the index would keep what was read. Only those:
        # after a rebuild, all 100,000 entries were read, and looking at them all again is a walk.
        since = started - folder_stamps.RACY_NS
        records = self._records
        racy = set()
        for entry_id in changes.added | changes.changed:
            stamp = records.stamp(entry_id)  # the fingerprint alone: decoding 100,000 records would keep them
            if stamp is not None and any(f[3] >= since for f in state_table.unpacked_fingerprint(stamp[2])):
                racy.add(stamp[0])
        gitstate.write_baseline(self._baseline_path, self.store.root,
                                gitstate.Baseline(head, dirty | frozenset(racy), folders))

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> Changes:
        """Index the whole tree from scratch."""
        before = set(self._records)
        self._reset()
        changes = self.reconcile(progress)
        return Changes(
            added=frozenset(changes.added - before),
            changed=frozenset(changes.added & before),
            removed=frozenset(before - changes.added),
        )

    def apply(self, paths: Iterable[str]) -> Changes:
        """Re-index the entries affected by these changed tree-relative paths.

        Paths may be files or folders, created, modified, deleted or moved (give
        both ends of a move). Only the folders concerned are looked at.
        """
        changed = {n for n in map(normalise, paths) if n is not None}
        if not changed:
            return Changes()
        with self._writing():
            return self._apply_locked(changed)

    def _apply_locked(self, changed: set[str]) -> Changes:
        """:meth:`apply` of normalised paths, for a caller that holds the writer lock."""
        if "" in changed or self._full_sync_needed:
            scan = self.store.scan()
            return self._sync(scan, None, None, full=True)
        if COLLECTION_FILE in changed:
            _, self._collection_problems = self.store.collection()
        partial, scope = partial_scan(self.store, self._records, self._scan_problems, changed)
        if partial is None:  # a duplicate id appeared or vanished: only a full scan can tell
            return self._sync(self.store.scan(), None, None, full=True)
        return self._sync(partial, scope, None, full=False)

    def _sync(
        self,
        scan: Scan,
        scope: Callable[[str], bool] | None,
        progress: Callable[[int, int], None] | None,
        full: bool,
        committed: Callable[[], None] | None = None,
    ) -> Changes:
        """Compare a scan with the records and index the difference.

        With ``scope``, only records whose folder the scan covered are compared
        (an entry not covered is left alone); without, the scan is the whole tree.
        """
        by_id = scan.by_id()
        # Folder, kind and fingerprint are compared without decoding the records (see RecordTable.stamp).
        published = self._records
        added: set[str] = set()
        changed: set[str] = set()
        todo: list[Location] = []
        for entry_id, loc in by_id.items():
            if published.stamp(entry_id) != (loc.folder, loc.kind.value, packed_fingerprint(loc.fingerprint)):
                todo.append(loc)
        if full:
            removed = {i for i in published if i not in by_id}
        else:
            assert scope is not None
            removed = {i for i in published if i not in by_id and scope(published.folder(i))}
        if full:
            self._scan_problems = list(scan.problems)
        else:
            assert scope is not None
            kept = [p for p in self._scan_problems if not scope(problem_folder(p))]
            self._scan_problems = kept + list(scan.problems)
        total = len(todo)
        if not todo and not removed:
            self._write_state_if_changed()
            if full:
                self._full_sync_needed = False
            self._state_text = "up to date"
            return Changes()
        bulk = total > BULK_ENTRIES
        if (self.workers > 1 and total >= PARALLEL_ENTRIES and not removed
                and not any(loc.id in published for loc in todo)):
            return self._build_in_workers(todo, progress, committed, full)
        # Readers iterate the published table from other threads: change a copy, publish it whole.
        records = published.copy()
        writer: Any = None
        try:
            if removed:
                writer = self._writer(bulk=bulk)
                for entry_id in removed:
                    writer.delete_by_term("id", entry_id)
                    del records[entry_id]
            pending = 0
            commits = 0
            for done, loc in enumerate(todo, start=1):
                loaded = load_entry(self.store, loc)
                old = records.get(loc.id)
                if old is not None and old.digest == loaded.record.digest and old.folder == loc.folder:
                    pass  # touched, not changed: only the stamp is new
                else:
                    if writer is None:
                        writer = self._writer(bulk=bulk)
                    writer.update_document(**loaded.document)
                    pending += 1
                    (added if old is None else changed).add(loc.id)
                records[loc.id] = loaded.record
                self._state_text = f"indexing {done}/{total}" if bulk else f"updating {total} entries"
                if progress is not None:
                    progress(done, total)
                if bulk and pending >= BATCH_DOCS * 4**commits and done < total:
                    # Commit what is done so far: search already works on it.
                    writer.commit(merge=False)
                    self._records, records = records, records.copy()
                    self._write_state()
                    self._invalidate()
                    writer = None
                    pending = 0
                    commits += 1
                    if committed is not None:
                        committed()
            if writer is not None:
                # Whoosh's default merge policy: small segments only. optimize=True would
                # rewrite the whole index once more (it doubled a rebuild's time).
                writer.commit()
                writer = None
        except BaseException as exc:
            if writer is not None:
                with contextlib.suppress(Exception):
                    writer.cancel()
            if isinstance(exc, OSError):
                # A full or read-only disk: the segment files written so far would keep the disk full.
                freed = self._remove_partial_files()
                raise IndexWriteError(self.dir, exc, freed) from exc
            raise
        self._records = records
        self._write_state()
        self._invalidate()
        if full:
            self._full_sync_needed = False
        self._state_text = "up to date"
        return Changes(frozenset(added), frozenset(changed), frozenset(removed))

    def _build_in_workers(self, todo: list[Location], progress: Callable[[int, int], None] | None,
                          committed: Callable[[], None] | None, full: bool) -> Changes:
        """:meth:`_sync` of entries none of which is indexed yet, in worker processes (:mod:`.bulk`).

        The same batches as in one process, each committed (Whoosh, then the state table) before
        the next starts; ``committed`` is called after each batch but the last.
        """
        from dossier.index import apart, bulk

        total = len(todo)
        batches = batch_sizes(total)
        committed_batches = 0

        def commit(segments: list[Any], packed: list[tuple[str, Any]]) -> None:
            nonlocal committed_batches
            self._commit_segments(segments)
            self._records = self._records.with_packed(packed)
            self._write_state()
            self._invalidate()
            committed_batches += 1
            if committed is not None and committed_batches < len(batches):
                committed()

        told = 0.0

        def step(done: int) -> None:
            nonlocal told
            self._state_text = f"indexing {done}/{total}"
            if progress is not None:
                progress(done, total)
            if time.monotonic() - told > 0.5 or done == total:
                apart.write_progress(self.dir, done, total)  # for a program that follows this build
                told = time.monotonic()

        try:
            bulk.build(self.store.root, self._whoosh_dir, todo, batches, commit, step, self.workers,
                       bulk.pool_mb(len(self._records) + total, self.workers))
        except BaseException as exc:
            # The workers are gone; their pools' runs (Whoosh's temporary folder) go with them.
            shutil.rmtree(self._whoosh_dir / "MAIN.tmp", ignore_errors=True)
            if isinstance(exc, OSError):
                # A full or read-only disk: the segment files written so far would keep the disk full.
                raise IndexWriteError(self.dir, exc, self._remove_partial_files()) from exc
            raise
        finally:
            apart.clear_progress(self.dir)
        if full:
            self._full_sync_needed = False
        self._state_text = "up to date"
        return Changes(frozenset(loc.id for loc in todo), frozenset(), frozenset())

    def _commit_segments(self, segments: list[Any]) -> None:
        """A new Whoosh table of contents: the committed segments and these, written by the workers."""
        writer = self._ix.writer(timeout=WRITE_WAIT, delay=0.05)
        try:
            kept = list(writer.segments)
            writer._close_segment()  # its own, empty
            writer._commit_toc(kept + segments)
        finally:
            writer._finish()

    def _remove_partial_files(self) -> int:
        """Delete the Whoosh files no committed segment uses (a write that failed half-way); how many."""
        from whoosh.filedb.filestore import FileStorage
        from whoosh.index import TOC

        try:
            toc = TOC.read(FileStorage(str(self._whoosh_dir)), "MAIN")
            live = {segment.segment_id() for segment in toc.segments}
        except Exception:  # no readable table of contents: leave everything for the rebuild
            return 0
        removed = 0
        for entry in os.scandir(self._whoosh_dir):
            name = entry.name
            if name.startswith("_MAIN_") or name.endswith("LOCK") or any(segid in name for segid in live):
                continue
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed += 1
        return removed

    def _write_state_if_changed(self) -> None:
        # With nothing re-indexed, the stamp table is unchanged; problems may have changed. Writing
        # the table anyway took 0.2 s of a 20,000-entry reconcile that found nothing to do.
        if self._written_problems != (self._scan_problems, self._collection_problems):
            self._write_state()
