"""``dossier export``."""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from dossier.commands import OK, Command, Context, UsageError


class Export(Command):
    """Export the tree for other tools: FollowTheMoney, JSON or CSV.

    --format ftm   FollowTheMoney entities as JSON lines (Person, Organization,
                   LegalEntity, Event with its involved actors, Article or
                   Document), for Aleph and the ftm tools.
    --format json  one JSON document with every entry, its references resolved
                   (kind and title of each id) and its text files.
    --format csv   spreadsheet tables: actors.csv, events.csv, sources.csv,
                   event_actors.csv, event_sources.csv, actor_links.csv and
                   actor_roles.csv, written into the folder given with -o.

    The same tree always gives the same bytes. Without -o, ftm and json go to
    standard output. Entries whose file cannot be read are left out (run
    'dossier check'). With --json (and -o), a report of what was written goes
    to standard output; --dry-run says what would be written, and writes
    nothing.
    """

    name = "export"
    writes = True

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--format", required=True, choices=("ftm", "json", "csv"), help="the output format")
        parser.add_argument("-o", "--output", type=Path, metavar="FILE",
                            help="the file to write (for csv: a folder); default: standard output")

    def run(self, args: argparse.Namespace, context: Context) -> int:
        from dossier.exporters import load_entries

        store = context.store()
        if args.json and args.output is None and not args.dry_run:
            raise UsageError("--json reports what was written: give the file with -o (or use --dry-run)")
        if args.format == "csv":
            if args.output is None:
                raise UsageError("--format csv writes several tables: give a folder with -o")
            if args.output.exists() and not args.output.is_dir():
                raise UsageError(f"{args.output} is not a folder")
            from dossier.exporters.csv import export_csv, tables

            with context.busy("exporting: reading every entry…"):
                loaded = load_entries(store, with_texts=False)
                rows = {name: len(table) - 1 for name, table in tables(loaded).items()}
                files = [args.output / f"{name}.csv" for name in rows] if args.dry_run \
                    else export_csv(loaded, args.output)
            report = {"format": "csv", "output": str(args.output), "dry_run": args.dry_run,
                      "entries": len(loaded.entries),
                      "files": [{"path": str(f), "rows": rows[f.stem]} for f in files],
                      "written": 0 if args.dry_run else len(files)}
            return self._report(context, args.json, report, f"{len(files)} tables to {args.output}")
        buffer = io.StringIO(newline="\n")
        with context.busy("exporting: reading every entry and its texts…"):
            loaded = load_entries(store)
            if args.format == "ftm":
                from dossier.exporters.ftm import export_ftm

                count = export_ftm(loaded, buffer)
            else:
                from dossier.exporters.json import export_json

                count = export_json(loaded, buffer)
        unit = "entities" if args.format == "ftm" else "entries"
        report = {"format": args.format, "output": str(args.output) if args.output else "-",
                  "dry_run": args.dry_run, "entries": len(loaded.entries), unit: count,
                  "bytes": len(buffer.getvalue().encode("utf-8")), "written": 0}
        if args.output is not None and args.output.is_dir():
            raise UsageError(f"{args.output} is a folder")
        if args.dry_run:
            return self._report(context, args.json, report, f"{count} {unit} to {args.output or 'standard output'}")
        if args.output is None:
            sys.stdout.write(buffer.getvalue())
            sys.stdout.flush()
            return OK
        args.output.write_bytes(buffer.getvalue().encode("utf-8"))
        report["written"] = 1
        return self._report(context, args.json, report, f"{count} {unit} to {args.output}")

    @staticmethod
    def _report(context: Context, as_json: bool, report: dict[str, object], what: str) -> int:
        if as_json:
            context.print_json(report)
        elif report["dry_run"]:
            context.out.print(f"would write {what} (dry run: nothing written)", markup=False, highlight=False)
        else:
            context.info(f"wrote {what}")
        return OK

