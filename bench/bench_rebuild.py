"""`dossier index --rebuild` against Whoosh alone indexing the same documents, measured in the same run (issue 17).

    .venv/bin/python bench/bench_rebuild.py [N ...] [--tree DIR] [--rounds 3] [--no-readme]
        [--floors "procs=1,procs=2,procs=2 multisegment"] [--no-before]

For each N it generates a tree with bench/generate.py (or uses ``--tree DIR``), then runs, each in a
fresh process, ``--rounds`` times, and reports medians:

* **floors**: Whoosh alone, indexing the very documents a rebuild indexes (``load_entry``'s, with the
  index's schema and analysis), read and parsed in the main process as any program feeding Whoosh
  would, then ``add_document`` on a writer with each of Whoosh's settings: one process
  (``limitmb=256``), ``procs=2`` (sub-writers' runs merged into one segment by the parent) and
  ``procs=2, multisegment=True`` (each sub-writer's segment kept). No state table, no batches, no
  commits but the last, no lock. The fastest of them is *the* floor;
* ``dossier index --rebuild`` as a whole command (start-up, scan, batches, state table), in worker
  processes (the default) and in one process (``DOSSIER_INDEX_WORKERS=1``, the rebuild before
  issue 17);
* then, on each index built, the median of a few warm queries and the number of Whoosh segments
  (a query costs about as much per segment).

Peak memory is the largest sum of the memory of the process and its children (their proportional
set sizes, so that pages a forked worker shares with its parent count once; sampled from /proc
every 0.2 s), and ``os.wait4``'s ``ru_maxrss`` (the largest single process's peak).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REPO, append_to_readme, machine, median  # noqa: E402

SCRIPT = Path(__file__).resolve()
PYTHON = sys.executable
QUERIES = ["security", "sanctions russia", '"national security"', "secur*", "kind:event tag:iran", "milly~"]
FLOORS = {"procs=1": ("1", "0"), "procs=2": ("2", "0"), "procs=2 multisegment": ("2", "1")}


# ----------------------------------------------------------------- children


def child_floor(tree: str, ix_dir: str, procs: str, multisegment: str) -> dict:
    """Whoosh alone: the rebuild's documents, parsed here, added to one writer, committed once."""
    from whoosh import index

    from dossier.index.document import load_entry
    from dossier.index.schema import build_schema
    from dossier.store import Store

    store = Store(tree)
    Path(ix_dir).mkdir(parents=True, exist_ok=True)
    ix = index.create_in(ix_dir, build_schema())
    kwargs: dict = {"limitmb": 256}
    if int(procs) > 1:
        kwargs.update(procs=int(procs), multisegment=multisegment == "1")
    writer = ix.writer(**kwargs)
    for loc in store.scan().locations:
        writer.add_document(**load_entry(store, loc).document)
    writer.commit()
    return {}


def child_queries(tree: str, ix_dir: str) -> dict:
    from dossier.index import Index
    from dossier.store import Store

    index = Index.open(Store(tree), Path(ix_dir))
    times = []
    for round_ in range(4):
        for query in QUERIES:
            started = time.perf_counter()
            index.search(query, limit=50)
            if round_:
                times.append((time.perf_counter() - started) * 1000)
    segments = len({p.name.split(".")[0] for p in Path(ix_dir, "whoosh").glob("MAIN_*") if not p.name.endswith("LOCK")})
    return {"query_ms": median(times), "segments": segments, "hits": len(index.search("security", limit=100000))}


CHILDREN = {"floor": child_floor, "queries": child_queries}


# ------------------------------------------------------------------- parent


def _tree_rss(root: int) -> int:
    """Resident bytes (proportional set size) of ``root`` and every process below it."""
    parents: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                stat = Path(f"/proc/{name}/stat").read_text()
                parents[int(name)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    family = {root}
    grew = True
    while grew:
        grew = False
        for pid, ppid in parents.items():
            if ppid in family and pid not in family:
                family.add(pid)
                grew = True
    total = 0
    for pid in family:
        # PSS, not RSS: a forked worker shares its parent's pages, which RSS would count twice.
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
                    break
        except (OSError, IndexError, ValueError):
            continue
    return total


def timed(argv: list[str], env: dict[str, str]) -> dict[str, float]:
    """Seconds, peak memory of the process tree (MB) and of its largest process, of one child."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            stop.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    stop.set()
    sampler.join()
    out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{err}")
    lines = out.strip().splitlines()
    return {"seconds": elapsed, "tree_mb": peak / 1024**2, "maxrss_mb": usage.ru_maxrss / 1024,
            "cpu": usage.ru_utime + usage.ru_stime, "out": lines[-1] if lines else ""}


def summary(runs: list[dict]) -> dict:
    result = {key: median([r[key] for r in runs]) for key in ("seconds", "tree_mb", "maxrss_mb", "cpu")}
    result["runs"] = [round(r["seconds"], 1) for r in runs]
    return result


def bench(n: int, tree: Path, work: Path, rounds: int, floors: list[str], before: bool) -> dict:
    """Each round runs every floor, then every rebuild, so that they meet the same load of a shared machine."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src") + os.pathsep + str(REPO)}
    rebuild = [PYTHON, "-m", "dossier", "--tree", str(tree), "--index", "{ix}", "index", "--rebuild"]
    tasks: dict[tuple[str, str], tuple[list[str], dict[str, str]]] = {}
    for name, (procs, multi) in FLOORS.items():
        if name in floors:
            tasks["floors", name] = ([PYTHON, str(SCRIPT), "floor", str(tree), "{ix}/w", procs, multi], env)
    tasks["rebuild", "worker processes"] = (rebuild, env)
    if before:
        tasks["rebuild", "one process (before)"] = (rebuild, {**env, "DOSSIER_INDEX_WORKERS": "1"})
    runs: dict[tuple[str, str], list[dict]] = {key: [] for key in tasks}
    ratios: dict[str, list[float]] = {}
    for i in range(rounds):
        for (part, name), (argv, run_env) in tasks.items():
            ix = work / f"{part}-{name}".replace(" ", "_").replace("=", "")
            shutil.rmtree(ix, ignore_errors=True)
            ix.mkdir(parents=True)
            runs[part, name].append(timed([a.replace("{ix}", str(ix)) for a in argv], run_env))
            print(f"  round {i + 1}, {part} {name}: {runs[part, name][-1]['seconds']:.1f} s", file=sys.stderr)
        fastest = min(runs[key][-1]["seconds"] for key in tasks if key[0] == "floors")
        for (part, name) in tasks:
            if part == "rebuild":
                ratios.setdefault(name, []).append(runs[part, name][-1]["seconds"] / fastest)
    results: dict = {"n": n, "floors": {}, "rebuild": {}}
    for (part, name), measured in runs.items():
        results[part][name] = summary(measured)
    for name, result in results["rebuild"].items():
        ix = work / f"rebuild-{name}".replace(" ", "_").replace("=", "")
        result["ratio"] = median(ratios[name])
        result["ratios"] = [round(r, 2) for r in ratios[name]]
        result.update(json.loads(subprocess.run(
            [PYTHON, str(SCRIPT), "queries", str(tree), str(ix)], env=env, capture_output=True, text=True,
            check=True).stdout.strip().splitlines()[-1]))
    return results


def table(results: list[dict], rounds: int) -> str:
    lines = ["| measure | " + " | ".join(f"N = {r['n']:,}" for r in results) + " |",
             "|---|" + "---|" * len(results)]

    def row(name: str, cells: list[str]) -> None:
        lines.append(f"| {name} | " + " | ".join(cells) + " |")

    def floor(r: dict) -> tuple[str, dict]:
        return min(r["floors"].items(), key=lambda kv: kv[1]["seconds"])

    for key in results[0]["floors"]:
        row(f"floor: Whoosh alone, same documents, {key}",
            [f"{r['floors'][key]['seconds']:.1f} s, {r['floors'][key]['tree_mb']:.0f} MB"
             f" ({r['floors'][key]['maxrss_mb']:.0f} MB largest process), CPU {r['floors'][key]['cpu']:.0f} s"
             for r in results])
    row("fastest floor", [floor(r)[0] for r in results])
    for key in results[0]["rebuild"]:
        row(f"`dossier index --rebuild`, {key}",
            [f"{r['rebuild'][key]['seconds']:.1f} s = **{r['rebuild'][key]['ratio']:.2f}x floor** (per round"
             f" {r['rebuild'][key]['ratios']}), {r['rebuild'][key]['tree_mb']:.0f} MB"
             f" ({r['rebuild'][key]['maxrss_mb']:.0f} MB largest process), CPU {r['rebuild'][key]['cpu']:.0f} s"
             for r in results])
        row(f"  then a warm query (median of {len(QUERIES)}), segments",
            [f"{r['rebuild'][key]['query_ms']:.1f} ms, {r['rebuild'][key]['segments']} segments" for r in results])
    return "\n".join(lines) + (f"\n\nMedians of {rounds} interleaved round(s); the ratio is the median of each"
                                " round's rebuild over that round's fastest floor. Runs in seconds: ") + "; ".join(
        f"N={r['n']:,} " + ", ".join(f"{k} {v['runs']}" for part in ("floors", "rebuild") for k, v in r[part].items())
        for r in results)


def main(argv: list[str]) -> None:
    if argv and argv[0] in CHILDREN:
        print(json.dumps(CHILDREN[argv[0]](*argv[1:])))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="*", type=int)
    parser.add_argument("--tree", type=Path, help="an already generated tree (only read)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument("--floors", default=",".join(FLOORS),
                        help=f"which floors, comma-separated (of {', '.join(FLOORS)})")
    parser.add_argument("--no-before", action="store_true", help="skip the rebuild in one process")
    args = parser.parse_args(argv)
    floors = [name.strip() for name in args.floors.split(",")]
    work = Path(tempfile.mkdtemp(prefix="dossier-rebuild-"))
    try:
        results = []
        if args.tree:
            count = sum(1 for kind in ("actors", "events", "sources") for _ in (args.tree / kind).iterdir())
            results.append(bench(count, args.tree, work, args.rounds, floors, not args.no_before))
        for n in args.sizes or ([] if args.tree else [20000]):
            from generate import generate

            tree = work / f"tree-{n}"
            generate(n, tree)
            results.append(bench(n, tree, work, args.rounds, floors, not args.no_before))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = (f"## Rebuild benchmark, {time.strftime('%Y-%m-%d')}\n\n"
            f"Machine: {machine()} (shared with other agents while measuring: figures are noisy; the floor "
            "was measured in the same run).\n\n" + table(results, args.rounds))
    print(text)
    if not args.no_readme:
        append_to_readme(text)


if __name__ == "__main__":
    main(sys.argv[1:])
