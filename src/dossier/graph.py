"""Connections and paths between actors: who is linked to whom, through what, and on whose word.

Two actors are connected when they take part in the same event (its ``actors``, or an
``[[accounts]]`` given ``by`` them), when one's profile has a typed ``[[links]]`` to the
other, or when one holds a ``[[roles]]`` in the other (an organisation). Every connection
keeps its evidence (the event or the profile that states it) and that evidence's sources,
so every hop of a path can be checked.

The graph is built once, in memory, from the index (rows and references: no file is read)
or from entries already loaded for an export; queries then never touch the tree, except
for the few source files whose grades rank the answer (read once, then kept).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from dossier.model import CREDIBILITY_MEANING as CREDIBILITY_WORDS
from dossier.model import RELIABILITY_MEANING as RELIABILITY_WORDS
from dossier.model import Entry, Kind

if TYPE_CHECKING:
    from dossier.index import Index
    from dossier.store import Store

EVENT, LINK, ROLE = "event", "link", "role"
#: What ``--via`` accepts, and the kind of evidence each word selects.
VIA_WORDS = {"events": EVENT, "links": LINK, "roles": ROLE}
ALL_VIA = frozenset(VIA_WORDS.values())

#: Statuses whose events count as weak evidence: ranked after every other.
WEAK_STATUSES = frozenset({"disputed", "debunked"})


@dataclass(frozen=True)
class Grade:
    """A source's Admiralty grade; either half may be missing (never guessed)."""

    reliability: str | None = None
    credibility: int | None = None

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> Grade:
        reliability = data.get("reliability")
        credibility = data.get("credibility")
        if isinstance(reliability, str) and reliability.strip().upper() in RELIABILITY_WORDS:
            reliability = reliability.strip().upper()
        else:
            reliability = None
        if isinstance(credibility, str) and credibility.strip().isdigit():
            credibility = int(credibility.strip())
        if isinstance(credibility, bool) or not isinstance(credibility, int) or credibility not in CREDIBILITY_WORDS:
            credibility = None
        return cls(reliability, credibility)

    @property
    def code(self) -> str:
        """``B2``; ``B?`` or ``?2`` where half is missing; empty when both are."""
        if self.reliability is None and self.credibility is None:
            return ""
        return f"{self.reliability or '?'}{self.credibility if self.credibility is not None else '?'}"

    @property
    def words(self) -> str:
        """``B2 (usually reliable; probably true)``, or ``ungraded``."""
        if not self.code:
            return "ungraded"
        parts = [
            RELIABILITY_WORDS[self.reliability] if self.reliability else "reliability not graded",
            CREDIBILITY_WORDS[self.credibility] if self.credibility else "credibility not graded",
        ]
        return f"{self.code} ({'; '.join(parts)})"

    @property
    def score(self) -> int:
        """0 (ungraded or unjudgeable) to 10 (A1): how much weight the source carries."""
        rel = 5 - "ABCDE".index(self.reliability) if self.reliability in tuple("ABCDE") else 0
        cred = 6 - self.credibility if self.credibility in (1, 2, 3, 4, 5) else 0
        return rel + cred


class NodeLike(Protocol):
    """What the graph reads of an entry: a :class:`Node`, or the index's own ``Row`` as it is."""

    @property
    def id(self) -> str: ...
    @property
    def kind(self) -> Kind: ...
    @property
    def title(self) -> str: ...
    @property
    def main_file(self) -> str: ...
    @property
    def type(self) -> str | None: ...
    @property
    def date(self) -> str | None: ...
    @property
    def importance(self) -> int | None: ...
    @property
    def status(self) -> str | None: ...
    @property
    def outlet(self) -> str | None: ...


@dataclass(frozen=True)
class Node:
    """What the graph knows about an entry read from its files: the fields of an index row."""

    id: str
    kind: Kind
    title: str
    main_file: str = ""
    type: str | None = None
    date: str | None = None
    importance: int | None = None
    status: str | None = None
    outlet: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Evidence:
    """What connects actors: an event, a profile's link, or a profile's role.

    For an event ``id`` is the event's id and ``ends`` is empty (it joins all its actors);
    for a link or a role ``id`` is the actor whose profile states it, ``ends`` is
    (from, to) or (member, organisation), and ``number`` says which of that profile's
    ``[[links]]`` with a ``to``, or ``[[roles]]`` whose ``org`` is an id, it is (from 1: in a
    profile where every link has its ``to``, the n-th ``[[links]]`` table).
    """

    kind: str
    id: str
    title: str
    sources: tuple[str, ...] = ()
    ends: tuple[str, str] | tuple[()] = ()
    number: int = 0
    status: str | None = None
    date: str | None = None
    importance: int | None = None

    @property
    def weak(self) -> bool:
        return (self.status or "").lower() in WEAK_STATUSES

    def other(self, actor: str) -> str:
        a, b = self.ends  # type: ignore[misc]
        return b if a == actor else a


@dataclass
class Hop:
    """One step of a path: from one actor to the next, with every piece of evidence, strongest first."""

    start: str
    end: str
    evidence: list[Evidence]


@dataclass
class Chain:
    """A path between two actors."""

    actors: list[str]
    hops: list[Hop]
    strength: tuple[int, int, int] = (0, 0, 0)  # weak hops, graded weight, sources (see Graph.paths)


@dataclass
class Connection:
    """Another actor and everything that connects it to the one asked about."""

    actor: str
    events: list[Evidence] = field(default_factory=list)
    links: list[Evidence] = field(default_factory=list)
    roles: list[Evidence] = field(default_factory=list)  # one holds a role in the other
    organisations: list[str] = field(default_factory=list)  # both hold roles in these

    @property
    def count(self) -> int:
        return len(self.events) + len(self.links) + len(self.roles) + len(self.organisations)


class Graph:
    """Actors joined by evidence, held in memory; build with :meth:`from_index` or :meth:`from_entries`."""

    def __init__(self, nodes: Mapping[str, NodeLike], refs: Mapping[str, Iterable[tuple[str, str, str | None]]],
                 grade_of: Callable[[str], Grade | None] | None = None) -> None:
        self.nodes: dict[str, NodeLike] = dict(nodes)
        self.events_of: dict[str, list[str]] = {}  # actor -> events it takes part in
        self.actors_of: dict[str, list[str]] = {}  # event -> its actors (those that are actors)
        self.event_evidence: dict[str, Evidence] = {}
        self.links_of: dict[str, list[Evidence]] = {}  # actor -> links from or to it
        self.roles_of: dict[str, list[Evidence]] = {}  # actor -> roles it holds, or held in it
        self._grade_of = grade_of
        self._grades: dict[str, Grade | None] = {}
        self._build(refs)

    # -- building

    def _is_actor(self, entry_id: str) -> bool:
        node = self.nodes.get(entry_id)
        return node is not None and node.kind is Kind.ACTOR

    def _build(self, refs: Mapping[str, Iterable[tuple[str, str, str | None]]]) -> None:
        for entry_id, entry_refs in refs.items():
            node = self.nodes.get(entry_id)
            if node is None:
                continue
            if node.kind is Kind.EVENT:
                self._add_event(node, entry_refs)
            elif node.kind is Kind.ACTOR:
                self._add_profile(node, entry_refs)

    def _add_event(self, node: NodeLike, refs: Iterable[tuple[str, str, str | None]]) -> None:
        actors: dict[str, None] = {}
        sources: dict[str, None] = {}
        for ref_field, target, _label in refs:
            if ref_field in ("actors", "accounts.by") and self._is_actor(target):
                actors[target] = None
            elif ref_field in ("sources", "accounts.source"):
                sources[target] = None
        self.event_evidence[node.id] = Evidence(
            EVENT, node.id, node.title, tuple(sources), status=node.status, date=node.date,
            importance=node.importance,
        )
        self.actors_of[node.id] = list(actors)
        for actor in actors:
            self.events_of.setdefault(actor, []).append(node.id)

    def _add_profile(self, node: NodeLike, refs: Iterable[tuple[str, str, str | None]]) -> None:
        # References come in file order: a link's sources follow its ``to``.
        links: list[list[Any]] = []
        roles = 0
        for ref_field, target, label in refs:
            if ref_field == "links.to":
                links.append([target, label, []])
            elif ref_field == "links.sources" and links:
                links[-1][2].append(target)
            elif ref_field == "roles.org":
                roles += 1
                if target != node.id and self._is_actor(target):
                    evidence = Evidence(ROLE, node.id, label or "role", (), (node.id, target), roles)
                    self.roles_of.setdefault(node.id, []).append(evidence)
                    self.roles_of.setdefault(target, []).append(evidence)
        for number, (target, label, sources) in enumerate(links, 1):
            if target == node.id or not self._is_actor(target):
                continue
            evidence = Evidence(LINK, node.id, label or "linked to", tuple(sources), (node.id, target), number)
            self.links_of.setdefault(node.id, []).append(evidence)
            self.links_of.setdefault(target, []).append(evidence)

    @classmethod
    def from_index(cls, index: Index) -> Graph:
        """The graph of an indexed tree: rows and references from memory; grades read when asked."""
        refs = index.references()
        # The rows as they are (no copy, no sort): a large tree has tens of thousands.
        nodes = {entry_id: row for entry_id in refs if (row := index.row(entry_id)) is not None}
        return cls(nodes, refs, grades_from_files(index.store, nodes))

    @classmethod
    def from_entries(cls, entries: Iterable[Entry]) -> Graph:
        """The graph of entries already read (an export): grades come from their data."""
        nodes: dict[str, NodeLike] = {}
        refs: dict[str, list[tuple[str, str, str | None]]] = {}
        grades: dict[str, Grade] = {}
        for entry in entries:
            if entry.id in nodes:
                continue
            nodes[entry.id] = node_of(entry)
            refs[entry.id] = [(r.field, r.target, r.label) for r in entry.references]
            if entry.kind is Kind.SOURCE:
                grades[entry.id] = Grade.of(entry.data)
        return cls(nodes, refs, grades.get)

    # -- reading

    def actors(self) -> list[str]:
        return [node.id for node in self.nodes.values() if node.kind is Kind.ACTOR]

    def title(self, entry_id: str) -> str:
        node = self.nodes.get(entry_id)
        return node.title if node is not None else entry_id

    def grade(self, source_id: str) -> Grade | None:
        """A source's grade (None: no such source, or its file cannot be read)."""
        if source_id not in self._grades:
            self._grades[source_id] = self._grade_of(source_id) if self._grade_of is not None else None
        return self._grades[source_id]

    def neighbours(self, actor: str, via: frozenset[str] = ALL_VIA) -> dict[str, list[Evidence]]:
        """Every actor one hop from ``actor``, with the evidence of that hop (unsorted)."""
        found: dict[str, list[Evidence]] = {}
        if EVENT in via:
            for event in self.events_of.get(actor, ()):
                evidence = self.event_evidence[event]
                for other in self.actors_of[event]:
                    if other != actor:
                        found.setdefault(other, []).append(evidence)
        for kind, table in ((LINK, self.links_of), (ROLE, self.roles_of)):
            if kind in via:
                for evidence in table.get(actor, ()):
                    found.setdefault(evidence.other(actor), []).append(evidence)
        return found

    def _neighbour_ids(self, actor: str, via: frozenset[str], expanded: set[str]) -> Iterable[str]:
        """Neighbours for a breadth-first walk: an event already expanded adds nobody new."""
        if EVENT in via:
            for event in self.events_of.get(actor, ()):
                if event not in expanded:
                    expanded.add(event)
                    yield from self.actors_of[event]
        for kind, table in ((LINK, self.links_of), (ROLE, self.roles_of)):
            if kind in via:
                for evidence in table.get(actor, ()):
                    yield evidence.other(actor)

    # -- ranking evidence

    def _quick_key(self, evidence: Evidence) -> tuple[Any, ...]:
        return (evidence.weak, -len(evidence.sources), -(evidence.importance or 0), evidence.kind, evidence.id)

    def best_grade(self, evidence: Evidence) -> int:
        return max((g.score for g in map(self.grade, evidence.sources) if g is not None), default=0)

    def rank(self, evidence: Iterable[Evidence], graded: int = 4) -> list[Evidence]:
        """Strongest first: not disputed, best-graded source, most sources, most important.

        Only the ``graded`` strongest by the cheap measures have their sources' grades read.
        """
        quick = sorted(set(evidence), key=self._quick_key)
        head = sorted(quick[:graded], key=lambda e: (e.weak, -self.best_grade(e), *self._quick_key(e)[1:]))
        return head + quick[graded:]

    # -- paths

    def paths(self, start: str, end: str, *, max_hops: int = 6, via: frozenset[str] = ALL_VIA,
              limit: int = 5, slack: int = 1) -> list[Chain]:
        """The shortest chains from ``start`` to ``end``, ranked; up to ``slack`` hops longer when short.

        Ranked by hops, then fewest disputed or debunked hops, then the best grades of each
        hop's strongest evidence, then the number of sources. Chains one hop longer are
        offered only when the shortest has at most two hops: finding them means walking most
        of a large graph, and a long detour is rarely better evidence than a shorter chain.
        """
        if start == end or start not in self.nodes or end not in self.nodes:
            return []
        met = self._meet(start, end, max_hops, via)
        if met is None:
            return []
        hops, from_start, from_end, radius = met
        near_of: dict[str, dict[str, list[Evidence]]] = {}

        def near(actor: str) -> dict[str, list[Evidence]]:
            if actor not in near_of:
                near_of[actor] = self.neighbours(actor, via)
            return near_of[actor]

        if hops <= 2 and slack > 0:
            budget = min(max_hops, hops + slack)
            distance = self._distances(end, start, budget, via, slack)

            def allowed(actor: str, position: int, trail: list[str]) -> bool:
                # No shortcut: an actor next to an earlier one than the last (two actors of one
                # event, say) would make a longer copy of a shorter chain.
                return (distance.get(actor, math.inf) <= budget - position
                        and not any(actor in near(earlier) for earlier in trail[:-1]))
        else:
            budget = hops

            def allowed(actor: str, position: int, trail: list[str]) -> bool:
                # On a shortest chain the actor at each position is that many hops from the start
                # and the rest from the end (each side of the meeting point knows its half).
                if position < radius:
                    return from_start.get(actor) == position
                if position == radius:
                    return from_start.get(actor) == position and from_end.get(actor) == hops - position
                return from_end.get(actor) == hops - position

        found: list[list[str]] = []
        cap = max(limit * 4, 20)
        steps = [0]

        def walk(actor: str, trail: list[str]) -> None:
            if len(found) >= cap or steps[0] > 5000:
                return
            steps[0] += 1
            if actor == end:
                found.append(list(trail))
                return
            if len(trail) > budget:
                return
            here = near(actor)
            options = [v for v in here if v not in trail and allowed(v, len(trail), trail)]
            options.sort(key=lambda v: min(self._quick_key(e) for e in here[v]))
            for other in options:
                trail.append(other)
                walk(other, trail)
                trail.pop()

        walk(start, [start])
        chains = []
        for actors in found:
            chain_hops = [Hop(a, b, self.rank(near(a).get(b, []))) for a, b in zip(actors, actors[1:], strict=False)]
            weak = sum(1 for hop in chain_hops if hop.evidence[0].weak)
            graded = sum(self.best_grade(hop.evidence[0]) for hop in chain_hops)
            sources = sum(len(hop.evidence[0].sources) for hop in chain_hops)
            chains.append(Chain(actors, chain_hops, (weak, graded, sources)))
        chains.sort(key=lambda c: (len(c.hops), c.strength[0], -c.strength[1], -c.strength[2], c.actors))
        return chains[:limit]

    def _layer(self, frontier: list[str], distance: dict[str, int], depth: int, via: frozenset[str],
               expanded: set[str]) -> list[str]:
        following = []
        for actor in frontier:
            for other in self._neighbour_ids(actor, via, expanded):
                if other not in distance:
                    distance[other] = depth
                    following.append(other)
        return following

    def _meet(self, start: str, end: str, max_hops: int,
              via: frozenset[str]) -> tuple[int, dict[str, int], dict[str, int], int] | None:
        """Breadth-first from both ends, the smaller side first, until they meet.

        Returns (hops, distances from start, distances from end, how many hops the start's
        side walked); None when no chain of at most ``max_hops`` exists. The sides meet when
        the first actor is reached from both: the two walks' depths then add up to the
        shortest chain's length (before that step they were disjoint).
        """
        from_start, from_end = {start: 0}, {end: 0}
        front_start, front_end = [start], [end]
        seen_start: set[str] = set()
        seen_end: set[str] = set()
        depth_start = depth_end = 0
        while front_start and front_end and depth_start + depth_end < max_hops:
            if len(front_start) <= len(front_end):
                depth_start += 1
                front_start = self._layer(front_start, from_start, depth_start, via, seen_start)
                met = any(actor in from_end for actor in front_start)
            else:
                depth_end += 1
                front_end = self._layer(front_end, from_end, depth_end, via, seen_end)
                met = any(actor in from_start for actor in front_end)
            if met:
                return depth_start + depth_end, from_start, from_end, depth_start
        return None

    def _distances(self, origin: str, target: str, max_hops: int, via: frozenset[str],
                   slack: int) -> dict[str, int]:
        """Hops from ``origin`` to every actor, up to ``target``'s distance plus ``slack``."""
        distance = {origin: 0}
        frontier = [origin]
        expanded: set[str] = set()
        depth = 0
        stop = max_hops
        while frontier and depth < stop:
            depth += 1
            frontier = self._layer(frontier, distance, depth, via, expanded)
            if target in distance:
                stop = min(stop, distance[target] + slack)
        return distance

    # -- connections

    def connections(self, actor: str, via: frozenset[str] = ALL_VIA) -> list[Connection]:
        """Every actor connected to ``actor``, strongest first (most evidence, then best sourced)."""
        found: dict[str, Connection] = {}

        def of(other: str) -> Connection:
            if other not in found:
                found[other] = Connection(other)
            return found[other]

        for other, evidence in self.neighbours(actor, via).items():
            connection = of(other)
            for item in evidence:
                {EVENT: connection.events, LINK: connection.links, ROLE: connection.roles}[item.kind].append(item)
        if ROLE in via:
            for role in self.roles_of.get(actor, ()):
                member, organisation = role.ends  # type: ignore[misc]
                if member != actor:
                    continue
                for other_role in self.roles_of.get(organisation, ()):
                    other = other_role.ends[0]  # type: ignore[misc]
                    if other != actor and other_role.ends[1] == organisation:  # type: ignore[misc]
                        orgs = of(other).organisations
                        if organisation not in orgs:
                            orgs.append(organisation)
        for connection in found.values():
            connection.events = sorted(set(connection.events), key=self._quick_key)
            connection.links.sort(key=self._quick_key)
        return sorted(found.values(), key=lambda c: (
            -c.count, -sum(len(e.sources) for e in (*c.events, *c.links)), self.title(c.actor).casefold(), c.actor))


def grades_from_files(store: Store, nodes: Mapping[str, NodeLike]) -> Callable[[str], Grade | None]:
    """Grades read from the source's own file when first asked for (the index does not keep them)."""
    from dossier.store import MAX_TOML_BYTES, StoreError, parse_toml, read_user_text

    def grade_of(source_id: str) -> Grade | None:
        node = nodes.get(source_id)
        if node is None or node.kind is not Kind.SOURCE or not node.main_file:
            return None
        try:
            path = store.path(node.main_file)
        except StoreError:  # a path outside the tree: no grade rather than a read
            return None
        text, problems = read_user_text(path, node.main_file, MAX_TOML_BYTES, source_id)
        if text is None or problems:
            return None
        data, _problems = parse_toml(text, node.main_file, source_id)
        return Grade.of(data) if data is not None else None

    return grade_of


def node_of(entry: Entry) -> Node:
    """An entry as a graph node (the fields the index keeps in its rows)."""
    data = entry.data
    importance = data.get("importance")
    if isinstance(importance, bool) or not isinstance(importance, int):
        importance = None
    date = entry.date

    def text(key: str) -> str | None:
        value = data.get(key)
        return value if isinstance(value, str) and value.strip() else None

    return Node(entry.id, entry.kind, entry.title, entry.main_file, text("type"), str(date) if date else None,
                importance, text("status"), text("outlet") if entry.kind is Kind.SOURCE else None, tuple(entry.tags))


def parse_via(text: str | None) -> frozenset[str]:
    """``--via events,links`` as evidence kinds; ValueError names an unknown word."""
    if not text:
        return ALL_VIA
    kinds = set()
    for word in (w.strip().lower() for w in text.split(",")):
        if not word:
            continue
        if word not in VIA_WORDS:
            raise ValueError(f"--via takes events, links and roles, not {word!r}")
        kinds.add(VIA_WORDS[word])
    return frozenset(kinds) or ALL_VIA


# -------------------------------------------------------------------- as data


def source_json(graph: Graph, source_id: str) -> dict[str, Any]:
    """A cited source: id, title, outlet, date and grade (code and words); ``missing`` when no entry has the id."""
    node = graph.nodes.get(source_id)
    if node is None or node.kind is not Kind.SOURCE:
        return {"id": source_id, "missing": True}
    grade = graph.grade(source_id) or Grade()
    return {"id": source_id, "title": node.title, "outlet": node.outlet, "date": node.date,
            "grade": grade.code or None, "grade_words": grade.words}


def evidence_json(graph: Graph, evidence: Evidence) -> dict[str, Any]:
    """One piece of evidence with its sources resolved and graded."""
    result: dict[str, Any] = {"kind": evidence.kind, "id": evidence.id, "title": evidence.title}
    if evidence.kind == EVENT:
        result.update(date=evidence.date, status=evidence.status, importance=evidence.importance)
    elif evidence.kind == LINK:
        result.update({"from": evidence.ends[0], "to": evidence.ends[1], "number": evidence.number})
    else:
        result.update({"member": evidence.ends[0], "organisation": evidence.ends[1], "number": evidence.number})
    result["sources"] = [source_json(graph, s) for s in evidence.sources]
    return result


def short(evidence: Evidence) -> str:
    """The evidence in a few words: an event's id, a link's or a role's wording."""
    if evidence.kind == EVENT:
        return evidence.id
    return f"{evidence.kind} “{evidence.title}”"


def describe(graph: Graph, evidence: Evidence) -> str:
    """One line that says what the evidence is, in the user's words (for a terminal or a page)."""
    if evidence.kind == EVENT:
        marks = ", ".join(x for x in (evidence.date, evidence.status) if x)
        return f"event “{evidence.title}”" + (f" ({marks})" if marks else "")
    a, b = evidence.ends  # type: ignore[misc]
    if evidence.kind == LINK:
        return f"link: {graph.title(a)} — {evidence.title} — {graph.title(b)} (in {a}'s profile)"
    return f"role: {graph.title(a)} is {evidence.title} at {graph.title(b)}"
