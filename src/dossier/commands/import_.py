"""``dossier import timeline`` and ``dossier import article``."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from rich.text import Text

from dossier.commands import FINDINGS, OK, Command, Context, UsageError, add_global_options
from dossier.commands.progress import index_after_import, phase_bar
from dossier.model import SOURCE_TYPES, Kind, PartialDate
from dossier.safe import clean

#: Warnings shown on the terminal before "... and N more" (--json lists them all).
SHOWN_WARNINGS = 20
#: Planned entries a dry run lists before "... and N more" (--json lists them all).
SHOWN_PLANNED = 200


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

        Event files are .md (YAML front matter), .json, or .yaml/.yml (the same
        fields as the front matter, as a YAML table). README files and Hugo's
        _index.md inside folders are ignored.

    dossier import article FILE|- [--url URL] [--outlet NAME] [--published DATE] [--type TYPE]
        One saved article (.txt, .md, .html; '-' reads standard input) as a
        source with its text, and the actors of the tree it mentions.

    dossier import ftm FILE|-
        FollowTheMoney entities as JSON lines (what Aleph, OpenSanctions and
        'dossier export --format ftm' write): people and organizations become
        actors, Events events, Articles and Documents sources, links between
        actors their [[links]]. An entity already in the tree is reused.

    dossier import csv FILE|- --kind actor|event|source [--map COLUMN=FIELD ...]
        One table, a row an entry: columns are fields by their header; --map
        renames a column (--map "Full name=name"), or leaves it out (--map
        "Notes="). Lists (aliases, tags, actors, sources, related) are split
        on ';'. A row whose id is in the tree is reused; a bad row is reported
        with its line number and skipped.

    With --dry-run every importer reads and plans everything, writes nothing,
    and lists the entries it would create, by id.

    Exit status: 0 when everything was imported, 1 when something was skipped,
    2 when the input cannot be found.
    """

    name = "import"
    writes = True

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="what", metavar="WHAT", required=True, parser_class=type(parser))
        timeline = sub.add_parser(
            "timeline",
            help="event files (Markdown + YAML front matter, JSON, YAML) or folders of them",
            description="Import event files (Markdown with YAML front matter, JSON or YAML) or folders of them.",
        )
        timeline.add_argument("sources", nargs="+", type=Path, metavar="SRC",
                              help="event files or folders; - for one event on standard input")
        self._common(timeline)
        article = self._file_input(sub, "article", "one saved article (.txt, .md, .html) as a source",
                                   "Import one saved article as a source and list the actors it mentions.",
                                   "a .txt, .md or .html file")
        article.add_argument("--url", help="the article's address (instead of the one in the file)")
        article.add_argument("--outlet", metavar="NAME", help="who published it")
        article.add_argument("--published", type=_partial_date, metavar="DATE", help="publication date")
        article.add_argument("--type", dest="source_type", choices=SOURCE_TYPES, help="the kind of source")
        self._common(article)
        ftm = self._file_input(sub, "ftm",
                               "FollowTheMoney entities (JSON lines, from Aleph, OpenSanctions or dossier export)",
                               "Import FollowTheMoney entities (JSON lines) as actors, events, sources and links.",
                               "a .json/.jsonl/.ftm file")
        self._common(ftm)
        table = self._file_input(sub, "csv", "one table of actors, events or sources, a row an entry",
                                 "Import one CSV table, a row an entry, columns as fields by their header.",
                                 "a .csv file")
        table.add_argument("--kind", required=True, choices=[k.value for k in Kind], help="what each row is")
        table.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD",
                           help="use COLUMN as FIELD (COLUMN= leaves it out); repeat for more columns")
        self._common(table)

    @staticmethod
    def _file_input(sub: Any, name: str, help_text: str, description: str, file_help: str,
                    ) -> argparse.ArgumentParser:
        """A subcommand that reads one FILE (or standard input for ``-``)."""
        parser = sub.add_parser(name, help=help_text, description=description)
        parser.add_argument("file", type=Path, metavar="FILE", help=f"{file_help}; - for standard input")
        return parser

    @staticmethod
    def _common(parser: argparse.ArgumentParser) -> None:
        # Accepted after the subcommand too; SUPPRESS keeps a value given before it.
        add_global_options(parser, suppress=True)
        parser.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON for scripts")
        parser.add_argument("--dry-run", action="store_true", default=argparse.SUPPRESS,
                            help="read and plan everything, write nothing; list what would be created, by id")

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
        if args.what == "article":
            return self._article(args, context, store, index_dir)
        return self._records(args, context, store)

    # -- ftm and csv

    def _records(self, args: argparse.Namespace, context: Context, store) -> int:  # type: ignore[no-untyped-def]
        name, text = read_input_argument(args.file)
        if args.what == "ftm":
            from dossier.importers.ftm import import_ftm

            report = import_ftm(store, text.splitlines(), name, dry_run=args.dry_run)
        else:
            from dossier.importers.csv import import_csv, parse_mapping

            try:
                mapping = parse_mapping(args.map)
            except ValueError as exc:
                raise UsageError(str(exc)) from None
            report = import_csv(store, text, name, Kind(args.kind), mapping=mapping, dry_run=args.dry_run)
        return self._finish(args, context, store, report)

    # -- timeline

    def _timeline(self, args: argparse.Namespace, context: Context, store, index_dir: Path | None) -> int:  # type: ignore[no-untyped-def]
        from dossier.importers.timeline import TimelineImporter

        missing = [str(p) for p in args.sources if str(p) != "-" and not p.exists()]
        if missing:
            raise UsageError(f"no such file or folder: {', '.join(missing)}")
        if Path("-") in args.sources:  # one event from standard input (Markdown, JSON or YAML)
            if len(args.sources) > 1:
                raise UsageError("'-' (standard input) is the only SRC when given")
            with stdin_or_file(Path("-"), _event_suffix) as spooled:
                args.sources = [spooled]
                return self._timeline(args, context, store, index_dir)
        if context.progress and not args.json:
            with phase_bar(context) as progress:
                report = TimelineImporter(store, dry_run=args.dry_run, progress=progress).run(
                    args.sources, index_dir=index_dir, update=False
                )
        else:
            report = TimelineImporter(store, dry_run=args.dry_run).run(args.sources, index_dir=index_dir, update=False)
        return self._finish(args, context, store, report)

    @staticmethod
    def _finish(args: argparse.Namespace, context: Context, store, report) -> int:  # type: ignore[no-untyped-def]
        """Index what was written (with its own progress), then report: the end of every import but article's."""
        if not args.dry_run and report.written:
            report.index = index_after_import(context, store, len(report.written))
        if args.json:
            context.print_json({"tree": str(store.root), **report.to_json()})
        else:
            print_import_report(context, report)
        return OK if report.ok else FINDINGS

    # -- article

    def _article(self, args: argparse.Namespace, context: Context, store, index_dir: Path | None) -> int:  # type: ignore[no-untyped-def]
        from dossier.importers.article import import_article

        with stdin_or_file(args.file) as path:
            result = import_article(
                store, path, url=args.url, outlet=args.outlet, published=args.published,
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


def read_input_argument(path: Path) -> tuple[str, str]:
    """(the name messages use, the text) of a FILE argument; ``-`` reads standard input."""
    import sys

    from dossier.importers.common import InputError, read_input

    if str(path) == "-":
        data = sys.stdin.buffer.read()
        try:
            return "<stdin>", data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UsageError(f"standard input is not UTF-8 text (byte {exc.start})") from None
    if not path.is_file():
        raise UsageError(f"no such file: {path}")
    try:
        return clean(str(path)), read_input(path)
    except InputError as exc:
        raise UsageError(f"{path}: {exc}") from None


def _article_suffix(head: bytes) -> str:
    return ".html" if head.startswith(b"<") else ".md"


def _event_suffix(head: bytes) -> str:
    if head.startswith((b"{", b"[")):
        return ".json"
    return ".md" if head.startswith(b"---") else ".yaml"


@contextlib.contextmanager
def stdin_or_file(path: Path, suffix_for: Callable[[bytes], str] = _article_suffix) -> Iterator[Path]:
    """The file; for ``-``, standard input saved to a temporary file whose suffix says what it holds.

    The importers read a format by its suffix; ``suffix_for`` picks one from the first bytes.
    """
    import sys
    import tempfile

    if str(path) != "-":
        if not path.exists():
            raise UsageError(f"no such file: {path}")
        yield path
        return
    data = sys.stdin.buffer.read()
    suffix = suffix_for(data.lstrip()[:512].lower())
    with tempfile.TemporaryDirectory(prefix="dossier-stdin-") as folder:
        spooled = Path(folder) / f"stdin{suffix}"
        spooled.write_bytes(data)
        yield spooled


def print_import_report(context: Context, report) -> None:  # type: ignore[no-untyped-def]
    """An import's report as plain lines: skipped inputs, notes, counts by kind, the entries a dry run plans."""
    out = context.out
    notes = [(note, "skipped", "red") for note in report.skipped]
    notes += [(note, "note", "yellow") for note in report.warnings[:SHOWN_WARNINGS]]
    for note, label, style in notes:
        line = Text()
        line.append(clean(note.path), style="bold")
        line.append(": ")
        line.append(label, style=style)
        line.append(": " + clean(note.message))
        out.print(line, soft_wrap=True)
    if len(report.warnings) > SHOWN_WARNINGS:
        out.print(f"... and {len(report.warnings) - SHOWN_WARNINGS} more notes (--json lists them all)")
    if report.dry_run:
        for kind, entry_id, _ in report.created[:SHOWN_PLANNED]:
            out.print(Text(f"would create {kind.value} {entry_id}"), soft_wrap=True)
        if len(report.created) > SHOWN_PLANNED:
            out.print(f"... and {len(report.created) - SHOWN_PLANNED} more (--json lists them all)")
    elif context.verbose:
        for kind, entry_id, _ in report.created:
            out.print(Text(f"created {kind.value} {entry_id}"), soft_wrap=True)
    verb = "would be created" if report.dry_run else "created"
    out.print(f"{report.files} file(s) read" + (" (dry run: nothing written)" if report.dry_run else ""))
    for kind in (Kind.EVENT, Kind.ACTOR, Kind.SOURCE):
        tally = report.tallies[kind]
        out.print(f"{kind.plural}: {tally.created} {verb}, {tally.reused} reused, {tally.skipped} skipped")
    if report.merges:
        out.print(Text(f"{len(report.merges)} actor(s) merged from several spellings; "
                       "--json lists each merge with its reasons"))
    if report.ignored:
        out.print(Text(f"ignored: {', '.join(clean(p) for p in report.ignored)}"), soft_wrap=True)
    if report.index:
        out.print(Text(clean(report.index)))
