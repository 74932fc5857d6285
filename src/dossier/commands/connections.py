"""``dossier connections``: the actors connected to one actor, grouped by how, strongest first."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from rich.text import Text

from dossier.commands import FINDINGS, OK, Command, Context
from dossier.commands.path import actor_id, evidence_lines, open_graph, via_arg
from dossier.graph import GROUP_TITLES, groups
from dossier.safe import clean

if TYPE_CHECKING:
    from dossier.graph import Connection, Graph


def connection_json(graph: Graph, connection: Connection) -> dict[str, Any]:
    from dossier.graph import evidence_json

    return {
        "id": connection.actor,
        "name": graph.title(connection.actor),
        "count": connection.count,
        "events": [evidence_json(graph, e) for e in connection.events],
        "links": [evidence_json(graph, e) for e in connection.links],
        "roles": [evidence_json(graph, e) for e in connection.roles],
        "organisations": [{"id": o, "name": graph.title(o)} for o in connection.organisations],
    }


class Connections(Command):
    """List the actors connected to one actor: shared events, links, roles, same organisation.

    Grouped by how they connect, strongest first (most shared events, then the
    best-sourced), with counts; each line names its evidence. --verbose lists
    every piece of evidence with its sources and their grades. Exit 1 when the
    actor has no connection.

    Example: dossier connections mark-milley --via events,links
    """

    name = "connections"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("actor", help="the actor's id")
        parser.add_argument("--via", metavar="KINDS", help="which connections: events,links,roles (all)")
        parser.add_argument("--limit", type=int, default=20, metavar="N", help="actors shown per group (20)")
        # -v/--verbose is the global option (add_global_options); here it lists every piece of evidence.

    def run(self, args: argparse.Namespace, context: Context) -> int:
        via = via_arg(args.via)
        graph = open_graph(context)
        actor = actor_id(graph, args.actor)
        connections = graph.connections(actor, via)
        grouped = groups(connections)
        if args.json:
            context.print_json({
                "actor": actor, "name": graph.title(actor), "count": len(connections),
                "connections": [connection_json(graph, c) for c in connections],
                "groups": {name: [c.actor for c in members] for name, members in grouped.items()},
            })
            return OK if connections else FINDINGS
        out = context.out
        head = Text(clean(graph.title(actor)), style="bold")
        head.append(f"  {len(connections)} connected actor{'s' if len(connections) != 1 else ''}", style="dim")
        out.print(head)
        for name, members in grouped.items():
            if not members:
                continue
            out.print(Text(f"\n{GROUP_TITLES[name]} ({len(members)})", style="bold cyan"))
            for connection in members[: args.limit]:
                items = {"events": connection.events, "links": connection.links, "roles": connection.roles}.get(name)
                line = Text("  ")
                line.append(clean(graph.title(connection.actor), 60), style="bold")
                line.append(f"  {clean(connection.actor)}", style="dim")
                if items is not None:
                    line.append(f"  {len(items)}: " + clean("; ".join(e.title for e in items[:3]), 120)
                                + (" …" if len(items) > 3 else ""))
                else:
                    line.append("  at " + clean(", ".join(graph.title(o) for o in connection.organisations), 120))
                out.print(line)
                if args.verbose and items:
                    for evidence in items:
                        for text in evidence_lines(graph, evidence, "      "):
                            out.print(text)
            if len(members) > args.limit:
                out.print(Text(f"  and {len(members) - args.limit} more (--limit, or --json)", style="dim"))
        return OK if connections else FINDINGS
