"""The state table: what the index knows about each entry without opening Whoosh.

Per entry, its files' fingerprint (paths, sizes, mtimes, ctimes, inodes), a content hash, the row the lists
draw, the references it makes, its own problems and its names (:class:`Record`). Reconciling
with an unchanged tree is then a folder scan and a comparison with this table.

The file is read by key, not whole: a command that searches or shows one entry of 100,000 needs a
handful of records, and loading all of them cost 0.13 s and 160 MB before its first result. Layout
(little-endian): a magic line, the lengths of the parts, then

* the meta: a MessagePack map (format version, schema, tree, counts per kind, the scan's and the
  collection's problems, the Whoosh files' stamps);
* the ids, sorted, joined by newlines, and the offset of each (``uint32``): found by binary search
  in the memory-mapped file, with nothing decoded;
* the records: a MessagePack array of (folder, kind, packed fingerprint, packed record), in id order,
  and the offset of each (``uint64``): one is decoded when asked for; a walk or a list loads the whole
  array in one call (:meth:`RecordTable.materialised`).

Everything is data, so that an index folder someone else can write (``--index`` on a shared folder) can
at worst make us rebuild, never run code, as a pickle could. The file is replaced atomically: a mapping
of the old one stays valid while it is read.
"""

from __future__ import annotations

import contextlib
import gc
import mmap
import os
import struct
import sys
import threading
import zlib
from array import array
from collections.abc import ItemsView, Iterator, KeysView, MutableMapping
from pathlib import Path
from typing import Any, NamedTuple

import msgpack

from dossier.index.schema import schema_signature
from dossier.model import Kind, Problem, Severity

#: Bump when what is indexed, or how, changes: an index of another version is rebuilt.
INDEX_FORMAT_VERSION = 10  # 5: MessagePack; 6: ctime and inode in fingerprints; 7: any script transliterated;
# 8: one analysis (stopwords, irregular forms, Snowball stemmer); 9: each record packed on its own;
# 10: the state file read by key (memory-mapped), Whoosh segments as plain files (not compound)
#: The state table's file in the index folder.
STATE_FILE = "state.table"
#: Where older formats kept the table (a pickle, then one MessagePack map): removed on a rebuild, never read.
LEGACY_STATE_FILES = ("state.pickle", "state.msgpack")
#: The first bytes of a state file.
MAGIC = b"dossier state\n\x00\x00"
#: After the magic: the lengths of the meta, the ids and the records (unpadded), and the number of records.
_HEADER = struct.Struct("<QQQQ")

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
        if not _is_index_file(name) or not entry.is_file(follow_symlinks=False):
            continue
        st = entry.stat()
        old = known.get(name)
        if old is not None and old[:2] == (st.st_size, st.st_mtime_ns):
            stamps[name] = old
        else:
            stamps[name] = (st.st_size, st.st_mtime_ns, _crc32(entry.path))
    return stamps


def _is_index_file(name: str) -> bool:
    """A file of a committed segment or table of contents (not a lock, nor a writer's temporary file)."""
    return name.startswith(("MAIN_", "_MAIN_")) and not name.endswith(("LOCK", ".tmp"))


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


#: A problem to and from the plain array it is kept as (``check`` keeps its last answer the same way).
problem_values, problem_from_values = _problem_values, _problem


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
    """The state table in ``path``: a dict with ``version``, ``schema``, ``entries`` (id -> Record, read by
    key from the mapped file), ``scan_problems``, ``collection_problems``, ``segments`` and ``_stamp``.
    Raises on a truncated or foreign file; a file of another format version comes back without entries."""
    with path.open("rb") as handle:
        st = os.fstat(handle.fileno())
        head = handle.read(len(MAGIC) + _HEADER.size)
        if len(head) < len(MAGIC) + _HEADER.size or not head.startswith(MAGIC):
            raise ValueError("not a state table")
        meta_len, ids_len, records_len, count = _HEADER.unpack_from(head, len(MAGIC))
        view = _FileView(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ), meta_len, ids_len,
                         records_len, count)
    meta = msgpack.unpackb(view.meta(), use_list=False, unicode_errors=_UNICODE_ERRORS)
    if not isinstance(meta, dict):
        raise ValueError("not a state table")
    state = dict(meta)
    if state.get("version") == INDEX_FORMAT_VERSION:
        counts = state.get("counts", {})
        state["entries"] = RecordTable(view=view, counts={kind: counts.get(kind.value, 0) for kind in Kind})
        state["scan_problems"] = [_problem(p) for p in state.get("scan_problems", ())]
        state["collection_problems"] = [_problem(p) for p in state.get("collection_problems", ())]
        state["segments"] = {name: tuple(stamp) for name, stamp in state.get("segments", {}).items()}
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
    packed = (records.packed() if isinstance(records, RecordTable)
              else {entry_id: _packed(record) for entry_id, record in records.items()})
    counts = dict.fromkeys((kind.value for kind in Kind), 0)
    for value in packed.values():
        counts[value[1]] = counts.get(value[1], 0) + 1
    keys = sorted((entry_id.encode("utf-8", _UNICODE_ERRORS), entry_id) for entry_id in packed)
    ids = b"".join(key + b"\n" for key, _ in keys)
    id_starts = array("I", [0])
    for key, _ in keys:
        id_starts.append(id_starts[-1] + len(key) + 1)
    meta = msgpack.packb({
        "version": INDEX_FORMAT_VERSION,
        "schema": schema_signature(),
        "tree": str(tree),
        "counts": counts,
        "scan_problems": [_problem_values(p) for p in scan_problems],
        "collection_problems": [_problem_values(p) for p in collection_problems],
        "segments": segments or {},
    }, use_bin_type=True, unicode_errors=_UNICODE_ERRORS)
    if sys.byteorder != "little":
        id_starts.byteswap()
    tmp = path.with_name(f".state.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with tmp.open("wb") as handle:
            handle.write(MAGIC)
            header_at = handle.tell()
            handle.write(_HEADER.pack(0, 0, 0, 0))  # written again once the records' length is known
            handle.write(_padded(meta))
            handle.write(_padded(ids))
            handle.write(_padded(id_starts.tobytes()))
            # The records are written as they are packed, not gathered first: at 100,000 entries the
            # table is 60 MB, and holding it whole as well doubled what a save needs.
            head = msgpack.Packer().pack_array_header(len(keys))
            handle.write(head)
            record_starts = array("Q", [len(head)])
            position = len(head)
            pack = msgpack.Packer(use_bin_type=True, unicode_errors=_UNICODE_ERRORS).pack
            for _key, entry_id in keys:
                raw = pack(packed[entry_id])
                handle.write(raw)
                position += len(raw)
                record_starts.append(position)
            if sys.byteorder != "little":
                record_starts.byteswap()
            handle.write(record_starts.tobytes())
            handle.seek(header_at)
            handle.write(_HEADER.pack(len(meta), len(ids), position, len(keys)))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()  # a full disk must not stay full of our half-written file
        raise
    st = path.stat()
    return (st.st_mtime_ns, st.st_size)


def _padded(part: bytes) -> bytes:
    """``part`` followed by zeros to a multiple of 8 bytes, so that the offset tables after it are aligned."""
    return part + b"\0" * (-len(part) % 8)


class _FileView:
    """The parts of a mapped state file, found by the lengths in its header; nothing decoded until asked."""

    __slots__ = ("_map", "_meta", "_ids", "_id_starts", "_records", "_record_starts", "count")

    def __init__(self, mapped: mmap.mmap, meta_len: int, ids_len: int, records_len: int, count: int) -> None:
        whole = memoryview(mapped)
        meta_start = len(MAGIC) + _HEADER.size
        ids_start = meta_start + _round8(meta_len)
        starts_start = ids_start + _round8(ids_len)
        records_start = starts_start + _round8(4 * (count + 1))
        record_starts_start = records_start + records_len
        expected = record_starts_start + 8 * (count + 1)
        if len(whole) != expected:
            raise ValueError(f"a truncated or damaged state table ({len(whole)} bytes, {expected} expected)")
        self._map = mapped
        self.count = count
        self._meta = whole[meta_start:meta_start + meta_len]
        self._ids = whole[ids_start:ids_start + ids_len]
        self._id_starts = _ints(whole[starts_start:starts_start + 4 * (count + 1)], "I")
        self._records = whole[records_start:record_starts_start]
        self._record_starts = _ints(whole[record_starts_start:], "Q")
        if self._id_starts[-1] != ids_len or self._record_starts[-1] != records_len:
            raise ValueError("a damaged state table")

    def meta(self) -> bytes:
        return bytes(self._meta)

    def key(self, i: int) -> bytes:
        return bytes(self._ids[self._id_starts[i]:self._id_starts[i + 1] - 1])

    def find(self, entry_id: str) -> int | None:
        """The position of ``entry_id`` (binary search over the sorted ids), or None."""
        try:
            key = entry_id.encode("utf-8", _UNICODE_ERRORS)
        except UnicodeEncodeError:
            return None
        low, high = 0, self.count
        while low < high:
            middle = (low + high) // 2
            if self.key(middle) < key:
                low = middle + 1
            else:
                high = middle
        return low if low < self.count and self.key(low) == key else None

    def packed(self, i: int) -> Packed:
        raw = self._records[self._record_starts[i]:self._record_starts[i + 1]]
        value = msgpack.unpackb(raw, use_list=False, unicode_errors=_UNICODE_ERRORS)
        if type(value) is not tuple or len(value) != 4:
            raise ValueError("not a state table record")
        return value

    def everything(self) -> dict[str, Packed]:
        """Every record, packed, by id: one MessagePack call for the whole array."""
        values = msgpack.unpackb(self._records, use_list=False, unicode_errors=_UNICODE_ERRORS)
        ids = bytes(self._ids).decode("utf-8", _UNICODE_ERRORS).split("\n")[:-1]
        if len(values) != self.count or len(ids) != self.count:
            raise ValueError("a damaged state table")
        if not all(type(value) is tuple and len(value) == 4 for value in values):
            raise ValueError("not a state table")
        return dict(zip(ids, values, strict=True))


def _round8(length: int) -> int:
    return length + (-length % 8)


def _ints(part: memoryview, code: str) -> array:
    values = array(code)
    values.frombytes(bytes(part))
    if sys.byteorder != "little":
        values.byteswap()
    return values


#: A record as the state file keeps it: its folder and kind in the clear, its fingerprint packed alone
#: (compared as bytes), then the whole record packed.
Packed = tuple[str, str, bytes, bytes]
#: What a walk compares with each entry it finds: folder, kind and packed fingerprint.
Stamp3 = tuple[str, str, bytes]


def packed_fingerprint(fingerprint: tuple[tuple[str, int, int, int, int], ...]) -> bytes:
    """A fingerprint as the state table keeps it: equal bytes for equal fingerprints."""
    return msgpack.packb(fingerprint, use_bin_type=True, unicode_errors=_UNICODE_ERRORS)


def unpacked_fingerprint(packed: bytes) -> tuple[tuple[str, int, int, int, int], ...]:
    """A fingerprint back from :func:`packed_fingerprint`."""
    return msgpack.unpackb(packed, use_list=False, unicode_errors=_UNICODE_ERRORS)


def _packed(record: Record) -> Packed:
    packed = msgpack.packb(_record_values(record), use_bin_type=True, unicode_errors=_UNICODE_ERRORS)
    return (record.folder, record.kind.value, packed_fingerprint(record.fingerprint), packed)


def _unpacked(raw: bytes) -> Record:
    return _record(msgpack.unpackb(raw, use_list=False, unicode_errors=_UNICODE_ERRORS))


def decode(value: Record | Packed) -> Record:
    """A record as :meth:`RecordTable.held` gives it, as a Record."""
    return value if isinstance(value, Record) else _unpacked(value[3])


class RecordTable(MutableMapping[str, Record]):
    """The state table's records, each decoded only when it is asked for.

    Opened from a state file, the table answers one id at a time from the mapped file
    (:meth:`__getitem__`, ``in``, :meth:`stamp`, :meth:`folder`, ``len``, :meth:`kind_counts`): a
    command that searches or shows one entry reads a handful of the 100,000 records. Whatever needs
    all of them (iterating, copying, changing, writing) loads the whole table first, once
    (:meth:`materialised`). Loaded, each record is kept as (folder, kind, packed fingerprint,
    packed record) until asked for: the folder is what a partial reconcile needs of every record,
    folder, kind and fingerprint what a walk compares; what was never decoded is written back as read.
    """

    __slots__ = ("_items", "_view", "_counts", "_point", "_lock")

    def __init__(self, items: dict[str, Record | Packed] | None = None, *, view: _FileView | None = None,
                 counts: dict[Kind, int] | None = None) -> None:
        self._items: dict[str, Record | Packed] | None = (
            items if items is not None else None if view is not None else {})
        self._view = view
        self._counts = counts
        self._point: dict[str, Record | None] = {}  # records looked up one by one before the table was loaded
        self._lock = threading.Lock()

    def materialised(self) -> dict[str, Record | Packed]:
        """Every record by id (loaded from the file the first time: 0.1 s for 100,000)."""
        items = self._items
        if items is not None:
            return items
        with self._lock:
            if self._items is None:
                assert self._view is not None
                # The collector would walk the growing heap many times while the records are made,
                # though they hold no cycles: without it the load takes about half the time.
                collecting = gc.isenabled()
                gc.disable()
                try:
                    self._items = dict(self._view.everything())
                finally:
                    if collecting:
                        gc.enable()
            return self._items

    def _lookup(self, entry_id: str) -> Record | Packed | None:
        items = self._items
        if items is not None:
            return items.get(entry_id)
        if entry_id in self._point:
            return self._point[entry_id]
        assert self._view is not None
        position = self._view.find(entry_id)
        found = None if position is None else _unpacked(self._view.packed(position)[3])
        self._point[entry_id] = found
        return found

    def __getitem__(self, entry_id: str) -> Record:
        items = self._items
        if items is None:
            found = self._lookup(entry_id)
            if found is None:
                raise KeyError(entry_id)
            return found  # type: ignore[return-value]
        value = items[entry_id]
        if isinstance(value, Record):
            return value
        record = _unpacked(value[3])
        # Replacing the value of a key that exists never resizes the dict: safe beside readers iterating it.
        items[entry_id] = record
        return record

    def __setitem__(self, entry_id: str, record: Record) -> None:
        self.materialised()[entry_id] = record
        self._counts = None

    def __delitem__(self, entry_id: str) -> None:
        del self.materialised()[entry_id]
        self._counts = None

    def __iter__(self) -> Iterator[str]:
        return iter(self.materialised())

    def __len__(self) -> int:
        if self._items is None and self._view is not None:
            return self._view.count
        return len(self.materialised())

    def __contains__(self, entry_id: object) -> bool:
        if self._items is None and isinstance(entry_id, str):
            return self._lookup(entry_id) is not None
        return entry_id in self.materialised()

    def keys(self) -> KeysView[str]:
        # Not loaded, membership is a binary search in the file; loaded, the dict's own view is quicker.
        return KeysView(self) if self._items is None else self._items.keys()

    def items(self) -> ItemsView[str, Record]:
        return ItemsView(self)

    def folder(self, entry_id: str) -> str:
        """The entry's folder, without decoding its record."""
        value = self._lookup(entry_id) if self._items is None else self._items[entry_id]
        if value is None:
            raise KeyError(entry_id)
        return value.folder if isinstance(value, Record) else value[0]

    def stamp(self, entry_id: str) -> Stamp3 | None:
        """The entry's folder, kind and packed fingerprint without decoding its record; None when unknown.

        A walk that finds nothing changed compares these for every entry: decoding 100,000 records
        for it took longer, and held them all in memory.
        """
        value = self._lookup(entry_id) if self._items is None else self._items.get(entry_id)
        if value is None:
            return None
        if isinstance(value, Record):
            return (value.folder, value.kind.value, packed_fingerprint(value.fingerprint))
        return value[:3]

    def kind_counts(self) -> dict[Kind, int]:
        """How many entries of each kind, without decoding a record (nor, from a file, loading one)."""
        if self._items is None and self._counts is not None:
            return dict(self._counts)
        counts = dict.fromkeys(Kind, 0)
        for value in self.materialised().values():
            counts[value.kind if isinstance(value, Record) else _KINDS[value[1]]] += 1
        return counts

    def decoded(self, kind: Kind | None = None) -> Iterator[tuple[str, Record]]:
        """Each record (of ``kind``), decoded without being kept decoded (unlike :meth:`__getitem__`).

        For what reads every record once (a list's rows, the problems): 100,000 records kept decoded
        took 150 MB, and every later write of the table packed each of them again (1.2 s).
        """
        for entry_id, value in self.held(kind):
            yield entry_id, decode(value)

    def held(self, kind: Kind | None = None) -> Iterator[tuple[str, Record | Packed]]:
        """Each record (of ``kind``) as held, decoded or packed (:func:`decode` makes it a Record).

        A write changes a copy of the table and publishes it whole; the records it did not change
        are the same objects in both: what was made from a record can be kept while it ``is`` the same.
        """
        value_kind = kind.value if kind is not None else None
        for entry_id, value in self.materialised().items():
            if isinstance(value, Record):
                if kind is None or value.kind is kind:
                    yield entry_id, value
            elif value_kind is None or value[1] == value_kind:
                yield entry_id, value

    def kinds(self) -> dict[str, Kind]:
        """Every entry's kind by id, without decoding a record."""
        return {entry_id: value.kind if isinstance(value, Record) else _KINDS[value[1]]
                for entry_id, value in self.materialised().items()}

    def copy(self) -> RecordTable:
        """A copy sharing the records (they are immutable tuples), decoded or not."""
        return RecordTable(dict(self.materialised()))

    def with_packed(self, items: list[tuple[str, Packed]]) -> RecordTable:
        """A copy with these records added, as packed (by :mod:`~dossier.index.bulk`'s workers)."""
        table = dict(self.materialised())
        table.update(items)
        return RecordTable(table)

    def packed(self) -> dict[str, Packed]:
        """Every record as written to the state file: what was never decoded is not packed again."""
        return {entry_id: value if not isinstance(value, Record) else _packed(value)
                for entry_id, value in self.materialised().items()}
