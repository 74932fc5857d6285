"""``dossier git setup``."""

from __future__ import annotations

import argparse

from rich.text import Text

from dossier.commands import OK, Command, Context, UsageError
from dossier.gitsync import GitError, setup
from dossier.safe import clean


class Git(Command):
    """Set up the git repository that holds the tree: 'dossier git setup'.

    setup: writes the .gitattributes lines that send profile.toml, event.toml
    and source.toml to dossier's merge driver (dossier merge-file), and the
    repository-local merge.dossier.driver configuration, so that two people's
    additions to one entry merge by key instead of conflicting by line. Run it
    in a tree that is a git repository, or whose parent is. Running it again
    changes nothing. Commit .gitattributes (dossier sync does) so colleagues
    share it; each clone runs 'dossier git setup' once for its own driver.
    """

    name = "git"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("action", choices=["setup"], help="what to do: setup")

    def run(self, args: argparse.Namespace, context: Context) -> int:
        try:
            report = setup(context.tree)
        except GitError as exc:
            raise UsageError(str(exc)) from exc
        if args.json:
            context.print_json(report.to_json())
            return OK
        where = clean(str(report.repository))
        if not report.changed:
            context.out.print(Text(f"{where}: already set up; nothing changed"))
            return OK
        for line in report.attributes_added:
            context.out.print(Text(f".gitattributes: added '{line}'"))
        if report.driver_changed:
            context.out.print(Text(f"git config merge.dossier.driver: {clean(report.driver)}"))
        context.out.print(Text(f"{where}: entry files now merge by key; commit .gitattributes to share it"))
        return OK
