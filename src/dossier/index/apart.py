"""A large first build run as a program of its own (``python -m dossier index``), followed from here.

A browser (threads) or a command that finds its index empty (new, damaged, another format) and the
tree large would otherwise build it in its own process, on one core: forking a threaded process to
use worker processes is unsafe, and ``spawn`` would import the browser again in each worker. So it
starts ``dossier index`` as a child (which builds in worker processes, :mod:`~dossier.index.bulk`)
and follows it: each batch the child commits is read from the state file (search and lists work on
it at once), its progress from :data:`PROGRESS_FILE`. The child holds the writer lock; if it fails,
the caller builds as before. A follower that is closed leaves the child to finish its build.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dossier.index.core import Index

log = logging.getLogger(__name__)

#: Written in the index folder by a build in worker processes: ``{"pid", "done", "total"}``.
PROGRESS_FILE = "build.progress"
#: How often the follower looks at the child's progress and state file (seconds).
FOLLOW_EVERY = 0.2


def write_progress(folder: Path, done: int, total: int) -> None:
    """Say how far a build is, for a follower; atomic (a reader never sees half a file)."""
    path = folder / PROGRESS_FILE
    tmp = folder / f".{PROGRESS_FILE}.{os.getpid()}.tmp"
    with contextlib.suppress(OSError):  # progress is a courtesy: a build never fails for it
        tmp.write_text(json.dumps({"pid": os.getpid(), "done": done, "total": total}), encoding="utf-8")
        os.replace(tmp, path)


def clear_progress(folder: Path) -> None:
    with contextlib.suppress(OSError):
        (folder / PROGRESS_FILE).unlink()


def read_progress(folder: Path) -> tuple[int, int] | None:
    """(done, total) of the build going on in ``folder``, or None."""
    try:
        data = json.loads((folder / PROGRESS_FILE).read_text(encoding="utf-8"))
        return int(data["done"]), int(data["total"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def command(index: Index) -> list[str]:
    """The command line of the child: this interpreter, this tree, this index folder."""
    return [sys.executable, "-m", "dossier", "--tree", str(index.store.root), "--index", str(index.dir),
            "index", "--json"]


def build(index: Index, progress: Callable[[int, int], None] | None = None,
          committed: Callable[[], None] | None = None) -> bool:
    """Run the build of ``index`` as its own process and follow it; True when it finished.

    Must be called without the writer lock (the child takes it). ``committed`` is called each
    time the child has committed a batch (the records read back here), ``progress`` as it goes.
    Returns at once when the index is closed meanwhile (the child goes on).
    """
    clear_progress(index.dir)
    env = {k: v for k, v in os.environ.items() if k != "DOSSIER_INDEX"}
    # What the child says goes to a file, not a pipe nobody reads while it runs (a full pipe would stop it).
    with tempfile.TemporaryFile() as said:
        # Not a child of this terminal's signals: a Ctrl-C meant for the follower leaves the build to finish.
        child = subprocess.Popen(command(index), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=said, env=env, start_new_session=True)
        try:
            code = _follow(index, child, progress, committed)
        finally:
            if child.poll() is not None:
                clear_progress(index.dir)
        if code is not None and code != 0:
            said.seek(0)
            log.warning("`dossier index` (pid %s) stopped with exit code %s: %s", child.pid, code,
                        said.read()[-2000:].decode("utf-8", "replace").strip())
        return code is None or code == 0


def _follow(index: Index, child: subprocess.Popen[bytes], progress: Callable[[int, int], None] | None,
            committed: Callable[[], None] | None) -> int | None:
    """Follow ``child`` until it exits (its exit code) or ``index`` is closed (None)."""
    seen = len(index._records)
    while True:
        try:
            code = child.wait(timeout=FOLLOW_EVERY)
        except subprocess.TimeoutExpired:
            code = None
        step = read_progress(index.dir)
        if step is not None:
            index._state_text = f"indexing {step[0]}/{step[1]} (dossier index, pid {child.pid})"
            if progress is not None:
                progress(*step)
        index._refresh_from_disk()
        if len(index._records) != seen:
            seen = len(index._records)
            if committed is not None and code is None:
                committed()
        if code is not None:
            return code
        if index._ix is None:  # closed: stop following; the child finishes the build on its own
            return None


def wanted(index: Index, entries: int) -> bool:
    """Whether a build of ``entries`` entries into ``index`` should run apart (see the module docstring)."""
    from dossier.index.core import PARALLEL_ENTRIES

    return index.build_apart and index.workers == 1 and not index._records and entries >= PARALLEL_ENTRIES

