"""``dossier path``: how one actor is connected to another, hop by hop, with the evidence of each hop."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from rich.text import Text

from dossier.commands import FINDINGS, OK, Command, Context, UsageError
from dossier.model import Kind
from dossier.safe import clean

if TYPE_CHECKING:
    from dossier.graph import Chain, Evidence, Graph

#: Sources listed under one hop's evidence before "and N more".
SHOWN_SOURCES = 4


def open_graph(context: Context) -> Graph:
    """The tree's graph, built from its index (brought up to date first)."""
    from dossier.commands.index import open_index
    from dossier.graph import Graph

    index = open_index(context, context.store())
    try:
        return Graph.from_index(index)
    finally:
        index.close()


def actor_id(graph: Graph, typed: str) -> str:
    """An actor's id from what the user typed: the id, or an exact name or alias; else a usage error."""
    node = graph.nodes.get(typed)
    if node is not None and node.kind is Kind.ACTOR:
        return typed
    if node is not None:
        raise UsageError(f"{typed!r} is {'an' if node.kind is Kind.EVENT else 'a'} {node.kind.value}, not an actor")
    wanted = typed.strip().casefold()
    named = sorted(n.id for n in graph.nodes.values() if n.kind is Kind.ACTOR and n.title.casefold() == wanted)
    if len(named) == 1:
        return named[0]
    from dossier.model import suggest_id

    hint = suggest_id(typed, graph.actors())
    raise UsageError(f"no actor with id {typed!r}" + (f" (did you mean {hint!r}?)" if hint else ""))


def via_arg(text: str | None) -> frozenset[str]:
    from dossier.graph import parse_via

    try:
        return parse_via(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def evidence_lines(graph: Graph, evidence: Evidence, indent: str = "    ") -> list[Text]:
    """The evidence named, then its sources with their grades in words."""
    from dossier.graph import describe, source_json

    line = Text(indent)
    line.append(clean(evidence.id), style="bold")
    line.append("  " + clean(describe(graph, evidence), 200))
    lines = [line]
    if not evidence.sources:
        lines.append(Text(indent + "  no source given", style="yellow"))
    for source_id in evidence.sources[:SHOWN_SOURCES]:
        source = source_json(graph, source_id)
        text = Text(indent + "  source ")
        text.append(clean(source_id), style="cyan")
        if source.get("missing"):
            text.append("  (missing: no source has this id)", style="red")
        else:
            details = [x for x in (source["outlet"], source["date"]) if x]
            text.append("  " + clean(", ".join(details)) if details else "", style="dim")
            text.append(f"  {source['grade_words']}")
        lines.append(text)
    if len(evidence.sources) > SHOWN_SOURCES:
        lines.append(Text(f"{indent}  and {len(evidence.sources) - SHOWN_SOURCES} more sources (--json lists all)",
                          style="dim"))
    return lines


def chain_json(graph: Graph, chain: Chain) -> dict[str, Any]:
    from dossier.graph import evidence_json

    weak, graded, sources = chain.strength
    return {
        "actors": [{"id": a, "name": graph.title(a)} for a in chain.actors],
        "hops": [
            {"from": hop.start, "to": hop.end, "via": [evidence_json(graph, e) for e in hop.evidence]}
            for hop in chain.hops
        ],
        "disputed_hops": weak,
        "grade_weight": graded,
        "sources": sources,
    }


class PathCommand(Command):
    """Show how two actors are connected: the shortest chains through shared events, links and roles.

    Each hop names the event, link or role that makes it and that evidence's
    sources with their grades (Admiralty code, in words); other evidence for
    the same hop is counted after it. Chains are ranked by hops, then by their
    sourcing: disputed or debunked events last, then the best grades, then the
    number of sources. Actors are given by id (or exact name). Exit 1 when no
    chain is found within --max-hops.

    Example: dossier path mark-milley pete-hegseth --via events
    """

    name = "path"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("start", metavar="A", help="the first actor's id")
        parser.add_argument("end", metavar="B", help="the other actor's id")
        parser.add_argument("--max-hops", type=int, default=6, metavar="N", help="longest chain to look for (6)")
        parser.add_argument("--via", metavar="KINDS", help="what may make a hop: events,links,roles (all)")
        parser.add_argument("--limit", type=int, default=5, metavar="N", help="how many chains to show (5)")

    def run(self, args: argparse.Namespace, context: Context) -> int:
        if args.max_hops < 1 or args.limit < 1:
            raise UsageError("--max-hops and --limit take a number of at least 1")
        via = via_arg(args.via)
        graph = open_graph(context)
        start, end = actor_id(graph, args.start), actor_id(graph, args.end)
        if start == end:
            raise UsageError("give two different actors")
        chains = graph.paths(start, end, max_hops=args.max_hops, via=via, limit=args.limit)
        if args.json:
            context.print_json({"from": start, "to": end, "max_hops": args.max_hops,
                                "via": sorted(via), "chains": [chain_json(graph, c) for c in chains]})
            return OK if chains else FINDINGS
        from dossier.graph import short

        out = context.out
        if not chains:
            out.print(Text(f"No chain from {clean(start)} to {clean(end)} within {args.max_hops} hops.",
                           style="yellow"))
            return FINDINGS
        for number, chain in enumerate(chains, 1):
            head = Text(f"{number}. ", style="bold")
            head.append(" → ".join(clean(graph.title(a), 60) for a in chain.actors), style="bold")
            head.append(f"  ({len(chain.hops)} hop{'s' if len(chain.hops) > 1 else ''})", style="dim")
            out.print(head)
            for hop in chain.hops:
                out.print(Text(f"  {clean(graph.title(hop.start), 60)} → {clean(graph.title(hop.end), 60)}"))
                best, *others = hop.evidence
                for line in evidence_lines(graph, best):
                    out.print(line)
                if others:
                    shown = "; ".join(clean(short(e), 80) for e in others[:3]) + (" …" if len(others) > 3 else "")
                    out.print(Text(f"    also: {len(others)} more ({shown})", style="dim"))
            out.print()
        return OK
