"""Measure how faithfully ``dossier import timeline`` turns actor names into actors.

    .venv/bin/python bench/eval_actors.py [--json]

Imports ../shared/corpus/timeline-events plus the small non-Latin fixture
(tests/importers/fixtures/nonlatin) into a temporary tree, then scores the
import against the hand-labelled names in bench/data/actors_labelled.tsv
(party, type, spelling: spellings with the same party are one real actor):

* redundant ids: for each labelled party, the actor ids its spellings ended up
  in, minus one; summed, as a share of every actor the import created;
* type accuracy: spellings whose actor has the labelled type;
* wrong merges: actor ids that hold spellings of two different parties;
* invalid FtM entities: the FollowTheMoney export of the whole tree checked
  with the ``followthemoney`` package (property exists, value cleans,
  entity references resolve);
* re-import: a second import of the same input writes nothing.

Not a timed benchmark; the figures go into bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "timeline-events"
NONLATIN = REPO / "tests" / "importers" / "fixtures" / "nonlatin"
LABELS = REPO / "bench" / "data" / "actors_labelled.tsv"


def read_labels(path: Path = LABELS) -> list[tuple[str, str, str]]:
    """(party, type, spelling) rows of a label file; lines starting with '#' are comments."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            party, actor_type, spelling = line.split("\t")
            rows.append((party, actor_type, spelling))
    return rows


def invalid_ftm_entities(entities: list[dict[str, Any]]) -> list[str]:
    """What is wrong with FtM entities, one line each (empty when all validate)."""
    from followthemoney import model

    ids = {e["id"] for e in entities}
    wrong = []
    for raw in entities:
        proxy = model.get_proxy(raw, cleaned=False)
        for name, values in raw["properties"].items():
            prop = proxy.schema.get(name)
            if prop is None:
                wrong.append(f"{raw['id']}: {proxy.schema.name} has no property {name}")
                continue
            for value in values:
                if prop.type.clean(value) is None:
                    wrong.append(f"{raw['id']}: {name} = {value!r} is not a valid {prop.type.name}")
                elif prop.type.name == "entity" and value not in ids:
                    wrong.append(f"{raw['id']}: {name} points at a missing entity {value}")
    return wrong


def score(resolve: dict[str, tuple[str, str] | None], labels: list[tuple[str, str, str]],
          actors: int) -> dict[str, Any]:
    """The figures from where each labelled spelling went: spelling -> (actor id, type) or None."""
    ids_by_party: dict[str, set[str]] = defaultdict(set)
    parties_by_id: dict[str, set[str]] = defaultdict(set)
    typed_right, typed, missing, type_errors = 0, 0, [], []
    for party, actor_type, spelling in labels:
        found = resolve.get(spelling)
        if found is None:
            missing.append(spelling)
            continue
        actor_id, got_type = found
        ids_by_party[party].add(actor_id)
        parties_by_id[actor_id].add(party)
        typed += 1
        if got_type == actor_type:
            typed_right += 1
        else:
            type_errors.append(f"{spelling}: {got_type} (labelled {actor_type})")
    redundant = sum(len(ids) - 1 for ids in ids_by_party.values())
    wrong = {actor_id: sorted(parties) for actor_id, parties in parties_by_id.items() if len(parties) > 1}
    return {
        "labelled spellings": len(labels),
        "labelled parties": len({p for p, _, _ in labels}),
        "actors created": actors,
        "redundant ids": redundant,
        "redundant share": redundant / actors if actors else 0.0,
        "split parties": {p: sorted(ids) for p, ids in ids_by_party.items() if len(ids) > 1},
        "type accuracy": typed_right / typed if typed else 0.0,
        "type errors": type_errors,
        "wrong merges": wrong,
        "not imported": missing,
    }


def run() -> dict[str, Any]:
    from dossier.exporters import load_entries
    from dossier.exporters.ftm import entities
    from dossier.importers.timeline import TimelineImporter
    from dossier.model import Kind
    from dossier.store import Store

    inputs = [CORPUS] + ([NONLATIN] if NONLATIN.is_dir() else [])
    labels = read_labels()
    if NONLATIN.is_dir() and (NONLATIN / "labels.tsv").is_file():
        labels += read_labels(NONLATIN / "labels.tsv")
    with tempfile.TemporaryDirectory(prefix="dossier-eval-") as tmp:
        store = Store(Path(tmp) / "tree")
        importer = TimelineImporter(store)
        report = importer.run(inputs, update=False)
        resolve: dict[str, tuple[str, str] | None] = {}
        for _, _, spelling in labels:
            plan = importer.resolver.get(spelling)
            resolve[spelling] = (plan.id, plan.type) if plan is not None and plan.id else None
        figures = score(resolve, labels, report.tallies[Kind.ACTOR].created)
        figures["invalid FtM entities"] = invalid_ftm_entities(entities(load_entries(store)))
        again = TimelineImporter(Store(Path(tmp) / "tree")).run(inputs, update=False)
        figures["re-import writes"] = len(again.written)
        figures["merges reported"] = len(getattr(report, "merges", []))
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print every figure and error as JSON")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        print(f"the corpus is not at {CORPUS}", file=sys.stderr)
        return 2
    sys.path.insert(0, str(REPO / "src"))
    figures = run()
    if args.json:
        print(json.dumps(figures, indent=2, ensure_ascii=False))
        return 0
    print(f"labelled: {figures['labelled spellings']} spellings of {figures['labelled parties']} parties")
    print(f"actors created: {figures['actors created']}")
    print(f"redundant ids: {figures['redundant ids']} ({figures['redundant share']:.2%} of actors)")
    for party, ids in figures["split parties"].items():
        print(f"    split: {party}: {', '.join(ids)}")
    print(f"type accuracy: {figures['type accuracy']:.1%}")
    for line in figures["type errors"]:
        print(f"    type: {line}")
    print(f"wrong merges: {len(figures['wrong merges'])}")
    for actor_id, parties in figures["wrong merges"].items():
        print(f"    merged: {actor_id}: {', '.join(parties)}")
    print(f"not imported: {len(figures['not imported'])} {figures['not imported'][:10]}")
    print(f"invalid FtM entities: {len(figures['invalid FtM entities'])}")
    for line in figures["invalid FtM entities"][:20]:
        print(f"    ftm: {line}")
    print(f"re-import writes: {figures['re-import writes']}")
    print(f"merges reported in the import's JSON: {figures['merges reported']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
