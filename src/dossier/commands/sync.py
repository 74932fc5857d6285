"""``dossier sync``."""

from __future__ import annotations

import argparse

from rich.text import Text

from dossier.commands import FINDINGS, OK, Command, Context, UsageError
from dossier.gitsync import GitError, SyncReport, entry_count, sync
from dossier.safe import clean


class Sync(Command):
    """Commit, pull, check and push the tree in one step.

    Commits the tree's changes with a message that lists the entries added,
    changed and removed; fetches the remote (the branch's upstream, else
    origin) and merges it with dossier's merge driver; runs check; pushes.
    When two people changed the same value differently, the sync stops in
    git's normal conflicted state and lists each entry and key in conflict,
    with the next command to run: edit the files, then 'dossier sync' again
    concludes the merge and pushes.

    Exit status: 0 synced, 1 stopped on a conflict, 2 not a git repository or
    a git command failed (its message is shown).
    """

    name = "sync"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("-m", "--message", help="the commit message (default: the entries changed)")

    def run(self, args: argparse.Namespace, context: Context) -> int:
        if not context.tree.is_dir():
            context.store()  # the usual message for a missing tree
        try:
            report = sync(context.tree, args.message)
        except GitError as exc:
            raise UsageError(str(exc)) from exc
        if args.json:
            context.print_json(report.to_json())
        else:
            _print(report, context)
        return OK if report.ok else FINDINGS


def _print(report: SyncReport, context: Context) -> None:
    out = context.out
    if report.committed:
        count = entry_count(report.changed)
        out.print(Text(f"committed {report.committed}: {count} entr{'y' if count == 1 else 'ies'} changed"))
        for kind, ids in report.changed.items():
            out.print(Text(f"  {kind}: " + clean(", ".join(ids)), overflow="fold"))
    else:
        out.print(Text("nothing to commit"))
    if report.merged:
        out.print(Text(f"merged from {clean(report.remote or '')}/{clean(report.branch or '')}: "
                       + clean(", ".join(report.merged)), overflow="fold"))
    for conflict in report.conflicts:
        line = Text("CONFLICT ", style="bold red")
        line.append(clean(conflict["entry"] or conflict["path"]), style="bold")
        line.append(f" ({clean(conflict['path'])}")
        if conflict["lines"]:
            line.append(", line " + ", ".join(str(n) for n in conflict["lines"]))
        line.append(")")
        if conflict["keys"]:
            line.append(": " + clean(", ".join(conflict["keys"])))
        elif conflict["deleted"]:
            line.append(": deleted on one side, changed on the other")
        out.print(line, soft_wrap=True)
    if report.check:
        out.print(Text(f"check: {report.check['errors']} error(s), {report.check['warnings']} warning(s)"))
    if report.pushed:
        out.print(Text(f"pushed to {clean(report.remote or '')}/{clean(report.branch or '')}", style="green"))
    for note in report.notes:
        out.print(Text("note: " + clean(note), style="yellow"), soft_wrap=True)
    if report.next:
        out.print(Text("next: " + report.next, style="bold"), soft_wrap=True)
