"""A (re)build of many new entries in worker processes: reading, parsing and Whoosh's analysis in parallel.

A rebuild spends its time reading and parsing the files (``load_entry``), analysing the text and
writing Whoosh's segments; one process does all three on one core. Here each worker process reads
chunks of entries from a shared queue, parses them and adds them to a Whoosh segment of its own
(``SegmentWriter`` without Whoosh's lock, as Whoosh's own ``MpWriter`` does for its sub-writers);
the parent only hands out chunks, keeps the records and commits. (The writer's steps used here,
``_finalize_segment``, ``_close_segment``, ``_commit_toc``, ``_finish``, are those ``MpWriter`` uses, in
Whoosh 2.7 as in the pinned whoosh3.) At the end of each batch every
worker finishes its segment and the parent writes a new table of contents holding them, then the
state table (:class:`~dossier.index.core.Index` does that in ``commit``): search works on what is
indexed so far, and the state table is never ahead of Whoosh.

Only new entries are built this way (an empty index, or one a killed rebuild left half-built):
nothing has to be deleted or replaced, so segments written apart never hold the same entry twice.

Workers are started with ``fork`` when the process runs no other thread, and ``spawn`` otherwise
(forking a threaded process can copy a lock another thread holds). ``spawn`` imports the main
module again in each worker, which is why ``python -m dossier`` guards its call to ``main``; the
browser never builds in workers itself: it starts ``python -m dossier index --rebuild`` and follows it.
A worker whose parent died (killed mid-rebuild) stops by itself within a second; the segments it
left are deleted by the next commit (Whoosh removes files no table of contents names).
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from dossier.store import Location

#: Entries per message to a worker: small enough that two workers end a batch together.
CHUNK = 200
#: What a build may use in all, its processes together (MB). The parent's share grows with the tree
#: (its scan and the records: about PARENT_MB_PER_ENTRY each); each worker needs WORKER_BASE_MB; what is
#: left makes the workers' Whoosh pools (``limitmb``), between POOL_MIN_MB and POOL_MAX_MB.
MEMORY_MB = 450
PARENT_BASE_MB = 30
PARENT_MB_PER_ENTRY = 0.0022
WORKER_BASE_MB = 50
POOL_MIN_MB = 24
POOL_MAX_MB = 128
#: Real memory per MB of ``limitmb`` (Whoosh counts its postings' sizes, not all their overhead).
POOL_OVERHEAD = 1.2
#: How often waiting parties look whether the other side is still alive (seconds).
POLL = 0.5

#: What one worker hands back: the segment it wrote (None if it was given nothing) and its records.
Packed = tuple[str, str, bytes, bytes]
EMPTY = object()
Committer = Callable[[list[Any], list[tuple[str, Packed]]], None]


class WorkerFailed(RuntimeError):
    """A worker process died without saying why (killed, out of memory)."""


def worker_count() -> int:
    """How many workers a build uses: ``$DOSSIER_INDEX_WORKERS`` if set (1: all in this process), else
    the cores this process may run on, at most 4 (each worker leaves a segment per batch to search,
    and holds its own pool in memory)."""
    chosen = os.environ.get("DOSSIER_INDEX_WORKERS", "").strip()
    if chosen.isdigit() and int(chosen) > 0:
        return int(chosen)
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))


def pool_mb(entries: int, workers: int) -> int:
    """Each worker's Whoosh pool (MB) when the index will hold ``entries`` entries.

    A pool that fills spills its postings to disk and merges them back when the segment is written:
    every posting pickled and read again, a quarter more CPU (20,000 entries: 25 s with 32 MB pools,
    20 s with 128 MB). So the pools get what the memory cap leaves, and spill only on a large tree.
    """
    left = MEMORY_MB - PARENT_BASE_MB - PARENT_MB_PER_ENTRY * entries - WORKER_BASE_MB * workers
    return int(max(POOL_MIN_MB, min(POOL_MAX_MB, left / workers / POOL_OVERHEAD)))


def _context() -> Any:
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def build(
    store_root: Path,
    whoosh_dir: Path,
    todo: Sequence[Location],
    batches: Sequence[int],
    commit: Committer,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
    limitmb: int = POOL_MIN_MB,
) -> None:
    """Index ``todo`` (entries not in the index yet) in batches of these sizes, in worker processes.

    After each batch ``commit(segments, records)`` is called in this process with the new segments and
    the records (entry id, packed record) of the entries in them; ``progress(done)`` as entries are read.
    Each worker's Whoosh pool holds ``limitmb`` MB (see :func:`pool_mb`).
    Raises what a worker raised (an ``OSError`` on a full disk), or :class:`WorkerFailed`.
    """
    count = workers or worker_count()
    ctx = _context()
    tasks = ctx.Queue(maxsize=count * 2)
    results = ctx.Queue()
    resumes = [ctx.Queue() for _ in range(count)]
    procs = [
        ctx.Process(target=_work, daemon=True, name=f"dossier-index-{i}",
                    args=(str(store_root), str(whoosh_dir), limitmb, tasks, results, resumes[i], os.getpid()))
        for i in range(count)
    ]
    # A forked worker shares this process's memory (the tree's scan, the records) until it writes to
    # it, and the collector writes to every object it visits: frozen, they are never visited there.
    gc.freeze()
    try:
        for proc in procs:
            proc.start()
    finally:
        gc.unfreeze()
    done = 0
    pending: list[tuple[str, Packed]] = []

    def receive(block: bool) -> Any:
        """Take one message from the workers: progress is taken care of here, a segment is returned.
        EMPTY when there was none to take."""
        nonlocal done
        try:
            message = results.get(timeout=POLL) if block else results.get_nowait()
        except queue.Empty:
            dead = [p for p in procs if p.exitcode is not None]
            if not dead:
                return EMPTY
            try:  # a worker that failed said why before it stopped: that is the error to raise
                message = results.get(timeout=POLL)
            except queue.Empty:
                raise WorkerFailed(f"an indexing process stopped (exit code {dead[0].exitcode})") from None
        if message[0] == "error":
            raise message[1]
        if message[0] == "records":
            pending.extend(message[1])
            done += len(message[1])
            if progress is not None:
                progress(done)
            return None
        return message

    try:
        start = 0
        for size in batches:
            batch = todo[start:start + size]
            start += size
            for first in range(0, len(batch), CHUNK):
                chunk = list(batch[first:first + CHUNK])
                while True:
                    try:
                        tasks.put(chunk, timeout=POLL)
                        break
                    except queue.Full:
                        receive(block=False)  # raises if a worker died: the queue would stay full
                while receive(block=False) is not EMPTY:
                    pass
            for _ in procs:
                tasks.put("finish")
            segments: list[Any] = []
            while len(segments) < count:
                message = receive(block=True)
                if message is not None and message is not EMPTY:
                    segments.append(message[1])
            records, pending = pending, []
            last = start >= len(todo)
            if last:  # the workers' memory is given back before the last commit (the largest state table)
                for _ in procs:
                    tasks.put(None)
            for resume in resumes:
                resume.put(True)
            if last:
                for proc in procs:
                    proc.join(timeout=60)
            commit([s for s in segments if s is not None], records)
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
        for proc in procs:
            proc.join(timeout=5)
        for q in (tasks, results, *resumes):
            q.close()
            q.cancel_join_thread()


def _orphaned(parent: int) -> None:
    """Stop this worker once its parent is gone (a killed rebuild), wherever its main thread waits:
    a parent killed while it wrote a chunk leaves that chunk half-written, and its reader waiting forever."""
    while os.getppid() == parent:
        time.sleep(POLL)
    os._exit(0)


def _work(store_root: str, whoosh_dir: str, limitmb: int, tasks: Any, results: Any, resume: Any,
          parent: int) -> None:
    """A worker: parse entries, add them to a segment of its own; at "finish", hand the segment back."""
    from whoosh import index as whoosh_index
    from whoosh.writing import SegmentWriter

    from dossier.index.document import load_entry
    from dossier.index.state_table import _packed
    from dossier.store import Store

    threading.Thread(target=_orphaned, args=(parent,), daemon=True).start()
    store = Store(store_root)
    writer = None
    try:
        ix = whoosh_index.open_dir(whoosh_dir)
        while True:
            message = tasks.get()
            if message is None:
                return
            if message == "finish":
                segment = None
                if writer is not None:
                    segment = writer._finalize_segment()
                    writer = None
                results.put(("segment", segment))
                resume.get()
                continue
            if writer is None:
                # No lock: the parent holds the index's writer lock (and Whoosh's) for the whole build.
                # Plain files, not one compound file: see dossier/index/storage.py (a reader copied compound
                # segments into memory).
                writer = SegmentWriter(ix, _lk=False, limitmb=limitmb, compound=False)
            records = []
            for location in message:
                loaded = load_entry(store, location)
                writer.add_document(**loaded.document)
                records.append((location.id, _packed(loaded.record)))
            results.put(("records", records))
    except BaseException as exc:  # handed to the parent, which raises it
        if writer is not None:
            with contextlib.suppress(Exception):
                writer._close_segment()
        try:
            results.put(("error", exc))
        except Exception:
            results.put(("error", RuntimeError(repr(exc))))
        time.sleep(0.2)  # let the queue's feeder thread send it
