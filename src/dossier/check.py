"""``dossier check``: every problem in the tree, never stopping at the first.

Here: reading and checking every entry (:func:`check_tree`). ``dossier check`` adds the review
and answers either by reading every file or from the index (:mod:`dossier.check_cache`, a layer
above, where the review lives).

The index gathers the same per-entry problems when an entry is indexed
(``dossier.index.document.load_entry``), from the same checks: the store's readers,
``model.validate`` and ``model.check_references``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dossier import policy
from dossier.model import Kind, Problem, check_references, validate
from dossier.store import Location, Store


@dataclass
class CheckReport:
    """What ``check`` found: the problems, and how many entries of each kind it read."""

    problems: list[Problem] = field(default_factory=list)
    counts: dict[Kind, int] = field(default_factory=dict)
    #: The confirmation policy applied to the tree: its warnings are kept apart from the tree's problems.
    policy_review: policy.Review = field(default_factory=policy.Review)
    #: Each readable entry with its parsed kind file, in scan order: the review reads them from here, not again
    #: (the full road only).
    entries: list[tuple[Location, dict[str, Any]]] = field(default_factory=list)
    #: Everything ``check`` prints, in order: the problems, the policy's and the review's warnings, the notes
    #: (set by :func:`finish`).
    findings: list[Problem] = field(default_factory=list)
    #: How the answer was reached, for ``-v``.
    road: str = "read every file"

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)


def problem_order(problem: Problem) -> tuple[Any, ...]:
    """The order ``check`` lists problems in: by file, line, column and message, then anything else, so
    that the order never depends on the order the entries were read in."""
    return (problem.path, problem.line or 0, problem.column or 0, problem.message, problem.code,
            problem.severity.value, problem.entry_id or "")


def check_entry(
    store: Store,
    location: Location,
    kinds_by_id: Mapping[str, Kind],
    read: list[policy.EntryFile] | None = None,
) -> list[Problem]:
    """Every problem of one entry: its kind file, its text files, its references.

    ``read`` collects the parsed kind file for the policy review, so that it is read once.
    """
    data, text, problems = store.read_kind_file(location)
    problems = list(problems)
    if data is not None:
        if read is not None:
            read.append(policy.EntryFile(location.id, location.kind, location.main_file, data, text or ""))
        problems.extend(validate(location.id, location.kind, data, location.main_file, text or ""))
        problems.extend(
            check_references(location.id, location.kind, data, location.main_file, text or "", kinds_by_id)
        )
    for stamp in location.texts:
        problems.extend(store.read_text_file(stamp.path, location.id).problems)
    return problems


def check_tree(store: Store, progress: Callable[[int, int], None] | None = None) -> CheckReport:
    """Read and check every entry of the tree (the review's warnings apart: see :func:`full_check`)."""
    scan = store.scan()
    report = CheckReport(problems=list(scan.problems))
    _, collection_problems = store.collection()
    report.problems.extend(collection_problems)
    kinds_by_id = {loc.id: loc.kind for loc in scan.locations}
    total = len(scan.locations)
    read: list[policy.EntryFile] = []
    for done, location in enumerate(scan.locations, start=1):
        report.counts[location.kind] = report.counts.get(location.kind, 0) + 1
        before = len(read)
        report.problems.extend(check_entry(store, location, kinds_by_id, read))
        if len(read) > before:
            report.entries.append((location, dict(read[-1].data)))
        if progress is not None:
            progress(done, total)
    rules, policy_problems = policy.load(store)
    report.problems.extend(policy_problems)
    report.policy_review = policy.review(rules, read)
    report.policy_review.problems.sort(key=problem_order)
    report.problems.sort(key=problem_order)
    return report
