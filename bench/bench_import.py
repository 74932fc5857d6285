"""Benchmark ``dossier import timeline``: the real corpus, and the corpus replicated to 20,000 events.

    .venv/bin/python bench/bench_import.py [N ...]     (default: the corpus as it is, and 20000)

Reads ../shared/corpus/timeline-events (exits with a message where it is
absent). N events are the corpus files copied into N / 2,053 sub-folders
(each copy gets its own event ids, while sources and actors repeat, as in a
real archive growing). Each measure runs in a fresh process so that its peak
memory is its own:

* floor: reading and parsing the input files alone (UTF-8 read, YAML front
  matter with the C loader, JSON) with nothing else;
* the import with no index: total, and its phases (scan the tree, read and
  parse, resolve actors, write entries through the store, one sync);
* bringing the index up to date afterwards (``Index.apply`` on every folder
  the import wrote), into an empty index;
* floor: bare Whoosh indexing of the resulting tree (the index benchmark's
  floor: minimal schema, one process).

Targets: the write within 3x of the parse floor, the index update within 1.5x
of the bare-Whoosh floor, memory flat as the input grows. It prints a table
and appends it to bench/README.md with the machine noted.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import append_to_readme, machine, peak_rss_mb, run_child  # noqa: E402

SCRIPT = Path(__file__).resolve()
CORPUS = SCRIPT.parents[2] / "shared" / "corpus" / "timeline-events"


# ----------------------------------------------------------------- children


def child_floor_parse(src: str) -> dict:
    import json as json_module

    from dossier.importers.common import InputError, read_input, split_front_matter
    from dossier.importers.timeline import EVENT_SUFFIXES

    files = sorted(p for p in Path(src).rglob("*") if p.suffix in EVENT_SUFFIXES)
    started = time.perf_counter()
    parsed = 0
    for path in files:
        try:
            text = read_input(path)
            if path.suffix == ".json":
                json_module.loads(text)
            else:
                split_front_matter(text)
            parsed += 1
        except (InputError, ValueError):
            pass
    return {"seconds": time.perf_counter() - started, "peak_mb": peak_rss_mb(), "files": parsed}


def child_import(src: str, tree: str, written_file: str) -> dict:
    from dossier.importers.timeline import TimelineImporter
    from dossier.model import Kind
    from dossier.store import Store

    started = time.perf_counter()
    importer = TimelineImporter(Store(tree))
    report = importer.run([Path(src)], update=False)
    seconds = time.perf_counter() - started
    Path(written_file).write_text(json.dumps(report.written))
    return {"seconds": seconds, "peak_mb": peak_rss_mb(), "phases": importer.timings,
            "counts": {k.plural: report.tallies[k].created for k in Kind}, "skipped": len(report.skipped)}


def child_index(tree: str, ix_dir: str, written_file: str) -> dict:
    from dossier.index import Index
    from dossier.store import Store

    written = json.loads(Path(written_file).read_text())
    started = time.perf_counter()
    index = Index.open(Store(tree), Path(ix_dir))
    changes = index.apply(written)
    index.close()
    return {"seconds": time.perf_counter() - started, "peak_mb": peak_rss_mb(), "entries": len(changes.ids)}


def child_floor_whoosh(tree: str, ix_dir: str) -> dict:
    from bench_index import child_floor_whoosh as floor

    return floor(tree, ix_dir, "1", "0")


CHILDREN = {
    "floor-parse": child_floor_parse,
    "import": child_import,
    "index": child_index,
    "floor-whoosh": child_floor_whoosh,
}


# ------------------------------------------------------------------- parent


def make_input(n: int | None, work: Path) -> tuple[Path, int]:
    """The corpus itself (n None), or copies of it in sub-folders up to n event files."""
    files = sorted(p for p in CORPUS.iterdir() if p.suffix in (".md", ".json") and not p.name.startswith("README"))
    if n is None:
        return CORPUS, len(files)
    src = work / f"input-{n}"
    copied = 0
    copy = 0
    while copied < n:
        folder = src / f"copy-{copy:02d}"
        folder.mkdir(parents=True)
        for path in files[: n - copied]:
            shutil.copyfile(path, folder / path.name)
            copied += 1
        copy += 1
    return src, copied


def bench(n: int | None, work: Path) -> dict:
    src, count = make_input(n, work)
    label = f"{count:,} files"
    r: dict = {"label": label}
    tree = work / f"tree-{count}"
    written = work / f"written-{count}.json"
    r["floor_parse"] = run_child(SCRIPT, "floor-parse", str(src))
    r["import"] = run_child(SCRIPT, "import", str(src), str(tree), str(written))
    print(f"{label}: import {r['import']['seconds']:.1f} s {r['import']['phases']}", file=sys.stderr)
    ix = work / f"ix-{count}"
    r["index"] = run_child(SCRIPT, "index", str(tree), str(ix), str(written))
    floor_ix = work / f"floor-ix-{count}"
    floor_ix.mkdir()
    r["floor_whoosh"] = run_child(SCRIPT, "floor-whoosh", str(tree), str(floor_ix))
    print(f"{label}: index {r['index']['seconds']:.1f} s, floor {r['floor_whoosh']['seconds']:.1f} s",
          file=sys.stderr)
    shutil.rmtree(tree, ignore_errors=True)
    shutil.rmtree(ix, ignore_errors=True)
    shutil.rmtree(floor_ix, ignore_errors=True)
    return r


def table(results: list[dict]) -> str:
    lines = [
        "| measure | " + " | ".join(r["label"] for r in results) + " | target |",
        "|---|" + "---|" * len(results) + "---|",
    ]

    def row(name: str, cells: list[str], target: str = "") -> None:
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {target} |")

    row("entries created (events / actors / sources)",
        [" / ".join(f"{r['import']['counts'][k]:,}" for k in ("events", "actors", "sources")) for r in results])
    row("floor: read + parse the input files", [f"{r['floor_parse']['seconds']:.2f} s" for r in results])
    row("import, no index: total", [f"{r['import']['seconds']:.2f} s" for r in results])
    for phase in results[0]["import"]["phases"]:
        row(f"  phase: {phase}", [f"{r['import']['phases'][phase]:.2f} s" for r in results])
    row("write phase / parse floor",
        [f"{r['import']['phases']['write'] / r['floor_parse']['seconds']:.2f}x" for r in results], "≤ 3x")
    row("whole import / parse floor",
        [f"{r['import']['seconds'] / r['floor_parse']['seconds']:.2f}x" for r in results])
    row("import peak memory", [f"{r['import']['peak_mb']:.0f} MB" for r in results], "flat")
    row("floor: bare Whoosh indexing of the tree",
        [f"{r['floor_whoosh']['seconds']:.1f} s, {r['floor_whoosh']['peak_mb']:.0f} MB" for r in results])
    row("index update after the import (Index.apply)",
        [f"{r['index']['seconds']:.1f} s, {r['index']['peak_mb']:.0f} MB" for r in results])
    row("index update / bare-Whoosh floor",
        [f"{r['index']['seconds'] / r['floor_whoosh']['seconds']:.2f}x" for r in results], "≤ 1.5x")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> None:
    if argv and argv[0] in CHILDREN:
        print(json.dumps(CHILDREN[argv[0]](*argv[1:])))
        return
    if not CORPUS.is_dir():
        print(f"the corpus is not at {CORPUS}; nothing to measure", file=sys.stderr)
        return
    sizes: list[int | None] = [int(a) for a in argv] or [None, 20000]
    work = Path(tempfile.mkdtemp(prefix="dossier-bench-import-"))
    try:
        results = [bench(n, work) for n in sizes]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = (
        f"## Import benchmark, {time.strftime('%Y-%m-%d')}\n\n"
        f"`bench/bench_import.py`: `dossier import timeline` of ../shared/corpus/timeline-events and of it "
        f"replicated. Machine: {machine()} (shared with other work while measuring; figures are one run).\n\n"
        + table(results)
    )
    print(text)
    readme = Path(__file__).resolve().parent / "README.md"
    if not readme.exists():
        readme.write_text("# Benchmarks\n\nFigures recorded by the scripts in this folder, newest last.\n")
    append_to_readme(text)


if __name__ == "__main__":
    main(sys.argv[1:])
