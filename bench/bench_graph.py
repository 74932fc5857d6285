"""Connections, paths, chronology and graph export on a generated tree.

    .venv/bin/python bench/bench_graph.py [N ...]        (default N = 20000)

Generates a tree of N entries (bench/generate.py) in a temporary folder, then measures:

- the index is built once (setup; bench_index.py measures it), then every figure is what a
  command does on an index that is up to date: open it, reconcile (nothing changed), build
  the graph from its rows and references;
- graph export: what ``dossier export --format graphml`` (and gexf) does, and the same
  graph made by reading every entry instead; against the floor of reading every entry;
- path and connections: queries on the graph held in memory, with source grades read
  from the source files when first asked for (as ``dossier path`` does); random actor
  pairs and actors (fixed seed); median and 95th percentile; against the floor of one
  breadth-first walk over the whole graph;
- chronology: the 500 oldest events (chosen by a date range, from the index) with every
  source they cite, read and written as Markdown and as HTML; against the floor of
  loading those entries alone.
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
from dossier.graph import ALL_VIA, Graph  # noqa: E402
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
    from dossier.exporters.chronology import Selection, select_events
    from dossier.index import Index

    tree = folder / f"tree-{n}"
    generate(n, tree)
    store = Store(tree)
    rows: dict[str, str] = {}

    loaded, floor_load = timed(lambda: load_entries(store, with_texts=False))
    rows["floor: read and parse every entry"] = f"{floor_load:.2f} s"
    index_dir = folder / f"index-{n}"
    _, first_build = timed(lambda: Index.open(store, index_dir).reconcile())
    rows["(setup, not a target) first index build"] = f"{first_build:.0f} s"

    def open_graph() -> Graph:
        """What every command does: open the index, reconcile it (nothing changed), build the graph."""
        index = Index.open(store, index_dir)
        try:
            index.reconcile()
            return Graph.from_index(index)
        finally:
            index.close()

    graph, open_time = timed(open_graph)
    rows["index open + reconcile + graph from the index"] = f"{open_time:.2f} s"
    index = Index.open(store, index_dir)
    index.reconcile()
    _, build_time = timed(lambda: Graph.from_index(index))
    rows["graph from an open index (rows and references)"] = f"{build_time * 1000:.0f} ms"

    def export(writer) -> tuple[int, int]:  # noqa: ANN001
        return writer(open_graph(), io.StringIO())

    (nodes, edges), graphml = timed(lambda: export(to_graphml))
    _, gexf = timed(lambda: export(to_gexf))
    (_, _), from_files = timed(lambda: to_graphml(Graph.from_entries(load_entries(store, with_texts=False).entries),
                                                  io.StringIO()))
    rows["graph: actors / edges"] = f"{nodes:,} / {edges:,}"
    rows["graph export, GraphML (as the command: index, graph, write)"] = f"{graphml:.2f} s"
    rows["graph export, GEXF (the same)"] = f"{gexf:.2f} s"
    rows["graph export, GraphML, reading every entry instead"] = (
        f"{from_files:.2f} s ({from_files / floor_load:.2f}x floor)")

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
    rows[f"path, {PAIRS} random pairs (grades read from files): median / p95"] = (
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
        f"{median(connection_times) * 1000:.2f} / {p95(connection_times) * 1000:.2f} ms "
        f"(median {median(sizes):.0f} connected)")
    rows["connections of the busiest actor"] = (
        f"{busiest_time * 1000:.2f} ms ({len(graph.events_of.get(busiest, ()))} events, "
        f"{len(busiest_result)} connected)")

    # The 500 oldest events, chosen as the command chooses them: a date range, from the index.
    dated = sorted((e for e in loaded.entries if e.kind is Kind.EVENT and e.date), key=lambda e: e.date.sort_key)
    last = str(dated[min(CHRONOLOGY_EVENTS, len(dated)) - 1].date)
    selection = Selection(date_to=last)
    chosen, select_time = timed(lambda: select_events(index, selection))

    def floor_chronology() -> None:
        for entry_id in chosen:
            entry = store.load(entry_id)
            for source in entry.data.get("sources", []):
                store.load(source)

    _, floor_chron = timed(floor_chronology)
    chronology, chron_build = timed(lambda: build(store, chosen, "Chronology", selection.describe({})))
    markdown, md_time = timed(lambda: to_markdown(chronology))
    _, html_time = timed(lambda: to_html(chronology))
    index.close()
    total = select_time + chron_build + md_time
    rows[f"floor: load the {len(chosen)} events and the sources they cite"] = f"{floor_chron:.2f} s"
    rows[f"chronology of {len(chronology.lines)} events, {len(chronology.footnotes)} sources: Markdown"] = (
        f"{total:.2f} s (choose {select_time * 1000:.0f} ms + read {chron_build:.2f} s + write "
        f"{md_time * 1000:.0f} ms; {len(markdown) // 1024} KB)")
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
