"""The search index: Whoosh over the tree, plus a small table of what was indexed.

Everything the TUI lists, counts, links and searches comes from here, so that a
tree of tens of thousands of entries opens without parsing every file.

Two things live in the index folder (outside the tree, in the user's cache):

* ``whoosh/``: one Whoosh document per entry, for full-text and field queries;
* ``state.pickle``: per entry its files' fingerprint (paths, sizes, mtimes), a
  content hash, the row the lists draw, the references it makes, its own
  problems and its names. Reconciling with an unchanged tree is then a folder
  scan and a comparison, with no Whoosh reader at all; lists, counts,
  backlinks and problems are answered from memory.

The state is written after each Whoosh commit, so it never runs ahead of the
index: after a crash between the two, the next reconcile re-indexes the few
entries concerned (``update_document`` is idempotent). A version or schema
change, a corrupt or missing part: the folder is wiped and rebuilt.

Writes are serialised: a thread lock inside the process, and an advisory file
lock (``write.lock``) between processes, taken with a timeout and retried, so
that a second program on the same tree reads what is there and never meets
Whoosh's own lock.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import gc
import hashlib
import os
import pickle
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

from dossier.model import (
    KIND_FILES,
    TEXT_SUFFIXES,
    Entry,
    Kind,
    Problem,
    Reference,
    check_references,
    is_valid_id,
    iter_references,
    validate,
)
from dossier.store import COLLECTION_FILE, Location, Scan, Store

#: Bump when what is indexed, or how, changes: an index of another version is rebuilt.
INDEX_FORMAT_VERSION = 5  # 5: words in any script indexed transliterated

#: Names shorter than this are not looked for as mentions ("US", "CIA" would match everywhere).
MIN_MENTION_LENGTH = 4
#: Documents in the first commit of a large (re)build, so that search soon works on what is indexed so far.
#: Each later commit holds four times more than the one before: every commit leaves a segment, and a
#: query costs about as much per segment (20,000 entries in five segments searched 2.5x slower than in one).
BATCH_DOCS = 4000
#: More changed entries than this make a bulk update: the bulk writer's settings, commits in batches.
BULK_ENTRIES = 200
#: How long a writer waits for another process's write before giving up on this attempt.
WRITE_WAIT = 10.0

FIELD_ALIASES = {
    "actors": "actor",
    "tags": "tag",
    "sources": "source",
    "links": "link",
    "name": "title",
    "aliases": "alias",
    "text": "content",
    "body": "content",
}


class QueryError(ValueError):
    """A query that does not parse: .message for the user, .position (int | None) in the query."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


class IndexBusy(RuntimeError):
    """Another process holds the index for writing longer than we were willing to wait."""


@dataclass(frozen=True)
class Row:
    """Enough to draw a list row without opening the entry's files."""

    id: str
    kind: Kind
    title: str
    folder: str
    main_file: str
    type: str | None
    date: str | None
    importance: int | None
    status: str | None
    outlet: str | None
    tags: tuple[str, ...]
    problems: int


@dataclass(frozen=True)
class Hit:
    row: Row
    score: float
    snippet: str
    highlights: tuple[tuple[int, int], ...]


class Hits(list[Hit]):
    """Search results, best first; ``total`` is how many entries match in all, beyond the limit."""

    total: int = 0


@dataclass(frozen=True)
class Backlink:
    row: Row
    field: str
    label: str | None


@dataclass(frozen=True)
class Mention:
    row: Row
    path: str
    name: str
    snippet: str


@dataclass(frozen=True)
class Changes:
    """What a reconcile or an apply did, by entry id."""

    added: frozenset[str] = frozenset()
    changed: frozenset[str] = frozenset()
    removed: frozenset[str] = frozenset()

    @property
    def ids(self) -> frozenset[str]:
        return self.added | self.changed | self.removed

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


class _Record(NamedTuple):
    """What the state table keeps about one indexed entry.

    A tuple, written to the state file as a plain tuple: loading 20,000 of them is a third of
    the time the same records took as objects (the state file is read on every open).
    """

    folder: str
    kind: Kind
    fingerprint: tuple[tuple[str, int, int], ...]
    digest: str
    row: tuple[Any, ...]  # Row fields without the problem count (that depends on other entries)
    refs: tuple[tuple[str, str, str | None], ...]
    problems: tuple[Problem, ...]
    names: tuple[str, ...]
    sort_date: str


# ------------------------------------------------------------------- the schema


def build_schema() -> Any:
    """The Whoosh schema: names weigh more than the body; ids and vocabularies are exact."""
    from whoosh import fields
    from whoosh.analysis import StandardAnalyzer, StemmingAnalyzer

    from dossier.search_text import transliterating

    names = transliterating(StandardAnalyzer(stoplist=None))
    keywords = dict(lowercase=True, commas=True, scorable=False)
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        kind=fields.ID(),
        type=fields.ID(),
        status=fields.ID(),
        title=fields.TEXT(analyzer=names, field_boost=3.0),
        alias=fields.TEXT(analyzer=names, field_boost=2.5),
        date=fields.DATETIME(),
        importance=fields.NUMERIC(int, bits=32, signed=True),
        tag=fields.KEYWORD(**keywords),
        actor=fields.KEYWORD(**keywords),
        source=fields.KEYWORD(**keywords),
        related=fields.KEYWORD(**keywords),
        link=fields.KEYWORD(**keywords),
        org=fields.KEYWORD(**keywords),
        ref=fields.KEYWORD(**keywords),
        outlet=fields.TEXT(analyzer=names),
        author=fields.TEXT(analyzer=names),
        location=fields.TEXT(analyzer=names),
        content=fields.TEXT(analyzer=transliterating(StemmingAnalyzer(cachesize=100_000))),
        preview=fields.STORED(),
        # Whole names, lowercased ("jeffrey epstein"), and a person's surname: a query that is
        # exactly a name puts that entry first (see ``NAME_MATCH_SCORE``). Not searchable by users.
        namekey=fields.KEYWORD(lowercase=True, commas=True, scorable=False),
    )


#: Fields a bare word searches, with their weights (the schema's field boosts add to these).
DEFAULT_FIELDS = ("title", "alias", "content")
FIELD_WEIGHTS = {"title": 2.0, "alias": 1.5}
TEXT_FIELDS = ("title", "alias", "content", "outlet", "author", "location")


#: Added to the score of an entry whose name or alias is exactly the query ("jeffrey epstein", or a
#: person's surname "epstein"): without it, long sources that repeat the name outrank the person.
NAME_MATCH_SCORE = 1000.0
_WORDS = re.compile(r"\w+")


def name_keys(names: Iterable[str], surname: bool = False) -> list[str]:
    """Each name as its lowercased words joined by spaces; a person's last word too."""
    keys: set[str] = set()
    for name in names:
        words = _WORDS.findall(name.lower()) if isinstance(name, str) else []
        if words:
            keys.add(" ".join(words))
            if surname and len(words) > 1 and len(words[-1]) > 2:
                keys.add(words[-1])
    return sorted(keys)


def _schema_signature() -> str:
    schema = build_schema()
    parts = [
        f"{name}:{type(schema[name]).__name__}:{getattr(schema[name], 'field_boost', 1)}" for name in schema.names()
    ]
    return hashlib.sha1(";".join(parts).encode()).hexdigest()[:12]


def default_index_dir(store: Store) -> Path:
    """The user cache folder / dossier / a hash of the tree's resolved path."""
    import platformdirs

    root = str(store.root.resolve())
    digest = hashlib.sha1(root.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return Path(platformdirs.user_cache_dir("dossier")) / "index" / f"{store.root.name or 'tree'}-{digest}"


# -------------------------------------------------------------- reading entries


@dataclass
class _Loaded:
    """One entry read from disk: the Whoosh document and the state record."""

    location: Location
    record: _Record
    document: dict[str, Any]
    texts: dict[str, str]  # path -> text, for snippets of new entries (not kept)


def _flatten(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _flatten(item)
    elif isinstance(value, list):
        for item in value:
            yield from _flatten(item)
    elif isinstance(value, (int, float, dt.date, dt.datetime, dt.time)) and not isinstance(value, bool):
        yield str(value)


def _str_field(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


def _body_fields(data: Mapping[str, Any]) -> list[str]:
    """The prose of a kind file: summary, location, role titles, link relations, claims."""
    body: list[str] = []
    for key in ("summary", "location", "outlet", "author"):
        if isinstance(data.get(key), str):
            body.append(data[key])
    for key in ("roles", "links", "accounts"):
        items = data.get(key)
        for item in items if isinstance(items, list) else []:
            if isinstance(item, Mapping):
                body.extend(v for k, v in item.items() if isinstance(v, str) and k in ("title", "org", "rel", "claim"))
    return body


def load_entry(store: Store, location: Location) -> _Loaded:
    """Read one entry's files and make its document and record; bad input becomes problems."""
    data, text, problems = store.read_kind_file(location)
    problems = list(problems)
    digest = hashlib.blake2b(digest_size=16)
    digest.update((text or "").encode("utf-8", "surrogateescape"))
    entry = Entry(location.id, location.kind, location.folder, data or {}, [t.path for t in location.texts])
    if data is not None:
        problems.extend(validate(location.id, location.kind, data, location.main_file, text or ""))
    texts: dict[str, str] = {}
    for stamp in location.texts:
        text_file = store.read_text_file(stamp.path, location.id)
        problems.extend(text_file.problems)
        digest.update(b"\0" + stamp.path.encode("utf-8", "surrogateescape") + b"\0")
        if text_file.text is not None:
            texts[stamp.path] = text_file.text
            digest.update(text_file.text.encode("utf-8", "surrogateescape"))
    kind = location.kind
    d = entry.data
    refs = tuple((r.field, r.target, r.label) for r in entry.references)
    date = entry.date
    importance = d.get("importance")
    if isinstance(importance, bool) or not isinstance(importance, int):
        importance = None
    status = _str_field(d, "status")
    type_ = _str_field(d, "type")
    tags = tuple(entry.tags)
    aliases = tuple(a for a in entry.aliases if a.strip())
    row = (
        location.id, kind, entry.title, location.folder, location.main_file, type_,
        str(date) if date else None, importance, status,
        _str_field(d, "outlet") if kind is Kind.SOURCE else None, tags,
    )
    names = (entry.title, *aliases) if kind is Kind.ACTOR else ()
    record = _Record(
        folder=location.folder,
        kind=kind,
        fingerprint=location.fingerprint,
        digest=digest.hexdigest(),
        row=row,
        refs=refs,
        problems=tuple(problems),
        names=names,
        sort_date=date.sort_key if date else "",
    )
    by_field: dict[str, list[str]] = {}
    for ref_field, target, _label in refs:
        by_field.setdefault(ref_field, []).append(target)
    body = _body_fields(d)
    body.extend(_flatten(entry.unknown_fields))
    body.extend(texts.values())
    document: dict[str, Any] = {
        "id": location.id,
        # The kind file's prose (summary, claims ...), for snippets without parsing the TOML again.
        "preview": "\n".join(_body_fields(d))[:4000],
        "kind": kind.value,
        "title": entry.title,
        "content": "\n\n".join(body),
        "ref": ",".join(sorted({t for _f, t, _l in refs})),
        "actor": ",".join(by_field.get("actors", [])),
        "source": ",".join(by_field.get("sources", []) + by_field.get("links.sources", [])
                           + by_field.get("accounts.source", [])),
        "related": ",".join(by_field.get("related", [])),
        "link": ",".join(by_field.get("links.to", [])),
        "org": ",".join(by_field.get("roles.org", [])),
    }
    if aliases:
        document["alias"] = "\n".join(aliases)
    keys = name_keys([entry.title, *aliases], surname=kind is Kind.ACTOR and (type_ or "").lower() == "person")
    if keys:
        document["namekey"] = ",".join(keys)
    if type_:
        document["type"] = type_.lower()
    if status:
        document["status"] = status.lower()
    if tags:
        document["tag"] = ",".join(tags)
    if importance is not None and -(2**31) < importance < 2**31:
        document["importance"] = importance
    if date is not None:
        document["date"] = dt.datetime(date.year, date.month or 1, date.day or 1)
    for key in ("outlet", "author", "location"):
        value = _str_field(d, key)
        if value:
            document[key] = value
    return _Loaded(location, record, document, texts)


# -------------------------------------------------------------- the file lock


class _FileLock:
    """An advisory lock between processes (fcntl); a no-op where fcntl is missing."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self, timeout: float) -> bool:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: Whoosh's own lock still guards
            return True
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


# -------------------------------------------------------------------- the index


class Index:
    """The index of one tree. Safe to share between threads; see the module docstring."""

    def __init__(self, store: Store, index_dir: Path) -> None:
        self.store = store
        self.dir = index_dir
        self._whoosh_dir = index_dir / "whoosh"
        self._state_path = index_dir / "state.pickle"
        self._write_lock = threading.RLock()
        self._read_lock = threading.RLock()
        self._file_lock = _FileLock(index_dir / "write.lock")
        self._records: dict[str, _Record] = {}
        self._scan_problems: list[Problem] = []
        self._collection_problems: list[Problem] = []
        self._state_stamp: tuple[int, int] | None = None
        # The problems in the state file as last written or read: unchanged, it need not be rewritten.
        self._written_problems: tuple[list[Problem], list[Problem]] | None = None
        self._rows: dict[str, Row] | None = None
        self._backrefs: dict[str, list[tuple[str, str, str | None]]] | None = None
        self._searcher: Any = None
        self._ix: Any = None
        self._state_text = "opening"
        self.rebuilt_reason: str | None = None

    # -- opening

    @classmethod
    def open(cls, store: Store, index_dir: Path | None = None) -> Index:
        """Open (or create / rebuild on version change or corruption) the index of this tree.

        Does not reconcile: call :meth:`reconcile` (from a worker) for that.
        """
        if index_dir is None:
            env = os.environ.get("DOSSIER_INDEX")
            index_dir = Path(env).expanduser() if env else default_index_dir(store)
        index = cls(store, Path(index_dir))
        index._open()
        return index

    def _open(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        reason = self._try_load()
        if reason is not None:
            self.rebuilt_reason = reason
            self._reset()
        self._state_text = "up to date" if self._records else "empty"

    def _try_load(self) -> str | None:
        """Load the state and open Whoosh; the reason they cannot be used, or None."""
        from whoosh import index as whoosh_index

        if not self._state_path.exists():
            return "no index yet"
        try:
            state = self._read_state()
        except Exception:  # a truncated or foreign file: rebuild
            return "the index's state file is unreadable"
        if state.get("version") != INDEX_FORMAT_VERSION or state.get("schema") != _schema_signature():
            return "the index format changed"
        try:
            ix = _retry_vanished(lambda: whoosh_index.open_dir(str(self._whoosh_dir)))
            with _retry_vanished(ix.searcher) as searcher:
                searcher.doc_count()
        except Exception:  # Whoosh raises many kinds of errors for damaged files
            return "the index was damaged"
        self._ix = ix
        self._apply_state(state)
        return None

    def _read_state(self) -> dict[str, Any]:
        with self._state_path.open("rb") as handle:
            st = os.fstat(handle.fileno())
            data = handle.read()
        # The collector would walk the growing heap many times while 20,000 records are made,
        # though they hold no cycles: without it the load takes about half the time.
        collecting = gc.isenabled()
        gc.disable()
        try:
            state = pickle.loads(data)
            if not isinstance(state, dict):
                raise ValueError("not a state table")
            if state.get("version") == INDEX_FORMAT_VERSION:
                make = _Record._make
                state["entries"] = {entry_id: make(values) for entry_id, values in state["entries"].items()}
        finally:
            if collecting:
                gc.enable()
        state["_stamp"] = (st.st_mtime_ns, st.st_size)
        return state

    def _apply_state(self, state: dict[str, Any]) -> None:
        self._records = state["entries"]
        self._scan_problems = state.get("scan_problems", [])
        self._collection_problems = state.get("collection_problems", [])
        self._state_stamp = state["_stamp"]
        self._written_problems = (list(self._scan_problems), list(self._collection_problems))
        self._invalidate()

    def _reset(self) -> None:
        """Wipe and create an empty index (reconcile then indexes everything)."""
        from whoosh import index as whoosh_index

        with self._write_lock:
            locked = self._file_lock.acquire(WRITE_WAIT)
            try:
                if self._whoosh_dir.exists():
                    shutil.rmtree(self._whoosh_dir, ignore_errors=True)
                with contextlib.suppress(FileNotFoundError):
                    self._state_path.unlink()
                self._whoosh_dir.mkdir(parents=True, exist_ok=True)
                self._ix = whoosh_index.create_in(str(self._whoosh_dir), build_schema())
                self._records = {}
                self._scan_problems = []
                self._collection_problems = []
                self._close_searcher()
                self._invalidate()
                if locked:
                    self._write_state()
            finally:
                if locked:
                    self._file_lock.release()

    def _write_state(self) -> None:
        state = {
            "version": INDEX_FORMAT_VERSION,
            "schema": _schema_signature(),
            "tree": str(self.store.root),
            "entries": {entry_id: tuple(record) for entry_id, record in self._records.items()},
            "scan_problems": self._scan_problems,
            "collection_problems": self._collection_problems,
        }
        tmp = self._state_path.with_name(f".state.{os.getpid()}.{threading.get_ident()}.tmp")
        with tmp.open("wb") as handle:
            pickle.dump(state, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, self._state_path)
        st = self._state_path.stat()
        self._state_stamp = (st.st_mtime_ns, st.st_size)
        self._written_problems = (list(self._scan_problems), list(self._collection_problems))

    def _refresh_from_disk(self) -> None:
        """Pick up what another process wrote (its state file is newer than ours)."""
        try:
            st = self._state_path.stat()
        except FileNotFoundError:
            return
        if (st.st_mtime_ns, st.st_size) == self._state_stamp:
            return
        with self._read_lock:
            try:
                state = self._read_state()
            except Exception:
                return
            if state.get("version") == INDEX_FORMAT_VERSION:
                self._apply_state(state)

    def _invalidate(self) -> None:
        self._rows = None
        self._backrefs = None

    def close(self) -> None:
        with self._read_lock:
            self._close_searcher()
            self._ix = None

    def _close_searcher(self) -> None:
        if self._searcher is not None:
            with contextlib.suppress(Exception):
                self._searcher.close()
            self._searcher = None

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def state(self) -> str:
        """What the index is doing, for a status line."""
        return self._state_text

    # -- writing

    @contextlib.contextmanager
    def _writing(self, wait: float = WRITE_WAIT) -> Iterator[None]:
        with self._write_lock:
            if not self._file_lock.acquire(wait):
                raise IndexBusy("another program is updating this index")
            try:
                # Another process may have written since we last looked: start from its state.
                self._refresh_from_disk()
                yield
            finally:
                self._file_lock.release()

    def _writer(self, bulk: bool = False) -> Any:
        if bulk:
            return self._ix.writer(limitmb=256, timeout=WRITE_WAIT, delay=0.05)
        return self._ix.writer(limitmb=64, timeout=WRITE_WAIT, delay=0.05)

    def reconcile(self, progress: Callable[[int, int], None] | None = None, wait: float = WRITE_WAIT,
                  committed: Callable[[], None] | None = None) -> Changes:
        """Bring the index in line with the tree: new, changed, deleted and moved entries.

        A large (re)build commits in batches; ``committed`` is called after each batch but
        the last, when rows, counts and search already cover what is indexed so far.
        Raises :class:`IndexBusy` when another process keeps the index for more
        than ``wait`` seconds; the index can still be read.
        """
        with self._writing(wait):
            scan = self.store.scan()
            _, collection_problems = self.store.collection()
            self._collection_problems = collection_problems
            return self._sync(scan, None, progress, full=True, committed=committed)

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> Changes:
        """Index the whole tree from scratch."""
        before = set(self._records)
        self._reset()
        changes = self.reconcile(progress)
        return Changes(
            added=frozenset(changes.added - before),
            changed=frozenset(changes.added & before),
            removed=frozenset(before - changes.added),
        )

    def apply(self, paths: Iterable[str]) -> Changes:
        """Re-index the entries affected by these changed tree-relative paths.

        Paths may be files or folders, created, modified, deleted or moved (give
        both ends of a move). Only the folders concerned are looked at.
        """
        paths = {_normalise(p) for p in paths}
        paths.discard(None)
        if not paths:
            return Changes()
        with self._writing():
            if "" in paths:
                scan = self.store.scan()
                return self._sync(scan, None, None, full=True)
            if COLLECTION_FILE in paths:
                _, self._collection_problems = self.store.collection()
            scan, scope = self._partial_scan(paths)  # type: ignore[arg-type]
            if scan is None:  # a duplicate id appeared or vanished: only a full scan can tell
                return self._sync(self.store.scan(), None, None, full=True)
            return self._sync(scan, scope, None, full=False)

    def _partial_scan(self, paths: set[str]) -> tuple[Scan | None, Callable[[str], bool]]:
        """Scan only the folders these paths touch; the predicate says which folders were covered."""
        root = self.store.root
        entry_dirs: set[str] = set()
        trees: set[str] = set()
        for rel in paths:
            pure = PurePosixPath(rel)
            name = pure.name
            if name in KIND_FILES or name.lower().endswith(TEXT_SUFFIXES):
                parent = str(pure.parent)
                entry_dirs.add("." if parent in ("", ".") else parent)
                continue
            absolute = root / rel
            if absolute.is_file() or absolute.is_symlink() and not absolute.is_dir():
                continue  # some other file (an image, a temp file): not part of any entry
            trees.add(rel)  # a folder, or something gone that may have been one

        def covered(folder: str) -> bool:
            if folder in entry_dirs or folder in trees:
                return True
            return any(folder.startswith(t + "/") for t in trees)

        scan = Scan()
        seen_dirs: set[str] = set()
        for folder in sorted(entry_dirs):
            self._scan_folder(scan, folder, recursive=False, seen=seen_dirs)
        for folder in sorted(trees):
            self._scan_folder(scan, folder, recursive=True, seen=seen_dirs)
        # Duplicates: an id found here that the index has in a folder outside the scope,
        # which still holds an entry; or one found twice.
        found: dict[str, str] = {}
        for loc in scan.locations:
            if loc.id in found:
                return None, covered
            found[loc.id] = loc.folder
            record = self._records.get(loc.id)
            if (
                record is not None
                and record.folder != loc.folder
                and not covered(record.folder)
                and (root / record.folder / record.kind.filename).exists()
            ):
                return None, covered
        # An id that was a duplicate may stop being one: the scan problems say so.
        if any(p.code == "duplicate-id" for p in self._scan_problems):
            return None, covered
        return scan, covered

    def _scan_folder(self, scan: Scan, folder: str, recursive: bool, seen: set[str]) -> None:
        root = self.store.root
        if folder in seen:
            return
        seen.add(folder)
        path = root / folder if folder != "." else root
        if not path.is_dir() or path.is_symlink():
            return
        if any(part.startswith(".") or part == "__pycache__" for part in PurePosixPath(folder).parts if part != "."):
            return
        sub = self.store._location_of(path)  # noqa: SLF001 - one folder, the store's own rules
        if sub is not None:
            scan.locations.append(sub)
        if not recursive:
            return
        try:
            with os.scandir(path) as it:
                children = sorted(e.name for e in it if e.is_dir(follow_symlinks=False))
        except OSError:
            return
        for name in children:
            if name.startswith(".") or name == "__pycache__":
                continue
            child = f"{folder}/{name}" if folder != "." else name
            self._scan_folder(scan, child, recursive=True, seen=seen)

    def _sync(
        self,
        scan: Scan,
        scope: Callable[[str], bool] | None,
        progress: Callable[[int, int], None] | None,
        full: bool,
        committed: Callable[[], None] | None = None,
    ) -> Changes:
        """Compare a scan with the records and index the difference.

        With ``scope``, only records whose folder the scan covered are compared
        (an entry not covered is left alone); without, the scan is the whole tree.
        """
        by_id = scan.by_id()
        # Readers iterate the published dict from other threads: change a copy, publish it whole.
        records = dict(self._records)
        added: set[str] = set()
        changed: set[str] = set()
        todo: list[Location] = []
        for entry_id, loc in by_id.items():
            record = records.get(entry_id)
            if (
                record is None
                or record.fingerprint != loc.fingerprint
                or record.folder != loc.folder
                or record.kind != loc.kind
            ):
                todo.append(loc)
        if full:
            removed = {i for i in records if i not in by_id}
        else:
            assert scope is not None
            removed = {i for i, r in records.items() if i not in by_id and scope(r.folder)}
        if full:
            self._scan_problems = list(scan.problems)
        else:
            assert scope is not None
            kept = [p for p in self._scan_problems if not scope(_problem_folder(p))]
            self._scan_problems = kept + list(scan.problems)
        total = len(todo)
        if not todo and not removed:
            self._write_state_if_changed()
            self._state_text = "up to date"
            return Changes()
        bulk = total > BULK_ENTRIES
        writer: Any = None
        try:
            if removed:
                writer = self._writer(bulk=bulk)
                for entry_id in removed:
                    writer.delete_by_term("id", entry_id)
                    del records[entry_id]
            pending = 0
            commits = 0
            for done, loc in enumerate(todo, start=1):
                loaded = load_entry(self.store, loc)
                old = records.get(loc.id)
                if old is not None and old.digest == loaded.record.digest and old.folder == loc.folder:
                    pass  # touched, not changed: only the stamp is new
                else:
                    if writer is None:
                        writer = self._writer(bulk=bulk)
                    writer.update_document(**loaded.document)
                    pending += 1
                    (added if old is None else changed).add(loc.id)
                records[loc.id] = loaded.record
                self._state_text = f"indexing {done}/{total}" if bulk else f"updating {total} entries"
                if progress is not None:
                    progress(done, total)
                if bulk and pending >= BATCH_DOCS * 4**commits and done < total:
                    # Commit what is done so far: search already works on it.
                    writer.commit(merge=False)
                    self._records, records = records, dict(records)
                    self._write_state()
                    self._invalidate()
                    writer = None
                    pending = 0
                    commits += 1
                    if committed is not None:
                        committed()
            if writer is not None:
                # Whoosh's default merge policy: small segments only. optimize=True would
                # rewrite the whole index once more (it doubled a rebuild's time).
                writer.commit()
                writer = None
        except BaseException:
            if writer is not None:
                with contextlib.suppress(Exception):
                    writer.cancel()
            raise
        self._records = records
        self._write_state()
        self._invalidate()
        self._state_text = "up to date"
        return Changes(frozenset(added), frozenset(changed), frozenset(removed))

    def _write_state_if_changed(self) -> None:
        # With nothing re-indexed, the stamp table is unchanged; problems may have changed. Writing
        # the table anyway took 0.2 s of a 20,000-entry reconcile that found nothing to do.
        if self._written_problems != (self._scan_problems, self._collection_problems):
            self._write_state()

    # -- reading: rows, counts, problems

    def _all_rows(self) -> dict[str, Row]:
        self._refresh_from_disk()
        rows = self._rows
        if rows is not None:
            return rows
        with self._read_lock:
            if self._rows is not None:
                return self._rows
            records = self._records
            known = records.keys()
            rows = {}
            for entry_id, record in records.items():
                missing = sum(
                    1 for f, t, _l in record.refs if f != "roles.org" and is_valid_id(t) and t not in known
                )
                rows[entry_id] = Row(*record.row, len(record.problems) + missing)
            self._rows = rows
            return rows

    def row(self, entry_id: str) -> Row | None:
        return self._all_rows().get(entry_id)

    def rows(
        self,
        kind: Kind | None = None,
        *,
        sort: str | None = None,
        text: str = "",
        tag: str | None = None,
        min_importance: int | None = None,
        actor: str | None = None,
        limit: int | None = None,
    ) -> list[Row]:
        """List entries, filtered and sorted, from memory.

        Default sort: actors by name, events and sources newest first. ``sort``
        may be ``title``, ``date``, ``-date``, ``importance`` (highest first), ``id``
        or ``problems`` (most first). ``text`` matches (case-insensitively) a
        substring of the title, id or an alias.
        """
        rows_by_id = self._all_rows()
        records = self._records
        kind = Kind(kind) if kind is not None else None
        needle = text.strip().casefold()
        tag_l = tag.casefold() if tag else None
        result: list[Row] = []
        for entry_id, row in rows_by_id.items():
            if kind is not None and row.kind != kind:
                continue
            if tag_l is not None and tag_l not in (t.casefold() for t in row.tags):
                continue
            if min_importance is not None and (row.importance is None or row.importance < min_importance):
                continue
            record = records.get(entry_id)
            if actor is not None and (
                record is None or not any(f == "actors" and t == actor for f, t, _l in record.refs)
            ):
                continue
            if needle and needle not in row.title.casefold() and needle not in entry_id:
                names = record.names if record is not None else ()
                if not any(needle in n.casefold() for n in names):
                    continue
            result.append(row)
        result.sort(key=self._sort_key(kind, sort))
        return result[:limit] if limit is not None else result

    def _sort_key(self, kind: Kind | None, sort: str | None) -> Callable[[Row], Any]:
        records = self._records

        def date_key(row: Row) -> str:
            record = records.get(row.id)
            return record.sort_date if record is not None else ""

        kind_order = {Kind.ACTOR: 0, Kind.EVENT: 1, Kind.SOURCE: 2}
        if sort is None:
            if kind is None:
                sort = "kind"
            else:
                sort = "title" if kind is Kind.ACTOR else "-date"
        if sort == "title":
            return lambda r: (r.title.casefold(), r.id)
        if sort == "id":
            return lambda r: r.id
        if sort == "date":
            return lambda r: (date_key(r) or "9999", r.id)
        if sort == "-date":
            return lambda r: (_invert(date_key(r)), r.id)
        if sort == "importance":
            return lambda r: (-(r.importance or 0), _invert(date_key(r)), r.id)
        if sort == "problems":
            return lambda r: (-r.problems, r.id)
        # "kind": actors by name, then events and sources newest first
        return lambda r: (
            kind_order[r.kind],
            r.title.casefold() if r.kind is Kind.ACTOR else _invert(date_key(r)),
            r.id,
        )

    def counts(self) -> dict[Kind, int]:
        counts = dict.fromkeys(Kind, 0)
        for row in self._all_rows().values():
            counts[row.kind] += 1
        return counts

    def tags(self) -> list[tuple[str, int]]:
        """Every tag with the number of entries that carry it, most used first."""
        counts: dict[str, int] = {}
        for row in self._all_rows().values():
            for tag in set(row.tags):
                counts[tag] = counts.get(tag, 0) + 1
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    def problems(self) -> list[Problem]:
        """What ``dossier check`` would report, from the index.

        An entry's own problems were recorded when it was indexed; references to
        missing ids depend on the other entries, so they are recomputed here (by
        re-reading only the kind files of entries that have such a reference).
        """
        self._refresh_from_disk()
        records = self._records
        known = {i: r.kind for i, r in records.items()}
        problems = list(self._scan_problems) + list(self._collection_problems)
        for entry_id, record in records.items():
            problems.extend(record.problems)
            if any(f != "roles.org" and is_valid_id(t) and t not in known for f, t, _l in record.refs):
                location = self._location(entry_id)
                if location is None:
                    continue
                data, text, _ = self.store.read_kind_file(location)
                if data is not None:
                    problems.extend(
                        check_references(entry_id, location.kind, data, location.main_file, text or "", known)
                    )
        problems.sort(key=lambda p: (p.path, p.line or 0, p.column or 0, p.message))
        return problems

    def _location(self, entry_id: str) -> Location | None:
        record = self._records.get(entry_id)
        if record is None:
            return None
        return self.store._location_of(self.store.root / record.folder)  # noqa: SLF001

    # -- backlinks and mentions

    def _backref_map(self) -> dict[str, list[tuple[str, str, str | None]]]:
        self._refresh_from_disk()
        backrefs = self._backrefs
        if backrefs is None:
            backrefs = {}
            for entry_id, record in self._records.items():
                for ref_field, target, label in record.refs:
                    backrefs.setdefault(target, []).append((entry_id, ref_field, label))
            self._backrefs = backrefs
        return backrefs

    def backlinks(self, entry_id: str) -> list[Backlink]:
        """Entries that refer to this id: events by date, then sources, then actors."""
        rows = self._all_rows()
        records = self._records
        links = []
        for source_id, ref_field, label in self._backref_map().get(entry_id, []):
            row = rows.get(source_id)
            if row is None or source_id == entry_id:
                continue
            links.append(Backlink(row, ref_field, label))
        order = {Kind.EVENT: 0, Kind.SOURCE: 1, Kind.ACTOR: 2}

        def key(link: Backlink) -> tuple[Any, ...]:
            record = records.get(link.row.id)
            return (order[link.row.kind], record.sort_date if record else "", link.row.id, link.field)

        links.sort(key=key)
        return links

    def mentions(self, entry_id: str, limit: int = 200) -> list[Mention]:
        """Texts that name this actor (its name or an alias) without referring to it.

        Computed at query time (a phrase query per name), so it is never stale.
        Names shorter than :data:`MIN_MENTION_LENGTH` are not looked for.
        """
        from whoosh import query as q

        self._refresh_from_disk()
        record = self._records.get(entry_id)
        if record is None:
            return []
        names = [n for n in dict.fromkeys(record.names) if len(n.strip()) >= MIN_MENTION_LENGTH]
        if not names:
            return []
        schema = self._ix.schema
        analyzer = schema["content"].analyzer
        clauses = []
        for name in names:
            words = [t.text for t in analyzer(name)]
            if not words:
                continue
            clauses.append(q.Term("content", words[0]) if len(words) == 1 else q.Phrase("content", words))
        if not clauses:
            return []
        rows = self._all_rows()
        referring = {i for i, _f, _l in self._backref_map().get(entry_id, [])}
        patterns = [(name, _name_pattern(name)) for name in names]
        found: list[Mention] = []
        with self._read_lock:
            searcher = self._get_searcher()
            results = searcher.search(q.Or(clauses), limit=None)
            hit_ids = [hit["id"] for hit in results]
        for hit_id in hit_ids:
            if hit_id == entry_id or hit_id in referring:
                continue
            row = rows.get(hit_id)
            if row is None:
                continue
            mention = self._find_mention(row, patterns)
            if mention is not None:
                found.append(mention)
            if len(found) >= limit:
                break
        order = {Kind.EVENT: 0, Kind.SOURCE: 1, Kind.ACTOR: 2}
        found.sort(key=lambda m: (order[m.row.kind], self._records[m.row.id].sort_date, m.row.id))
        return found

    def _find_mention(self, row: Row, patterns: list[tuple[str, re.Pattern[str]]]) -> Mention | None:
        """The first text of the entry where a name occurs as whole words (the kind file last)."""
        location = self._location(row.id)
        if location is None:
            return None
        for stamp in location.texts:
            text_file = self.store.read_text_file(stamp.path, row.id)
            if text_file.text is None:
                continue
            found = _first_match(text_file.text, patterns)
            if found is not None:
                return Mention(row, stamp.path, *found)
        data, _, _ = self.store.read_kind_file(location)
        for text in _body_fields(data or {}) + list(_flatten(_unknown(row.kind, data or {}))):
            found = _first_match(text, patterns)
            if found is not None:
                return Mention(row, location.main_file, *found)
        return None

    # -- search

    def _get_searcher(self) -> Any:
        searcher = self._searcher
        if searcher is None:
            searcher = self._searcher = _retry_vanished(self._ix.searcher)
        elif not searcher.up_to_date():
            # Not refresh(): it reuses a segment's reader even when documents of that
            # segment were deleted since, and the deleted ones would still match.
            searcher.close()
            self._searcher = searcher = _retry_vanished(self._ix.searcher)
        return searcher

    def parse(self, text: str) -> Any:
        """The Whoosh query for a user's query text; :class:`QueryError` when it is not one."""
        return parse_query(self._ix.schema, text)

    def search(self, query: str, kind: Kind | None = None, limit: int = 50, count_all: bool = False) -> Hits:
        """Entries matching a query in Whoosh's language, best first, with a snippet.

        ``count_all`` also counts every match beyond ``limit`` (``Hits.total``); it costs a
        second pass over the matches, so the TUI's search-as-you-type leaves it off.
        """
        from whoosh import query as q

        parsed = self.parse(query)
        rows = self._all_rows()
        if _PLAIN_WORDS.fullmatch(query):
            key = " ".join(_WORDS.findall(query.lower()))
            exact = q.ConstantScoreQuery(q.Term("namekey", key), NAME_MATCH_SCORE)
            parsed = q.AndMaybe(parsed, exact)
        if kind is not None:
            parsed = q.And([parsed, q.Term("kind", kind.value)])
        with self._read_lock:
            searcher = self._get_searcher()
            try:
                results = searcher.search(parsed, limit=limit)
            except QueryError:
                raise
            except Exception as exc:  # e.g. a range Whoosh accepts in parsing but not in searching
                raise QueryError(f"this query cannot be run: {exc}") from None
            found = []
            for hit in results:
                stored = hit.fields()
                found.append((stored["id"], hit.score, stored.get("preview") or ""))
            total = len(results) if count_all else len(found)
        pattern = _query_pattern(parsed)
        hits = Hits()
        for hit_id, score, preview in found:
            row = rows.get(hit_id)
            if row is None:
                continue
            snippet, spans = self._snippet(row, pattern, preview)
            hits.append(Hit(row, float(score), snippet, spans))
        hits.total = total - (len(found) - len(hits))  # rows gone since the commit are not counted
        return hits

    def _snippet(
        self, row: Row, pattern: re.Pattern[str] | None, preview: str
    ) -> tuple[str, tuple[tuple[int, int], ...]]:
        """A window of the entry's text around the first matched word, with the matches' spans.

        Text files first, then the kind file's prose (``preview``, stored in the Whoosh document,
        so no TOML is parsed here).
        """
        record = self._records.get(row.id)
        if record is None:
            return "", ()
        unmatched = None  # the first text file with prose, for when no text has the words
        for path, _size, _mtime in record.fingerprint[1:]:
            text = self.store.read_text_file(path, row.id).text
            if not text:
                continue
            found = _text_snippet(text, pattern)
            if found is not None:
                return found
            if unmatched is None and pattern is not None:
                unmatched = _text_snippet(text, None)
        if preview:
            spans = [(m.start(), m.end()) for m in pattern.finditer(preview)] if pattern else []
            if spans or unmatched is None:
                return _window(preview, spans)
        if unmatched is not None:
            return unmatched
        return _window(" · ".join(n for n in record.names[1:] if n), [])


# ---------------------------------------------------------------- query parsing


_PARSERS: dict[int, Any] = {}  # parsers are stateless once built; building one costs milliseconds


def _retry_vanished(open_: Callable[[], Any], attempts: int = 20) -> Any:
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


def parse_query(schema: Any, text: str) -> Any:
    """Parse a user's query; QueryError with a message for what is wrong."""
    from whoosh import query
    from whoosh.qparser import syntax

    stripped = text.strip()
    if not stripped:
        raise QueryError("the query is empty")
    if stripped.count('"') % 2:
        raise QueryError("a phrase is not closed: add the missing '\"'", text.rfind('"'))
    depth = 0
    for position, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                raise QueryError("a ')' has no matching '('", position)
    if depth > 0:
        raise QueryError("a '(' is not closed", text.find("("))
    for match in re.finditer(r"(?<![\w\\])([A-Za-z_]+):(?=\S)", text):
        name = match.group(1)
        if name.lower() in ("http", "https", "mailto"):
            continue
        if name not in schema.names() and name.lower() not in FIELD_ALIASES:
            fields = ", ".join(sorted(set(schema.names()) - {"ref", "namekey", "preview"}) + ["ref"])
            raise QueryError(f"unknown field {name!r}: fields are {fields}", match.start())
    text = re.sub(
        r"(?<![\w\\])([A-Za-z_]+):",
        lambda m: (FIELD_ALIASES.get(m.group(1).lower(), m.group(1).lower()) + ":")
        if m.group(1).lower() not in ("http", "https", "mailto")
        else m.group(0),
        text,
    )
    parser = _PARSERS.get(id(schema))
    if parser is None:
        parser = _make_parser(schema)
        _PARSERS[id(schema)] = parser
    try:
        tree = parser.process(text)
    except Exception as exc:
        raise QueryError(f"the query cannot be read: {exc}") from None
    for node in _walk_nodes(tree):
        if isinstance(node, syntax.ErrorNode):
            raise QueryError(f"the query cannot be read: {node.message}")
    try:
        # What parser.parse() does, without processing the text a second time.
        parsed = tree.query(parser) or query.NullQuery
        parsed = parsed.normalize()
    except Exception as exc:
        raise QueryError(f"the query cannot be read: {exc}") from None
    null = type(query.NullQuery)
    if isinstance(parsed, null) and ":" not in text:
        raise QueryError("the query has nothing to search for")
    for sub in _walk_queries(parsed):
        kind = type(sub).__name__
        if kind == "FuzzyTerm" and sub.maxdist > MAX_FUZZY_EDITS:
            raise QueryError(f"a fuzzy term allows at most {MAX_FUZZY_EDITS} edits (milley~2)")
        if kind in ("Prefix", "Wildcard", "Every") and (
            len(re.sub(r"[*?]", "", getattr(sub, "text", "") or "")) < MIN_EXPANDED_LETTERS
        ):
            raise QueryError(f"a wildcard needs at least {MIN_EXPANDED_LETTERS} letters besides * and ? "
                             "(secur*, *ley); to list entries, use kind:actor, type:person or a tag")
        if isinstance(sub, null):
            raise QueryError(
                "part of the query cannot be read: dates are written 2020, 2020-06 or 2020-06-15 "
                "(ranges date:[2020 TO 2021]), importance is a number (importance:>=8)"
            )
    return parsed


#: A query of words only (no fields, operators, wildcards): the kind that may be someone's name.
_PLAIN_WORDS = re.compile(r"(?!.*\b(?:AND|OR|NOT|TO)\b)[\w\s.'\"-]+")
#: Limits that keep one query from taking seconds on a large tree (``a~9`` took 10 s, ``e*`` 6 s).
MAX_FUZZY_EDITS = 2
MIN_EXPANDED_LETTERS = 2

#: Characters a fuzzy term (``milley~``) must share with the words it matches, unless the query says
#: (``milley~2/3``). A prefix of 1 cut ``milly~`` from 0.3 s to tens of ms at 20,000 entries: only the
#: words starting with "m" are compared, and misspellings rarely touch the first letter.
FUZZY_PREFIX = 1
#: Fields an unfielded leading wildcard (``*ley``) searches: expanding one means reading the whole
#: lexicon of the field, which for the body took 0.2-0.5 s at 20,000 entries; ``content:*ley`` still can.
NAME_FIELDS = ("title", "alias")


def _make_parser(schema: Any) -> Any:
    """The query parser: Whoosh's default syntax, fuzzy terms, ``>=`` ranges, several default fields."""
    from whoosh import qparser
    from whoosh.qparser import syntax

    class FuzzyPlugin(qparser.FuzzyTermPlugin):
        # Whoosh's syntax (term~, term~2, term~2/3), where the prefix may also be 0 (term~1/0).
        expr = re.compile(r"(?<=\S)~(?P<maxdist>[0-9])?(/(?P<prefix>[0-9]+))?")

        def create(self, parser: Any, match: Any) -> Any:
            node = super().create(parser, match)
            prefix = match.group("prefix")
            node.prefixlength = FUZZY_PREFIX if prefix is None else int(prefix)
            return node

    class MultifieldPlugin(qparser.MultifieldPlugin):
        def do_multifield(self, parser: Any, group: Any) -> Any:
            for i, node in enumerate(group):
                if isinstance(node, syntax.GroupNode):
                    group[i] = self.do_multifield(parser, node)
                elif node.has_fieldname and node.fieldname is None:
                    names = self.fieldnames
                    text = getattr(node, "text", None)
                    if type(node).__name__ == "WildcardNode" and isinstance(text, str) and text[:1] in ("*", "?"):
                        names = NAME_FIELDS
                    copies = []
                    for name in names:
                        copied = copy.copy(node)
                        copied.set_fieldname(name)
                        copied.set_boost(self.boosts.get(name, 1.0))
                        copies.append(copied)
                    group[i] = self.group(copies)
            return group

    parser = qparser.QueryParser(None, schema)
    parser.add_plugin(MultifieldPlugin(list(DEFAULT_FIELDS), fieldboosts=FIELD_WEIGHTS))
    parser.add_plugin(FuzzyPlugin())
    parser.add_plugin(qparser.GtLtPlugin())
    return parser


def _walk_nodes(node: Any) -> Iterator[Any]:
    yield node
    for child in getattr(node, "nodes", None) or []:
        yield from _walk_nodes(child)


def _walk_queries(query: Any) -> Iterator[Any]:
    yield query
    with contextlib.suppress(Exception):
        for child in query.children():
            yield from _walk_queries(child)


def _query_pattern(query: Any) -> re.Pattern[str] | None:
    """A regex for what the query matched in text fields, to highlight it in a snippet.

    Prefix, wildcard and fuzzy terms become regexes (expanding them over the
    lexicon costs as much as the search). Stemmed words match the words they
    came from (``retali`` -> retaliation).
    """
    found: dict[str, None] = {}  # ordered, without duplicates (the same word in several fields)
    alternatives: list[str] = []
    for leaf in _leaves(query):
        field = getattr(leaf, "fieldname", None)
        if field not in TEXT_FIELDS:
            continue
        kind = type(leaf).__name__
        text = getattr(leaf, "text", None)
        if kind == "Prefix" and isinstance(text, str):
            alternatives.append(r"\b" + re.escape(text) + r"\w*")
        elif kind == "Wildcard" and isinstance(text, str):
            glob = "".join(r"\w*" if c == "*" else r"\w" if c == "?" else re.escape(c) for c in text)
            alternatives.append(r"\b" + glob + r"\b")
        elif kind == "FuzzyTerm" and isinstance(text, str):
            maxdist, prefixlength = getattr(leaf, "maxdist", 1), getattr(leaf, "prefixlength", 0)
            alternatives.extend(_fuzzy_alternatives(text, maxdist, prefixlength))
        elif hasattr(leaf, "words"):
            alternatives.extend(r"\b" + re.escape(str(w)) + r"\w*" for w in leaf.words)
        elif isinstance(text, str):
            alternatives.append(r"\b" + re.escape(text) + r"\w*")
        found.update(dict.fromkeys(alternatives))
        alternatives = []
        if len(found) >= 200:
            break
    alternatives = sorted(found, key=len, reverse=True)
    if not alternatives:
        return None
    try:
        return re.compile("|".join(alternatives), re.IGNORECASE)
    except re.error:
        return None


def _fuzzy_alternatives(text: str, maxdist: int, prefixlength: int) -> list[str]:
    """Regexes for the words a fuzzy term may have matched, without reading the lexicon.

    At distance 1, every one-edit variant of the word (a few dozen alternatives); further
    than that the variants explode, so only words starting with the term are highlighted.
    (Expanding the term over the index instead took as long as the search itself.)
    """
    plain = [r"\b" + re.escape(text) + r"\w*"]
    if maxdist != 1 or not 2 <= len(text) <= 30:
        return plain
    keep = min(max(prefixlength, 0), len(text))
    variants = []
    for i in range(keep, len(text) + 1):
        head, tail = re.escape(text[:i]), text[i:]
        variants.append(head + r"\w" + re.escape(tail))  # an insertion
        if tail:
            variants.append(head + re.escape(tail[1:]))  # a deletion
            variants.append(head + r"\w" + re.escape(tail[1:]))  # a substitution
        if len(tail) >= 2:
            variants.append(head + re.escape(tail[1] + tail[0] + tail[2:]))  # a transposition
    # A few more word characters: the body's words are stemmed (``milley`` is indexed as ``millei``).
    return plain + [r"\b" + v + r"\w{0,4}\b" for v in variants if v]


def _leaves(query: Any) -> Iterator[Any]:
    children = []
    with contextlib.suppress(Exception):
        children = list(query.children())
    if not children:
        yield query
        return
    if type(query).__name__ in ("AndNot", "Not"):
        children = children[:1] if type(query).__name__ == "AndNot" else []
    for child in children:
        yield from _leaves(child)


def _first_match(text: str, patterns: list[tuple[str, re.Pattern[str]]]) -> tuple[str, str] | None:
    """(name, snippet) for the first name found in the text."""
    for name, pattern in patterns:
        match = pattern.search(text)
        if match:
            return name, _window(text, [(match.start(), match.end())])[0]
    return None


def _unknown(kind: Kind, data: Mapping[str, Any]) -> dict[str, Any]:
    return Entry("x", kind, "", dict(data)).unknown_fields


def _name_pattern(name: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in re.findall(r"\w+", name)]
    return re.compile(r"\b" + r"\W{1,3}".join(words) + r"\b", re.IGNORECASE)


_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n.*?^(?:---|\.\.\.)[ \t]*$", re.DOTALL | re.MULTILINE)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_HEADING_MARK = re.compile(r"^#{1,6}[ \t]+", re.MULTILINE)
_SPACES = re.compile(r"\s+")


def _prose(text: str) -> str:
    """Text as a reader would quote it: no YAML front matter, no HTML comments, one line.

    Snippets are cut from this; the index still holds the whole file, so a word found
    only in the front matter still finds the entry.
    """
    text = _FRONT_MATTER.sub("", text, count=1)
    text = _HEADING_MARK.sub("", _COMMENT.sub(" ", text))
    return _SPACES.sub(" ", text).strip()


def _text_snippet(
    text: str, pattern: re.Pattern[str] | None, limit: int = 200_000
) -> tuple[str, tuple[tuple[int, int], ...]] | None:
    """A snippet of a text file around the first match outside front matter and comments.

    None when ``pattern`` matches nowhere in the prose, or there is no prose. This runs for
    every hit of every keystroke's search: only the few hundred characters around the match
    are cleaned (``_prose``), not the whole file.
    """
    text = text[:limit]
    front = _FRONT_MATTER.match(text)
    start = front.end() if front else 0
    comments = [m.span() for m in _COMMENT.finditer(text, start)] if "<!--" in text else []
    first = None
    if pattern is not None:
        first = next((m.start() for m in pattern.finditer(text, start)
                      if not any(s <= m.start() < e for s, e in comments)), None)
        if first is None:
            return None
    cut = start if first is None else max(start, first - 300)
    skipped = cut > start  # text before the snippet: it starts with "…"
    cut = next((e for s, e in comments if s <= cut < e), cut)  # never from inside a comment
    piece = _prose(text[cut:cut + 1200])
    if not piece:
        return None
    snippet, spans = _window(piece, [(m.start(), m.end()) for m in pattern.finditer(piece)] if pattern else [])
    if skipped and not snippet.startswith("…"):
        snippet, spans = "…" + snippet, tuple((s + 1, e + 1) for s, e in spans)
    return snippet, spans


def _window(text: str, spans: list[tuple[int, int]], width: int = 200) -> tuple[str, tuple[tuple[int, int], ...]]:
    """About ``width`` characters of ``text`` around the first span, on one line."""
    start = 0
    if spans:
        start = max(0, spans[0][0] - width // 3)
        space = text.rfind(" ", 0, start)
        if space != -1 and start - space < 20:
            start = space + 1
    end = min(len(text), start + width)
    piece = text[start:end]
    # One line, same length: spans keep their offsets.
    piece = re.sub(r"\s", " ", piece)
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix) - start
    inside = tuple((s + shift, e + shift) for s, e in spans if s >= start and e <= end)
    return prefix + piece + suffix, inside


def _normalise(path: str) -> str | None:
    """A tree-relative posix path, or None for what the index ignores (.git, hidden files)."""
    pure = PurePosixPath(str(path).replace(os.sep, "/"))
    parts = [p for p in pure.parts if p not in ("", ".")]
    if any(p == ".." for p in parts):
        return None
    if any(p.startswith(".") or p == "__pycache__" for p in parts):
        return None
    return "/".join(parts)


def _problem_folder(problem: Problem) -> str:
    path = PurePosixPath(problem.path)
    if path.name in KIND_FILES or path.suffix.lower() in TEXT_SUFFIXES:
        return str(path.parent)
    return str(path)


_INVERT = str.maketrans("0123456789", "9876543210")


def _invert(sort_date: str) -> str:
    """A key that sorts dates newest first (undated last)."""
    return sort_date.translate(_INVERT) if sort_date else "~"


__all__ = [
    "INDEX_FORMAT_VERSION",
    "Backlink",
    "Changes",
    "Hit",
    "Index",
    "IndexBusy",
    "Mention",
    "QueryError",
    "Reference",
    "Row",
    "build_schema",
    "default_index_dir",
    "iter_references",
    "parse_query",
]
