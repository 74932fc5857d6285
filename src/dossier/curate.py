"""Curation: rename, merge, link, alias and cite, planned first and applied through a journal.

Every curation is a :class:`Plan`: a list of file operations (write a file from
known old bytes to new bytes, move a file or folder, remove an empty folder)
computed without touching the tree, so that it can be shown (a unified diff) and
checked before anything is written. Applying a plan:

1. refuses when a file it would touch changed since the plan was made, or when
   another curation is half done;
2. writes the whole plan (old and new contents) to a journal outside the tree
   (the user's state folder, one per tree, like the index);
3. performs each operation atomically (each file is whole, old or new, at every
   moment), skipping those already done, and removes the journal.

A SIGKILL between two operations leaves the journal behind: ``dossier check``
says what is half done and running the same command again resumes the journal
(every operation can tell whether it is done), so the tree ends as if nothing had
interrupted it. The inverse of a plan (the browser's undo) is a plan too.

Edits of kind files go through tomlkit, as the store's edit path does: only the
values that change are rewritten, keeping comments, key order, quoting and line
endings, so ``git diff`` shows one changed line per reference.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import hashlib
import json
import os
import re
import shlex
import tomllib
from collections.abc import Callable, Container, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import tomlkit
from tomlkit.items import AoT, Array, String, Table

from dossier.model import Kind, array_of_tables, is_valid_id
from dossier.store import (
    MAX_TOML_BYTES,
    Location,
    Scan,
    Store,
    StoreError,
    atomic_write,
    display,
    read_user_text,
)
from dossier.store import edited_toml as store_edited_toml

#: Top-level fields that hold lists of ids, in entries of any kind.
ID_LISTS = ("actors", "sources", "related")
#: Arrays of tables and their fields that hold one id (``org`` only when it is shaped like an id).
ID_IN_TABLES: dict[str, tuple[str, ...]] = {"roles": ("org",), "links": ("to",), "accounts": ("by", "source")}
#: Arrays of ids inside those tables.
ID_LISTS_IN_TABLES: dict[str, tuple[str, ...]] = {"links": ("sources",)}
#: Lists whose items a merge unions (ids and names alike).
UNION_LISTS = ("aliases", "tags", *ID_LISTS)
#: The key a merge records the merged entries under (see the README: "The [[merged]] record").
MERGED = "merged"
NAME_FIELD = {Kind.ACTOR: "name", Kind.EVENT: "title", Kind.SOURCE: "title"}


class CurationError(StoreError):
    """A curation that was refused, with a message for the user; nothing was written."""


# ------------------------------------------------------------------------ plans


@dataclass
class Operation:
    """One step of a plan.

    ``write``: the file at ``path`` goes from ``before`` to ``after`` (None: absent).
    ``move``: ``path`` (a file or folder) becomes ``dst``. ``rmdir``/``mkdir``: an empty folder.
    """

    op: str
    path: str
    before: str | None = None
    after: str | None = None
    dst: str | None = None

    def inverse(self) -> Operation:
        if self.op == "write":
            return Operation("write", self.path, self.after, self.before)
        if self.op == "move":
            assert self.dst is not None
            return Operation("move", self.dst, dst=self.path)
        return Operation("mkdir" if self.op == "rmdir" else "rmdir", self.path)

    def describe(self) -> str:
        if self.op == "move":
            return f"move {self.path} -> {self.dst}"
        if self.op == "write":
            verb = "create" if self.before is None else "delete" if self.after is None else "edit"
            return f"{verb} {self.path}"
        return f"{'remove folder' if self.op == 'rmdir' else 'create folder'} {self.path}"


@dataclass
class Plan:
    """What one curation will do: a summary for people, the operations, and how to re-run it."""

    command: str
    args: list[str]
    summary: list[str] = field(default_factory=list)
    operations: list[Operation] = field(default_factory=list)
    command_line: str = ""

    @property
    def key(self) -> tuple[str, tuple[str, ...]]:
        """What makes a re-run "the same command" (options such as a merge's reason aside)."""
        return self.command, tuple(self.args)

    def paths(self) -> list[str]:
        """Every tree-relative path the plan touches (both ends of moves): what the index re-reads."""
        found: dict[str, None] = {}
        for op in self.operations:
            found[op.path] = None
            if op.dst:
                found[op.dst] = None
        return list(found)

    def diff(self) -> str:
        """A unified diff of the plan, with git's words for moves and removed folders."""
        parts: list[str] = []
        for op in self.operations:
            if op.op == "move":
                parts.append(f"rename from {op.path}\nrename to {op.dst}\n")
            elif op.op in ("rmdir", "mkdir"):
                parts.append(f"{'remove' if op.op == 'rmdir' else 'create'} folder {op.path}\n")
            else:
                before = (op.before or "").splitlines(keepends=True)
                after = (op.after or "").splitlines(keepends=True)
                old = f"a/{op.path}" if op.before is not None else "/dev/null"
                new = f"b/{op.path}" if op.after is not None else "/dev/null"
                lines = difflib.unified_diff(before, after, old, new, n=1)
                parts.append("".join(line if line.endswith("\n") else line + "\n" for line in lines))
        return "".join(parts)

    def inverse(self) -> Plan:
        """The plan that undoes this one (refused, like any plan, if the files changed since)."""
        return Plan(
            "undo",
            [self.command, *self.args],
            [f"undo: {line}" for line in self.summary],
            [op.inverse() for op in reversed(self.operations)],
            self.command_line,
        )

    def to_json(self, with_diff: bool = True) -> dict[str, Any]:
        return {
            "command": self.command,
            "args": self.args,
            "summary": self.summary,
            "operations": [
                {"op": op.op, "path": op.path, **({"to": op.dst} if op.dst else {}), "description": op.describe()}
                for op in self.operations
            ],
            **({"diff": self.diff()} if with_diff else {}),
        }


# --------------------------------------------------------------- reading files


@dataclass
class _KindFile:
    location: Location
    raw: str  # exactly what is on disk (BOM and line endings included)

    @property
    def rel(self) -> str:
        return self.location.main_file


def _read_kind_file(store: Store, location: Location) -> _KindFile:
    """A kind file we are going to edit; refused when it is unreadable, conflicted or not TOML."""
    rel = location.main_file
    text, problems = read_user_text(store.root / rel, display(rel), MAX_TOML_BYTES, location.id)
    if text is None or problems:
        raise CurationError(f"{problems[0]}; resolve it before curating (nothing was changed)")
    # Exactly the bytes on disk (BOM and line endings kept): what a write must expect to find.
    raw = (store.root / rel).read_bytes().decode("utf-8")
    return _KindFile(location, raw)


def edited_toml(raw: str, change: Callable[[tomlkit.TOMLDocument], None], rel: str = "") -> str:
    """``raw`` as the store's edit path would write it after ``change`` (a byte-order mark kept)."""
    bom = "\ufeff" if raw.startswith("\ufeff") else ""
    try:
        return bom + store_edited_toml(raw[len(bom):], change, display(rel))
    except StoreError as exc:
        raise CurationError(str(exc)) from None


def _files_naming(store: Store, scan: Scan, ids: Iterable[str], skip: Container[str]) -> list[Location]:
    """Entries whose kind file contains one of the ids as text: the only ones that can refer to them.

    A byte search over every kind file, without parsing, so that the answer never depends on
    an index that may be stale; the candidates are parsed, and only real references change.
    """
    needles = [entry_id.encode("ascii") for entry_id in ids]
    found = []
    for location in scan.locations:
        if location.id in skip:
            continue
        try:
            with open(os.path.join(store.root, location.main_file), "rb") as handle:
                raw = handle.read(MAX_TOML_BYTES + 1)
        except OSError:
            continue  # unreadable: check reports it; it cannot name anything we can rewrite
        if any(needle in raw for needle in needles):
            found.append(location)
    return found



# --------------------------------------------------------- rewriting references


def _same_style(old: Any, value: str) -> Any:
    """``value`` as a tomlkit string quoted the way ``old`` was ('literal' or "basic")."""
    if isinstance(old, String):
        return String(old.type, value, value, old.trivia)
    return value


def rewrite_references(document: Mapping[str, Any], mapping: Mapping[str, str], dedupe: bool = False) -> int:
    """Replace every reference to a key of ``mapping`` by its value, in place; the count changed.

    Covers ``actors``/``sources``/``related``, ``[[roles]] org``, ``[[links]] to``/``sources`` and
    ``[[accounts]] by``/``source`` in a document of any kind. With ``dedupe`` (a merge), an
    item that would repeat one already in its list is removed instead.
    """
    changed = 0

    def in_list(array: Any) -> None:
        nonlocal changed
        if not isinstance(array, list):
            return
        for i in range(len(array) - 1, -1, -1):
            item = array[i]
            if isinstance(item, str) and item in mapping:
                new = mapping[item]
                others = [str(v) for j, v in enumerate(array) if j != i and isinstance(v, str)]
                if dedupe and (new in others):
                    del array[i]
                else:
                    array[i] = _same_style(item, new)
                changed += 1

    for name in ID_LISTS:
        in_list(document.get(name))
    for table_name, keys in ID_IN_TABLES.items():
        for table in array_of_tables(document.get(table_name)):
            for key in keys:
                value = table.get(key)
                if isinstance(value, str) and value in mapping:
                    table[key] = _same_style(value, mapping[value])
                    changed += 1
            for key in ID_LISTS_IN_TABLES.get(table_name, ()):
                in_list(table.get(key))
    return changed


def _reference_writes(
    store: Store, scan: Scan, mapping: Mapping[str, str], skip: Container[str], dedupe: bool
) -> tuple[list[Operation], int]:
    """One write per kind file that refers to a key of ``mapping``, and the number of references."""
    writes: list[Operation] = []
    total = 0
    for location in _files_naming(store, scan, mapping, skip):
        kind_file = _read_kind_file(store, location)
        after, count = _quick_rewrite(kind_file.raw, mapping, dedupe, kind_file.rel)
        if after is None:

            def change(document: tomlkit.TOMLDocument) -> None:
                nonlocal count
                count = rewrite_references(document, mapping, dedupe)

            after = edited_toml(kind_file.raw, change, kind_file.rel)
        if count:
            writes.append(Operation("write", kind_file.rel, kind_file.raw, after))
            total += count
    return writes, total


def _quick_rewrite(raw: str, mapping: Mapping[str, str], dedupe: bool, rel: str) -> tuple[str | None, int]:
    """The rewrite done on the text, kept only when it parses to exactly what tomlkit's would.

    Replacing each quoted id (``"old"``, ``'old'``) is what the tomlkit edit does to the bytes,
    at a tenth of the cost, which matters at a thousand files. When the id also stands quoted
    where it is not a reference (``note = "old"``), or a merge must drop a repeated id, the
    parsed result differs from the expected data and the caller takes the tomlkit path.
    """
    text = raw.lstrip("\ufeff")
    try:
        expected = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CurationError(f"{display(rel)}: invalid TOML ({exc}); fix it before curating") from None
    count = rewrite_references(expected, mapping, dedupe)
    if not count:
        return raw, 0
    pattern = re.compile(r"([\"'])(" + "|".join(re.escape(old) for old in mapping) + r")\1")
    new_raw = pattern.sub(lambda m: m.group(1) + mapping[m.group(2)] + m.group(1), raw)
    try:
        if tomllib.loads(new_raw.lstrip("\ufeff")) == expected:
            return new_raw, count
    except tomllib.TOMLDecodeError:
        pass
    return None, count


# ----------------------------------------------------------------------- rename


def _entry(scan: Scan, entry_id: str, what: str = "entry") -> Location:
    location = scan.by_id().get(entry_id)
    if location is None:
        raise CurationError(f"no {what} has the id {entry_id!r}")
    return location


def plan_rename(store: Store, old: str, new: str, scan: Scan | None = None) -> Plan:
    """Rename an entry's id: move its folder and rewrite every reference to it."""
    scan = scan or store.scan()
    location = _entry(scan, old)
    if not is_valid_id(new):
        raise CurationError(f"{new!r} is not a valid id (lowercase letters, digits and hyphens)")
    if new == old:
        raise CurationError("the new id is the same as the old one")
    if new in scan.by_id():
        raise CurationError(f"an entry with the id {new!r} already exists at {scan.by_id()[new].folder}")
    parent = PurePosixPath(location.folder).parent
    target = (parent / new).as_posix() if str(parent) != "." else new
    if (store.root / target).exists():
        raise CurationError(f"{target} already exists")
    writes, refs = _reference_writes(store, scan, {old: new}, {old}, dedupe=False)
    own = _read_kind_file(store, location)
    own_count = 0

    def change(document: tomlkit.TOMLDocument) -> None:
        nonlocal own_count
        own_count = rewrite_references(document, {old: new})

    own_after = edited_toml(own.raw, change, own.rel)
    if own_count:
        writes.append(Operation("write", own.rel, own.raw, own_after))
    files = len({w.path for w in writes})
    return Plan(
        "rename",
        [old, new],
        [f"rename {old} to {new}: move {location.folder} to {target}",
         f"rewrite {refs + own_count} reference(s) in {files} file(s)"],
        [*writes, Operation("move", location.folder, dst=target)],
        shlex.join(["dossier", "rename", old, new]),
    )


# ------------------------------------------------------------------------ merge


def _plain(value: Any) -> Any:
    return value.unwrap() if hasattr(value, "unwrap") else value


def _is_tables(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)


def _append_table(document: Any, key: str, table: Mapping[str, Any]) -> None:
    """Append ``table`` to the array of tables ``key`` (made when absent), after a blank line."""
    item = tomlkit.table()
    for k, v in table.items():
        item[k] = v
    existing = document.get(key)
    if isinstance(existing, AoT):
        last = existing[-1] if len(existing) else None
        if isinstance(last, Table):
            # The blank line that ended the last table now ends the new one; else one goes between.
            if last.as_string().endswith(("\n\n", "\r\n\r\n")):
                item.add(tomlkit.nl())
            else:
                last.add(tomlkit.nl())
        existing.append(item)
    elif isinstance(existing, list):  # an array of inline tables (as tomli_w writes them): stays inline
        inline = tomlkit.inline_table()
        inline.update(table)
        existing.append(inline)
    else:
        if document.body and not document.as_string().endswith(("\n\n", "\r\n\r\n")):
            document.add(tomlkit.nl())
        aot = tomlkit.aot()
        aot.append(item)
        document[key] = aot


def merge_into(document: Any, kind: Kind, other_id: str, other: Mapping[str, Any], reason: str,
               today: dt.date) -> list[str]:
    """Merge the values of ``other`` into ``document`` (KEEP's, tomlkit); what was recorded, for the summary.

    Lists are unioned, tables appended unless KEEP has an equal one, a missing value is
    copied; a value KEEP has differently stays KEEP's and ``other``'s is recorded in a new
    ``[[merged]]`` table with the merged id, the date, the reason and the differing values.
    """
    name_key = NAME_FIELD[kind]
    differing: dict[str, Any] = {}
    notes: list[str] = []
    other_name = other.get(name_key)
    for key, value in other.items():
        value = _plain(value)
        current = _plain(document.get(key))
        if key == MERGED and _is_tables(value):
            for table in value:
                _append_table(document, MERGED, table)
            continue
        if key == name_key and kind is Kind.ACTOR and isinstance(value, str):
            if current is None:
                document[key] = value
            elif value != current:
                _union(document, "aliases", [value])
            continue
        if key in UNION_LISTS and isinstance(value, list):
            _union(document, key, value)
            continue
        if _is_tables(value) and (current is None or _is_tables(current)):
            for table in value:
                if table not in (current or []):
                    _append_table(document, key, table)
            continue
        if current is None:
            document[key] = value
        elif current != value:
            differing[key] = value
    record: dict[str, Any] = {"id": other_id}
    if isinstance(other_name, str):
        record["name" if kind is Kind.ACTOR else "title"] = other_name
    record["on"] = today
    record["reason"] = reason
    if differing:
        record["values"] = differing
        notes.append(f"{other_id}'s differing {', '.join(differing)} recorded under [[{MERGED}]]")
    _append_table(document, MERGED, record)
    return notes


def _union(document: Any, key: str, values: list[Any]) -> None:
    current = document.get(key)
    if not isinstance(current, list):
        if current is None:
            document[key] = [v for i, v in enumerate(values) if v not in values[:i]]
            return
        current_plain = _plain(current)
        document[key] = [current_plain, *(v for v in values if v != current_plain)]
        return
    present = [_plain(v) for v in current]
    for value in values:
        if value not in present:
            current.append(value)
            present.append(value)


def plan_merge(store: Store, keep: str, others: list[str], reason: str, today: dt.date | None = None,
               scan: Scan | None = None) -> Plan:
    """Merge OTHER entries into KEEP: nothing of theirs is lost, every reference then names KEEP."""
    if not reason.strip():
        raise CurationError("a merge needs a reason (--reason): it is recorded in the kept entry")
    others = list(dict.fromkeys(others))
    if keep in others:
        raise CurationError(f"{keep!r} cannot be merged into itself")
    if not others:
        raise CurationError("name at least one entry to merge into the kept one")
    scan = scan or store.scan()
    today = today or dt.date.today()
    keep_location = _entry(scan, keep)
    other_locations = [_entry(scan, other) for other in others]
    for location in other_locations:
        if location.kind is not keep_location.kind:
            raise CurationError(
                f"{location.id} is {_a(location.kind)} and {keep} {_a(keep_location.kind)}: "
                "only entries of one kind can be merged"
            )
    keep_file = _read_kind_file(store, keep_location)
    other_files = [_read_kind_file(store, location) for location in other_locations]
    mapping = dict.fromkeys(others, keep)
    notes: list[str] = []

    def change(document: tomlkit.TOMLDocument) -> None:
        for other_file in other_files:
            try:
                data = tomllib.loads(other_file.raw.lstrip("\ufeff"))
            except tomllib.TOMLDecodeError as exc:
                raise CurationError(f"{display(other_file.rel)}: invalid TOML ({exc}); fix it first") from None
            notes.extend(merge_into(document, keep_location.kind, other_file.location.id, data, reason.strip(), today))
        rewrite_references(document, mapping, dedupe=True)

    keep_after = edited_toml(keep_file.raw, change, keep_file.rel)
    moves: list[Operation] = []
    taken = {name for name in _children(store, keep_location.folder)}
    for location in other_locations:
        for name in sorted(_children(store, location.folder)):
            if name == location.kind.filename:
                continue
            target = _free_name(name, location.id, taken)
            taken.add(target)
            moves.append(Operation("move", f"{location.folder}/{name}", dst=f"{keep_location.folder}/{target}"))
    writes, refs = _reference_writes(store, scan, mapping, {keep, *others}, dedupe=True)
    removals: list[Operation] = []
    for other_file in other_files:
        removals.append(Operation("write", other_file.rel, other_file.raw, None))
        removals.append(Operation("rmdir", other_file.location.folder))
    summary = [f"merge {', '.join(others)} into {keep} (reason: {reason.strip()})",
               f"rewrite {refs} reference(s) in {len(writes)} file(s)"]
    if moves:
        summary.append(f"move {len(moves)} file(s) into {keep_location.folder}")
    summary.extend(notes)
    summary.append(f"remove {', '.join(location.folder for location in other_locations)}")
    return Plan(
        "merge",
        [keep, *others],
        summary,
        [*moves, Operation("write", keep_file.rel, keep_file.raw, keep_after), *writes, *removals],
        shlex.join(["dossier", "merge", keep, *others, "--reason", reason.strip()]),
    )


def _a(kind: Kind) -> str:
    return f"{'a' if kind is Kind.SOURCE else 'an'} {kind.value}"


def _children(store: Store, folder: str) -> list[str]:
    with os.scandir(store.root / folder) as it:
        return [child.name for child in it]


def _free_name(name: str, other_id: str, taken: set[str]) -> str:
    """``name``, or ``stem-OTHER.suffix`` (then numbered) when KEEP's folder has one already."""
    if name not in taken:
        return name
    path = PurePosixPath(name)
    stem, suffix = (path.stem, path.suffix) if path.suffix else (name, "")
    candidate = f"{stem}-{other_id}{suffix}"
    number = 2
    while candidate in taken:
        candidate = f"{stem}-{other_id}-{number}{suffix}"
        number += 1
    return candidate


# ------------------------------------------------------------ small edits


def _plan_list_edit(
    store: Store, command: str, entry_id: str, key: str, values: list[str], remove: bool,
    kinds: tuple[Kind, ...], value_kind: Kind | None, scan: Scan | None = None,
) -> Plan:
    """Add values to (or remove them from) one list field of one entry."""
    scan = scan or store.scan()
    location = _entry(scan, entry_id)
    if location.kind not in kinds:
        raise CurationError(
            f"{entry_id} is {_a(location.kind)}; `{command}` works on " + " or ".join(_a(k) for k in kinds)
        )
    values = list(dict.fromkeys(v for v in values))
    if value_kind is not None and not remove:
        by_id = scan.by_id()
        for value in values:
            found = by_id.get(value)
            if found is None:
                raise CurationError(f"no {value_kind.value} has the id {value!r}")
            if found.kind is not value_kind:
                raise CurationError(f"{value} is {_a(found.kind)}, not {_a(value_kind)}")
    kind_file = _read_kind_file(store, location)
    done: list[str] = []
    skipped: list[str] = []

    def change(document: tomlkit.TOMLDocument) -> None:
        current = document.get(key)
        if current is not None and not isinstance(current, list):
            raise CurationError(f"{kind_file.rel}: {key} is not a list; fix it by hand first")
        present = [_plain(v) for v in current or []]
        for value in values:
            if remove:
                if value in present and isinstance(current, Array):
                    while value in [_plain(v) for v in current]:
                        current.remove(next(v for v in current if _plain(v) == value))
                    done.append(value)
                else:
                    skipped.append(value)
            elif value in present or (key == "aliases" and value == document.get("name")):
                skipped.append(value)
            else:
                _union(document, key, [value])
                current = document.get(key)
                present.append(value)
                done.append(value)

    after = edited_toml(kind_file.raw, change, kind_file.rel)
    verb = {"link": "link", "unlink": "unlink", "alias": "add the alias(es)", "cite": "cite"}[command]
    summary = []
    if done:
        summary.append(f"{entry_id}: {verb} {', '.join(done)} ({'from' if remove else 'in'} {key})")
    if skipped:
        summary.append(f"{entry_id}: {', '.join(skipped)} {'not in' if remove else 'already in'} {key}; unchanged")
    operations = [Operation("write", kind_file.rel, kind_file.raw, after)] if after != kind_file.raw else []
    return Plan(command, [entry_id, *values], summary, operations, shlex.join(["dossier", command, entry_id, *values]))


def plan_link(store: Store, entry_id: str, actors: list[str], remove: bool = False, scan: Scan | None = None) -> Plan:
    """Add actors to an event's (or source's) ``actors``, or remove them (``unlink``)."""
    return _plan_list_edit(store, "unlink" if remove else "link", entry_id, "actors", actors, remove,
                           (Kind.EVENT, Kind.SOURCE), Kind.ACTOR, scan)


def plan_alias(store: Store, actor: str, names: list[str], scan: Scan | None = None) -> Plan:
    """Add names to an actor's ``aliases``."""
    names = [n.strip() for n in names]
    if not all(names):
        raise CurationError("an alias cannot be empty")
    return _plan_list_edit(store, "alias", actor, "aliases", names, False, (Kind.ACTOR,), None, scan)


def plan_cite(store: Store, event: str, sources: list[str], scan: Scan | None = None) -> Plan:
    """Add sources to an event's ``sources``."""
    return _plan_list_edit(store, "cite", event, "sources", sources, False, (Kind.EVENT,), Kind.SOURCE, scan)


# ---------------------------------------------------------------------- journal


def journal_dir(store: Store) -> Path:
    """Where a tree's curation journal lives: the user state folder, one per tree (like the index)."""
    env = os.environ.get("DOSSIER_STATE")
    if env:
        base = Path(env).expanduser()
    else:
        import platformdirs

        base = Path(platformdirs.user_state_dir("dossier"))
    root = str(store.root.resolve())
    digest = hashlib.sha1(root.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return base / "curate" / f"{store.root.name or 'tree'}-{digest}"


class Journal:
    """The plan being applied to one tree, kept outside the tree until it is done."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.path = journal_dir(store) / "pending.json"

    def pending(self) -> Plan | None:
        """The plan a killed run left half done, if any."""
        try:
            data = json.loads(self.path.read_text("utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise CurationError(f"the curation journal {self.path} cannot be read ({exc}); remove it "
                                "after checking the tree with git status") from None
        return Plan(
            data["command"], data["args"], data["summary"],
            [Operation(**op) for op in data["operations"]], data.get("command_line", ""),
        )

    def write(self, plan: Plan) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {**asdict(plan), "tree": str(self.store.root)}
        atomic_write(self.path, json.dumps(data, ensure_ascii=False).encode("utf-8"))

    def clear(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


def resumable(store: Store, command: str, args: list[str]) -> Plan | None:
    """The pending plan when it is this same command (re-running it finishes it), else None."""
    pending = Journal(store).pending()
    if pending is not None and pending.key == (command, tuple(args)):
        return pending
    return None


# ------------------------------------------------------------------- applying


def _state(store: Store, op: Operation) -> str:
    """``todo``, ``done``, or ``conflict`` (the tree is neither as planned nor as the plan leaves it)."""
    path = store.root / op.path
    if op.op == "write":
        try:
            current: str | None = path.read_bytes().decode("utf-8", "surrogateescape")
        except FileNotFoundError:
            current = None
        if current == op.after:
            return "done"
        return "todo" if current == op.before else "conflict"
    if op.op == "move":
        assert op.dst is not None
        src, dst = os.path.lexists(path), os.path.lexists(store.root / op.dst)
        if src and not dst:
            return "todo"
        return "done" if dst and not src else "conflict"
    if op.op == "rmdir":
        if not path.exists():
            return "done"
        return "todo" if path.is_dir() else "conflict"
    return "done" if path.is_dir() else "todo" if not path.exists() else "conflict"


def check_plan(store: Store, plan: Plan) -> list[str]:
    """The files that changed since the plan was made (empty when it can be applied)."""
    return [op.describe() for op in plan.operations if _state(store, op) == "conflict"]


def apply(store: Store, plan: Plan, progress: Callable[[int, int], None] | None = None) -> list[str]:
    """Apply a plan through the journal; the tree-relative paths touched (for the index).

    Refused (nothing written) when another curation of this tree is running or half done, or
    a file changed since planning. A plan that was interrupted is finished by applying it again.
    """
    with _curating(store):
        return _apply(store, plan, progress)


@contextlib.contextmanager
def _curating(store: Store) -> Iterator[None]:
    """One curation at a time per tree (two would overwrite each other's journal)."""
    try:
        import fcntl
    except ImportError:  # Windows: no flock; the journal's own checks still refuse most overlaps
        yield
        return
    folder = journal_dir(store)
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / "lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CurationError("another curation of this tree is running; try again when it is done") from None
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _apply(store: Store, plan: Plan, progress: Callable[[int, int], None] | None) -> list[str]:
    journal = Journal(store)
    pending = journal.pending()
    if pending is not None and pending.key != plan.key:
        raise CurationError(
            f"another curation is half done ({'; '.join(pending.summary[:1])}): finish it first with "
            f"`{pending.command_line}`"
        )
    # Paths are checked to stay inside the tree before anything is written.
    for op in plan.operations:
        _inside(store, op.path)
        if op.dst:
            _inside(store, op.dst)
    conflicts = check_plan(store, plan)
    if conflicts:
        raise CurationError(
            "the tree changed since this was planned; nothing was written: " + "; ".join(conflicts[:5])
            + (f" (and {len(conflicts) - 5} more)" if len(conflicts) > 5 else "")
        )
    if not plan.operations:
        return []
    if pending is not None:
        _remove_temp_files_of(store, plan, journal.path.stat().st_mtime)
    journal.write(plan)
    total = len(plan.operations)
    for done, op in enumerate(plan.operations, start=1):
        if _state(store, op) == "todo":
            _perform(store, op)
        if progress is not None:
            progress(done, total)
    # Files were written without an fsync each (each is still whole, old or new, for any process
    # that reads it): flush them together, once, before the journal that could finish them goes.
    os.sync()
    journal.clear()
    return plan.paths()


def _inside(store: Store, rel: str) -> None:
    """Refuse a path that could lead outside the tree: absolute, with ``..``, or through a symbolic link.

    Plans come from a scan, which never follows a linked folder; two ``lstat`` calls check that
    this is still so, where ``Store.path``'s full resolve costs a millisecond a path (a second
    for a thousand references).
    """
    path = PurePosixPath(rel)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise CurationError(f"{display(rel)} is outside the tree")
    full = store.root / rel
    if full.is_symlink() or full.parent.is_symlink():
        raise CurationError(f"{display(rel)} is reached through a symbolic link; it is not curated")


def _remove_temp_files_of(store: Store, plan: Plan, since: float) -> None:
    """Remove the temporary files a killed run of this plan left beside the files it writes.

    Only ours: the atomic write's hidden ``.NAME.*.tmp`` siblings of the plan's files, made
    after its journal was written. Left, git would show them as untracked files.
    """
    for op in plan.operations:
        if op.op != "write":
            continue
        path = store.root / op.path
        with contextlib.suppress(OSError):
            for stale in path.parent.glob(f".{path.name}.*.tmp"):
                if stale.stat().st_mtime >= since - 1:
                    stale.unlink()


def _perform(store: Store, op: Operation) -> None:
    path = store.root / op.path
    if op.op == "write":
        if op.after is None:
            path.unlink()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            expect = None if op.before is None else op.before.encode("utf-8", "surrogateescape")
            atomic_write(path, op.after.encode("utf-8", "surrogateescape"), expect=expect, sync=False)
    elif op.op == "move":
        assert op.dst is not None
        target = store.root / op.dst
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(path, target)
    elif op.op == "rmdir":
        path.rmdir()
    else:
        path.mkdir(parents=True)


def update_index(store: Store, paths: list[str], index_dir: Path | None = None) -> None:
    """Re-read the touched entries into the tree's index, once, after the whole plan."""
    if not paths:
        return
    from dossier.index import Index

    index = Index.open(store, index_dir)
    try:
        index.apply(paths)
    finally:
        index.close()


def pending_problem(store: Store) -> str | None:
    """A sentence for ``check`` when a curation was interrupted, else None."""
    try:
        plan = Journal(store).pending()
    except CurationError as exc:
        return str(exc)
    if plan is None:
        return None
    states = [_state(store, op) for op in plan.operations]
    done = states.count("done")
    return (
        f"a curation was interrupted ({'; '.join(plan.summary[:1])}): {done} of {len(states)} steps done; "
        f"run `{plan.command_line}` again to finish it"
    )

