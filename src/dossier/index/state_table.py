"""The state table: what the index knows about each entry without opening Whoosh.

Per entry, its files' fingerprint (paths, sizes, mtimes, ctimes, inodes), a content hash, the row the lists
draw, the references it makes, its own problems and its names (:class:`Record`). Reconciling
with an unchanged tree is then a folder scan and a comparison with this table, so it is read on
every open and after every write of another process: its load time is on the reconcile path.

The file is MessagePack: data only, so that an index folder someone else can write (``--index``
on a shared folder) can at worst make us rebuild, never run code, as a pickle could. Arrays are
read as tuples (``use_list=False``), which is what the records are made of; of JSON, JSON lines,
SQLite and MessagePack it loaded fastest at 20,000 entries (``bench/bench_state.py``).
"""

from __future__ import annotations

import contextlib
import gc
import os
import threading
import zlib
from collections.abc import ItemsView, Iterator, KeysView, MutableMapping
from pathlib import Path
from typing import Any, NamedTuple

import msgpack

from dossier.index.schema import schema_signature
from dossier.model import Kind, Problem, Severity

#: Bump when what is indexed, or how, changes: an index of another version is rebuilt.
INDEX_FORMAT_VERSION = 9  # 5: MessagePack; 6: ctime and inode in fingerprints; 7: any script transliterated;
# 8: one analysis (stopwords, irregular forms, Snowball stemmer); 9: each record packed on its own
#: The state table's file in the index folder.
STATE_FILE = "state.msgpack"
#: Where index format 4 and older kept the table, as a pickle: removed when the index is rebuilt, never read.
LEGACY_STATE_FILE = "state.pickle"

#: (st_mtime_ns, st_size) of the state file as last read or written: another process wrote when it differs.
Stamp = tuple[int, int]

#: Paths from the file system may hold undecodable bytes (as surrogates): kept as they are.
_UNICODE_ERRORS = "surrogateescape"


class Record(NamedTuple):
    """What the state table keeps about one indexed entry.

    A tuple, written to the state file as a plain array: loading 20,000 of them is a third of
    the time the same records took as objects (the state file is read on every open).
    """

    folder: str
    kind: Kind
    fingerprint: tuple[tuple[str, int, int, int, int], ...]
    digest: str
    row: tuple[Any, ...]  # Row fields without the problem count (that depends on other entries)
    refs: tuple[tuple[str, str, str | None], ...]
    problems: tuple[Problem, ...]
    names: tuple[str, ...]
    sort_date: str


#: A Whoosh file's (size, mtime_ns, crc32) when it was written: segments never change once written,
#: so a file that differs from its stamp was damaged (bytes flipped, truncated) or replaced.
SegmentStamp = tuple[int, int, int]


def segment_stamps(folder: Path, known: dict[str, SegmentStamp]) -> dict[str, SegmentStamp]:
    """The stamps of the Whoosh files in ``folder``: known ones kept, new or changed ones checksummed.

    Only files written since the last call are read (segments are immutable), so this costs what
    the commit wrote, not the size of the index.
    """
    stamps: dict[str, SegmentStamp] = {}
    for entry in os.scandir(folder):
        name = entry.name
        if not name.endswith((".seg", ".toc")) or not entry.is_file(follow_symlinks=False):
            continue
        st = entry.stat()
        old = known.get(name)
        if old is not None and old[:2] == (st.st_size, st.st_mtime_ns):
            stamps[name] = old
        else:
            stamps[name] = (st.st_size, st.st_mtime_ns, _crc32(entry.path))
    return stamps


def damaged_segment(folder: Path, stamps: dict[str, SegmentStamp]) -> str | None:
    """The name of a recorded Whoosh file that is missing or differs from its stamp, or None.

    One ``stat`` per file; a file whose size or mtime moved is checksummed before it is called damaged.
    """
    for name, (size, mtime_ns, crc) in stamps.items():
        path = folder / name
        try:
            st = path.stat()
        except FileNotFoundError:
            return name
        if (st.st_size, st.st_mtime_ns) != (size, mtime_ns) and (st.st_size != size or _crc32(str(path)) != crc):
            return name
    return None


def _crc32(path: str) -> int:
    crc = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            crc = zlib.crc32(chunk, crc)
    return crc


_KINDS = {kind.value: kind for kind in Kind}
_RECORD_FIELDS = len(Record._fields)
_ROW_FIELDS = 11  # Row's fields but the problem count
_SEVERITIES = {severity.value: severity for severity in Severity}


def _problem(values: tuple[Any, ...]) -> Problem:
    path, message, code, line, column, entry_id, severity = values
    return Problem(path, message, code, line, column, entry_id, _SEVERITIES[severity])


def _problem_values(problem: Problem) -> tuple[Any, ...]:
    return (problem.path, problem.message, problem.code, problem.line, problem.column, problem.entry_id,
            problem.severity.value)


def _record(values: tuple[Any, ...], kinds: dict[str, Kind] = _KINDS, new: Any = tuple.__new__) -> Record:
    # Runs 20,000 times per load: positions, not names; the row's kind (its second field) back to a Kind.
    row = values[4]
    problems = values[6]
    if len(values) != _RECORD_FIELDS or len(row) != _ROW_FIELDS:
        raise ValueError("not a state table record")
    return new(Record, (
        values[0], kinds[values[1]], values[2], values[3], (row[0], kinds[row[1]], *row[2:]), values[5],
        tuple(map(_problem, problems)) if problems else (), values[7], values[8],
    ))


def _record_values(record: Record) -> tuple[Any, ...]:
    problems = tuple(_problem_values(p) for p in record.problems)
    return (*record[:6], problems, *record[7:])


def read_state(path: Path) -> dict[str, Any]:
    """The state table in ``path``: a dict with ``version``, ``schema``, ``entries`` (id -> Record),
    ``scan_problems``, ``collection_problems`` and ``_stamp``. Raises on a truncated or foreign file."""
    with path.open("rb") as handle:
        st = os.fstat(handle.fileno())
        data = handle.read()
    # The collector would walk the growing heap many times while 20,000 records are made,
    # though they hold no cycles: without it the load takes about half the time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        state = msgpack.unpackb(data, use_list=False, unicode_errors=_UNICODE_ERRORS)
        if not isinstance(state, dict):
            raise ValueError("not a state table")
        if state.get("version") == INDEX_FORMAT_VERSION:
            entries = state["entries"]
            if not all(type(value) is tuple and len(value) == 4 for value in entries.values()):
                raise ValueError("not a state table")
            state["entries"] = RecordTable(dict(entries))
            state["scan_problems"] = [_problem(p) for p in state.get("scan_problems", ())]
            state["collection_problems"] = [_problem(p) for p in state.get("collection_problems", ())]
    finally:
        if collecting:
            gc.enable()
    state["_stamp"] = (st.st_mtime_ns, st.st_size)
    return state


def write_state(
    path: Path,
    tree: Path,
    records: MutableMapping[str, Record],
    scan_problems: list[Problem],
    collection_problems: list[Problem],
    segments: dict[str, SegmentStamp] | None = None,
) -> Stamp:
    """Replace the state table in ``path`` atomically; the new file's stamp."""
    state = {
        "version": INDEX_FORMAT_VERSION,
        "schema": schema_signature(),
        "tree": str(tree),
        "entries": (records.packed() if isinstance(records, RecordTable)
                    else {entry_id: _packed(record) for entry_id, record in records.items()}),
        "scan_problems": [_problem_values(p) for p in scan_problems],
        "collection_problems": [_problem_values(p) for p in collection_problems],
        "segments": segments or {},
    }
    tmp = path.with_name(f".state.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with tmp.open("wb") as handle:
            _write_packed(handle, state)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()  # a full disk must not stay full of our half-written file
        raise
    st = path.stat()
    return (st.st_mtime_ns, st.st_size)


def _write_packed(handle: Any, state: dict[str, Any]) -> None:
    """``msgpack.packb(state)`` written piece by piece: the same bytes, without holding the whole file
    in memory at once (at 100,000 entries the file is 60 MB, and the buffer that grows to it twice that)."""
    packer = msgpack.Packer(use_bin_type=True, unicode_errors=_UNICODE_ERRORS)
    handle.write(packer.pack_map_header(len(state)))
    for key, value in state.items():
        handle.write(packer.pack(key))
        if key != "entries":
            handle.write(packer.pack(value))
            continue
        handle.write(packer.pack_map_header(len(value)))
        for entry_id, packed in value.items():
            handle.write(packer.pack(entry_id))
            handle.write(packer.pack(packed))


#: A record as the state file keeps it: its folder and kind in the clear, its fingerprint packed alone
#: (compared as bytes), then the whole record packed.
Packed = tuple[str, str, bytes, bytes]
#: What a walk compares with each entry it finds: folder, kind and packed fingerprint.
Stamp3 = tuple[str, str, bytes]


def packed_fingerprint(fingerprint: tuple[tuple[str, int, int, int, int], ...]) -> bytes:
    """A fingerprint as the state table keeps it: equal bytes for equal fingerprints."""
    return msgpack.packb(fingerprint, use_bin_type=True, unicode_errors=_UNICODE_ERRORS)


def _packed(record: Record) -> Packed:
    packed = msgpack.packb(_record_values(record), use_bin_type=True, unicode_errors=_UNICODE_ERRORS)
    return (record.folder, record.kind.value, packed_fingerprint(record.fingerprint), packed)


def _unpacked(raw: bytes) -> Record:
    return _record(msgpack.unpackb(raw, use_list=False, unicode_errors=_UNICODE_ERRORS))


class RecordTable(MutableMapping[str, Record]):
    """The state table's records, each decoded only when it is asked for.

    A command that searches or shows one entry reads a handful of the 100,000 records; decoding all of
    them took longer than the rest of the command and most of its memory. Each record is kept as
    (folder, kind, packed fingerprint, packed record) until asked for: the folder is what a partial
    reconcile needs of every record (:meth:`folder`), folder, kind and fingerprint what a walk compares
    (:meth:`stamp`), the kind what the counts need; what was never decoded is written back as it was read.
    """

    __slots__ = ("_items",)

    def __init__(self, items: dict[str, Record | Packed] | None = None) -> None:
        self._items: dict[str, Record | Packed] = items if items is not None else {}

    def __getitem__(self, entry_id: str) -> Record:
        value = self._items[entry_id]
        if isinstance(value, Record):
            return value
        record = _unpacked(value[3])
        # Replacing the value of a key that exists never resizes the dict: safe beside readers iterating it.
        self._items[entry_id] = record
        return record

    def __setitem__(self, entry_id: str, record: Record) -> None:
        self._items[entry_id] = record

    def __delitem__(self, entry_id: str) -> None:
        del self._items[entry_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self._items

    def keys(self) -> KeysView[str]:
        return self._items.keys()

    def items(self) -> ItemsView[str, Record]:
        return ItemsView(self)

    def folder(self, entry_id: str) -> str:
        """The entry's folder, without decoding its record."""
        value = self._items[entry_id]
        return value.folder if isinstance(value, Record) else value[0]

    def stamp(self, entry_id: str) -> Stamp3 | None:
        """The entry's folder, kind and packed fingerprint without decoding its record; None when unknown.

        A walk that finds nothing changed compares these for every entry: decoding 100,000 records
        for it took longer, and held them all in memory.
        """
        value = self._items.get(entry_id)
        if value is None:
            return None
        if isinstance(value, Record):
            return (value.folder, value.kind.value, packed_fingerprint(value.fingerprint))
        return value[:3]

    def kind_counts(self) -> dict[Kind, int]:
        """How many entries of each kind, without decoding a record."""
        counts = dict.fromkeys(Kind, 0)
        for value in self._items.values():
            counts[value.kind if isinstance(value, Record) else _KINDS[value[1]]] += 1
        return counts

    def copy(self) -> RecordTable:
        """A copy sharing the records (they are immutable tuples), decoded or not."""
        return RecordTable(dict(self._items))

    def with_packed(self, items: list[tuple[str, Packed]]) -> RecordTable:
        """A copy with these records added, as packed (by :mod:`~dossier.index.bulk`'s workers)."""
        table = dict(self._items)
        table.update(items)
        return RecordTable(table)

    def packed(self) -> dict[str, Packed]:
        """Every record as written to the state file: what was never decoded is not packed again."""
        return {entry_id: value if not isinstance(value, Record) else _packed(value)
                for entry_id, value in self._items.items()}
