"""Draw bench_scale.py's figures against the tree's size: bench/scale.png.

    .venv/bin/python bench/plot_scale.py [RESULTS.json ...]   (default: bench/data/scale_*_after.json)

Each file is the JSON list that ``bench_scale.py`` prints. matplotlib is needed here only, not by
dossier: ``pip install matplotlib``. Both axes are logarithmic, so a cost that grows with the tree is a
rising line and a fixed cost a flat one.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def load(paths: list[Path]) -> list[dict]:
    results = []
    for path in paths:
        results.extend(json.loads(path.read_text(encoding="utf-8")))
    return sorted(results, key=lambda r: r["n"])


def series(results: list[dict], key: str) -> dict[str, list[tuple[int, float]]]:
    lines: dict[str, list[tuple[int, float]]] = {}
    for result in results:
        for name, m in result.get(key, {}).items():
            label = name.replace(result["actor"], "ACTOR")
            lines.setdefault(label, []).append((result["n"], m["seconds"]))
    return lines


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = [Path(a) for a in sys.argv[1:]] or sorted((BENCH / "data").glob("scale_*_after.json"))
    results = load(paths)
    fig, ax = plt.subplots(figsize=(9, 6))
    for key, style in (("floors", ":"), ("commands", "--"), ("git_commands", "-")):
        suffix = {"floors": " (floor)", "commands": "", "git_commands": " (tree in git)"}[key]
        for label, points in series(results, key).items():
            xs, ys = zip(*points, strict=True)
            ax.plot(xs, ys, style, marker="o", label=label + suffix)
    xs = [r["n"] for r in results]
    ax.plot(xs, [r["rebuild"]["seconds"] for r in results], "-.", marker="s", label="dossier index --rebuild")
    ax.axhline(0.5, color="grey", linewidth=0.8)
    ax.text(xs[0], 0.52, "0.5 s target", color="grey")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("entries in the tree")
    ax.set_ylabel("seconds (median, whole command in a fresh process)")
    ax.set_title("dossier on generated trees (shared 2-core machine: noisy)")
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(BENCH / "scale.png", dpi=110)
    print(BENCH / "scale.png")


if __name__ == "__main__":
    main()
