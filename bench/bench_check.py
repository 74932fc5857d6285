"""``dossier check`` from the index against reading every file, and the floors of the same run (issue 17).

    .venv/bin/python bench/bench_check.py --tree DIR --index DIR [--rounds 3] [--full-rounds 1] [--edit]

The tree must be one ``bench/generate.py`` wrote (the shared ones are read only: nothing here
writes into the tree, unless ``--edit`` on a private copy). ``--index`` is an index of it (a private
copy: the check writes its cache there). Times, as whole commands in fresh processes, the median of
``--rounds`` runs and the peak memory of each:

* floors: ``python -c pass``; a walk of the tree that stats every file;
* ``dossier check`` once (it primes the cache when there is none: after a rebuild, or the first
  time), then ``--rounds`` times with nothing changed (what issue 17 asks under 5 s at 100,000);
* ``dossier check --no-index`` (reads every file, as check did before), ``--full-rounds`` times
  (0: not run);
* with ``--edit``: an event's summary edited in place, then a new actor whose name is in old texts,
  each followed by one ``dossier check`` (what a person does between two checks).

Output goes to /dev/null, as a script reading it in a pipe would; stdout of a check is 10,000 (20,000
entries) to 52,000 (100,000) lines of warnings on a generated tree.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_scale import DOSSIER, PYTHON, WALK, measure, timed  # noqa: E402
from common import machine  # noqa: E402


def _one(argv: list[str], env: dict[str, str]) -> dict[str, float]:
    seconds, peak, _code = timed(argv, env)
    return {"seconds": seconds, "min": seconds, "peak_mb": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tree", type=Path, required=True)
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--full-rounds", type=int, default=1)
    parser.add_argument("--edit", action="store_true", help="also edit the tree (a private copy!) between checks")
    args = parser.parse_args()
    env = {**os.environ, "DOSSIER_INDEX": str(args.index)}
    check = [*DOSSIER, "--tree", str(args.tree), "check"]
    results: dict[str, dict[str, float]] = {
        "python -c pass": measure([PYTHON, "-c", "pass"], env, args.rounds),
        "walk + stat every file": measure([PYTHON, "-c", WALK, str(args.tree)], env, args.rounds),
        "dossier check, first run (primes the cache when there is none)": _one(check, env),
        "dossier check, nothing changed": measure(check, env, args.rounds),
    }
    if args.full_rounds:
        results["dossier check --no-index"] = measure([*check, "--no-index"], env, args.full_rounds)
    if args.edit:
        summary = next((args.tree / "events").iterdir()) / "summary.md"
        with summary.open("a", encoding="utf-8") as handle:
            handle.write("\nQuentin Zabrowski-Vance said so too.\n")
        results["dossier check after an edit in place"] = _one(check, env)
        actor = args.tree / "actors" / f"mark-milley-bench-{time.time_ns()}"  # new at each run
        actor.mkdir()
        (actor / "profile.toml").write_text('name = "Mark Milley"\ntype = "person"\n', encoding="utf-8")
        results["dossier check after a new actor named in old texts"] = _one(check, env)
    print(f"Machine: {machine()} (shared with other work while measuring)")
    print("| measure | median | min | peak memory |\n|---|---|---|---|")
    for name, figures in results.items():
        print(f"| {name} | {figures['seconds']:.2f} s | {figures['min']:.2f} s | {figures['peak_mb']:.0f} MB |")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
