"""``dossier import timeline`` and ``dossier import article``."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.table import Table
from rich.text import Text

from dossier.commands import FINDINGS, OK, Command, Context, UsageError
from dossier.model import SOURCE_TYPES, Kind, PartialDate
from dossier.safe import clean

#: Warnings shown on the terminal before "... and N more" (--json lists them all).
SHOWN_WARNINGS = 20


def _partial_date(value: str) -> PartialDate:
    date = PartialDate.parse(value)
    if date is None:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (2025-01-28, 2020-06 or 1980)")
    return date


class Import(Command):
    """Import event timelines and saved articles into the tree.

    dossier import timeline SRC... [--dry-run]
        Event files (Markdown with YAML front matter, or JSON), or folders of
        them. Each event becomes an event entry with its body as summary.md;
        each distinct source (same URL) one source entry; each actor name an
        actor, with the spellings of one party ("Gen. Mark Milley", "Mark
        Milley"; "Office of Government Ethics (OGE)", "OGE") merged and kept
        as aliases; --json lists every merge with its reasons. Entries already in the tree are
        reused, never changed: importing the same files twice changes nothing.
        Files that cannot be read are listed with the reason and skipped.

    dossier import article FILE [--url URL] [--outlet NAME] [--published DATE] [--type TYPE]
        One saved article (.txt, .md, .html) as a source with its text, and the
        actors of the tree it mentions.

    Exit status: 0 when everything was imported, 1 when something was skipped,
    2 when the input cannot be found.
    """

    name = "import"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="what", metavar="WHAT", required=True, parser_class=type(parser))
        timeline = sub.add_parser(
            "timeline",
            help="event files (Markdown + YAML front matter, JSON) or folders of them",
            description="Import event files (Markdown with YAML front matter, or JSON) or folders of them.",
        )
        timeline.add_argument("sources", nargs="+", type=Path, metavar="SRC", help="event files or folders")
        self._common(timeline)
        article = sub.add_parser(
            "article",
            help="one saved article (.txt, .md, .html) as a source",
            description="Import one saved article as a source and list the actors it mentions.",
        )
        article.add_argument("file", type=Path, metavar="FILE", help="a .txt, .md or .html file")
        article.add_argument("--url", help="the article's address (instead of the one in the file)")
        article.add_argument("--outlet", metavar="NAME", help="who published it")
        article.add_argument("--published", type=_partial_date, metavar="DATE", help="publication date")
        article.add_argument("--type", dest="source_type", choices=SOURCE_TYPES, help="the kind of source")
        self._common(article)

    @staticmethod
    def _common(parser: argparse.ArgumentParser) -> None:
        # Accepted after the subcommand too; SUPPRESS keeps a value given before it.
        parser.add_argument("--tree", metavar="PATH", default=argparse.SUPPRESS, help="the dossier tree")
        parser.add_argument("--index", metavar="DIR", dest="index_dir", default=argparse.SUPPRESS,
                            help="where the search index lives")
        parser.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON for scripts")
        parser.add_argument("--dry-run", action="store_true", help="read and resolve everything, write nothing")

    def run(self, args: argparse.Namespace, context: Context) -> int:
        from dossier.store import Store

        tree, index_dir = context.tree, context.index_dir
        if tree.exists() and not tree.is_dir():
            raise UsageError(f"{tree} is not a folder")
        if not args.dry_run:
            tree.mkdir(parents=True, exist_ok=True)
        store = Store(tree)
        if args.what == "timeline":
            return self._timeline(args, context, store, index_dir)
        return self._article(args, context, store, index_dir)

    # -- timeline

    def _timeline(self, args: argparse.Namespace, context: Context, store, index_dir: Path | None) -> int:  # type: ignore[no-untyped-def]
        from dossier.importers.timeline import TimelineImporter

        missing = [str(p) for p in args.sources if not p.exists()]
        if missing:
            raise UsageError(f"no such file or folder: {', '.join(missing)}")
        use_bar = context.err.is_terminal and not args.json
        if use_bar:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                           console=context.err, transient=True)
            task = bar.add_task("reading", total=None)

            def progress(phase: str, done: int, total: int) -> None:
                bar.update(task, description=phase, completed=done, total=total)

            with bar:
                report = TimelineImporter(store, dry_run=args.dry_run, progress=progress).run(
                    args.sources, index_dir=index_dir
                )
        else:
            report = TimelineImporter(store, dry_run=args.dry_run).run(args.sources, index_dir=index_dir)
        if args.json:
            context.print_json({"tree": str(store.root), **report.to_json()})
        else:
            self._print_report(context, report)
        return OK if report.ok else FINDINGS

    def _print_report(self, context: Context, report) -> None:  # type: ignore[no-untyped-def]
        for note in report.skipped:
            line = Text()
            line.append(clean(note.path), style="bold")
            line.append(": ")
            line.append("skipped", style="red")
            line.append(": " + clean(note.message))
            context.out.print(line, soft_wrap=True)
        for note in report.warnings[:SHOWN_WARNINGS]:
            line = Text()
            line.append(clean(note.path), style="bold")
            line.append(": ")
            line.append("note", style="yellow")
            line.append(": " + clean(note.message))
            context.out.print(line, soft_wrap=True)
        if len(report.warnings) > SHOWN_WARNINGS:
            context.out.print(f"... and {len(report.warnings) - SHOWN_WARNINGS} more notes (--json lists them all)")
        verb = "would be created" if report.dry_run else "created"
        table = Table(title=f"{report.files} file(s) read" + (" (dry run: nothing written)" if report.dry_run else ""))
        table.add_column("")
        table.add_column(verb, justify="right")
        table.add_column("reused", justify="right")
        table.add_column("skipped", justify="right")
        for kind in (Kind.EVENT, Kind.ACTOR, Kind.SOURCE):
            tally = report.tallies[kind]
            table.add_row(kind.plural, str(tally.created), str(tally.reused), str(tally.skipped))
        context.out.print(table)
        if report.merges:
            context.out.print(Text(f"{len(report.merges)} actor(s) merged from several spellings; "
                                   "--json lists each merge with its reasons"))
        if report.ignored:
            context.out.print(Text(f"ignored: {', '.join(clean(p) for p in report.ignored)}"), soft_wrap=True)
        if report.index:
            context.out.print(Text(clean(report.index)))

    # -- article

    def _article(self, args: argparse.Namespace, context: Context, store, index_dir: Path | None) -> int:  # type: ignore[no-untyped-def]
        from dossier.importers.article import import_article

        if not args.file.is_file():
            raise UsageError(f"no such file: {args.file}")
        result = import_article(
            store, args.file, url=args.url, outlet=args.outlet, published=args.published,
            source_type=args.source_type, dry_run=args.dry_run, index_dir=index_dir,
        )
        report = result.report
        if args.json:
            context.print_json({
                "tree": str(store.root),
                "source": result.source_id,
                "created": result.created,
                "mentions": [
                    {"actor": m.actor_id, "name": m.name, "matched": list(m.names), "count": m.count}
                    for m in result.mentions
                ],
                **report.to_json(),
            })
            return OK if report.ok else FINDINGS
        for note in report.skipped:
            context.out.print(Text(f"{clean(note.path)}: skipped: {clean(note.message)}"), soft_wrap=True)
        if result.source_id is not None:
            verb = ("would create" if args.dry_run else "created") if result.created else "already in the tree:"
            context.out.print(Text(f"{verb} source {result.source_id}"))
        if result.mentions:
            context.out.print("Actors the article mentions (add their ids to the source's or an event's actors):")
            for mention in result.mentions:
                line = Text("  ")
                line.append(mention.actor_id, style="bold")
                line.append(f"  {clean(mention.name)}  ({mention.count}x: {clean(', '.join(mention.names))})")
                context.out.print(line, soft_wrap=True)
        elif result.source_id is not None:
            context.out.print("No actor of the tree is mentioned.")
        if report.index:
            context.out.print(Text(clean(report.index)))
        return OK if report.ok else FINDINGS
