"""Whoosh's file storage, with each segment file read through a memory map.

Whoosh reads a segment's postings and terms with many small seeks and reads. From a compound segment
(one file holding all its parts, Whoosh's default) every part opened is first copied whole into
memory: at 100,000 entries, 287 MB before the first result of any search. Written as plain files
(``compound=False``) the parts are read where they lie, but each small read is then a system call:
the same search took four times longer. Mapped, a read is a copy from the page cache, and only the
pages a query touches are ever loaded.

Segment files are never changed once written, only deleted by a later merge; on Linux and macOS a
mapping of a deleted file stays readable until it is closed.
"""

from __future__ import annotations

import mmap
import os
from typing import Any

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile


class MappedStorage(FileStorage):
    """A :class:`whoosh.filedb.filestore.FileStorage` whose files open as read-only memory maps."""

    def open_file(self, name: str, **kwargs: Any) -> StructFile:
        path = self._fpath(name)
        with open(path, "rb") as handle:
            if os.fstat(handle.fileno()).st_size == 0:  # an empty file cannot be mapped
                return super().open_file(name, **kwargs)
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        # A map has read, seek and tell but no fileno: StructFile then reads arrays through read(), as
        # from a buffer, and closing the StructFile closes the map.
        return StructFile(mapped, name=name, **kwargs)  # type: ignore[arg-type]


def open_index(folder: str) -> Any:
    """The Whoosh index in ``folder``, its files mapped."""
    return MappedStorage(folder).open_index()


def create_index(folder: str, schema: Any) -> Any:
    """A new, empty Whoosh index in ``folder`` (which must exist), its files mapped when read."""
    return MappedStorage(folder).create_index(schema)
