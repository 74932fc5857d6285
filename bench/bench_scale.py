"""Whole commands on a large tree, against floors measured in the same run (issue 17).

    .venv/bin/python bench/bench_scale.py [N ...] [--tree DIR] [--rounds 5] [--git] [--no-readme]

For each N it generates a tree with bench/generate.py (or uses ``--tree DIR``, already generated),
builds its index once with ``dossier index --rebuild`` (timed: the rebuild figure), then times, as
whole commands in fresh processes, each ``--rounds`` times, and reports medians and peak memory
(``os.wait4``'s resource usage of each child):

* floors: ``python -c pass``; a bare Textual import; a walk of the tree that stats every file
  (what any tool that looks at every file pays); ``grep -rlF security`` over the tree (``rg`` when
  installed): a literal found with no index at all;
* ``dossier search security``, ``dossier show ACTOR`` (the actor with the most backlinks),
  ``dossier index`` with nothing changed, ``dossier check``.

With ``--git`` the tree is also committed to a git repository and the commands are timed again:
the index then asks git and the folders' mtimes what changed instead of walking the tree
(dossier/index/gitstate.py). With ``--watch`` they are timed once more while ``dossier index --watch``
runs: a command then trusts the watcher's heartbeat and does not look at the tree at all
(dossier/index/heartbeat.py).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REPO, append_to_readme, machine, median  # noqa: E402

PYTHON = sys.executable
DOSSIER = [PYTHON, "-m", "dossier"]

WALK = """
import os, sys
n = 0
for folder, dirs, files in os.walk(sys.argv[1]):
    for name in files:
        os.stat(os.path.join(folder, name)); n += 1
"""


def timed(argv: list[str], env: dict[str, str], cwd: str | None = None) -> tuple[float, float, int]:
    """(seconds, peak MB, exit code) of one child process."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=cwd)
    _pid, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}:\n{err}")
    return elapsed, usage.ru_maxrss / 1024, proc.returncode


def measure(argv: list[str], env: dict[str, str], rounds: int) -> dict[str, float]:
    runs = [timed(argv, env) for _ in range(rounds)]
    return {"seconds": median([r[0] for r in runs]), "min": min(r[0] for r in runs),
            "peak_mb": max(r[1] for r in runs)}


def busiest_actor(tree: Path) -> str:
    """The actor named by the most events (a `show` with many backlinks)."""
    import tomllib
    from collections import Counter

    counts: Counter[str] = Counter()
    for i, folder in enumerate(sorted((tree / "events").iterdir())):
        if i >= 2000:
            break
        data = tomllib.loads((folder / "event.toml").read_text(encoding="utf-8"))
        counts.update(data.get("actors", []))
    return counts.most_common(1)[0][0]


def floors(tree: Path, env: dict[str, str], rounds: int) -> dict[str, dict[str, float]]:
    result = {
        "python -c pass": measure([PYTHON, "-c", "pass"], env, rounds),
        "import textual.app": measure([PYTHON, "-c", "import textual.app"], env, rounds),
        "walk + stat every file": measure([PYTHON, "-c", WALK, str(tree)], env, rounds),
    }
    rg = shutil.which("rg")
    grep = [rg, "-l", "-F", "security", str(tree)] if rg else ["grep", "-rlF", "security", str(tree)]
    result[f"{'rg' if rg else 'grep -r'} of a literal"] = measure(grep, env, rounds)
    return result


def commands(tree: Path, env: dict[str, str], rounds: int, actor: str) -> dict[str, dict[str, float]]:
    base = [*DOSSIER, "--tree", str(tree)]
    return {
        "dossier search security": measure([*base, "search", "security"], env, rounds),
        f"dossier show {actor}": measure([*base, "show", actor], env, rounds),
        "dossier index (nothing changed)": measure([*base, "index"], env, rounds),
        "dossier check": measure([*base, "check"], env, max(1, rounds // 2)),
    }


def watched_commands(tree: Path, env: dict[str, str], rounds: int, actor: str) -> dict[str, dict[str, float]]:
    """search and show while ``dossier index --watch`` keeps the index (started, and waited for, first)."""
    heartbeat = Path(env["DOSSIER_INDEX"]) / "watcher.json"
    watcher = subprocess.Popen([*DOSSIER, "--tree", str(tree), "index", "--watch"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 600
        while not (heartbeat.exists() and '"synced": true' in heartbeat.read_text(encoding="utf-8")):
            if time.monotonic() > deadline or watcher.poll() is not None:
                raise RuntimeError("the watcher did not start")
            time.sleep(0.2)
        base = [*DOSSIER, "--tree", str(tree)]
        return {
            "dossier search security": measure([*base, "search", "security"], env, rounds),
            f"dossier show {actor}": measure([*base, "show", actor], env, rounds),
        }
    finally:
        watcher.terminate()
        watcher.wait(timeout=30)


def make_git(tree: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    git = ["git", "-C", str(tree), "-c", "user.name=bench", "-c", "user.email=bench@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "generated"], check=True)
    return time.perf_counter() - started


def run(n: int, tree: Path | None, rounds: int, use_git: bool, watch: bool = False) -> dict:
    work = Path(tempfile.mkdtemp(prefix=f"bench-scale-{n}-"))
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "DOSSIER_INDEX": str(work / "index")}
    try:
        if tree is None:
            tree = work / "tree"
            subprocess.run([PYTHON, str(REPO / "bench" / "generate.py"), str(n), str(tree)], check=True,
                           stdout=subprocess.DEVNULL)
        rebuild = timed([*DOSSIER, "--tree", str(tree), "index", "--rebuild"], env)
        # Files written in the two seconds before a reconcile are read again by the next one (see
        # dossier/index/folder_stamps.py, RACY_NS): a tree generated a moment ago is all such files.
        time.sleep(2.5)
        timed([*DOSSIER, "--tree", str(tree), "index"], env)
        # The first check after a build reads every entry to keep what the reviews need (check_cache.py);
        # the commands below time the check of an unchanged tree, answered from the index.
        first_check = timed([*DOSSIER, "--tree", str(tree), "check"], env)
        actor = busiest_actor(tree)
        result = {"n": n, "rebuild": {"seconds": rebuild[0], "peak_mb": rebuild[1]},
                  "first_check": {"seconds": first_check[0], "peak_mb": first_check[1]}, "actor": actor,
                  "floors": floors(tree, env, rounds), "commands": commands(tree, env, rounds, actor)}
        if use_git:
            if not (tree / ".git").exists():
                result["git_commit_seconds"] = make_git(tree, env)
            timed([*DOSSIER, "--tree", str(tree), "index"], env)  # the first reconcile records git's state
            result["git_commands"] = commands(tree, env, rounds, actor)
        if watch:
            result["watched_commands"] = watched_commands(tree, env, rounds, actor)
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def table(results: list[dict]) -> str:
    head = "| measure | " + " | ".join(f"N = {r['n']:,}" for r in results) + " |"
    lines = [head, "|---" * (len(results) + 1) + "|"]

    def row(label: str, cells: list[str]) -> None:
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    for name in results[0]["floors"]:
        row(f"floor: {name}", [f"{r['floors'][name]['seconds']:.3f} s, {r['floors'][name]['peak_mb']:.0f} MB"
                               for r in results])
    for key, label in (("commands", ""), ("git_commands", " (tree in git)"),
                       ("watched_commands", " (index --watch running)")):
        if key not in results[0]:
            continue
        for i, _name in enumerate(results[0][key]):
            cells = []
            for r in results:
                name, m = list(r[key].items())[i]
                walk = r["floors"]["walk + stat every file"]["seconds"]
                bare = r["floors"]["python -c pass"]["seconds"]
                cells.append(f"{m['seconds']:.2f} s ({m['seconds'] / bare:.1f}x bare Python, "
                             f"{m['seconds'] / walk:.2f}x the walk), {m['peak_mb']:.0f} MB")
            row(_name.replace(results[0]["actor"], "ACTOR") + label, cells)
    row("dossier index --rebuild", [f"{r['rebuild']['seconds']:.1f} s, {r['rebuild']['peak_mb']:.0f} MB"
                                    for r in results])
    if all("first_check" in r for r in results):
        row("dossier check, the first after a rebuild", [
            f"{r['first_check']['seconds']:.1f} s, {r['first_check']['peak_mb']:.0f} MB" for r in results])
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="*", type=int, default=[20000])
    parser.add_argument("--tree", type=Path, help="an already generated tree (one N)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--git", action="store_true", help="also time the commands with the tree in git")
    parser.add_argument("--watch", action="store_true", help="also time search and show with a watcher running")
    parser.add_argument("--json-out", type=Path, help="also write the results to this file (for plot_scale.py)")
    parser.add_argument("--no-readme", action="store_true")
    parser.add_argument("--label", default="", help="a word for the README's heading (before / after)")
    args = parser.parse_args()
    results = [run(n, args.tree, args.rounds, args.git, args.watch) for n in args.n]
    print(json.dumps(results, indent=1))
    if args.json_out:
        args.json_out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    text = table(results)
    print(text)
    if not args.no_readme:
        stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        append_to_readme(
            f"## Scale benchmark{' (' + args.label + ')' if args.label else ''}, {stamp}\n\n"
            f"`bench/bench_scale.py {' '.join(map(str, args.n))}`: medians of {args.rounds} runs (check: "
            f"{max(1, args.rounds // 2)}); each command a fresh process. Machine: {machine()} (shared with "
            f"other agents while measuring: figures are noisy; compare rows of one run).\n\n{text}\n"
        )


if __name__ == "__main__":
    main()
