"""``dossier export``."""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from dossier.commands import OK, Command, Context, UsageError
from dossier.errors import describe_os_error
from dossier.model import Kind
from dossier.store import Store

FORMATS = ("ftm", "json", "csv", "graphml", "gexf", "chronology", "csl-json")


class Export(Command):
    """Export the tree for other tools: FollowTheMoney, JSON, CSV, GraphML, a chronology, CSL-JSON.

    --format ftm   FollowTheMoney entities as JSON lines (Person, Organization,
                   LegalEntity, Event with its involved actors, Article or
                   Document), for Aleph and the ftm tools.
    --format json  one JSON document with every entry, its references resolved
                   (kind and title of each id) and its text files.
    {tables}
    --format graphml  actors as nodes (name, type), and an edge per way two
                   actors connect: kind (event, link, role), weight, and the
                   event or link ids; for Gephi, Cytoscape, networkx (built
               from the search index, brought up to date first).
    --format gexf  the same graph in Gephi's own format.
    --format chronology  a Markdown chronology of the chosen events (HTML with
                   --html or an -o name ending in .html): date, title, status;
                   each account of a disputed event with who says it; numbered
                   footnotes citing every source with its grade in words.
    --format csl-json  the sources the chosen events cite (every source when
                   nothing is chosen), for Zotero and other reference managers.

    Events are chosen (chronology, csl-json) with --query, --actor, --tag,
    --from, --to, --min-importance and --status; every option given must
    match. Example:
      dossier export --format chronology --actor mark-milley -o milley.md

    The same tree always gives the same bytes. Without -o, every format but
    csv goes to standard output. Entries whose file cannot be read are left out (run
    'dossier check'). With --json (and -o), a report of what was written goes to
    standard output; --dry-run says what would be written, and writes nothing.
    """

    name = "export"
    writes = True

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--format", required=True, choices=FORMATS, help="the output format")
        parser.add_argument("-o", "--output", type=Path, metavar="FILE",
                            help="the file to write (for csv: a folder); default: standard output")
        chosen = parser.add_argument_group("choosing events (chronology, csl-json)")
        chosen.add_argument("--query", metavar="TEXT", help="events that match this search")
        chosen.add_argument("--actor", metavar="ID", help="events this actor takes part in")
        chosen.add_argument("--tag", action="append", default=[], metavar="TAG", help="events with this tag (repeat)")
        chosen.add_argument("--from", dest="date_from", metavar="DATE", help="events on or after (2021, 2021-06 ...)")
        chosen.add_argument("--to", dest="date_to", metavar="DATE", help="events on or before")
        chosen.add_argument("--min-importance", type=int, metavar="N", help="events of importance N or more")
        chosen.add_argument("--status", action="append", default=[], metavar="STATUS",
                            help="events with this status (repeat, or comma-separated)")
        chosen.add_argument("--title", help="the chronology's heading")
        parser.add_argument("--html", action="store_true", help="chronology as HTML")

    def run(self, args: argparse.Namespace, context: Context) -> int:
        from dossier.exporters import load_entries

        store = context.store()
        if args.json and args.output is None and not args.dry_run:
            raise UsageError("--json reports what was written: give the file with -o (or use --dry-run)")
        if args.format in ("chronology", "csl-json"):
            return self._chronology(args, context, store)
        if args.format in ("graphml", "gexf"):
            return self._graph(args, context)
        if args.format == "csv":
            if args.output is None:
                raise UsageError("--format csv writes several tables: give a folder with -o")
            if args.output.exists() and not args.output.is_dir():
                raise UsageError(f"{args.output} is not a folder")
            from dossier.exporters.csv import export_csv, tables

            with context.busy("exporting: reading every entry…"):
                loaded = load_entries(store, with_texts=False)
                rows = {name: len(table) - 1 for name, table in tables(loaded).items()}
                try:
                    files = [args.output / f"{name}.csv" for name in rows] if args.dry_run \
                        else export_csv(loaded, args.output)
                except OSError as exc:
                    raise UsageError(f"cannot write the tables: {describe_os_error(exc)}") from None
            report = {"format": "csv", "output": str(args.output), "dry_run": args.dry_run,
                      "counts": {"entries": len(loaded.entries)},
                      "files": [{"path": str(f), "rows": rows[f.stem]} for f in files],
                      "written": 0 if args.dry_run else len(files)}
            self._report(context, args.json, report, f"{len(files)} tables to {args.output}")
            return OK
        buffer = io.StringIO(newline="\n")
        with context.busy("exporting: reading every entry and its texts…"):
            loaded = load_entries(store)
            if args.format == "ftm":
                from dossier.exporters.ftm import export_ftm

                count = export_ftm(loaded, buffer)
            else:
                from dossier.exporters.json import export_json

                count = export_json(loaded, buffer)
        self._write(args, context, buffer.getvalue(), {"entities" if args.format == "ftm" else "entries": count})
        return OK

    def _graph(self, args: argparse.Namespace, context: Context) -> int:
        from dossier.commands.path import open_graph
        from dossier.exporters.graphml import to_gexf, to_graphml

        graph = open_graph(context)  # from the index's rows and references: no entry is parsed again
        buffer = io.StringIO(newline="\n")
        nodes, edges = (to_graphml if args.format == "graphml" else to_gexf)(graph, buffer)
        self._write(args, context, buffer.getvalue(), {"actors": nodes, "edges": edges})
        return OK

    def _chronology(self, args: argparse.Namespace, context: Context, store: Store) -> int:
        from dossier.commands.index import open_index
        from dossier.exporters.chronology import Selection, build, check_date, select_events, to_csl_json

        try:
            selection = Selection(
                query=args.query, actor=args.actor, tags=tuple(args.tag),
                date_from=check_date(args.date_from, "--from"), date_to=check_date(args.date_to, "--to"),
                min_importance=args.min_importance,
                statuses=tuple(s.strip() for value in args.status for s in value.split(",") if s.strip()),
            )
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        index = open_index(context, store)
        try:
            actor_row = index.row(args.actor) if args.actor is not None else None
            if args.actor is not None and (actor_row is None or actor_row.kind is not Kind.ACTOR):
                raise UsageError(f"no actor with id {args.actor!r}")
            chosen_anything = any((args.query, args.actor, args.tag, args.date_from, args.date_to,
                                   args.min_importance, args.status))
            if args.format == "csl-json" and not chosen_anything:
                from dossier.exporters import load_entries

                sources = list(load_entries(store, with_texts=False).entries)
                count = sum(1 for s in sources if s.kind is Kind.SOURCE)
                self._write(args, context, to_csl_json(sources), {"sources": count})
                return OK
            from dossier.index import QueryError

            try:
                event_ids = select_events(index, selection)
            except QueryError as exc:
                raise UsageError(f"--query: {exc}") from None
            names = {actor_row.id: actor_row.title} if actor_row is not None else {}
        finally:
            index.close()
        title = args.title or (f"Chronology: {names[args.actor]}" if args.actor else "Chronology")
        chronology = build(store, event_ids, title, selection.describe(names))
        if args.format == "csl-json":
            cited = [store.load(loc) for loc in (store.locate(f.source_id) for f in chronology.footnotes) if loc]
            cited = [entry for entry in cited if entry.kind is Kind.SOURCE and entry.data]
            self._write(args, context, to_csl_json(cited), {"sources": len(cited)})
            return OK
        from dossier.exporters.chronology import to_html, to_markdown

        as_html = args.html or (args.output is not None and args.output.suffix.lower() in (".html", ".htm"))
        text = to_html(chronology) if as_html else to_markdown(chronology)
        self._write(args, context, text, {"events": len(chronology.lines), "sources": len(chronology.footnotes)})
        return OK

    def _write(self, args: argparse.Namespace, context: Context, text: str, counts: dict[str, int]) -> None:
        """Write one export to -o or standard output (not on a dry run), then say what was written."""
        what = " and ".join(f"{n} {unit}" for unit, n in counts.items())
        data = text.encode("utf-8")
        report = {"format": args.format, "output": str(args.output) if args.output else "-",
                  "dry_run": args.dry_run, "counts": counts, "bytes": len(data), "written": 0}
        if args.output is not None and args.output.is_dir():
            raise UsageError(f"{args.output} is a folder")
        if args.dry_run:
            self._report(context, args.json, report, f"{what} to {args.output or 'standard output'}")
            return
        if args.output is None:
            sys.stdout.write(text)
            sys.stdout.flush()
            return
        if not args.output.parent.is_dir():
            raise UsageError(f"cannot write {args.output}: the folder {args.output.parent} does not exist")
        try:
            args.output.write_bytes(data)
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {describe_os_error(exc).rsplit(': ', 1)[-1]}") from None
        report["written"] = 1
        self._report(context, args.json, report, f"{what} to {args.output}")

    @staticmethod
    def _report(context: Context, as_json: bool, report: dict[str, object], what: str) -> None:
        if as_json:
            context.print_json(report)
        elif report["dry_run"]:
            context.out.print(f"would write {what} (dry run: nothing written)", markup=False, highlight=False)
        else:
            context.info(f"wrote {what}")

def _csv_tables() -> str:
    import textwrap

    from dossier.exporters.csv import COLUMNS

    names = [f"{name}.csv" for name in COLUMNS]
    text = ("--format csv   spreadsheet tables, written into the folder given with -o (made if missing): "
            + ", ".join(names[:-1]) + " and " + names[-1] + ".")
    return textwrap.fill(text, width=72, subsequent_indent=" " * 19).lstrip()


# The tables named in --help are the ones the exporter writes, not a list kept by hand beside it.
Export.__doc__ = (Export.__doc__ or "").replace("{tables}", _csv_tables())
