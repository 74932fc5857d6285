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
import functools
import hashlib
import logging
import os
import pickle
import re
import shutil
import struct
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Container, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from dossier.index import gitstate, state_table
from dossier.index.document import load_entry
from dossier.index.forgiving import (
    ALMOST_NOTHING,
    close_names,
    correct,
    explain_line,
    is_plain,
    name_parts,
    plan_words,
)
from dossier.index.query import NAME_FIELDS, PLAIN_WORDS, QueryError, parse_query, query_pattern
from dossier.index.rows import Backlink, Changes, Hit, Hits, Mention, Row, sort_key
from dossier.index.schema import (
    DEFAULT_FIELDS,
    FIELD_WEIGHTS,
    NAME_MATCH_SCORE,
    build_schema,
    current_schema,
    name_key,
    schema_signature,
)
from dossier.index.scope import normalise, partial_scan, problem_folder
from dossier.index.snippets import find_mention, hit_snippet, name_pattern
from dossier.index.state_table import Record, RecordTable, packed_fingerprint
from dossier.index.writer_lock import IndexBusy, IndexWriteError, WriterLock
from dossier.model import Kind, Problem, check_references, is_valid_id
from dossier.store import COLLECTION_FILE, Location, Scan, Store

log = logging.getLogger(__name__)
T = TypeVar("T")


@functools.cache
def damage_errors() -> tuple[type[BaseException], ...]:
    """What reading a damaged or deleted index raises (and a bad query never does): Whoosh's own
    errors for missing or unreadable files, and what flipped or truncated bytes make its decoders raise.
    A function, so that importing this module does not import Whoosh."""
    from whoosh import index as whoosh_index
    from whoosh import reading as whoosh_reading
    from whoosh.filedb import filetables as whoosh_filetables

    return (
        OSError, EOFError, zlib.error, struct.error, UnicodeDecodeError, pickle.UnpicklingError,
        whoosh_index.IndexError, whoosh_reading.CorruptIndexError, whoosh_filetables.FileFormatError,
    )

#: Names shorter than this are not looked for as mentions ("US", "CIA" would match everywhere).
MIN_MENTION_LENGTH = 4
#: Documents in the first commit of a large (re)build, so that search soon works on what is indexed so far.
#: Each later commit holds four times more than the one before: every commit leaves a segment, and a
#: query costs about as much per segment (20,000 entries in five segments searched 2.5x slower than in one).
BATCH_DOCS = 4000
#: More changed entries than this make a bulk update: the bulk writer's settings, commits in batches.
BULK_ENTRIES = 200
#: How long a writer waits for another process's write before giving up on this attempt.
WRITE_WAIT = 10.0


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


def retry_vanished(open_: Callable[[], Any], attempts: int = 20) -> Any:
    """Open a Whoosh index or searcher, again if a commit removed its files meanwhile.

    A reader lists the newest table of contents, then opens it; a writer committing
    in between (another thread or process) deletes it, and the open fails with
    FileNotFoundError. That is a race, not damage: the next attempt sees the new one.
    """
    for attempt in range(attempts):
        try:
            return open_()
        except FileNotFoundError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.01 * (attempt + 1))
    raise AssertionError("unreachable")


def _make_row(record: Record, known: Container[str]) -> Row:
    """The row the lists draw for one record; its problem count includes references to ids not ``known``."""
    missing = sum(1 for f, t, _l in record.refs if f != "roles.org" and is_valid_id(t) and t not in known)
    return Row(*record.row, len(record.problems) + missing)  # type: ignore[call-arg]


class Index:
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
        self._generation = 0
        self._cache_lock = threading.Lock()
        self._searcher: Any = None
        self._ix: Any = None
        self._state_text = "opening"
        self.rebuilt_reason: str | None = None
        # After a reset, only a scan of the whole tree can say what to index (not the watcher's few paths).
        self._full_sync_needed = False

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
        from whoosh import index as whoosh_index

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
            ix = retry_vanished(lambda: whoosh_index.open_dir(str(self._whoosh_dir)))
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
        from whoosh import index as whoosh_index

        self._close_searcher()
        if self._whoosh_dir.exists():
            shutil.rmtree(self._whoosh_dir, ignore_errors=True)
        for name in (state_table.STATE_FILE, state_table.LEGACY_STATE_FILE, gitstate.BASELINE_FILE):
            with contextlib.suppress(FileNotFoundError):
                (self.dir / name).unlink()
        try:
            self._whoosh_dir.mkdir(parents=True, exist_ok=True)
            self._ix = whoosh_index.create_in(str(self._whoosh_dir), build_schema())
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
            return self._ix.writer(limitmb=256, timeout=WRITE_WAIT, delay=0.05)
        return self._ix.writer(limitmb=64, timeout=WRITE_WAIT, delay=0.05)

    def reconcile(self, progress: Callable[[int, int], None] | None = None, wait: float | None = None,
                  committed: Callable[[], None] | None = None) -> Changes:
        """Bring the index in line with the tree: new, changed, deleted and moved entries.

        A large (re)build commits in batches; ``committed`` is called after each batch but
        the last, when rows, counts and search already cover what is indexed so far.
        Raises :class:`IndexBusy` when another process keeps the index for more
        than ``wait`` seconds; the index can still be read.
        """
        with self._writing(wait):
            _, collection_problems = self.store.collection()
            self._collection_problems = collection_problems
            fast = self._reconcile_from_git()
            if fast is not None:
                return fast
            # Asked before and after the walk: a path clean both times did not change in between.
            before = gitstate.view(self.store.root)
            changes = self._sync(self.store.scan(), None, progress, full=True, committed=committed)
            after = gitstate.view(self.store.root) if before is not None else None
            if before is not None and after is not None and before.head == after.head:
                self._keep_baseline(gitstate.View(after.head, before.dirty | after.dirty), changes)
            else:
                gitstate.forget_baseline(self._baseline_path)
            return changes

    def _reconcile_from_git(self) -> Changes | None:
        """Reconcile by looking only where git says something changed; None when git cannot say.

        See :mod:`~dossier.index.gitstate`: the paths dirty now, dirty at the last reconcile, or
        changed between the two commits are applied; every other file has the content it had.
        """
        if self._full_sync_needed or not self._records:
            return None
        root = self.store.root
        baseline = gitstate.read_baseline(self._baseline_path, root)
        if baseline is None:
            return None
        now = gitstate.view(root)
        if now is None:
            return None
        named = set(baseline.dirty | now.dirty)
        if now.head != baseline.head:
            between = gitstate.changed_between(root, baseline.head, now.head)
            if between is None:
                return None
            named |= between
        paths = {n for n in map(normalise, named) if n is not None}
        if len(paths) > gitstate.MAX_PATHS:
            return None
        if paths:
            changes = self._apply_locked(paths)
        else:
            changes = Changes()
            self._write_state_if_changed()
            self._state_text = "up to date"
        self._keep_baseline(now, changes)
        return changes

    def _keep_baseline(self, view: gitstate.View, changes: Changes) -> None:
        # Entries re-read now are looked at once more next time: a file changed while it was read and
        # put back to its committed content before the next ``git status`` would look clean to git.
        folders = {self._records[i].folder for i in changes.added | changes.changed if i in self._records}
        gitstate.write_baseline(self._baseline_path, self.store.root,
                                gitstate.View(view.head, view.dirty | frozenset(folders)))

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
        # Readers iterate the published table from other threads: change a copy, publish it whole.
        records = published.copy()
        bulk = total > BULK_ENTRIES
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

    # -- reading: rows, counts, problems

    def _all_rows(self) -> dict[str, Row]:
        self._refresh_from_disk()
        rows = self._rows
        if rows is not None:
            return rows
        with self._read_lock:
            if self._rows is not None:
                return self._rows
            generation = self._generation  # before the records: see _store_cache
            records = self._records
            known = records.keys()
            rows = {entry_id: _make_row(record, known) for entry_id, record in records.items()}
            self._store_cache("_rows", rows, generation)
            return rows

    def row(self, entry_id: str) -> Row | None:
        """One entry's row: from the rows already made, else made alone (a command needs a few, not 100,000)."""
        self._refresh_from_disk()
        rows = self._rows
        if rows is not None:
            return rows.get(entry_id)
        records = self._records
        record = records.get(entry_id)
        return _make_row(record, records.keys()) if record is not None else None

    def rows(
        self,
        kind: Kind | None = None,
        *,
        sort: str | None = None,
        text: str = "",
        tag: str | None = None,
        min_importance: int | None = None,
        actor: str | None = None,
        limit: int | None = None,
    ) -> list[Row]:
        """List entries, filtered and sorted, from memory.

        Default sort: actors by name, events and sources newest first. ``sort``
        may be ``title``, ``date``, ``-date``, ``importance`` (highest first), ``id``
        or ``problems`` (most first). ``text`` matches (case-insensitively) a
        substring of the title, id or an alias.
        """
        rows_by_id = self._all_rows()
        records = self._records
        kind = Kind(kind) if kind is not None else None
        needle = text.strip().casefold()
        tag_l = tag.casefold() if tag else None
        result: list[Row] = []
        for entry_id, row in rows_by_id.items():
            if kind is not None and row.kind != kind:
                continue
            if tag_l is not None and tag_l not in (t.casefold() for t in row.tags):
                continue
            if min_importance is not None and (row.importance is None or row.importance < min_importance):
                continue
            record = records.get(entry_id)
            if actor is not None and (
                record is None or not any(f == "actors" and t == actor for f, t, _l in record.refs)
            ):
                continue
            if needle and needle not in row.title.casefold() and needle not in entry_id:
                names = record.names if record is not None else ()
                if not any(needle in n.casefold() for n in names):
                    continue
            result.append(row)
        result.sort(key=sort_key(kind, sort, records))
        return result[:limit] if limit is not None else result

    def counts(self) -> dict[Kind, int]:
        self._refresh_from_disk()
        return self._records.kind_counts()

    def tags(self) -> list[tuple[str, int]]:
        """Every tag with the number of entries that carry it, most used first."""
        counts: dict[str, int] = {}
        for row in self._all_rows().values():
            for tag in set(row.tags):
                counts[tag] = counts.get(tag, 0) + 1
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    def problems(self) -> list[Problem]:
        """What ``dossier check`` would report, from the index.

        An entry's own problems were recorded when it was indexed; references to
        missing ids depend on the other entries, so they are recomputed here (by
        re-reading only the kind files of entries that have such a reference).
        """
        self._refresh_from_disk()
        records = self._records
        known = {i: r.kind for i, r in records.items()}
        problems = list(self._scan_problems) + list(self._collection_problems)
        for entry_id, record in records.items():
            problems.extend(record.problems)
            if any(f != "roles.org" and is_valid_id(t) and t not in known for f, t, _l in record.refs):
                location = self._location(entry_id)
                if location is None:
                    continue
                data, text, _ = self.store.read_kind_file(location)
                if data is not None:
                    problems.extend(
                        check_references(entry_id, location.kind, data, location.main_file, text or "", known)
                    )
        problems.sort(key=lambda p: (p.path, p.line or 0, p.column or 0, p.message))
        return problems

    def _location(self, entry_id: str) -> Location | None:
        record = self._records.get(entry_id)
        if record is None:
            return None
        return self.store.location_of(self.store.root / record.folder)

    # -- backlinks and mentions

    def _referring(self, entry_id: str) -> list[tuple[str, str, str | None]]:
        """(entry, field, label) of each reference to ``entry_id``.

        The index's ``ref`` terms name the referring entries, and only their records are read: showing
        one entry does not decode 100,000 records (nor build a map of every reference) to find a dozen.
        """
        from whoosh import query as q

        self._refresh_from_disk()

        records = self._records
        hit_ids = self._read(lambda searcher: [
            hit["id"] for hit in searcher.search(q.Term("ref", entry_id), limit=None)
        ])
        found: list[tuple[str, str, str | None]] = []
        for source_id in sorted(set(hit_ids)):
            record = records.get(source_id)
            if record is not None:
                found.extend((source_id, f, label) for f, t, label in record.refs if t == entry_id)
        return found

    def references(self) -> dict[str, tuple[tuple[str, str, str | None], ...]]:
        """Every entry's references as (field, id, label), in file order: what the graph is built from."""
        self._refresh_from_disk()
        return {entry_id: record.refs for entry_id, record in self._records.items()}

    def backlinks(self, entry_id: str) -> list[Backlink]:
        """Entries that refer to this id: events by date, then sources, then actors."""
        records = self._records
        links = []
        for source_id, ref_field, label in self._referring(entry_id):
            row = self.row(source_id)
            if row is None or source_id == entry_id:
                continue
            links.append(Backlink(row, ref_field, label))
        order = {Kind.EVENT: 0, Kind.SOURCE: 1, Kind.ACTOR: 2}

        def key(link: Backlink) -> tuple[Any, ...]:
            record = records.get(link.row.id)
            return (order[link.row.kind], record.sort_date if record else "", link.row.id, link.field)

        links.sort(key=key)
        return links

    def mentions(self, entry_id: str, limit: int = 200) -> list[Mention]:
        """Texts that name this actor (its name or an alias) without referring to it.

        Computed at query time (a phrase query per name), so it is never stale.
        Names shorter than :data:`MIN_MENTION_LENGTH` are not looked for.
        """
        from whoosh import query as q

        self._refresh_from_disk()
        record = self._records.get(entry_id)
        if record is None:
            return []
        names = [n for n in dict.fromkeys(record.names) if len(n.strip()) >= MIN_MENTION_LENGTH]
        if not names:
            return []
        schema = current_schema()
        analyzer = schema["content"].analyzer
        clauses = []
        for name in names:
            words = [t.text for t in analyzer(name)]
            if not words:
                continue
            clauses.append(q.Term("content", words[0]) if len(words) == 1 else q.Phrase("content", words))
        if not clauses:
            return []
        referring = {i for i, _f, _l in self._referring(entry_id)}
        patterns = [(name, name_pattern(name)) for name in names]
        found: list[Mention] = []
        hit_ids = self._read(lambda searcher: [hit["id"] for hit in searcher.search(q.Or(clauses), limit=None)])
        for hit_id in hit_ids:
            if hit_id == entry_id or hit_id in referring:
                continue
            row = self.row(hit_id)
            if row is None:
                continue
            location = self._location(row.id)
            mention = find_mention(self.store, location, row, patterns) if location is not None else None
            if mention is not None:
                found.append(mention)
            if len(found) >= limit:
                break
        order = {Kind.EVENT: 0, Kind.SOURCE: 1, Kind.ACTOR: 2}
        found.sort(key=lambda m: (order[m.row.kind], self._records[m.row.id].sort_date, m.row.id))
        return found

    # -- search

    def _get_searcher(self) -> Any:
        searcher = self._searcher
        if searcher is None:
            searcher = self._searcher = retry_vanished(self._ix.searcher)
        elif not searcher.up_to_date():
            # Not refresh(): it reuses a segment's reader even when documents of that
            # segment were deleted since, and the deleted ones would still match.
            searcher.close()
            self._searcher = searcher = retry_vanished(self._ix.searcher)
        return searcher

    def _read(self, run: Callable[[Any], T]) -> T:
        """``run(searcher)`` under the read lock; a deleted or damaged index is rebuilt, then asked again.

        Damage shows only when a damaged part is read (flipped bytes inside a segment fail with a
        zlib error on the first query that decompresses them), so it is caught here, on every read.
        """
        try:
            with self._read_lock:
                return run(self._get_searcher())
        except damage_errors():
            pass
        # Once more with a fresh searcher while no other process writes: a commit racing this
        # read passes now, and rebuilding a large index is too costly to start on a transient error.
        with self._write_lock:
            locked = self._file_lock.acquire(WRITE_WAIT)
            try:
                with self._read_lock:
                    self._close_searcher()
                    try:
                        return run(self._get_searcher())
                    except damage_errors() as exc:
                        reason = self._damage() or f"the index was damaged ({type(exc).__name__}: {exc})"
            finally:
                if locked:
                    self._file_lock.release()
        self.recover(reason)
        with self._read_lock:
            return run(self._get_searcher())

    def parse(self, text: str) -> Any:
        """The Whoosh query for a user's query text; :class:`QueryError` when it is not one."""
        return parse_query(current_schema(), text)

    def search(self, query: str, kind: Kind | None = None, limit: int = 50, count_all: bool = False) -> Hits:
        """Entries matching a query in Whoosh's language, best first, with a snippet.

        A query of plain words forgives how people type (see :mod:`~dossier.index.forgiving`):
        stopwords and question words do not block, unknown words are corrected, and when no
        entry has every word the entries with the most of them are shown, with ``Hits.fallback``
        saying so. ``count_all`` also counts every match beyond ``limit`` (``Hits.total``).
        """
        from whoosh import query as q

        if is_plain(query) and " " in query.strip():
            query = query.rstrip("?!. ")  # a sentence's question mark is not a wildcard
        parsed = self.parse(query)  # also refuses what is too costly, with the reason
        rows = _RowsOnDemand(self)  # a search needs rows for its hits, not for the whole tree
        plan = None
        if is_plain(query):
            plan = plan_words(query)
            if not plan.words:
                plan = None
        restrict = q.Term("kind", kind.value) if kind is not None else None

        def with_name(tree: Any) -> Any:
            return q.And([tree, restrict]) if restrict is not None else tree

        fetch = max(limit, min(limit * 3, 500), RERANK_DEPTH)  # re-ranked: read a few more than asked

        def collect(searcher: Any, tree: Any, groups: list[list[str]] | None,
                    among: set[int] | None = None) -> tuple[list[Any], int]:
            if among is not None and not among:
                return [], 0
            # Words matched are recorded for plain words only; ``among`` limits scoring to those documents.
            results = searcher.search(tree, limit=fetch, terms=groups is not None, filter=among)
            # An entry whose name is exactly the query first. Looked up apart: Whoosh drops a
            # ConstantScoreQuery's score when matched terms are recorded (terms=True).
            named: set[int] = set()
            if PLAIN_WORDS.fullmatch(query):
                named = set(searcher.docs_for_query(q.Term("namekey", name_key(query))))
            found = []
            for hit in results:
                stored = hit.fields()
                matched = {(f, t.decode("utf-8", "replace") if isinstance(t, bytes) else t)
                           for f, t in (hit.matched_terms() if groups is not None else ()) if f in DEFAULT_FIELDS}
                score = hit.score + (NAME_MATCH_SCORE if hit.docnum in named else 0.0)
                found.append((stored["id"], score, stored.get("preview") or "", matched))
            return found, len(results) if count_all else len(found)

        def run(searcher: Any) -> tuple[list[Any], int, list[Any], Any]:
            try:
                if plan is None:
                    found, total = collect(searcher, with_name(parsed), None)
                    return found, total, [], parsed
                reader = searcher.reader()

                def known(term: str) -> int:
                    return sum(reader.doc_frequency(f, term) for f in DEFAULT_FIELDS)

                correct(plan, known, lambda: self._vocabulary(reader), self._shown_word)
                groups = plan.groups()
                # Which documents have how many of the words, from the postings alone (no scoring):
                # then only the documents with all of them, or with the most, are scored. Scoring
                # every document with any word (an OR of 5 common words) took 60-100 ms at 20,000.
                allowed = set(searcher.docs_for_query(restrict)) if restrict is not None else None
                counts: Counter[int] = Counter()
                for group in groups:
                    docs = searcher.docs_for_query(_group_query(group))
                    counts.update(docs if allowed is None else (d for d in docs if d in allowed))
                strict = {doc for doc, count in counts.items() if count == len(groups)}
                tree = q.And([_group_query(g) for g in groups])
                found, _total = collect(searcher, tree, groups, strict)
                total = len(strict)
                loose: list[Any] = []
                if len(groups) > 1 and (not found or (len(found) < ALMOST_NOTHING and len(groups) >= 3)):
                    fewer = sorted((c for d, c in counts.items() if d not in strict), reverse=True)
                    least = fewer[min(fetch, len(fewer)) - 1] if fewer else 1
                    among = {d for d, c in counts.items() if c >= least and d not in strict}
                    loose = collect(searcher, q.Or([_group_query(g) for g in groups]), groups, among)[0]
                    total += len({d for d in counts if d not in strict})
                return found, total, loose, tree
            except damage_errors():
                raise
            except Exception as exc:  # e.g. a range Whoosh accepts in parsing but not in searching
                raise QueryError(f"this query cannot be run: {exc}") from None

        found, total, loose, searched = self._read(run)
        groups = plan.groups() if plan is not None else None
        ranked = self._rank(found, rows, groups)
        hits = Hits()
        if plan is not None:
            hits.corrected = plan.corrections
            hits.missing = plan.missing
            if loose:
                ranked_loose = self._rank(loose, rows, groups)
                most = max((parts.get("words", 0) for _i, _s, _p, parts in ranked_loose), default=0)
                n = len(groups or [])
                if found:
                    hits.fallback = (f"only {len(found)} entr{'y has' if len(found) == 1 else 'ies have'} all {n} "
                                     f"words: also showing entries with fewer")
                elif most:
                    hits.fallback = f"no entry has all {n} words: showing entries with {most}"
                ranked = ranked + ranked_loose
                searched = q.Or([_group_query(g) for g in groups or []])
        pattern = query_pattern(searched)
        for hit_id, score, preview, parts in ranked[:limit]:
            row = rows.get(hit_id)
            if row is None:
                continue
            record = self._records.get(hit_id)
            snippet, spans = hit_snippet(self.store, record, row, pattern, preview) if record is not None else ("", ())
            hits.append(Hit(row, float(score), snippet, spans, explain_line(parts)))
        hits.total = max(total - (len(ranked[:limit]) - len(hits)), len(hits))
        if plan is not None and (hits.corrected or hits.missing or not hits):
            names = self.suggestions(list(hits.corrected) + hits.missing or [w.typed for w in plan.words])
            hits.suggestions = list(dict.fromkeys([*names, *hits.corrected.values()]))  # names, then words
        return hits

    def _rank(self, found: list[Any], rows: _RowsOnDemand, groups: list[list[str]] | None) -> list[Any]:
        """Hits in the order people expect: more of the words, a name or title that matches, then the
        text's score; events and actors before sources at equal strength; importance and recency last."""
        ranked = []
        for hit_id, score, preview, matched in found:
            row = rows.get(hit_id)
            if row is None:
                continue
            parts: dict[str, Any] = {"score": score, "kind": row.kind.value, "importance": row.importance}
            adjusted = score
            if score >= NAME_MATCH_SCORE:
                parts["name"] = True
                parts["score"] = score - NAME_MATCH_SCORE
            if groups:
                terms = {t for _f, t in matched}
                named = {t for f, t in matched if f in NAME_FIELDS}
                parts["words"] = sum(1 for g in groups if terms.intersection(g))
                parts["of"] = len(groups)
                parts["title"] = sum(1 for g in groups if named.intersection(g))
                # A title that has the words outranks a text that repeats them.
                adjusted = parts["score"] * (1 + TITLE_BONUS * parts["title"] / len(groups))
                if parts.get("name"):
                    adjusted += NAME_MATCH_SCORE
            weight = KIND_WEIGHTS.get(row.kind, 1.0)
            parts["kind_weight"] = weight
            adjusted *= weight
            ranked.append((hit_id, adjusted, preview, parts))
        ranked.sort(key=lambda r: (-r[3].get("words", 0), -round(r[1], 1), KIND_ORDER.get(rows[r[0]].kind, 9),
                                   -(rows[r[0]].importance or 0), _negated_date(rows[r[0]].date)))
        return ranked

    def _vocabulary(self, reader: Any) -> dict[str, dict[str, str]]:
        """Words a typo may be corrected to, each with the index term it stands for: every term of
        the names, titles and texts, and the words of names and titles as written (``security``
        for ``secur``: a typo is closer to the word than to its stem), by first letter. Built once
        per index version."""
        cached = self._vocab
        generation = self._generation
        if cached is not None and cached[0] == generation:
            return cached[1]
        vocabulary: dict[str, str] = {}
        for name in DEFAULT_FIELDS:
            for t in reader.lexicon(name):
                term = t.decode("utf-8") if isinstance(t, bytes) else t
                if term.isalpha() and len(term) > 2:
                    vocabulary[term] = term
        for word, term in self._surface_words().items():
            vocabulary.setdefault(word, term)
        by_letter: dict[str, dict[str, str]] = {}
        for word, term in vocabulary.items():
            by_letter.setdefault(word[0], {})[word] = term
        self._vocab = (generation, by_letter)
        return by_letter

    def _surface_words(self) -> dict[str, str]:
        """The words of every name and title as written (lowercased), each with its index term."""
        cached = self._surface
        generation = self._generation
        if cached is None or cached[0] != generation:
            from dossier.search_text import analysed

            words: dict[str, str] = {}
            for row in self._all_rows().values():
                for word in re.findall(r"[^\W\d_]{3,}", row.title.lower()):
                    if word not in words:
                        terms = analysed(word)
                        if len(terms) == 1:
                            words[word] = terms[0]
            cached = self._surface = (generation, words)
        return cached[1]

    def _shown_word(self, term: str) -> str | None:
        """An index term as people write it (``zelenski`` -> zelensky), taken from names and titles."""
        for word, stem in self._surface_words().items():
            if stem == term:
                return word
        return None

    def suggestions(self, words: list[str], limit: int = 5) -> list[str]:
        """Did you mean: actors' names and aliases with a word close to one of ``words``."""
        cached = self._name_parts
        generation = self._generation
        if cached is None or cached[0] != generation:
            names = (name for record in self._records.values() if record.kind is Kind.ACTOR for name in record.names)
            cached = self._name_parts = (generation, name_parts(names))
        return close_names(words, cached[1], limit)


#: Hits read before ranking: the order below is applied to this many of Whoosh's best.
RERANK_DEPTH = 100
#: How much more a hit whose name or title has every word of the query weighs (half as much for half).
TITLE_BONUS = 1.0
#: Sources weigh less than the events and actors they document at equal strength of match.
KIND_WEIGHTS = {Kind.SOURCE: 0.8}
KIND_ORDER = {Kind.EVENT: 0, Kind.ACTOR: 1, Kind.SOURCE: 2}


class _RowsOnDemand:
    """The rows a search asks for, each made once when first asked (``Index.row``)."""

    def __init__(self, index: Index) -> None:
        self._index = index
        self._made: dict[str, Row | None] = {}

    def get(self, entry_id: str, default: Row | None = None) -> Row | None:
        if entry_id not in self._made:
            self._made[entry_id] = self._index.row(entry_id)
        row = self._made[entry_id]
        return default if row is None else row

    def __getitem__(self, entry_id: str) -> Row:
        row = self.get(entry_id)
        if row is None:
            raise KeyError(entry_id)
        return row


def _group_query(terms: list[str]) -> Any:
    """One word of the query: any of its terms in any default field, weighed as the parser does."""
    from whoosh import query as q

    return q.Or([q.Term(f, t, boost=FIELD_WEIGHTS.get(f, 1.0)) for f in DEFAULT_FIELDS for t in terms])


def _negated_date(date: str | None) -> tuple[int, ...]:
    """A sort key that puts later dates first (and no date last)."""
    if not date:
        return (1,)
    return (0, *(-ord(c) for c in date))
