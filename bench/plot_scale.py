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


def series(results: list[dict], key: str, value: str = "seconds") -> dict[str, list[tuple[int, float]]]:
    lines: dict[str, list[tuple[int, float]]] = {}
    for result in results:
        for name, m in result.get(key, {}).items():
            label = name.replace(result["actor"], "ACTOR")
            lines.setdefault(label, []).append((result["n"], m[value]))
    return lines


#: Each group of results, its line style and what its labels get added.
GROUPS = (("floors", ":", " (floor)"), ("commands", "--", " (tree not in git)"),
          ("git_commands", "-", " (tree in git)"), ("watched_commands", "-", " (watcher running)"))


def main() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = [Path(a) for a in sys.argv[1:]] or sorted((BENCH / "data").glob("scale_*_after.json"))
    results = load(paths)
    fig, (ax, mem) = plt.subplots(1, 2, figsize=(15, 6.5))
    for key, style, suffix in GROUPS:
        for label, points in series(results, key).items():
            xs, ys = zip(*points, strict=True)
            marker = "^" if key == "watched_commands" else "o"
            ax.plot(xs, ys, style, marker=marker, label=label + suffix)
            if key != "floors" or "walk" in label:
                _, mbs = zip(*series(results, key, "peak_mb")[label], strict=True)
                mem.plot(xs, mbs, style, marker=marker, label=label + suffix)
    xs = [r["n"] for r in results]
    ax.plot(xs, [r["rebuild"]["seconds"] for r in results], "-.", marker="s", label="dossier index --rebuild")
    mem.plot(xs, [r["rebuild"]["peak_mb"] for r in results], "-.", marker="s", label="dossier index --rebuild")
    ax.axhline(0.5, color="grey", linewidth=0.8)
    ax.text(xs[0], 0.52, "0.5 s target", color="grey")
    mem.axhline(150, color="grey", linewidth=0.8)
    mem.text(xs[0], 155, "150 MB target (search, show)", color="grey")
    for axis in (ax, mem):
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("entries in the tree")
    ax.set_ylabel("seconds (median, whole command in a fresh process)")
    mem.set_ylabel("peak memory, MB (the largest of the runs)")
    ax.set_title("Time against the tree's size")
    mem.set_title("Memory against the tree's size")
    ax.legend(fontsize=6, loc="upper left")
    mem.legend(fontsize=6, loc="upper left")
    fig.suptitle("dossier on generated trees (bench/bench_scale.py; shared 2-core machine: noisy)")
    fig.tight_layout()
    fig.savefig(BENCH / "scale.png", dpi=100)
    print(BENCH / "scale.png")


if __name__ == "__main__":
    main()
