"""What a damaged or deleted index looks like when it is read, and the retry that tells a race from damage."""

from __future__ import annotations

import functools
import pickle
import struct
import time
import zlib
from collections.abc import Callable
from typing import Any


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
