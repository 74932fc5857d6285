"""Retrieval evaluation of ``dossier search`` on questions typed the way people type.

Imports ../shared/corpus/timeline-events into a temporary tree (or uses ``--tree``), asks every
question of ``bench/search_questions.toml`` through the real command (``dossier search --json``),
and prints recall@1, recall@5 and mean reciprocal rank per kind of question and overall.

    .venv/bin/python bench/eval_search.py [--tree DIR] [--index DIR] [--show-misses]

Answers are corpus file names; they are mapped to event ids through the imported tree (the
folder named after the file, else the event whose title is the file's title), and a question
whose answers cannot all be found stops the run: a typo in the question file must not pass as
a miss.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from collections import defaultdict
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
CORPUS = REPO.parent / "shared" / "corpus" / "timeline-events"
QUESTIONS = BENCH / "search_questions.toml"
DEPTH = 10


def dossier(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dossier", *args], capture_output=True, text=True, check=False)


def corpus_title(stem: str) -> str | None:
    path = CORPUS / f"{stem}.md"
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        return None
    front = text.split("---", 2)[1]
    data = yaml.safe_load(front) or {}
    title = data.get("title")
    return str(title).strip() if title else None


def event_ids(tree: Path) -> tuple[set[str], dict[str, set[str]]]:
    ids: set[str] = set()
    by_title: dict[str, set[str]] = defaultdict(set)
    for path in (tree / "events").glob("*/event.toml"):
        ids.add(path.parent.name)
        try:
            title = tomllib.loads(path.read_text(encoding="utf-8")).get("title")
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            continue
        if isinstance(title, str):
            by_title[title.strip()].add(path.parent.name)
    return ids, by_title


def resolve(stem: str, ids: set[str], by_title: dict[str, set[str]]) -> set[str]:
    found = {candidate for candidate in (stem.replace("--", "-", 1), stem) if candidate in ids}
    title = corpus_title(stem)
    if title:
        found |= by_title.get(title, set())
    return found


def search(tree: Path, index: Path, query: str) -> tuple[list[str], float]:
    start = time.perf_counter()
    done = dossier("search", "--json", "--limit", str(DEPTH), "--tree", str(tree), "--index", str(index), "--", query)
    elapsed = time.perf_counter() - start
    if done.returncode == 2:
        return [], elapsed
    data = json.loads(done.stdout or "[]")
    hits = data["hits"] if isinstance(data, dict) else data
    return [hit["id"] for hit in hits], elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, help="an imported corpus tree (default: import into a temporary one)")
    parser.add_argument("--index", type=Path, help="the index folder to use")
    parser.add_argument("--show-misses", action="store_true", help="list the questions not answered in the top 5")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"no corpus at {CORPUS}", file=sys.stderr)
        return 2
    questions = tomllib.loads(QUESTIONS.read_text(encoding="utf-8"))["q"]
    with tempfile.TemporaryDirectory() as tmp:
        tree = args.tree or Path(tmp) / "tree"
        index = args.index or Path(tmp) / "index"
        if args.tree is None:
            tree.mkdir()
            print("importing the corpus …", file=sys.stderr)
            dossier("import", "timeline", str(CORPUS), "--tree", str(tree), "--index", str(index))
        dossier("index", "--tree", str(tree), "--index", str(index))
        ids, by_title = event_ids(tree)
        per_kind: dict[str, list[tuple[int | None, float]]] = defaultdict(list)
        misses = []
        for question in questions:
            answers: set[str] = set()
            for stem in question["answers"]:
                found = resolve(stem, ids, by_title)
                if not found:
                    print(f"answer {stem!r} of {question['q']!r} is not in the tree", file=sys.stderr)
                    return 2
                answers |= found
            ranked, elapsed = search(tree, index, question["q"])
            rank = next((n for n, hit in enumerate(ranked, start=1) if hit in answers), None)
            per_kind[question["kind"]].append((rank, elapsed))
            if rank is None or rank > 5:
                misses.append((question["kind"], question["q"], rank, ranked[:3]))
    rows = []
    everything: list[tuple[int | None, float]] = []
    for kind, results in per_kind.items():
        rows.append((kind, results))
        everything.extend(results)
    rows.append(("all", everything))
    people = [r for k, rs in per_kind.items() if k != "title" for r in rs]
    rows.append(("all but title", people))
    print(f"| questions | n | recall@1 | recall@5 | MRR@{DEPTH} | median command time |")
    print("|---|---|---|---|---|---|")
    for kind, results in rows:
        n = len(results)
        at1 = sum(1 for rank, _ in results if rank == 1) / n
        at5 = sum(1 for rank, _ in results if rank is not None and rank <= 5) / n
        mrr = sum(1 / rank for rank, _ in results if rank is not None) / n
        median = statistics.median(t for _, t in results)
        print(f"| {kind} | {n} | {at1:.2f} | {at5:.2f} | {mrr:.2f} | {median:.2f} s |")
    if args.show_misses:
        print()
        for kind, query, rank, top in misses:
            print(f"- [{kind}] {query!r}: rank {rank}; top: {', '.join(top) or 'nothing'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
