"""The index's writer lock: one writer at a time, across processes.

Inside a process, :class:`~dossier.index.core.Index` serialises writers with a thread lock; between
processes, this advisory file lock (``write.lock`` in the index folder) is taken with a timeout and
retried, so that a second program on the same tree reads what is there and never meets Whoosh's own lock.
"""

from __future__ import annotations

import os
import time
from pathlib import Path


class IndexBusy(RuntimeError):
    """Another process holds the index for writing longer than we were willing to wait."""


class FileLock:
    """An advisory lock between processes (fcntl); a no-op where fcntl is missing."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self, timeout: float) -> bool:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: Whoosh's own lock still guards
            return True
        # The index folder may have been deleted under a running program: it is made again.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + timeout
        delay = 0.005
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self._fd = fd
                return True
            except OSError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    return False
                time.sleep(delay)
                delay = min(delay * 2, 0.1)

    def release(self) -> None:
        if self._fd is None:
            return
        import fcntl

        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None


