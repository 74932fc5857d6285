"""``dossier rename``, ``merge``, ``link``, ``unlink``, ``alias`` and ``cite``: curation from the command line.

Each plans first (``--dry-run`` prints the plan and its unified diff, ``--json``
the plan), then applies it through the journal of :mod:`dossier.curate` and
updates the index once at the end. Running a command again after it was killed
finishes it.
"""

from __future__ import annotations

import argparse
from typing import ClassVar

from rich.text import Text

from dossier.commands import OK, Command, Context, UsageError
from dossier.curate import (
    CurationError,
    Plan,
    apply,
    plan_alias,
    plan_cite,
    plan_link,
    plan_merge,
    plan_rename,
    resumable,
    update_index,
)
from dossier.safe import clean, clean_block
from dossier.store import Store


def print_diff(context: Context, diff: str) -> None:
    """A unified diff, coloured by line, its content (from the tree) as plain text."""
    for line in clean_block(diff).splitlines():
        style = "green" if line.startswith("+") else "red" if line.startswith("-") else ""
        if line.startswith(("---", "+++", "rename ", "remove folder", "create folder")):
            style = "bold"
        elif line.startswith("@@"):
            style = "cyan"
        context.out.print(Text(line, style=style), soft_wrap=True)


class _Curation(Command):
    """Shared by the curation commands: plan, show, apply, index."""

    #: The positional arguments that identify the operation (what a re-run must repeat).
    ids: ClassVar[tuple[str, ...]] = ()

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        self.add_ids(parser)
        parser.add_argument("--dry-run", action="store_true", help="print the plan and its diff; change nothing")

    def add_ids(self, parser: argparse.ArgumentParser) -> None:
        raise NotImplementedError

    def key_args(self, args: argparse.Namespace) -> list[str]:
        raise NotImplementedError

    def plan(self, store: Store, args: argparse.Namespace) -> Plan:
        raise NotImplementedError

    def run(self, args: argparse.Namespace, context: Context) -> int:
        store = context.store()
        try:
            plan = resumable(store, self.name, self.key_args(args))
            resumed = plan is not None
            if plan is None:
                plan = self.plan(store, args)
            if args.dry_run:
                if args.json:
                    context.print_json({**plan.to_json(), "applied": False})
                else:
                    self._print_plan(context, plan, resumed)
                    print_diff(context, plan.diff())
                return OK
            paths = apply(store, plan)
        except CurationError as exc:
            raise UsageError(str(exc)) from None
        update_index(store, paths, context.index_dir)
        if args.json:
            context.print_json({**plan.to_json(), "applied": True, "resumed": resumed})
        else:
            self._print_plan(context, plan, resumed)
            context.out.print(
                Text("nothing to change" if not plan.operations else f"done: {len(paths)} path(s) changed",
                     style="bold")
            )
        return OK

    def _print_plan(self, context: Context, plan: Plan, resumed: bool) -> None:
        if resumed:
            context.out.print(Text("finishing the curation that was interrupted:", style="bold yellow"))
        for line in plan.summary:
            context.out.print(Text(clean(line)), soft_wrap=True)


class Rename(_Curation):
    """Rename an entry's id and rewrite every reference to it.

    Moves the entry's folder and rewrites the id wherever another entry names
    it (actors, sources, related, [[links]] to/sources, [[roles]] org,
    [[accounts]] by/source), keeping each file's comments, key order, quoting
    and line endings: `git diff` shows the move and one line per reference.
    Refused when a file to change has a merge conflict or is not valid TOML.
    """

    name = "rename"

    def add_ids(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("old", help="the entry's id now")
        parser.add_argument("new", help="its new id")

    def key_args(self, args: argparse.Namespace) -> list[str]:
        return [args.old, args.new]

    def plan(self, store: Store, args: argparse.Namespace) -> Plan:
        return plan_rename(store, args.old, args.new)


class Merge(_Curation):
    """Merge entries of one kind into one, keeping every value.

    OTHER's name becomes an alias of KEEP; aliases, tags, actors, sources,
    related, roles, links and accounts are unioned; a value KEEP has differently
    stays KEEP's and OTHER's is recorded in KEEP's file under [[merged]] (with
    the old id, the date and the reason); OTHER's text files move into KEEP's
    folder (renamed on a clash); every reference to OTHER then names KEEP, and
    OTHER's folder is removed. A reason is required.
    """

    name = "merge"

    def add_ids(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("keep", help="the entry that stays")
        parser.add_argument("others", nargs="+", metavar="other", help="the entries merged into it")
        parser.add_argument("--reason", required=True, help="why these are one (recorded in [[merged]])")

    def key_args(self, args: argparse.Namespace) -> list[str]:
        return [args.keep, *args.others]

    def plan(self, store: Store, args: argparse.Namespace) -> Plan:
        return plan_merge(store, args.keep, args.others, args.reason)


class _ListEdit(_Curation):
    """Shared by the commands that add ids or names to one list of one entry."""

    #: (metavar, help) of the entry, and of the values added to (or removed from) its list.
    entry_arg: ClassVar[tuple[str, str]]
    values_arg: ClassVar[tuple[str, str]]

    def add_ids(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("entry", metavar=self.entry_arg[0], help=self.entry_arg[1])
        parser.add_argument("values", nargs="+", metavar=self.values_arg[0], help=self.values_arg[1])

    def key_args(self, args: argparse.Namespace) -> list[str]:
        return [args.entry, *args.values]


class Link(_ListEdit):
    """Add actors to an event's (or a source's) actors list.

    Only that list's line changes (comments, order and quoting kept); --dry-run
    prints the diff, --json the plan. Ids already there are left alone.
    """

    name = "link"
    entry_arg = ("entry", "the event or source")
    values_arg = ("actor", "actor ids to add")

    def plan(self, store: Store, args: argparse.Namespace) -> Plan:
        return plan_link(store, args.entry, args.values)


class Unlink(Link):
    """Remove actors from an event's (or a source's) actors list.

    Only that list's line changes; --dry-run prints the diff, --json the plan.
    """

    name = "unlink"
    values_arg = ("actor", "actor ids to remove")

    def plan(self, store: Store, args: argparse.Namespace) -> Plan:
        return plan_link(store, args.entry, args.values, remove=True)


class Alias(_ListEdit):
    """Add names to an actor's aliases (the names mentions are found by).

    Only that list's line changes (comments, order and quoting kept); --dry-run
    prints the diff, --json the plan. Names already there are left alone.
    """

    name = "alias"
    entry_arg = ("actor", "the actor's id")
    values_arg = ("name", "names to add")

    def plan(self, store: Store, args: argparse.Namespace) -> Plan:
        return plan_alias(store, args.entry, args.values)


class Cite(_ListEdit):
    """Add sources to an event's sources list.

    Only that list's line changes (comments, order and quoting kept); --dry-run
    prints the diff, --json the plan. Ids already there are left alone.
    """

    name = "cite"
    entry_arg = ("event", "the event's id")
    values_arg = ("source", "source ids to add")

    def plan(self, store: Store, args: argparse.Namespace) -> Plan:
        return plan_cite(store, args.entry, args.values)
