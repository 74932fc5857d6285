"""Benchmark curation and review on a generated tree: rename and merge of an actor referenced by
1,000 events (index update included), and check's duplicate review.

    .venv/bin/python bench/bench_curate.py [N]      (default: 20000)

Generates a tree (bench/generate.py), makes two actors each named by 1,000 events, builds the
index, then measures once each (the machine is shared; these are single runs):

* the floor: one scan and a read of every kind file, which every plan does to find references
  without trusting the index (a stale index must never leave a reference behind);
* ``rename`` of an actor named by 1,000 events: plan, apply (journal, 1,000 atomic writes, the
  move) and the index update, as the command does them;
* ``merge`` of a second such actor into a third;
* the duplicate review of ``check`` (likely duplicate actors over every actor of the tree), and on
  6,000 actor names without numbers (the generator numbers its names, which makes most pairs
  trivially different: this is the worst case for the fuzzy pass); the whole review for reference.

Appends a table to bench/README.md with the machine noted.
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import tomli_w

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from common import append_to_readme, machine  # noqa: E402
from generate import FIRST, LAST, generate  # noqa: E402

from dossier import curate, review  # noqa: E402
from dossier.index import Index  # noqa: E402
from dossier.model import Kind  # noqa: E402
from dossier.store import Store  # noqa: E402


def name_in(root: Path, events: list[str], actor: str) -> None:
    for event in events:
        path = root / "events" / event / "event.toml"
        data = tomllib.loads(path.read_text("utf-8"))
        if actor not in data["actors"]:
            data["actors"].append(actor)
        path.write_text(tomli_w.dumps(data), encoding="utf-8")


def timed(action):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def curation(store: Store, index_dir: Path, make_plan) -> tuple[float, float, float, int]:  # type: ignore[no-untyped-def]
    plan, t_plan = timed(make_plan)
    paths, t_apply = timed(lambda: curate.apply(store, plan))
    _, t_index = timed(lambda: curate.update_index(store, paths, index_dir))
    return t_plan, t_apply, t_index, len(paths)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "tree"
        os.environ["DOSSIER_STATE"] = str(Path(folder) / "state")
        index_dir = Path(folder) / "index"
        ids = generate(n, root)
        rng = random.Random(3)
        renamed, merged, kept = ids["actor"][0], ids["actor"][1], ids["actor"][2]
        name_in(root, rng.sample(ids["event"], min(1000, len(ids["event"]))), renamed)
        name_in(root, rng.sample(ids["event"], min(1000, len(ids["event"]))), merged)
        store = Store(root)
        index = Index.open(store, index_dir)
        _, t_build = timed(index.reconcile)
        index.close()
        scan, t_scan = timed(store.scan)
        _, t_read = timed(lambda: curate._files_naming(store, scan, ["no-such-id-anywhere"], set()))  # noqa: SLF001
        rename = curation(store, index_dir, lambda: curate.plan_rename(store, renamed, renamed + "-renamed"))
        merge = curation(store, index_dir, lambda: curate.plan_merge(store, kept, [merged], "bench"))
        entries = []
        for location in store.scan().locations:
            if location.kind is Kind.ACTOR:
                data, _, _ = store.read_kind_file(location)
                entries.append(review.actor_of(location.id, data or {}))
        duplicates, t_dups = timed(lambda: review.likely_duplicates(entries))
        plain = [
            review.Actor(f"a{i}", f"{rng.choice(FIRST).title()} {rng.choice('ABCDEFGHJKLMNPRSTW')}. "
                         f"{rng.choice(LAST).title()}{rng.choice(['', 'son', 'ov', 'er', 'ez'])}", [], "person")
            for i in range(len(entries))
        ]
        plain_dups, t_plain = timed(lambda: review.likely_duplicates(plain))
        warnings, t_review = timed(lambda: review.review_tree(store))
    rows = [
        ("index built first (reconcile of the new tree)", f"{t_build:.1f} s", ""),
        ("floor: scan + read every kind file", f"{t_scan + t_read:.2f} s ({t_scan:.2f} + {t_read:.2f})", ""),
        ("rename, actor named by 1,000 events: plan / apply / index", " / ".join(f"{t:.2f}" for t in rename[:3])
         + f" s = **{sum(rename[:3]):.2f} s** ({rename[3]} paths)", "< 5 s"),
        ("merge, actor named by 1,000 events: plan / apply / index", " / ".join(f"{t:.2f}" for t in merge[:3])
         + f" s = **{sum(merge[:3]):.2f} s** ({merge[3]} paths)", "< 5 s"),
        (f"duplicate review, {len(entries):,} generated actors", f"**{t_dups:.2f} s** ({len(duplicates)} pairs)",
         "< 3 s"),
        (f"duplicate review, {len(plain):,} names without numbers", f"**{t_plain:.2f} s** ({len(plain_dups)} pairs)",
         "< 3 s"),
        ("whole review (all warnings, mentions included)", f"{t_review:.1f} s ({len(warnings):,} warnings)", ""),
    ]
    table = [f"### Curation and review (bench/bench_curate.py), N = {n:,}", "",
             f"Machine: {machine()} (shared with other agents while measuring: one run each, noisy).", "",
             "| measure | time | target |", "|---|---|---|"]
    table += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    text = "\n".join(table)
    print(text)
    append_to_readme(text)


if __name__ == "__main__":
    main()
