"""The actors and what connects them, as GraphML or GEXF, for Gephi, Cytoscape and networkx.

Nodes are actors (name, type); an edge joins two actors for each way they connect:
``event`` (weight = events shared, ``ids`` = those events), ``link`` (a profile's typed
links, from the profile's actor to the other: ``label`` = their ``rel``, ``ids`` =
``actor#links[n]``) and ``role`` (member to organisation: ``label`` = the role titles).
The graph is undirected (Gephi and networkx read a mixed graph badly); a link's
direction is kept in the edge's ``source`` and ``target`` and its ``directed`` mark.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TextIO
from xml.etree import ElementTree as ET

from dossier.graph import EVENT, LINK, ROLE, Graph


@dataclass
class Edge:
    source: str
    target: str
    kind: str
    ids: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)

    @property
    def weight(self) -> int:
        return len(self.ids)


def edges(graph: Graph) -> Iterator[Edge]:
    """Every edge, in a fixed order (so the same tree gives the same file)."""
    found: dict[tuple[str, str, str], Edge] = {}
    for event in sorted(graph.actors_of):
        actors = sorted(set(graph.actors_of[event]))
        for i, a in enumerate(actors):
            for b in actors[i + 1:]:
                found.setdefault((a, b, EVENT), Edge(a, b, EVENT)).ids.append(event)
    for table, kind in ((graph.links_of, LINK), (graph.roles_of, ROLE)):
        seen = set()
        for evidence_list in table.values():
            for evidence in evidence_list:
                if evidence in seen:
                    continue
                seen.add(evidence)
                a, b = evidence.ends  # type: ignore[misc]
                edge = found.setdefault((a, b, kind), Edge(a, b, kind))
                edge.ids.append(f"{evidence.id}#{'links' if kind == LINK else 'roles'}[{evidence.number}]")
                edge.labels.append(evidence.title)
    for key in sorted(found):
        edge = found[key]
        order = sorted(range(len(edge.ids)), key=lambda i: edge.ids[i])
        edge.ids = [edge.ids[i] for i in order]
        edge.labels = [edge.labels[i] for i in order] if edge.labels else []
        yield edge


_NODE_KEYS = (("name", "string"), ("type", "string"))
_EDGE_KEYS = (("kind", "string"), ("weight", "double"), ("ids", "string"), ("label", "string"),
              ("directed", "boolean"))


def _xml_text(value: str) -> str:
    # XML 1.0 cannot carry most control characters at all, even escaped: drop them.
    return "".join(ch for ch in value if ch in "\t\n\r" or ord(ch) >= 0x20)


def to_graphml(graph: Graph, out: TextIO) -> tuple[int, int]:
    """Write GraphML; returns (nodes, edges)."""
    ns = "http://graphml.graphdrawing.org/xmlns"
    root = ET.Element("graphml", {"xmlns": ns})
    for name, kind in _NODE_KEYS:
        ET.SubElement(root, "key", {"id": name, "for": "node", "attr.name": name, "attr.type": kind})
    for name, kind in _EDGE_KEYS:
        ET.SubElement(root, "key", {"id": name, "for": "edge", "attr.name": name, "attr.type": kind})
    body = ET.SubElement(root, "graph", {"id": "dossier", "edgedefault": "undirected"})
    actors = sorted(graph.actors())
    for actor in actors:
        node = ET.SubElement(body, "node", {"id": actor})
        ET.SubElement(node, "data", {"key": "name"}).text = _xml_text(graph.title(actor))
        ET.SubElement(node, "data", {"key": "type"}).text = _xml_text(graph.nodes[actor].type or "")
    count = 0
    for count, edge in enumerate(edges(graph), 1):  # noqa: B007 (the count is returned)
        element = ET.SubElement(body, "edge", {"id": f"e{count}", "source": edge.source, "target": edge.target})
        values = {"kind": edge.kind, "weight": str(edge.weight), "ids": ";".join(edge.ids),
                  "label": "; ".join(edge.labels), "directed": "true" if edge.kind == LINK else "false"}
        for name, _kind in _EDGE_KEYS:
            ET.SubElement(element, "data", {"key": name}).text = _xml_text(values[name])
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode") + "\n")
    return len(actors), count


def to_gexf(graph: Graph, out: TextIO) -> tuple[int, int]:
    """Write GEXF 1.3 (Gephi's own format); returns (nodes, edges)."""
    root = ET.Element("gexf", {"xmlns": "http://gexf.net/1.3", "version": "1.3"})
    body = ET.SubElement(root, "graph", {"defaultedgetype": "undirected", "mode": "static"})
    node_attrs = ET.SubElement(body, "attributes", {"class": "node"})
    ET.SubElement(node_attrs, "attribute", {"id": "type", "title": "type", "type": "string"})
    edge_attrs = ET.SubElement(body, "attributes", {"class": "edge"})
    for name in ("kind", "ids"):
        ET.SubElement(edge_attrs, "attribute", {"id": name, "title": name, "type": "string"})
    nodes = ET.SubElement(body, "nodes")
    actors = sorted(graph.actors())
    for actor in actors:
        node = ET.SubElement(nodes, "node", {"id": actor, "label": _xml_text(graph.title(actor))})
        values = ET.SubElement(node, "attvalues")
        ET.SubElement(values, "attvalue", {"for": "type", "value": _xml_text(graph.nodes[actor].type or "")})
    edge_list = ET.SubElement(body, "edges")
    count = 0
    for count, edge in enumerate(edges(graph), 1):  # noqa: B007 (the count is returned)
        element = ET.SubElement(edge_list, "edge", {
            "id": f"e{count}", "source": edge.source, "target": edge.target, "weight": str(edge.weight),
            "label": _xml_text("; ".join(edge.labels) or edge.kind),
        })
        values = ET.SubElement(element, "attvalues")
        ET.SubElement(values, "attvalue", {"for": "kind", "value": edge.kind})
        ET.SubElement(values, "attvalue", {"for": "ids", "value": _xml_text(";".join(edge.ids))})
    ET.indent(root)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(root, encoding="unicode") + "\n")
    return len(actors), count
