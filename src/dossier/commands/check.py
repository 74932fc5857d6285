"""``dossier check``."""

from __future__ import annotations

import argparse

from rich.text import Text

from dossier.check import check_tree
from dossier.commands import FINDINGS, OK, Command, Context
from dossier.model import Severity
from dossier.safe import clean


class Check(Command):
    """List every problem in the tree.

    Reads every entry and every text file, never stopping at the first error:
    invalid TOML, merge-conflict markers, invalid UTF-8, binary or huge files,
    wrong field types, unknown type/status values, dates that are not dates,
    references to missing ids (with a suggestion), duplicate ids, folders with
    two kind files, empty required fields, unreadable folders and link loops.
    Each problem names its file, line and column where the parser gives them.

    Exit status: 0 when the tree is clean, 1 when it has problems, 2 when it
    cannot be read at all.
    """

    name = "check"

    def run(self, args: argparse.Namespace, context: Context) -> int:
        store = context.store()
        with context.busy("checking every entry…"):
            report = check_tree(store)
        errors = [p for p in report.problems if p.severity is Severity.ERROR]
        if args.json:
            context.print_json(
                {
                    "tree": str(store.root),
                    "entries": {kind.value: n for kind, n in sorted(report.counts.items())},
                    "errors": len(errors),
                    "warnings": len(report.problems) - len(errors),
                    "problems": [p.to_json() for p in report.problems],
                }
            )
            return FINDINGS if errors else OK
        for problem in report.problems:
            line = Text()
            line.append(clean(problem.location), style="bold")
            line.append(": ")
            style = "red" if problem.severity is Severity.ERROR else "yellow"
            line.append(problem.severity.value, style=style)
            line.append(": " + clean(problem.message))
            context.out.print(line, soft_wrap=True)
        total = sum(report.counts.values())
        summary = Text(f"{total} entries checked: ")
        if errors:
            summary.append(f"{len(errors)} error(s)", style="bold red")
        else:
            summary.append("no errors", style="bold green")
        warnings = len(report.problems) - len(errors)
        if warnings:
            summary.append(f", {warnings} warning(s)", style="yellow")
        context.out.print(summary)
        return FINDINGS if errors else OK
