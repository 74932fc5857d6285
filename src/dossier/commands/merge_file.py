"""``dossier merge-file``: git's merge driver for entry files."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.text import Text

from dossier.commands import FINDINGS, OK, Command, Context, UsageError
from dossier.safe import clean


class MergeFile(Command):
    """Merge three versions of an entry file by key (git's merge driver).

    BASE is the common ancestor, OURS the local version and THEIRS the other
    side's; the result is written to OURS. A value changed on one side takes
    that side; arrays of ids and words (actors, sources, related, tags,
    aliases) merge as sets, keeping both sides' additions and honouring a
    removal; [[roles]], [[links]] and [[accounts]] are matched by title+org,
    to+rel and by+source and merged field by field. Comments, key order and
    formatting of the unchanged parts are kept. A value changed differently
    on both sides is a conflict for that key alone, written between git-style
    markers labelled with the key, which 'dossier check' names. When a version
    is not valid TOML, git's own line merge (git merge-file) is used.

    'dossier git setup' makes git call this for profile.toml, event.toml and
    source.toml. Exit status: 0 merged cleanly, 1 conflicts were written,
    2 a file could not be read.
    """

    name = "merge-file"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("base", type=Path, help="the common ancestor's version (git's %%O)")
        parser.add_argument("ours", type=Path, help="our version, replaced by the result (git's %%A)")
        parser.add_argument("theirs", type=Path, help="their version (git's %%B)")
        parser.add_argument("path", nargs="?", default=None, help="the file's path in the repository (git's %%P)")
        parser.add_argument(
            "--marker-size", type=int, help="length of conflict markers (git's %%L; default git's 7)"
        )

    def run(self, args: argparse.Namespace, context: Context) -> int:
        for path in (args.base, args.ours, args.theirs):
            if not path.is_file():
                raise UsageError(f"cannot read {path}: not a file")
        shown = args.path or str(args.ours)
        try:
            from dossier.merge import merge_files  # tomlkit: loaded when a merge runs, not for --help

            sizes = [args.marker_size] if args.marker_size else []  # else dossier.merge's default, git's
            result = merge_files(args.base, args.ours, args.theirs, *sizes)
        except OSError as exc:
            raise UsageError(f"cannot merge {shown}: {exc}") from exc
        if args.json:
            context.print_json(
                {"path": shown, "clean": result.clean, "method": result.method, "conflicts": result.conflicts}
            )
        else:
            # Git shows what a driver prints among its own lines, so it goes to stderr and names the file.
            for key in result.conflicts:
                line = Text(f"CONFLICT ({'key' if result.method == 'keys' else 'lines'}): ")
                line.append(clean(shown), style="bold")
                line.append(f": {clean(key)}")
                context.err.print(line, soft_wrap=True)
        return OK if result.clean else FINDINGS
