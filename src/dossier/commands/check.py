"""``dossier check``."""

from __future__ import annotations

import argparse

from rich.table import Table
from rich.text import Text

from dossier.check import CheckReport
from dossier.commands import FINDINGS, OK, Command, Context
from dossier.model import Severity
from dossier.policy import Review
from dossier.safe import clean
from dossier.store import Store


class Check(Command):
    """List every problem in the tree.

    Reads every entry and every text file, never stopping at the first error:
    invalid TOML, merge-conflict markers, invalid UTF-8, binary or huge files,
    wrong field types, unknown type/status values, dates that are not dates,
    references to missing ids (with a suggestion), duplicate ids, folders with
    two kind files, empty required fields, unreadable folders and link loops.
    Each problem names its file, line and column where the parser gives them.

    Warnings ask for a person's judgement and name the command that resolves
    each: likely duplicate actors and events (dossier merge), events with no
    source (dossier cite), disputed events without accounts, sources nobody
    cites, actors nothing refers to, actors named in texts that do not link
    them (dossier link), and a curation that was interrupted (run it again).

    It also applies the tree's confirmation policy ([policy] in dossier.toml,
    else the default): an event whose status is stronger than its sources
    support (confirmed needs two independent sources graded B or better,
    disputed needs accounts from two sides ...), and a field the policy wants
    backed (an event's date and location, an actor's dates ...) that has no
    [provenance] entry, are warnings.

    With an index (any command that searched the tree made one), check brings
    it up to date and reads only the entries whose files changed since the
    last check; --no-index reads every file (the answer is the same).

    --strict counts warnings as findings (exit 1), so that CI can gate a
    publication on them. --review adds, per kind, how many fields have
    provenance, how many the policy wants and lack it, and which events are
    above their status.

    Exit status: 0 when the tree is clean, 1 when it has problems (or, with
    --strict, warnings), 2 when it cannot be read at all.
    """

    name = "check"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--strict", action="store_true", help="count warnings as findings (exit 1)")
        parser.add_argument("--review", action="store_true",
                            help="also print, per kind, provenance and policy counts and the events above their status")
        parser.add_argument("--no-index", action="store_true",
                            help="read every file of the tree instead of answering from the index")

    def run(self, args: argparse.Namespace, context: Context) -> int:
        store = context.store()
        report = None if args.no_index else _from_index(context, store)
        if report is None:
            from dossier.check_cache import full_check

            with context.busy("checking every entry…"):
                report = full_check(store)
        problems = report.findings
        errors = [p for p in problems if p.severity is Severity.ERROR]
        warnings = [p for p in problems if p.severity is Severity.WARNING]
        notes = len(problems) - len(errors) - len(warnings)
        findings = errors + warnings if args.strict else errors
        code = FINDINGS if findings else OK
        if args.json:
            result = {
                "tree": str(store.root),
                "entries": {kind.value: n for kind, n in sorted(report.counts.items())},
                "errors": len(errors),
                "warnings": len(warnings),
                "notes": notes,
                "problems": [p.to_json() for p in problems],
            }
            if args.review:
                result["review"] = report.policy_review.to_json()
            context.print_json(result)
            return code
        if context.piped and context.out.color_system is None:
            # Plain lines, as Rich would write them into a pipe: it took seconds for 50,000 problems.
            context.write_lines(f"{clean(p.location)}: {p.severity.value}: {clean(p.message)}".rstrip(" ")
                                for p in problems)
        elif problems:
            listing = Text()  # one text printed once: line by line took seconds
            for problem in problems:
                listing.append(clean(problem.location), style="bold")
                listing.append(": ")
                style = {Severity.ERROR: "red", Severity.WARNING: "yellow"}.get(problem.severity, "dim")
                listing.append(problem.severity.value, style=style)
                listing.append(": " + clean(problem.message) + "\n")
            listing.rstrip()
            context.out.print(listing, soft_wrap=True)
        if args.review:
            _print_review(context, report.policy_review)
        total = sum(report.counts.values())
        summary = Text(f"{total} entries checked: ")
        if errors:
            summary.append(f"{len(errors)} error(s)", style="bold red")
        else:
            summary.append("no errors", style="bold green")
        if warnings:
            summary.append(f", {len(warnings)} warning(s)", style="yellow")
            if args.strict:
                summary.append(" (--strict: warnings count)")
        if notes:
            summary.append(f", {notes} note(s)", style="dim")
        context.out.print(summary)
        return code


def _from_index(context: Context, store: Store) -> CheckReport | None:
    """The report from the tree's index, brought up to date first; None when there is no index to trust.

    No index yet: reading the tree is quicker than building one here. An index another program is
    updating, or one that cannot be written, may lag behind the files: the tree is read instead.
    """
    from dossier.check_cache import Unanswerable, check_from_index
    from dossier.commands.index import COMMAND_WAIT
    from dossier.index import Index, IndexBusy, IndexWriteError, index_folder
    from dossier.index.state_table import STATE_FILE

    if not (index_folder(store, context.index_dir) / STATE_FILE).is_file():
        context.detail("no index yet: reading every file")
        return None
    try:
        index = Index.open(store, context.index_dir)
    except (IndexWriteError, OSError) as exc:
        context.detail(clean(f"the index cannot be opened ({exc}): reading every file"))
        return None
    try:
        if index.rebuilt_reason is not None:  # emptied (a new format, damage): the next search rebuilds it
            context.detail(clean(f"the index was emptied ({index.rebuilt_reason}): reading every file"))
            return None
        with context.busy("bringing the index up to date…"):
            index.reconcile(wait=COMMAND_WAIT)
        with context.busy("checking the entries that changed…"):
            report = check_from_index(store, index)
    except (IndexBusy, IndexWriteError, OSError, Unanswerable) as exc:
        context.detail(clean(f"the index cannot answer ({exc}): reading every file"))
        return None
    finally:
        index.close()
    context.detail(report.road)
    return report


def _print_review(context: Context, review: Review) -> None:
    """Per kind: fields with provenance, fields the policy wants and lack it; then the events above their status."""
    columns = ("kind", "entries", "with provenance", "sourced", "note only", "wanted", "lacking")
    rows = [(kind.plural, str(counts.entries), str(counts.with_provenance), str(counts.sourced),
             str(counts.outside), str(counts.wanted), str(counts.lacking))
            for kind, counts in sorted(review.counts.items())]
    if context.piped:  # a pipe or a file gets tab-separated lines, never a box
        context.write_lines("\t".join(row) for row in [columns, *rows])
    else:
        table = Table(title="Provenance and policy", show_header=True, title_justify="left")
        for name in columns:
            table.add_column(name, justify="left" if name == "kind" else "right")
        for row in rows:
            table.add_row(*row)
        context.out.print(table)
    if not review.above_status:
        context.out.print("No event is above its status.")
        return
    context.out.print(f"{len(review.above_status)} event(s) above their status:")
    for shortfall in review.above_status:
        line = Text("  ")
        line.append(clean(shortfall.entry_id), style="bold")
        line.append(clean(f"  {shortfall.status}: needs {shortfall.needs}; has {shortfall.has}"))
        context.out.print(line, soft_wrap=True)
