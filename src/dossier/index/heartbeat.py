"""A running watcher's heartbeat: while one keeps the index current, a command need not look at the tree.

``dossier index --watch`` and the browser watch the tree (inotify) and apply each change to the index
within a second. Each keeps a small file in the index folder saying so (:data:`HEARTBEAT_FILE`):
its process, when it last beat (every :data:`BEAT` seconds), whether it has changes not yet applied
(*busy*, written the moment the first event of a burst arrives) and whether the index matched the
tree when it last had nothing pending (*synced*: after its own reconcile, and after every batch that
applied cleanly; an error, an overflow of the kernel's queue or a fall-back to polling clears it).

A command then trusts the index as it is (:func:`trusted`) when a watcher on this machine is alive
(its process exists and it beat within :data:`STALE` seconds), synced and idle; when it is busy the
command waits for it (up to :data:`WAIT` seconds), which is how a save made just before the command
is seen. Anything else (no watcher, a stale file left by a killed one, another machine sharing the
cache folder) and the command reconciles as it always does. The file is data (JSON), never code.

Between a write and the watcher's "busy" there are the kernel's queue and the watcher's threads: well
under a millisecond when it idles, a few when its process is busy (the browser drawing), more on a
loaded machine. A command therefore reads the heartbeat again once :data:`SETTLE` seconds have passed
since it started (parsing its arguments and importing what it needs take part of that): a change
made before it started is then either applied or being applied.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

#: The heartbeat's file in the index folder.
HEARTBEAT_FILE = "watcher.json"
#: Seconds between beats of a watcher with nothing to report.
BEAT = 1.0
#: A heartbeat older than this is a watcher that died without removing its file.
STALE = 3 * BEAT
#: How long a command waits for a busy watcher to apply what it has before looking at the tree itself.
WAIT = 3.0
#: Longer than a watcher takes to hear of a write (see the module docstring).
SETTLE = 0.1


@dataclass(frozen=True)
class Beat:
    """What a watcher last said about itself."""

    pid: int
    host: str
    tree: str
    beat_ns: int
    busy: bool
    synced: bool


def _host() -> str:
    return os.uname().nodename if hasattr(os, "uname") else os.environ.get("COMPUTERNAME", "")


def read(index_dir: Path) -> Beat | None:
    """The heartbeat in ``index_dir``, or None (none, unreadable, not ours)."""
    try:
        data = json.loads((index_dir / HEARTBEAT_FILE).read_text(encoding="utf-8"))
        return Beat(int(data["pid"]), str(data["host"]), str(data["tree"]), int(data["beat_ns"]),
                    bool(data["busy"]), bool(data["synced"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _alive(beat: Beat, tree: Path) -> bool:
    if beat.host != _host() or beat.tree != str(tree):
        return False
    if abs(time.time_ns() - beat.beat_ns) > STALE * 1e9:  # silent for too long, or a clock not ours
        return False
    try:
        os.kill(beat.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive
    return True


def trusted(index_dir: Path, tree: Path, wait: float = WAIT, since: float | None = None) -> bool:
    """True when a live watcher says the index matches the tree (waiting while it applies a change).

    ``since``: when the command started (``time.monotonic()``): what it was started after was written
    before then, so only the rest of :data:`SETTLE` is waited. Without it, all of it.
    """
    deadline = time.monotonic() + wait
    beat = read(index_dir)
    if beat is None or not _alive(beat, tree) or not beat.synced:
        return False
    time.sleep(SETTLE if since is None else max(0.0, SETTLE - (time.monotonic() - since)))
    while True:
        beat = read(index_dir)
        if beat is None or not _alive(beat, tree):
            return False
        if not beat.busy:
            return beat.synced
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)


class Heartbeat:
    """The watcher's side: beats from its own thread, and says busy, idle or synced when told."""

    def __init__(self, index_dir: Path, tree: Path) -> None:
        self.path = index_dir / HEARTBEAT_FILE
        self.tree = str(tree)
        self.busy = False
        self.synced = False
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._write()
        self._thread = threading.Thread(target=self._run, name="dossier-heartbeat", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(BEAT):
            self._write()

    def set(self, *, busy: bool | None = None, synced: bool | None = None) -> None:
        """Change what the heartbeat says, and write it at once (a command may be waiting on it)."""
        with self._lock:
            changed = False
            if busy is not None and busy != self.busy:
                self.busy, changed = busy, True
            if synced is not None and synced != self.synced:
                self.synced, changed = synced, True
        if changed:
            self._write()

    def _write(self) -> None:
        with self._lock:
            data = {"pid": os.getpid(), "host": _host(), "tree": self.tree,
                    "beat_ns": time.time_ns(), "busy": self.busy, "synced": self.synced}
            tmp = self.path.with_name(f".{HEARTBEAT_FILE}.{os.getpid()}.{threading.get_ident()}.tmp")
            with contextlib.suppress(OSError):  # an index folder gone or unwritable: commands reconcile
                tmp.write_text(json.dumps(data), encoding="utf-8")
                os.replace(tmp, self.path)

    def stop(self) -> None:
        """Stop beating and remove the file if it is still this process's."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        with self._lock:
            beat = read(self.path.parent)
            if beat is not None and beat.pid == os.getpid():
                with contextlib.suppress(OSError):
                    self.path.unlink()
