"""Connections, paths, chronology and graph export on a generated tree.

    .venv/bin/python bench/bench_graph.py [N ...]        (default N = 20000)

Generates a tree of N entries (bench/generate.py) in a temporary folder, then measures:

- graph export: what ``dossier export --format graphml`` (and gexf) does: read every entry,
  build the graph, write the file; against the floor of reading every entry alone;
- path and connections: queries on the graph held in memory, with source grades read
  from the source files when first asked for (as ``dossier path`` does on a graph built
  from the index); random actor pairs and actors (fixed seed); median and 95th percentile;
  against the floor of one breadth-first walk over the whole graph;
- chronology: the 500 oldest events with every source they cite, read and written as
  Markdown and as HTML; against the floor of loading those entries alone.

Building the Whoosh index is not part of this benchmark (see bench_index.py): the graph
is built from the same rows and references the index holds, read from the files here.
Prints a table and appends it to bench/README.md with the machine noted.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from common import append_to_readme, machine, median, p95  # noqa: E402
from generate import generate  # noqa: E402

from dossier.exporters import load_entries  # noqa: E402
from dossier.exporters.chronology import build, to_html, to_markdown  # noqa: E402
from dossier.exporters.graphml import to_gexf, to_graphml  # noqa: E402
from dossier.graph import ALL_VIA, Graph, grades_from_files, node_of  # noqa: E402
from dossier.model import Kind  # noqa: E402
from dossier.store import Store  # noqa: E402

PAIRS = 40
ACTORS = 40
CHRONOLOGY_EVENTS = 500


def timed(action):  # noqa: ANN001, ANN201
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def measure(n: int, folder: Path) -> dict[str, str]:
    tree = folder / f"tree-{n}"
    generate(n, tree)
    store = Store(tree)
    rows: dict[str, str] = {}

    loaded, floor_load = timed(lambda: load_entries(store, with_texts=False))
    rows["floor: read and parse every entry"] = f"{floor_load:.2f} s"

    def export(writer) -> tuple[int, int]:  # noqa: ANN001
        graph = Graph.from_entries(load_entries(store, with_texts=False).entries)
        return writer(graph, io.StringIO())

    (nodes, edges), graphml = timed(lambda: export(to_graphml))
    _, gexf = timed(lambda: export(to_gexf))
    rows["graph: actors / edges"] = f"{nodes:,} / {edges:,}"
    rows["graph export, GraphML (read + build + write)"] = f"{graphml:.2f} s ({graphml / floor_load:.2f}x floor)"
    rows["graph export, GEXF"] = f"{gexf:.2f} s"

    entries = loaded.entries
    nodes_by_id = {entry.id: node_of(entry) for entry in entries}
    refs = {entry.id: [(r.field, r.target, r.label) for r in entry.references] for entry in entries}
    graph, build_time = timed(lambda: Graph(nodes_by_id, refs, grades_from_files(store, nodes_by_id)))
    rows["graph build in memory (from rows and references)"] = f"{build_time * 1000:.0f} ms"

    actors = sorted(graph.actors())
    walks = []
    for actor in random.Random(3).sample(actors, 5):
        _, seconds = timed(lambda a=actor: graph._distances(a, "", 10_000, ALL_VIA, 0))  # noqa: SLF001
        walks.append(seconds)
    rows["floor: breadth-first walk of the whole graph (median)"] = f"{median(walks) * 1000:.1f} ms"

    rng = random.Random(1)
    path_times, hops, found = [], [], 0
    for _ in range(PAIRS):
        a, b = rng.sample(actors, 2)
        chains, seconds = timed(lambda a=a, b=b: graph.paths(a, b))
        path_times.append(seconds)
        if chains:
            found += 1
            hops.append(len(chains[0].hops))
    rows[f"path, {PAIRS} random pairs: median / p95"] = (
        f"{median(path_times) * 1000:.1f} / {p95(path_times) * 1000:.1f} ms "
        f"({found} found, hops median {median(hops) if hops else '-'})")

    connection_times, sizes = [], []
    for actor in random.Random(2).sample(actors, ACTORS):
        result, seconds = timed(lambda a=actor: graph.connections(a))
        connection_times.append(seconds)
        sizes.append(len(result))
    busiest = max(actors, key=lambda a: len(graph.events_of.get(a, ())))
    busiest_result, busiest_time = timed(lambda: graph.connections(busiest))
    rows[f"connections, {ACTORS} random actors: median / p95"] = (
        f"{median(connection_times) * 1000:.1f} / {p95(connection_times) * 1000:.1f} ms "
        f"(median {median(sizes):.0f} connected)")
    rows["connections of the busiest actor"] = (
        f"{busiest_time * 1000:.1f} ms ({len(graph.events_of.get(busiest, ()))} events, "
        f"{len(busiest_result)} connected)")

    events = sorted((e for e in entries if e.kind is Kind.EVENT),
                    key=lambda e: (e.date.sort_key if e.date else "~", e.id))
    chosen = [e.id for e in events[:CHRONOLOGY_EVENTS]]

    def floor_chronology() -> None:
        for entry_id in chosen:
            entry = store.load(entry_id)
            for source in entry.data.get("sources", []):
                store.load(source)

    _, floor_chron = timed(floor_chronology)
    chronology, chron_build = timed(lambda: build(store, chosen, "Chronology", "Every event"))
    markdown, md_time = timed(lambda: to_markdown(chronology))
    _, html_time = timed(lambda: to_html(chronology))
    total = chron_build + md_time
    rows["floor: load the 500 events and their sources"] = f"{floor_chron:.2f} s"
    rows[f"chronology of {len(chronology.lines)} events, {len(chronology.footnotes)} sources: Markdown"] = (
        f"{total:.2f} s (read {chron_build:.2f} s + write {md_time * 1000:.0f} ms; {len(markdown) // 1024} KB)")
    rows["chronology: HTML (write, same content)"] = f"{html_time * 1000:.0f} ms"
    return rows


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [20_000]
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for n in sizes:
            print(f"N = {n:,} …", file=sys.stderr)
            results[n] = measure(n, Path(folder))
    labels = list(dict.fromkeys(label for rows in results.values() for label in rows))
    header = "| measure | " + " | ".join(f"N = {n:,}" for n in sizes) + " |"
    lines = [header, "|---|" + "---|" * len(sizes)]
    for label in labels:
        lines.append(f"| {label} | " + " | ".join(results[n].get(label, "") for n in sizes) + " |")
    table = "\n".join(lines)
    print(table)
    append_to_readme(
        f"## Graph benchmark, {dt.date.today().isoformat()}\n\n"
        f"`bench/bench_graph.py`: paths, connections, chronology and graph export. Machine: {machine()} "
        "(shared with other work while measuring: figures are noisy; compare with the floors of the same run).\n\n"
        + table
    )


if __name__ == "__main__":
    main()
