"""The confirmation policy: what an event's status needs, and which fields need a source.

A tree states its policy in ``dossier.toml``; whatever it leaves out keeps the
default below::

    [policy.confirmed]          # an event may say "confirmed" with ...
    sources = 2                 # ... at least 2 independent sources ...
    reliability = "B"           # ... each graded B or better (Admiralty A-F)
    # credibility = 2           # ... and, if given, information graded 2 or better (1-6)

    [policy.disputed]
    sides = 2                   # accounts by 2 different actors, each citing a source

    [policy.fields]             # fields that need provenance (a source or a note)
    event = ["date", "location"]
    actor = ["born", "died", "roles.from", "roles.to", "links.since"]

Independent sources are distinct source entries of distinct outlets (two CNN
pieces count once). The sources of an event are its own ``sources`` list. A
field is backed by its ``[provenance]`` entry (or one above it, such as
``roles``); a field of a ``[[links]]`` table with ``sources`` or an
``[[accounts]]`` table with a ``source`` is backed by those.

``dossier check`` reports what falls short as warnings; ``--strict`` makes them
findings, and ``--review`` counts them. Pure logic over parsed data, plus
:func:`load`, which reads ``dossier.toml`` through the store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from dossier import provenance
from dossier.model import (
    CREDIBILITY_GRADES,
    EVENT_STATUSES,
    RELIABILITY_GRADES,
    Kind,
    LineFinder,
    Problem,
    Severity,
    array_of_tables,
)

if TYPE_CHECKING:
    from dossier.store import Store

TABLE = "policy"


@dataclass(frozen=True)
class StatusRule:
    """What one event status needs; zero / None means "no requirement"."""

    sources: int = 0
    reliability: str | None = None
    credibility: int | None = None
    sides: int = 0

    def describe(self) -> str:
        parts = []
        if self.sources:
            grade = ""
            if self.reliability and self.reliability != "F":
                grade = f" graded {self.reliability} or better"
            if self.credibility:
                grade += (" and " if grade else " with information graded ") + f"{self.credibility} or better"
            noun = "source" if self.sources == 1 else "independent sources"
            parts.append(f"{self.sources} {noun}{grade}")
        if self.sides:
            parts.append(f"accounts from {self.sides} sides, each citing a source")
        return " and ".join(parts) or "nothing"


@dataclass(frozen=True)
class Policy:
    statuses: Mapping[str, StatusRule]
    fields: Mapping[Kind, tuple[str, ...]]


DEFAULT = Policy(
    statuses={
        "reported": StatusRule(sources=1),
        "confirmed": StatusRule(sources=2, reliability="B"),
        "disputed": StatusRule(sides=2),
        "debunked": StatusRule(sources=1, reliability="B"),
    },
    fields={
        Kind.EVENT: ("date", "location"),
        Kind.ACTOR: ("born", "died", "roles.from", "roles.to", "links.since"),
        Kind.SOURCE: (),
    },
)

_RULE_KEYS = ("sources", "reliability", "credibility", "sides")


# --------------------------------------------------------------------------- loading


def load(store: Store) -> tuple[Policy, list[Problem]]:
    """The tree's policy (the default where ``dossier.toml`` says nothing) and what is wrong with it."""
    from dossier.store import COLLECTION_FILE, MAX_TOML_BYTES, parse_toml, read_user_text

    path = store.root / COLLECTION_FILE
    if not path.is_file():
        return DEFAULT, []
    text, problems = read_user_text(path, COLLECTION_FILE, MAX_TOML_BYTES)
    if text is None or problems:
        return DEFAULT, []  # the collection's own problems are reported by check already
    data, problems = parse_toml(text, COLLECTION_FILE)
    if data is None or problems:
        return DEFAULT, []
    return parse(data.get(TABLE), COLLECTION_FILE, text)


def parse(table: object, path: str = "dossier.toml", text: str = "") -> tuple[Policy, list[Problem]]:
    """A policy from the ``[policy]`` table: each status or kind it names replaces the default's."""
    if table is None:
        return DEFAULT, []
    lines = LineFinder(text)
    problems: list[Problem] = []

    def report(message: str, key: str, table_name: str = TABLE) -> None:
        line = lines.line(key, table_name) or lines.line(TABLE)
        problems.append(Problem(path, message, "policy", line, None, None))

    if not isinstance(table, Mapping):
        report("'policy' must be a table ([policy])", TABLE, "")
        return DEFAULT, problems
    statuses = dict(DEFAULT.statuses)
    fields = dict(DEFAULT.fields)
    for key, value in table.items():
        if key == "fields":
            fields.update(_parse_fields(value, report))
        elif key in EVENT_STATUSES:
            rule = _parse_rule(key, value, report)
            if rule is not None:
                statuses[key] = rule
        else:
            report(f"[policy] has {key!r}: give a status ({', '.join(EVENT_STATUSES)}) or 'fields'", key)
    return Policy(statuses, fields), problems


def _parse_rule(status: str, value: object, report: Any) -> StatusRule | None:
    section = f"{TABLE}.{status}"
    if not isinstance(value, Mapping):
        report(f"[policy.{status}] must be a table with {', '.join(_RULE_KEYS)}", status)
        return None
    ok = True
    for key in value:
        if key not in _RULE_KEYS:
            report(f"[policy.{status}] has {key!r}: known keys are {', '.join(_RULE_KEYS)}", key, section)
            ok = False
    sources, sides = value.get("sources", 0), value.get("sides", 0)
    reliability, credibility = value.get("reliability"), value.get("credibility")
    for name, number in (("sources", sources), ("sides", sides)):
        if isinstance(number, bool) or not isinstance(number, int) or number < 0:
            report(f"[policy.{status}] {name} must be a whole number, 0 or more", name, section)
            ok = False
    if reliability is not None and reliability not in RELIABILITY_GRADES:
        report(f"[policy.{status}] reliability must be one of {', '.join(RELIABILITY_GRADES)}", "reliability",
               section)
        ok = False
    if credibility is not None and credibility not in CREDIBILITY_GRADES:
        report(f"[policy.{status}] credibility must be one of 1-6", "credibility", section)
        ok = False
    if not ok:
        return None
    return StatusRule(sources=sources, reliability=reliability, credibility=credibility, sides=sides)


def _parse_fields(value: object, report: Any) -> dict[Kind, tuple[str, ...]]:
    section = f"{TABLE}.fields"
    if not isinstance(value, Mapping):
        report("[policy.fields] must be a table: event = [\"date\"], actor = [...], source = [...]", "fields")
        return {}
    found = {}
    for key, names in value.items():
        try:
            kind = Kind(key)
        except ValueError:
            report(f"[policy.fields] has {key!r}: give actor, event or source", key, section)
            continue
        valid = isinstance(names, list) and all(
            isinstance(n, str) and provenance.split(n) is not None and n.count(".") <= 1 for n in names
        )
        if not valid:
            report(f"[policy.fields] {key} must be a list of field names like [\"date\", \"roles.from\"]", key,
                   section)
            continue
        found[kind] = tuple(names)
    return found


# ---------------------------------------------------------------------------- review


@dataclass(frozen=True)
class EntryFile:
    """One entry's parsed kind file, as ``check`` read it."""

    id: str
    kind: Kind
    path: str
    data: Mapping[str, Any]
    text: str = ""


@dataclass(frozen=True)
class Shortfall:
    """An event whose status is stronger than its sources support."""

    entry_id: str
    status: str
    needs: str
    has: str


@dataclass
class KindCounts:
    entries: int = 0
    with_provenance: int = 0  # fields that have a [provenance] entry of their own
    sourced: int = 0  # ... of which name at least one source
    outside: int = 0  # ... of which rest on a note alone
    wanted: int = 0  # fields the policy wants backed
    lacking: int = 0  # ... that nothing backs

    def to_json(self) -> dict[str, int]:
        return dict(vars(self))


@dataclass
class Review:
    """The policy applied to a tree: counts per kind, the shortfalls, and the warnings they make."""

    counts: dict[Kind, KindCounts] = field(default_factory=dict)
    above_status: list[Shortfall] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "kinds": {kind.value: c.to_json() for kind, c in sorted(self.counts.items())},
            "above_status": [vars(s) for s in self.above_status],
        }


class PolicyFacts(NamedTuple):
    """What the policy reads of one entry's kind file: ``check`` keeps it in its cache.

    ``fields`` holds, for each pattern the policy names for the entry's kind (a top-level key, ``table.key``
    of an array of tables), how many fields it expands to and, of those nothing backs, each name with its line.
    """

    with_provenance: int
    sourced: int
    outside: int
    fields: dict[str, tuple[int, tuple[tuple[str, int | None], ...]]]
    status: str | None  # an event's status
    status_line: int | None
    cited: tuple[str, ...]  # an event's ``sources`` that are strings, in order
    sides: tuple[tuple[str, str | None], ...]  # an event's accounts: (by, source)
    reliability: str | None  # a source's grades and outlet
    credibility: int | None
    outlet: str | None  # case folded; None when it has none


def policy_facts(kind: Kind, data: Mapping[str, Any], text: str, patterns: Iterable[str] = ()) -> PolicyFacts:
    """The policy's facts of one parsed kind file (``text``: the file, for line numbers), with the fields
    of the policy's ``patterns`` for its kind."""
    backings, _ = provenance.read(data)
    with_provenance = sourced = outside = 0
    for key, backing in backings.items():
        parts = provenance.split(key)
        if parts is None or not provenance.exists(data, parts):
            continue
        with_provenance += 1
        if backing.outside:
            outside += 1
        else:
            sourced += 1
    lines = LineFinder(text)
    fields = {}
    for pattern in patterns:
        names = provenance.expand(data, pattern)
        fields[pattern] = (len(names), tuple((name, _field_line(lines, name)) for name in names
                                             if not is_backed(data, backings, name)))
    status = data.get("status") if kind is Kind.EVENT else None
    grade = data.get("credibility")
    outlet = data.get("outlet")
    reliability = data.get("reliability")
    return PolicyFacts(
        with_provenance, sourced, outside, fields,
        status if isinstance(status, str) else None, lines.line("status") if kind is Kind.EVENT else None,
        tuple(_ids(data.get("sources"))) if kind is Kind.EVENT else (),
        tuple((account["by"], account.get("source") if isinstance(account.get("source"), str) else None)
              for account in array_of_tables(data.get("accounts")) if isinstance(account.get("by"), str))
        if kind is Kind.EVENT else (),
        reliability if isinstance(reliability, str) else None,
        grade if isinstance(grade, int) and not isinstance(grade, bool) else None,
        outlet.strip().casefold() if isinstance(outlet, str) and outlet.strip() else None,
    )


class Checked(NamedTuple):
    """One readable entry as the policy sees it."""

    id: str
    kind: Kind
    path: str  # its kind file
    facts: PolicyFacts


def review(policy: Policy, entries: Iterable[EntryFile]) -> Review:
    """Check every entry against the policy."""
    entries = list(entries)
    # Each entry's facts are made as it is reviewed, not all kept at once (100,000 of them weigh):
    # only the sources' are needed beforehand, and only their grades and outlet, which no line needs.
    sources = {e.id: policy_facts(e.kind, e.data, "") for e in entries if e.kind is Kind.SOURCE}
    return review_checked(policy, (
        Checked(e.id, e.kind, e.path, policy_facts(e.kind, e.data, e.text, policy.fields.get(e.kind, ())))
        for e in entries), sources)


def review_checked(
    policy: Policy, entries: Iterable[Checked], sources: Mapping[str, PolicyFacts] | None = None
) -> Review:
    """Check every entry's facts against the policy (``entries`` in the order the tree is scanned;
    ``sources``: the facts of every source, when ``entries`` is not a list)."""
    if sources is None:
        entries = list(entries)
        sources = {e.id: e.facts for e in entries if e.kind is Kind.SOURCE}
    result = Review()
    for entry in entries:
        facts = entry.facts
        counts = result.counts.setdefault(entry.kind, KindCounts())
        counts.entries += 1
        counts.with_provenance += facts.with_provenance
        counts.sourced += facts.sourced
        counts.outside += facts.outside
        for pattern in policy.fields.get(entry.kind, ()):
            wanted, unbacked = facts.fields.get(pattern, (0, ()))
            counts.wanted += wanted
            counts.lacking += len(unbacked)
            for name, line in unbacked:
                result.problems.append(Problem(
                    entry.path,
                    f"'{name}' has no provenance: the policy wants a source for it; name one in [provenance], "
                    f"or say in a note where it comes from",
                    "policy-field", line, None, entry.id, Severity.WARNING,
                ))
        if entry.kind is Kind.EVENT:
            shortfall = _shortfall(policy, entry.id, facts, sources)
            if shortfall is not None:
                result.above_status.append(shortfall)
                result.problems.append(Problem(
                    entry.path,
                    f"status '{shortfall.status}' needs {shortfall.needs}; this event has {shortfall.has}",
                    "policy-status", facts.status_line, None, entry.id, Severity.WARNING,
                ))
    return result


def wanted_fields(policy: Policy, kind: Kind, data: Mapping[str, Any]) -> list[str]:
    """The fields of this entry the policy wants backed (only those the entry has)."""
    found: list[str] = []
    for pattern in policy.fields.get(kind, ()):
        found.extend(provenance.expand(data, pattern))
    return found


def is_backed(data: Mapping[str, Any], backings: Mapping[str, provenance.Backing], name: str) -> bool:
    """True when provenance covers the field, or the link or account it sits in cites a source."""
    if provenance.backing_for(backings, name) is not None:
        return True
    table, _, rest = name.partition(".")
    if rest and table in ("links", "accounts"):
        index = rest.split(".")[0]
        items = array_of_tables(data.get(table))
        if index.isdigit() and 1 <= int(index) <= len(items):
            item = items[int(index) - 1]
            cited = item.get("sources") if table == "links" else item.get("source")
            return bool(cited)
    return False


def lacking(policy: Policy, kind: Kind, data: Mapping[str, Any]) -> list[str]:
    """The fields of one entry the policy wants backed and nothing backs."""
    backings, _ = provenance.read(data)
    return [name for name in wanted_fields(policy, kind, data) if not is_backed(data, backings, name)]


def status_shortfall(
    policy: Policy, entry_id: str, data: Mapping[str, Any], sources: Mapping[str, Mapping[str, Any]]
) -> Shortfall | None:
    """How an event falls short of its status, or None when its sources support it."""
    return _shortfall(policy, entry_id, policy_facts(Kind.EVENT, data, ""),
                      {i: policy_facts(Kind.SOURCE, s, "") for i, s in sources.items()})


def _shortfall(
    policy: Policy, entry_id: str, facts: PolicyFacts, sources: Mapping[str, PolicyFacts]
) -> Shortfall | None:
    status = facts.status
    rule = policy.statuses.get(status) if status is not None else None
    if rule is None:
        return None
    cited = [s for s in dict.fromkeys(facts.cited) if s in sources]
    good = [s for s in cited if _meets(sources[s], rule)]
    independent = _independent(good, sources)
    sides = {by for by, source in facts.sides if source in sources}
    if len(independent) >= rule.sources and len(sides) >= rule.sides:
        return None
    has = []
    if rule.sources:
        if rule.reliability or rule.credibility:
            has.append(f"{len(independent)} that qualif{'y' if len(independent) != 1 else 'ies'}"
                       + (f" ({', '.join(independent)})" if independent else ""))
        else:
            has.append(f"{len(independent)}" + (f" ({', '.join(independent)})" if independent else ""))
    if rule.sides:
        has.append(f"accounts from {len(sides)} side{'s' if len(sides) != 1 else ''}")
    return Shortfall(entry_id, status, rule.describe(), " and ".join(has))  # type: ignore[arg-type]


def _meets(source: PolicyFacts, rule: StatusRule) -> bool:
    if rule.reliability:
        grade = source.reliability
        if grade not in RELIABILITY_GRADES or RELIABILITY_GRADES.index(grade) > RELIABILITY_GRADES.index(
            rule.reliability
        ):
            return False
    if rule.credibility:
        grade = source.credibility
        if grade is None or grade > rule.credibility:
            return False
    return True


def _independent(ids: list[str], sources: Mapping[str, PolicyFacts]) -> list[str]:
    """One source per outlet: two pieces from the same outlet are not independent of each other."""
    seen: set[str] = set()
    kept = []
    for source_id in ids:
        outlet = sources[source_id].outlet
        key = outlet if outlet is not None else "id:" + source_id
        if key not in seen:
            seen.add(key)
            kept.append(source_id)
    return kept


def _ids(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _field_line(lines: LineFinder, name: str) -> int | None:
    table, _, rest = name.partition(".")
    if not rest:
        return lines.line(table)
    index, _, key = rest.partition(".")
    return lines.line(key, table, int(index) - 1) if index.isdigit() else lines.line(table)
