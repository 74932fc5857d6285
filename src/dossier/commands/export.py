"""``dossier export``."""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from dossier.commands import OK, Command, Context, UsageError
from dossier.errors import describe_os_error


class Export(Command):
    """Export the tree for other tools: FollowTheMoney, JSON or CSV.

    --format ftm   FollowTheMoney entities as JSON lines (Person, Organization,
                   LegalEntity, Event with its involved actors, Article or
                   Document), for Aleph and the ftm tools.
    --format json  one JSON document with every entry, its references resolved
                   (kind and title of each id) and its text files.
    {tables}

    The same tree always gives the same bytes. Without -o, ftm and json go to
    standard output. Entries whose file cannot be read are left out (run
    'dossier check').
    """

    name = "export"
    json_output = False

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--format", required=True, choices=("ftm", "json", "csv"), help="the output format")
        parser.add_argument("-o", "--output", type=Path, metavar="FILE",
                            help="the file to write (for csv: a folder); default: standard output")

    def run(self, args: argparse.Namespace, context: Context) -> int:
        from dossier.exporters import load_entries

        store = context.store()
        if args.format == "csv":
            if args.output is None:
                raise UsageError("--format csv writes several tables: give a folder with -o")
            if args.output.exists() and not args.output.is_dir():
                raise UsageError(f"{args.output} is not a folder")
            from dossier.exporters.csv import export_csv

            try:
                files = export_csv(load_entries(store, with_texts=False), args.output)
            except OSError as exc:
                raise UsageError(f"cannot write the tables: {describe_os_error(exc)}") from None
            context.err.print(f"wrote {len(files)} tables to {args.output}", markup=False, highlight=False)
            return OK
        loaded = load_entries(store)
        buffer = io.StringIO(newline="\n")
        if args.format == "ftm":
            from dossier.exporters.ftm import export_ftm

            count = export_ftm(loaded, buffer)
        else:
            from dossier.exporters.json import export_json

            count = export_json(loaded, buffer)
        data = buffer.getvalue().encode("utf-8")
        if args.output is None:
            sys.stdout.write(buffer.getvalue())
            sys.stdout.flush()
        else:
            if args.output.is_dir():
                raise UsageError(f"{args.output} is a folder")
            if not args.output.parent.is_dir():
                raise UsageError(f"cannot write {args.output}: the folder {args.output.parent} does not exist")
            try:
                args.output.write_bytes(data)
            except OSError as exc:
                raise UsageError(f"cannot write {args.output}: {describe_os_error(exc).rsplit(': ', 1)[-1]}") from None
            context.err.print(f"wrote {count} {'entities' if args.format == 'ftm' else 'entries'} to {args.output}",
                              markup=False, highlight=False)
        return OK


def _csv_tables() -> str:
    import textwrap

    from dossier.exporters.csv import COLUMNS

    names = [f"{name}.csv" for name in COLUMNS]
    text = ("--format csv   spreadsheet tables, written into the folder given with -o (made if missing): "
            + ", ".join(names[:-1]) + " and " + names[-1] + ".")
    return textwrap.fill(text, width=72, subsequent_indent=" " * 19).lstrip()


# The tables named in --help are the ones the exporter writes, not a list kept by hand beside it.
Export.__doc__ = (Export.__doc__ or "").replace("{tables}", _csv_tables())
