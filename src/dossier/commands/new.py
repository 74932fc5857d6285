"""``dossier new``."""

from __future__ import annotations

import argparse

from dossier.commands import OK, Command, Context, UsageError
from dossier.editor import open_in_editor
from dossier.model import Kind, PartialDate
from dossier.store import EntryExists, Store, StoreError
from dossier.templates import NEW_ENTRY_HINTS, new_entry_data, new_entry_id


def parse_date_argument(value: str) -> object:
    """A --date value as a TOML date, or a partial-date string."""
    date = PartialDate.parse(value)
    if date is None:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (2025-01-28, 2020-06 or 1980)")
    return date.first_day if date.day is not None else str(date)


class New(Command):
    """Create a new actor, event or source.

    Makes the entry's folder (actors/, events/ or sources/ under the tree) with
    an id made from the title, date first for events and sources, and a kind
    file with the fields to fill in. Never overwrites: an existing id is an
    error. Prints the new file's path; --edit opens it in $EDITOR.
    """

    name = "new"
    writes = True

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("kind", choices=[k.value for k in Kind], help="what to create")
        parser.add_argument("title", help="the actor's name, or the event's or source's title")
        parser.add_argument("--date", type=parse_date_argument, help="event date, source publication, actor birth")
        parser.add_argument("--id", dest="entry_id", help="the id to use instead of one made from the title")
        parser.add_argument("--edit", action="store_true", help="open the new file in $EDITOR")

    def run(self, args: argparse.Namespace, context: Context) -> int:
        store = context.store()
        kind = Kind(args.kind)
        if not args.title.strip():
            raise UsageError("the title is empty")
        entry_id = args.entry_id or new_entry_id(kind, args.title, args.date)
        data = new_entry_data(kind, args.title.strip(), args.date)
        if args.dry_run:
            return self._dry_run(context, store, kind, entry_id, args.json)
        try:
            location = store.create(kind, entry_id, data, template=NEW_ENTRY_HINTS[kind])
        except (EntryExists, StoreError) as exc:
            raise UsageError(str(exc)) from None
        path = store.root / location.main_file
        if args.json:
            context.print_json({"id": location.id, "kind": kind.value, "path": str(path), "dry_run": False})
        else:
            context.out.print(str(path), markup=False, highlight=False)
        if args.edit:
            open_in_editor(path)
        return OK

    @staticmethod
    def _dry_run(context: Context, store: Store, kind: Kind, entry_id: str, as_json: bool) -> int:
        """Say what ``new`` would create, refusing what it would refuse, and write nothing."""
        from dossier.model import is_valid_id

        if not is_valid_id(entry_id):
            raise UsageError(f"{entry_id!r} is not a valid id")
        existing = store.locate(entry_id)
        if existing is not None:
            raise UsageError(f"an entry with id {entry_id!r} already exists ({existing.folder})")
        path = store.root / kind.plural / entry_id / kind.filename
        if as_json:
            context.print_json({"id": entry_id, "kind": kind.value, "path": str(path), "dry_run": True,
                                "entries": [entry_id], "written": 0})
        else:
            context.out.print(f"would create {kind.value} {entry_id} at {path} (dry run: nothing written)",
                              markup=False, highlight=False)
        return OK

