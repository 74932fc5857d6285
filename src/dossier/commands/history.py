"""``dossier history``: the git history of one entry's folder."""

from __future__ import annotations

import argparse

from rich.syntax import Syntax
from rich.text import Text

from dossier.commands import OK, USAGE, Command, Context, UsageError
from dossier.safe import clean, clean_block


class History(Command):
    """Show the git history of one entry: the commits that touched its folder.

    Date, author and message of each commit, newest first, read with git
    itself. --diff SHA shows what that commit changed in the entry's folder.
    In a tree that is not in a git repository, says so (exit 2).

    Example: dossier history mark-milley --diff 3f2c1ab
    """

    name = "history"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("id", help="the entry's id")
        parser.add_argument("--limit", type=int, metavar="N", help="only the newest N commits")
        parser.add_argument("--diff", metavar="SHA", help="show what this commit changed in the entry")

    def run(self, args: argparse.Namespace, context: Context) -> int:
        from dossier.githistory import HistoryError, commit_diff, entry_history

        if args.limit is not None and args.limit < 1:
            raise UsageError("--limit takes a number of at least 1")
        store = context.store()
        location = store.locate(args.id)
        if location is None:
            raise UsageError(f"no entry with id {args.id!r}")
        try:
            commits = entry_history(store.root, location.folder, args.limit)
            diff = commit_diff(store.root, args.diff, location.folder) if args.diff else None
        except HistoryError as exc:
            context.err.print(Text(f"dossier: {clean(str(exc))}"))
            return USAGE
        if args.json:
            result = {"id": location.id, "folder": location.folder, "commits": [c.to_json() for c in commits]}
            if diff is not None:
                result["diff"] = {"sha": args.diff, "text": diff}
            context.print_json(result)
            return OK
        out = context.out
        if not commits:
            out.print(Text(f"No commit has touched {clean(location.folder)} yet.", style="yellow"))
        for commit in commits:
            line = Text(f"{commit.sha[:10]}  ", style="yellow")
            line.append(f"{commit.date[:16].replace('T', ' ')}  ", style="dim")
            line.append(clean(commit.author, 40), style="bold")
            line.append("  " + clean(commit.message, 200))
            out.print(line, soft_wrap=True)  # one line per commit, for grep
        if diff is not None:
            out.print()
            if out.is_terminal:
                out.print(Syntax(clean_block(diff), "diff", theme="ansi_dark", word_wrap=True))
            else:  # into a file or a pipe: the diff as git wrote it, lines unbroken
                out.print(Text(clean_block(diff)), soft_wrap=True)
        return OK
