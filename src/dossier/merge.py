"""Three-way merge of entry files by key, not by line: the heart of ``dossier merge-file``.

Git merges text by lines, so two people who each add an actor at the end of the same
``actors = [...]`` array, or each add an ``[[accounts]]`` table, conflict. Here the
three versions are parsed with tomlkit and merged key by key on top of *ours*, so the
comments, key order and formatting of what nobody changed stay as they were:

- a value changed on one side takes that side; changed to different values on both is a
  conflict for that key alone;
- arrays of strings (ids and words: ``actors``, ``sources``, ``related``, ``tags``,
  ``aliases`` and users' own lists) merge as sets: both sides' additions are kept, a
  removal on either side is honoured, and what was there keeps its place;
- arrays of tables (``[[roles]]``, ``[[links]]``, ``[[accounts]]``) are matched by what
  identifies each table (:data:`IDENTITY`) and merged field by field;
- plain tables (users' own ``[section]``) merge key by key.

A conflict is written as git-style markers around just that key's lines, labelled with
the key (``<<<<<<< ours (dossier key: importance)``), so the file stays readable and
``dossier check`` can name the key (:func:`conflict_keys`). When any side is not valid
TOML (or the merged text would not be), the merge falls back to ``git merge-file``,
git's own line merge: never worse than what git would have done.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
import subprocess
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.container import Container
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import AoT, Array, InlineTable, Table

from dossier.atomic import atomic_write

#: What identifies one table of an array of tables, by the array's key. Tables of other
#: arrays are identified by their whole content (an edit is then a removal plus an addition).
IDENTITY: dict[str, tuple[str, ...]] = {
    "links": ("to", "rel"),
    "roles": ("title", "org"),
    "accounts": ("by", "source"),
}

MARKER_SIZE = 7
#: The label our markers carry, so that a reader (and ``check``) knows which key conflicts.
_LABEL = re.compile(r"\(dossier key: (?P<key>.*)\)\s*$")
_MISSING: Any = object()


@dataclass
class MergeResult:
    """The merged text, the keys in conflict, and how it was merged (``keys`` or ``lines``)."""

    text: str
    conflicts: list[str] = field(default_factory=list)
    method: str = "keys"

    @property
    def clean(self) -> bool:
        return not self.conflicts


class NotToml(ValueError):
    """One of the three versions is not a TOML document that tomlkit can edit."""


# ----------------------------------------------------------------------------- entry points


def merge_texts(base: str, ours: str, theirs: str, marker_size: int = MARKER_SIZE) -> MergeResult:
    """Merge three versions of a TOML file by key; :class:`NotToml` when one is not TOML."""
    if ours == theirs or base == theirs:
        return MergeResult(ours)
    if base == ours:
        return MergeResult(theirs)
    bom = "\ufeff" if ours.startswith("\ufeff") else ""
    crlf = "\r\n" in ours
    base_doc, ours_doc, theirs_doc = (_parse(_lf(t)) for t in (base, ours, theirs))
    merger = _Merger(marker_size)
    merger.container(base_doc, ours_doc, theirs_doc, ())
    text = merger.render(tomlkit.dumps(ours_doc))
    if not merger.conflicts:
        try:
            tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:  # never hand git a file we broke
            raise NotToml(f"the merged text would not be TOML: {exc}") from exc
    if crlf:
        text = text.replace("\n", "\r\n")
    return MergeResult(bom + text, [c.name for c in merger.conflicts])


def merge_files(base: Path, ours: Path, theirs: Path, marker_size: int = MARKER_SIZE) -> MergeResult:
    """Git's merge-driver contract: merge into ``ours`` (written in place), key by key or by lines."""
    texts: list[str] = []
    for path in (base, ours, theirs):
        try:
            texts.append(path.read_bytes().decode("utf-8"))
        except UnicodeDecodeError:  # not text: git's line merge decides what to do with it
            texts = []
            break
    result = None
    if texts:
        try:
            result = merge_texts(texts[0], texts[1], texts[2], marker_size=marker_size)
        except NotToml:
            result = None
    if result is None:
        result = line_merge(base, ours, theirs, marker_size)
    else:
        atomic_write(ours, result.text.encode("utf-8"))
    return result


def line_merge(base: Path, ours: Path, theirs: Path, marker_size: int = MARKER_SIZE) -> MergeResult:
    """``git merge-file``: git's own merge by lines, written into ``ours``."""
    done = subprocess.run(
        ["git", "merge-file", f"--marker-size={marker_size}", "-L", "ours", "-L", "base", "-L", "theirs",
         "--", str(ours), str(base), str(theirs)],
        capture_output=True, stdin=subprocess.DEVNULL, check=False,
    )
    if done.returncode < 0 or done.returncode > 127:
        raise OSError(f"git merge-file failed: {done.stderr.decode('utf-8', 'replace').strip()}")
    text = ours.read_bytes().decode("utf-8", "replace")
    names = [name for _, _, keys in conflict_keys(text) for name in keys] or (
        ["(lines)"] * done.returncode if done.returncode else []
    )
    return MergeResult(text, names, "lines")


def _lf(text: str) -> str:
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def _parse(text: str) -> tomlkit.TOMLDocument:
    if re.search(r"^(<{7}|={7}|>{7})( |$)", text, re.MULTILINE):
        raise NotToml("holds merge-conflict markers")
    try:
        return tomlkit.parse(text)
    except (TOMLKitError, ValueError, RecursionError) as exc:
        raise NotToml(str(exc)) from exc


# ----------------------------------------------------------------------------- the merge


def _plain(value: Any) -> Any:
    if value is _MISSING:
        return value
    return value.unwrap() if hasattr(value, "unwrap") else value


def _same(a: Any, b: Any) -> bool:
    if a is _MISSING or b is _MISSING:
        return a is b
    return bool(_plain(a) == _plain(b))


def _is_words(*values: Any) -> bool:
    """Arrays of strings (ids and words), or absent: merged as sets."""
    present = [v for v in values if v is not _MISSING]
    return bool(present) and all(
        isinstance(v, list) and not isinstance(v, AoT) and all(isinstance(x, str) for x in v) for v in present
    )


def _is_tables(*values: Any) -> bool:
    """Arrays of ``[[tables]]`` (not inline ones, whose fields share one line), or absent."""
    present = [v for v in values if v is not _MISSING]
    return bool(present) and all(
        isinstance(v, AoT) or (isinstance(v, list) and not isinstance(v, Array) and all(isinstance(x, dict) for x in v))
        for v in present
    ) and any(isinstance(v, AoT) for v in present)


def _is_inline_tables(*values: Any) -> bool:
    """Arrays of inline tables (``links = [{ to = "x", rel = "y" }]``), or absent."""
    present = [v for v in values if v is not _MISSING]
    return bool(present) and all(
        isinstance(v, list) and not isinstance(v, AoT) and all(isinstance(x, dict) for x in v) for v in present
    ) and any(isinstance(v, Array) for v in present)


def _inline(values: dict[str, Any]) -> Any:
    """An inline table written as tomli_w and people write them: ``{ to = "x", rel = "y" }``."""
    fields = ", ".join(f"{tomlkit.key(k).as_string()} = {tomlkit.item(v).as_string()}" for k, v in values.items())
    return tomlkit.parse(f"x = {{ {fields} }}" if fields else "x = {}")["x"]


def _merge_plain(base: dict[str, Any], ours: dict[str, Any], theirs: dict[str, Any]) -> dict[str, Any] | None:
    """Three-way merge of two versions of one small table, field by field; None on a conflict."""
    merged = dict(ours)
    for key in [*ours, *(k for k in theirs if k not in ours), *(k for k in base if k not in ours and k not in theirs)]:
        b, o, t = base.get(key, _MISSING), ours.get(key, _MISSING), theirs.get(key, _MISSING)
        if _same(o, t) or _same(b, t):
            continue
        if not _same(b, o):
            return None
        if t is _MISSING:
            del merged[key]
        else:
            merged[key] = t
    return merged


def _is_table(value: Any) -> bool:
    return isinstance(value, dict) and not isinstance(value, InlineTable)


@dataclass
class _Conflict:
    name: str
    token: str
    ours: str
    theirs: str
    whole_table: bool = False


class _Merger:
    """Applies theirs' changes since base onto ours (a tomlkit document, edited in place)."""

    def __init__(self, marker_size: int = MARKER_SIZE) -> None:
        self.marker_size = marker_size
        self.conflicts: list[_Conflict] = []
        self._token = "dossier-conflict-" + secrets.token_hex(8)

    def container(self, base: Any, ours: Container | Table, theirs: Any, path: tuple[str, ...]) -> None:
        base = base if isinstance(base, dict) else {}
        theirs = theirs if isinstance(theirs, dict) else {}
        keys = list(ours.keys())
        keys += [k for k in theirs if k not in ours]
        keys += [k for k in base if k not in ours and k not in theirs]
        for key in keys:
            b, o, t = base.get(key, _MISSING), ours.get(key, _MISSING), theirs.get(key, _MISSING)
            if _same(o, t) or _same(b, t):
                continue
            if _same(b, o):
                if t is _MISSING:
                    del ours[key]
                else:
                    ours[key] = t
            elif _is_table(o) and _is_table(t):
                self.container(b, o, t, (*path, key))
            elif _is_words(b, o, t):
                self.words(b, o, t, ours, key)
            elif _is_tables(b, o, t) and (isinstance(o, AoT) or o is _MISSING):
                if o is _MISSING:
                    ours[key] = tomlkit.aot()
                self.tables(b, ours[key], t, (*path, key))
                if not len(ours[key]):
                    del ours[key]
            elif _is_inline_tables(b, o, t):
                if not self.inline_tables(b, o, t, ours, (*path, key)):
                    self.conflict(ours, key, o, t, (*path, key))
            else:
                self.conflict(ours, key, o, t, (*path, key))

    def words(self, base: Any, ours: Any, theirs: Any, container: Any, key: str) -> None:
        base_set = set(base) if base is not _MISSING else set()
        theirs_list = list(theirs) if theirs is not _MISSING else []
        if ours is _MISSING:
            ours = tomlkit.array()
            container[key] = ours
            ours = container[key]
        theirs_set = set(theirs_list)
        for i in reversed(range(len(ours))):
            if ours[i] in base_set and ours[i] not in theirs_set:
                del ours[i]
        have = [str(x) for x in ours]
        ours_added = set(have) - base_set
        for i, word in enumerate(theirs_list):
            if word in base_set or word in have:
                continue
            # After the word theirs put it after, so both sides' additions sit where they were written.
            before = next((w for w in reversed(theirs_list[:i]) if w in have), None)
            at = have.index(before) + 1 if before is not None else (0 if i == 0 and have else len(have))
            while at < len(have) and have[at] in ours_added:
                at += 1  # ours' own additions there come first
            if at == len(have):
                ours.append(word)
            else:
                ours.insert(at, word)
            have.insert(at, word)

    def tables(self, base: Any, ours: AoT, theirs: Any, path: tuple[str, ...]) -> None:
        fields = IDENTITY.get(path[-1]) if len(path) == 1 else None
        base_by = dict(_identified(base, fields))
        theirs_by = dict(_identified(theirs, fields))
        ours_ids = [ident for ident, _ in _identified(ours, fields)]
        for i in reversed(range(len(ours_ids))):
            ident, table = ours_ids[i], ours[i]
            name = _table_name(path[-1], table, fields)
            if ident in base_by and ident not in theirs_by:
                if _same(table, base_by[ident]):
                    del ours[i]
                else:
                    self.table_conflict(table, name, "changed in ours, removed in theirs")
            elif ident in theirs_by:
                self.container(base_by.get(ident), table, theirs_by[ident], (*path[:-1], name))
        known = set(ours_ids)
        for ident, table in _identified(theirs, fields):
            if ident in known:
                continue
            if ident in base_by:
                if _same(table, base_by[ident]):
                    continue  # removed in ours, untouched in theirs
                _append_table(ours, table)
                name = _table_name(path[-1], table, fields)
                self.table_conflict(ours[-1], name, "removed in ours, changed in theirs")
            else:
                _append_table(ours, table)

    def inline_tables(self, base: Any, ours: Any, theirs: Any, container: Any, path: tuple[str, ...]) -> bool:
        """``links = [{ to = ..., rel = ... }, ...]`` (as tomli_w writes short tables), merged like
        ``[[links]]``; False, and nothing changed, when a table conflicts: markers cannot sit
        inside one line, so the conflict is then the whole array's."""
        fields = IDENTITY.get(path[-1]) if len(path) == 1 else None
        base_by = dict(_identified(base, fields))
        theirs_by = dict(_identified(theirs, fields))
        ours_list = list(_identified(ours, fields))
        replace: dict[int, dict[str, Any]] = {}
        drop: list[int] = []
        for i, (ident, table) in enumerate(ours_list):
            if ident in base_by and ident not in theirs_by:
                if not _same(table, base_by[ident]):
                    return False  # changed here, removed there
                drop.append(i)
            elif ident in theirs_by:
                merged = _merge_plain(_plain(base_by.get(ident, {})), _plain(table), _plain(theirs_by[ident]))
                if merged is None:
                    return False
                if merged != _plain(table):
                    replace[i] = merged
        known = {ident for ident, _ in ours_list}
        add = []
        for ident, table in _identified(theirs, fields):
            if ident in known:
                continue
            if ident in base_by:
                if not _same(table, base_by[ident]):
                    return False  # removed here, changed there
                continue
            add.append(table)
        key = path[-1]
        if ours is _MISSING:
            container[key] = tomlkit.array()
            container[key].multiline(True)
            ours = container[key]
        for i, merged in replace.items():
            ours[i] = _inline(merged)
        for i in reversed(drop):
            del ours[i]
        for table in add:
            ours.append(_inline(_plain(table)))
        return True

    def conflict(self, container: Any, key: str, ours: Any, theirs: Any, path: tuple[str, ...]) -> None:
        token = f"{self._token}-{len(self.conflicts)}"
        self.conflicts.append(_Conflict(_path_name(path), token, _render(key, ours), _render(key, theirs)))
        container[key] = token

    def table_conflict(self, table: Table, name: str, why: str) -> None:
        token = f"{self._token}-{len(self.conflicts)}"
        self.conflicts.append(_Conflict(f"{name} ({why})", token, "", "", whole_table=True))
        table[self._token.replace("-", "_")] = token

    def render(self, text: str) -> str:
        """The dumped document with each placeholder replaced by its conflict's markers."""
        lines = text.splitlines(keepends=True)
        for conflict in self.conflicts:
            at = next(i for i, line in enumerate(lines) if f'"{conflict.token}"' in line)
            label = f"(dossier key: {conflict.name})"
            if conflict.whole_table:
                start = max(i for i in range(at) if lines[i].lstrip().startswith("["))
                block = "".join(lines[start:at])
                if "removed in ours" in conflict.name:
                    ours_text, theirs_text = "", block
                else:
                    ours_text, theirs_text = block, ""
                del lines[at]
                first, end = start, at
            else:
                ours_text, theirs_text = conflict.ours, conflict.theirs
                first, end = at, at + 1
            lines[first:end] = [
                f"{'<' * self.marker_size} ours {label}\n", ours_text, f"{'=' * self.marker_size}\n",
                theirs_text, f"{'>' * self.marker_size} theirs {label}\n",
            ]
        return "".join(lines)


def _append_table(tables: AoT, table: Table) -> None:
    """Add a table at the end of an array of tables, a blank line before it as people write."""
    if len(tables) and not tables.as_string().endswith("\n\n") and isinstance(table, Table):
        table.trivia.indent = "\n" + table.trivia.indent.lstrip("\n")
    tables.append(table)


def _identified(tables: Any, fields: tuple[str, ...] | None) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Each table with what identifies it, and a count so that two alike tables stay two."""
    if tables is _MISSING or tables is None:
        return
    seen: dict[tuple[Any, ...], int] = {}
    for table in tables:
        plain = _plain(table)
        if fields is not None:
            ident: tuple[Any, ...] = tuple(repr(plain.get(f)) for f in fields)
        else:
            ident = (repr(sorted(plain.items(), key=lambda kv: kv[0])),)
        n = seen.get(ident, 0)
        seen[ident] = n + 1
        yield (*ident, n), table


def _table_name(key: str, table: Any, fields: tuple[str, ...] | None) -> str:
    plain = _plain(table)
    shown = [str(plain[f]) for f in fields or () if f in plain]
    return f"{key}[{', '.join(shown)}]" if shown else key


def _path_name(path: Iterable[str]) -> str:
    return ".".join(path)


def _render(key: str, value: Any) -> str:
    """One side's ``key = value`` line(s), as that side wrote them (empty when absent)."""
    if value is _MISSING:
        return ""
    doc = tomlkit.document()
    doc.add(key, value)
    text = doc.as_string()
    return text if text.endswith("\n") else text + "\n"


# ----------------------------------------------------------------------------- reading conflicts

_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+|\"[^\"]*\")\s*=")
_OPEN = re.compile(r"^<{7}(?: |$)")
_CLOSE = re.compile(r"^>{7}(?: |$)")
_SEPARATOR = re.compile(r"^(={7}|\|{7})(?: |$)")


def conflict_keys(text: str) -> list[tuple[int, int | None, list[str]]]:
    """Each conflict in a TOML text: first line, last line (None if unclosed), the keys in it.

    Our own markers carry the key in their label; for git's line merge the keys are read
    from the lines between the markers, with the table they sit in.
    """
    found: list[tuple[int, int | None, list[str]]] = []
    lines = text.splitlines()
    table = ""
    array = ""  # the key of a multi-line array the line is in, to name a conflict between its items
    i = 0
    while i < len(lines):
        line = lines[i]
        header = _HEADER.match(line)
        if header and not line.lstrip().startswith("[\""):
            table, array = header.group(1), ""
        elif key := _KEY.match(line):
            value = line[key.end():].split("#", 1)[0]
            array = key.group(1).strip('"') if value.count("[") > value.count("]") else ""
        elif line.lstrip().startswith("]"):
            array = ""
        if not _OPEN.match(line):
            i += 1
            continue
        start = i
        end = next((j for j in range(i + 1, len(lines)) if _CLOSE.match(lines[j])), None)
        body = lines[i + 1 : end if end is not None else len(lines)]
        labelled = _LABEL.search(line)
        if labelled:
            keys = [labelled.group("key")]
        else:
            keys = []
            whole_table = False  # keys after a table's header inside the block belong to that table
            for inner in body:
                if _SEPARATOR.match(inner):
                    whole_table = False
                elif (h := _HEADER.match(inner)) and not _KEY.match(inner):
                    keys.append(h.group(1))
                    whole_table = True
                elif (k := _KEY.match(inner)) and not whole_table:
                    name = k.group(1).strip('"')
                    keys.append(f"{table}.{name}" if table else name)
            if not keys and array:
                keys.append(f"{table}.{array}" if table else array)
            keys = list(dict.fromkeys(keys))
        found.append((start + 1, end + 1 if end is not None else None, keys))
        i = (end if end is not None else len(lines)) + 1
    return found


def name_conflicts(text: str, problems: list[Any]) -> list[Any]:
    """The store's merge-conflict problems of a TOML file, each naming the keys in conflict."""
    keys_at = {start: keys for start, _, keys in conflict_keys(text)}
    named = []
    for problem in problems:
        keys = keys_at.get(problem.line) if problem.code == "merge-conflict" else None
        if keys:
            shown = ", ".join(k if len(k) <= 80 else k[:79] + "…" for k in keys[:5])
            more = f" and {len(keys) - 5} more" if len(keys) > 5 else ""
            problem = dataclasses.replace(problem, message=f"{problem.message} (key {shown}{more})")
        named.append(problem)
    return named
