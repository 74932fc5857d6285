"""What the record importers (CSV, FollowTheMoney) share: the tree's ids, and writing new entries.

Like the timeline importer they never modify an entry that exists: an id
already in the tree is *reused* (counted, left alone), so importing the same
file twice writes nothing the second time. Entries are written through
:meth:`Store.create` (atomic, never overwriting) or, on a dry run, only
recorded in the report by id.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from dossier.importers import ImportReport
from dossier.model import MAX_ID_LENGTH, Kind
from dossier.store import Store, StoreError

#: Fields of each kind whose values are lists of ids.
ID_LIST_FIELDS = {Kind.ACTOR: (), Kind.EVENT: ("actors", "sources", "related"), Kind.SOURCE: ("actors",)}


class RecordWriter:
    """The tree as one scan saw it, and the entries an import adds to it."""

    def __init__(self, store: Store, report: ImportReport, *, read_data: bool = False) -> None:
        self.store = store
        self.report = report
        #: Kind of every id in the tree at the start, then of every id created (or planned).
        self.kinds: dict[str, Kind] = {}
        #: Fields of every entry in the tree (only with ``read_data``; for identities such as ftm_id).
        self.data: dict[str, Mapping[str, Any]] = {}
        self._on_disk: set[str] = set()
        if store.root.exists():
            for location in store.scan().locations:
                self.kinds.setdefault(location.id, location.kind)
                if read_data:
                    fields, _, _ = store.read_kind_file(location)
                    if fields is not None:
                        self.data.setdefault(location.id, fields)
        self._on_disk.update(self.kinds)
        self.existing = frozenset(self.kinds)

    def free_id(self, base: str) -> str:
        """``base``, or ``base-2``, ``base-3`` ... whichever no entry has."""
        candidate, n = base, 1
        while candidate in self.kinds:
            n += 1
            suffix = f"-{n}"
            candidate = base[: MAX_ID_LENGTH - len(suffix)].rstrip("-") + suffix
        return candidate

    def create(self, kind: Kind, entry_id: str, data: Mapping[str, Any], where: str,
               texts: Mapping[str, str] | None = None) -> bool:
        """Write one new entry (or plan it on a dry run); a failure is reported against ``where``."""
        tally = self.report.tallies[kind]
        if self.report.dry_run:
            self.kinds[entry_id] = kind
            self.report.record(kind, entry_id, f"{kind.plural}/{entry_id}")
            tally.created += 1
            return True
        try:
            location = self.store.create(kind, entry_id, data, texts=texts, known_ids=self._on_disk, sync=False)
        except (StoreError, OSError, ValueError, TypeError) as exc:
            self.report.skip(where, f"{kind.value} {entry_id!r} not written: {exc}")
            tally.skipped += 1
            return False
        self.kinds[entry_id] = kind
        self._on_disk.add(entry_id)
        self.report.record(kind, entry_id, location.folder)
        tally.created += 1
        return True

    def finish(self) -> None:
        """Flush what was written, once (entries were written without an fsync each)."""
        if self.report.written:
            os.sync()
