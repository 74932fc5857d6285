"""Watching a tree: file events, debounced into batches of changed paths.

A ``git checkout`` of 500 files produces thousands of events (every file
deleted and recreated, ``.git/`` churning, events still arriving a fraction of
a second after git exits). The watcher keeps only what can change an entry
(kind files, text files, ``dossier.toml``, folders), keys pending work by
tree-relative path (both ends of a move), and hands the set over once the tree
has been quiet for ``quiet`` seconds, or at the latest ``max_delay`` seconds
after the first pending change, so that a long stream of changes still shows
up while it lasts.

:class:`TreeWatcher` is the contract the TUI uses (it applies batches in its
own worker); :class:`IndexWatcher` couples a watcher to an :class:`Index` for
``dossier index --watch`` and tests.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

from dossier.index.heartbeat import Heartbeat
from dossier.model import KIND_FILES, TEXT_SUFFIXES, is_hidden
from dossier.store import COLLECTION_FILE

log = logging.getLogger(__name__)

#: Event types that never change a file's content.
_IGNORED_EVENTS = frozenset({"opened", "closed_no_write"})


def relevant(rel: str, is_directory: bool) -> bool:
    """True when a change at this tree-relative path can change an entry."""
    parts = PurePosixPath(rel).parts
    if not parts or any(is_hidden(p) for p in parts):
        return False  # .git/, editors' hidden temporary files, our own atomic writes' temp files
    if is_directory:
        return True
    name = parts[-1]
    return name in KIND_FILES or name == COLLECTION_FILE or name.lower().endswith(TEXT_SUFFIXES)


class TreeWatcher:
    """watchdog observer on a tree; collects changed paths and signals debounced batches.

    ``on_batch()`` is called from the watcher's own thread when a batch is
    ready; the consumer then calls :meth:`take`. Until it does, no further
    signal is sent (changes keep accumulating in the same batch).
    """

    def __init__(
        self,
        root: Path,
        on_batch: Callable[[], None],
        quiet: float = 0.3,
        max_delay: float = 1.0,
        index_dir: Path | None = None,
    ) -> None:
        self.root = Path(root).absolute()
        self.on_batch = on_batch
        self.quiet = quiet
        self.max_delay = max_delay
        # With an index folder, the watcher keeps a heartbeat there (dossier.index.heartbeat): commands
        # run meanwhile trust the index instead of looking at the tree.
        self._heartbeat: Heartbeat | None = Heartbeat(index_dir, self.root) if index_dir is not None else None
        self._in_flight = 0  # batches taken and not yet reported applied (batch_done)
        self._native = False  # inotify, not polling: a change is seen within milliseconds
        self._pending: set[str] = set()
        self._first = 0.0
        self._last = 0.0
        self._signalled = False
        self._stopped = False
        self._cond = threading.Condition()
        self._observer: Any = None
        self._thread: threading.Thread | None = None

    # -- events in

    def _event(self, event: Any) -> None:
        if event.event_type in _IGNORED_EVENTS:
            return
        if event.event_type == "modified" and event.is_directory:
            return  # a folder's mtime changed: the event for the file inside says which
        paths = [event.src_path]
        dest = getattr(event, "dest_path", None)
        if dest:
            paths.append(dest)
        found = []
        for path in paths:
            rel = self._rel(path)
            if rel is not None and relevant(rel, event.is_directory):
                found.append(rel)
        if found:
            self.add(found)

    def _rel(self, path: str | bytes) -> str | None:
        text = os.fsdecode(path)
        try:
            rel = os.path.relpath(text, self.root)
        except ValueError:
            return None
        if rel == "." or rel.startswith(".."):
            return None
        return rel.replace(os.sep, "/")

    def add(self, paths: list[str] | set[str]) -> None:
        """Record changed tree-relative paths (the observer does this; tests and importers may too)."""
        now = time.monotonic()
        with self._cond:
            if not self._pending:
                self._first = now
            self._pending.update(paths)
            self._last = now
            self._cond.notify_all()
        if self._heartbeat is not None:
            self._heartbeat.set(busy=True)

    # -- batches out

    def take(self) -> set[str]:
        """The pending paths, cleared atomically."""
        with self._cond:
            taken, self._pending = self._pending, set()
            self._signalled = False
            if taken:
                self._in_flight += 1
            self._cond.notify_all()
            return taken

    def batch_done(self, ok: bool = True) -> None:
        """The consumer applied a batch it took (``ok``) or failed to (the index may now differ from the tree)."""
        with self._cond:
            self._in_flight = max(0, self._in_flight - 1)
            idle = not self._pending and not self._in_flight
        if self._heartbeat is not None:
            if not ok:
                self._heartbeat.set(synced=False)
            if idle:
                self._heartbeat.set(busy=False)

    def index_matches(self) -> None:
        """The consumer reconciled the whole tree after this watcher started: from now on the index is
        current whenever nothing is pending (said in the heartbeat, when watching natively)."""
        if self._heartbeat is not None and self._native:
            self._heartbeat.set(synced=True)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopped and (not self._pending or self._signalled):
                    self._cond.wait()
                if self._stopped:
                    return
                now = time.monotonic()
                due = min(self._last + self.quiet, self._first + self.max_delay)
                if now < due:
                    self._cond.wait(due - now)
                    continue
                self._signalled = True
            try:
                self.on_batch()
            except Exception:  # the consumer's bug must not stop the watching
                log.exception("on_batch failed")

    def start(self) -> None:
        from watchdog.events import FileSystemEventHandler

        watcher = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: Any) -> None:
                watcher._event(event)

        self._observer = _make_observer(self.root, Handler(), self._overflowed)
        from watchdog.observers.polling import PollingObserver

        # Polling sees a change a second or more late: a command must not trust the index meanwhile.
        self._native = not isinstance(self._observer, PollingObserver)
        self._thread = threading.Thread(target=self._run, name="dossier-watch", daemon=True)
        self._thread.start()
        if self._heartbeat is not None:
            self._heartbeat.start()

    def _overflowed(self) -> None:
        # The kernel dropped events: which paths changed is unknown, so ask for the whole tree
        # ("." makes Index.apply rescan everything; the TUI's apply does the same).
        log.warning("file events were lost (inotify queue overflow); the whole tree will be rescanned")
        self.add(["."])

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        if self._heartbeat is not None:
            self._heartbeat.stop()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
            self._observer = None
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._thread = None

    def __enter__(self) -> TreeWatcher:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _event_filter() -> list[type]:
    """The watchdog event types that can change an entry.

    Leaving out opened / closed-without-writing / modified is what makes a large
    tree watchable: watchdog sets up a recursive watch by walking every folder,
    and with its default mask each folder opened by that walk queues events on
    the watches already added (about four per folder). Past 16,384 queued events
    (the kernel's default ``max_queued_events``) the queue overflows, and
    watchdog 7 answers an overflow by removing every watch and walking the tree
    again, which overflows again: at 20,000 folders set-up never finished. With
    this mask the walk queues nothing. Reading the tree (indexing, browsing) no
    longer wakes the watcher either. A write is still seen by its
    close-after-write (in-place saves) or its create / move (atomic saves).
    """
    from watchdog.events import (
        DirCreatedEvent,
        DirDeletedEvent,
        DirMovedEvent,
        FileClosedEvent,
        FileCreatedEvent,
        FileDeletedEvent,
        FileMovedEvent,
    )

    return [
        FileCreatedEvent,
        DirCreatedEvent,
        FileDeletedEvent,
        DirDeletedEvent,
        FileMovedEvent,
        DirMovedEvent,
        FileClosedEvent,
    ]


def _inotify_observer(on_overflow: Callable[[], None]) -> Any:
    """watchdog's inotify observer, telling ``on_overflow`` when the kernel dropped events.

    watchdog rebuilds its watches after an overflow but reports no event, so the
    lost changes would stay unindexed until the next launch.
    """
    from watchdog.observers.inotify import InotifyEmitter, InotifyObserver

    class Emitter(InotifyEmitter):
        def on_thread_start(self) -> None:
            super().on_thread_start()
            group = self._inotify
            assert group is not None  # set by InotifyEmitter.on_thread_start
            rebuild = group.on_queue_overflow

            def overflowed() -> None:
                rebuild()
                on_overflow()

            group.on_queue_overflow = overflowed  # type: ignore[method-assign]  # the inotify reader calls this

    observer = InotifyObserver()
    observer._emitter_class = Emitter  # noqa: SLF001 - no public way to choose the emitter
    return observer


def _make_observer(root: Path, handler: Any, on_overflow: Callable[[], None]) -> Any:
    """The native observer; a polling one where the system refuses (e.g. out of inotify watches)."""
    from watchdog.observers import Observer
    from watchdog.observers.polling import PollingObserver

    try:
        observer = _inotify_observer(on_overflow)
        events: list[type] | None = _event_filter()
    except (ImportError, AttributeError):
        # Not Linux (or another watchdog): the native observer there reports writes as
        # "modified", which the inotify filter leaves out, so it gets no filter.
        observer, events = Observer(), None
    observer.schedule(handler, str(root), recursive=True, event_filter=events)
    try:
        observer.start()
    except OSError as exc:
        log.warning("native file watching failed (%s); polling instead", exc)
        observer = PollingObserver(timeout=1)  # it reports writes as "modified": no filter
        observer.schedule(handler, str(root), recursive=True)
        observer.start()
    return observer


#: Seconds between a watcher's own reconciles (see :meth:`IndexWatcher.audit`).
AUDIT_EVERY = 60.0


class IndexWatcher:
    """Keeps an index current: each batch from a :class:`TreeWatcher` goes to ``Index.apply``.

    ``on_changes(changes)`` is called (from the watcher's thread) after each
    batch that changed something. A batch that meets another process's write
    is kept and tried again. Every ``audit_every`` seconds it also reconciles
    as a command would (:meth:`audit`).
    """

    def __init__(
        self,
        index: Any,
        on_changes: Callable[[Any], None] | None = None,
        quiet: float = 0.3,
        max_delay: float = 1.0,
        audit_every: float | None = AUDIT_EVERY,
    ) -> None:
        self.index = index
        self.on_changes = on_changes
        self.watcher = TreeWatcher(index.store.root, self._batch, quiet=quiet, max_delay=max_delay,
                                   index_dir=index.dir)
        self.batches = 0
        self.last_error: BaseException | None = None
        self.audit_every = audit_every
        self._stopping = threading.Event()
        self._auditor: threading.Thread | None = None
        self._matched = False  # index_matches was called: audits may say so again

    def audit(self) -> Any:
        """Reconcile as a command would (git and the folders' mtimes, or the files' stamps: no walk), and
        apply what the watcher did not report; None when another program is writing.

        Commands trust this watcher's heartbeat instead of looking at the tree. inotify can fail
        silently for a folder (a watch refused when the limit is reached, a folder moved in from
        outside the tree); this bounds how long such a change can go unseen, and says so in the log.
        """
        from dossier.index import IndexBusy

        try:
            changes = self.index.reconcile(wait=0)
        except IndexBusy:
            return None
        except Exception as exc:
            self.last_error = exc
            log.exception("reconciling the index failed")
            return None
        if changes:
            log.warning("the watcher had missed changes, now applied: %d added, %d changed, %d removed",
                        len(changes.added), len(changes.changed), len(changes.removed))
            if self.on_changes is not None:
                self.on_changes(changes)
        if self._matched:
            self.watcher.index_matches()  # also after a batch that failed: the index matches again
        return changes

    def _audit_loop(self) -> None:
        assert self.audit_every is not None
        while not self._stopping.wait(self.audit_every):
            self.audit()

    def _batch(self) -> None:
        from dossier.index import IndexBusy

        paths = self.watcher.take()
        if not paths:
            return
        try:
            changes = self.index.apply(paths)
        except IndexBusy:
            self.watcher.add(paths)  # another process writes: try again after the next quiet period
            self.watcher.batch_done()
            return
        except Exception as exc:  # keep watching; the next reconcile will catch up
            self.last_error = exc
            log.exception("updating the index failed")
            self.watcher.batch_done(ok=False)
            return
        self.watcher.batch_done()
        self.batches += 1
        if changes and self.on_changes is not None:
            self.on_changes(changes)

    def start(self) -> None:
        self.watcher.start()
        if self.audit_every:
            self._auditor = threading.Thread(target=self._audit_loop, name="dossier-audit", daemon=True)
            self._auditor.start()

    def index_matches(self) -> None:
        """Call after reconciling the whole tree (the watcher started before): see TreeWatcher.index_matches."""
        self._matched = True
        self.watcher.index_matches()

    def stop(self) -> None:
        self._stopping.set()
        if self._auditor is not None:
            self._auditor.join(timeout=30)
            self._auditor = None
        self.watcher.stop()

    def __enter__(self) -> IndexWatcher:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


__all__ = ["IndexWatcher", "TreeWatcher", "relevant"]
