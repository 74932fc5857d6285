"""Helpers shared by the benchmarks: timing, medians, child processes with peak memory, the machine."""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent


def peak_rss_mb() -> float:
    """This process's peak resident memory, in MB (Linux reports KB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def run_child(script: Path, *args: str) -> dict[str, Any]:
    """Run ``python script *args`` in a fresh process; it prints one JSON object last."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src") + os.pathsep + str(REPO)}
    result = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise RuntimeError(f"{script.name} {' '.join(args)} failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def median(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def machine() -> str:
    """One line naming the machine the figures come from."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
        memory = f"{mem:.0f} GB RAM"
    except (ValueError, OSError):
        memory = "RAM unknown"
    try:
        from importlib.metadata import version

        whoosh = version("whoosh3")
    except Exception:
        whoosh = "?"
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, whoosh3 {whoosh}"
    )


def dir_size_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1024**2


def append_to_readme(text: str) -> None:
    readme = BENCH / "README.md"
    with readme.open("a", encoding="utf-8") as handle:
        handle.write("\n" + text.rstrip() + "\n")
