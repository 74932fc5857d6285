"""The ``dossier`` command: argument parsing and dispatch to the commands.

``dossier [PATH]`` opens the TUI; ``dossier COMMAND ...`` runs a command from
:mod:`dossier.commands`. ``--tree`` and ``--index`` are accepted before or after
the command name.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from dossier import __version__
from dossier.commands import (
    USAGE,
    Command,
    Context,
    UsageError,
    add_dry_run,
    add_global_options,
    load_command,
    load_commands,
)
from dossier.errors import describe_os_error
from dossier.store import COLLECTION_FILE, Store

DEFAULT_TREE = "dossiers"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 too; say it our way
        self.print_usage(sys.stderr)
        self.exit(USAGE, f"dossier: error: {message}\n")


def build_parser(commands: Sequence[type[Command]]) -> argparse.ArgumentParser:
    parser = _Parser(
        prog="dossier",
        description="A terminal dossier browser: actors, events and sources as plain files.",
        epilog="Run 'dossier COMMAND --help' for a command's options. "
        "With no command, 'dossier [PATH]' opens the browser on the tree.",
    )
    parser.add_argument("--version", action="version", version=f"dossier {__version__}")
    add_global_options(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for command_class in commands:
        command = command_class()
        cmd_parser = sub.add_parser(
            command.name,
            help=command.summary(),
            description=command.description(),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        add_global_options(cmd_parser, suppress=True)
        if command.json_output:
            cmd_parser.add_argument("--json", action="store_true",
                                    help="print JSON for scripts (its shape: docs/schemas/)")
        if command.writes:
            add_dry_run(cmd_parser)
        command.add_arguments(cmd_parser)
        cmd_parser.set_defaults(command_object=command)
    return parser


def resolve_tree(value: str | None) -> Path:
    """--tree, else $DOSSIER_HOME, else ./dossiers, else the current folder when it is a tree."""
    chosen = value or os.environ.get("DOSSIER_HOME")
    if chosen:
        return Path(chosen).expanduser()
    default = Path(DEFAULT_TREE)
    if not default.is_dir() and Path(COLLECTION_FILE).is_file():
        return Path(".")  # run from inside the tree itself
    return default


def resolve_index_dir(value: str | None) -> Path | None:
    chosen = value or os.environ.get("DOSSIER_INDEX")
    return Path(chosen).expanduser() if chosen else None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = _commands_for(argv)
    names = {c.name for c in commands}
    # `dossier PATH` (no command) opens the browser on PATH.
    positional = [a for a in argv if not a.startswith("-")]
    if positional and positional[0] not in names and argv and argv[0] not in ("-h", "--help", "--version"):
        first = positional[0]
        if not _is_option_value(argv, first):
            typo = _misspelt_command(first, names)
            if typo:
                sys.stderr.write(f"dossier: error: {first!r} is not a command; did you mean '{typo}'? "
                                 "(dossier --help lists the commands)\n")
                return USAGE
            argv.remove(first)
            argv = ["--tree", first, *argv]
    parser = build_parser(commands)
    args = parser.parse_args(argv)
    context = Context(
        tree=resolve_tree(args.tree), index_dir=resolve_index_dir(args.index_dir),
        no_color=args.no_color, quiet=args.quiet, verbose=args.verbose, parser=parser,
    )
    try:
        if args.command is None:
            return _browse(context)
        context.detail(f"dossier {__version__}: tree {context.tree.resolve()}; index "
                       f"{context.index_dir or '$DOSSIER_INDEX or the cache folder'}")
        started = time.monotonic()
        code = args.command_object.run(args, context)
        context.detail(f"{args.command} took {time.monotonic() - started:.2f} s, exit code {code}")
        return code
    except UsageError as exc:
        context.err.print(f"dossier: {exc}", markup=False, highlight=False, soft_wrap=True)  # one line per message
        return USAGE
    except OSError as exc:  # a read-only tree, a missing folder, a full disk: a message, never a traceback
        context.err.print(f"dossier: {describe_os_error(exc, context.tree)}", markup=False, highlight=False,
                          soft_wrap=True)
        return USAGE
    except KeyboardInterrupt:
        return 130


def _misspelt_command(word: str, names: set[str]) -> str | None:
    """The command ``word`` looks like a typo of (``shwo``: ``show``), unless it is a folder that exists."""
    import difflib

    if Path(word).expanduser().exists():
        return None
    close = difflib.get_close_matches(word, sorted(names), n=1, cutoff=0.6)
    return close[0] if close else None


def _commands_for(argv: list[str]) -> list[type[Command]]:
    """Only the command named on the line when there is one (start-up pays for its imports alone), else all."""
    if argv and argv[0] in ("-h", "--help"):
        return load_commands()
    first = next((a for a in argv if not a.startswith("-") and not _is_option_value(argv, a)), None)
    if first in ("completion", "man"):
        return load_commands()  # generated from the whole command line
    one = load_command(first) if first is not None else None
    return [one] if one is not None else load_commands()


def _is_option_value(argv: list[str], value: str) -> bool:
    i = argv.index(value)
    return i > 0 and argv[i - 1] in ("--tree", "--index")


def _browse(context: Context) -> int:
    """The browser on a terminal; a summary of the tree when output goes to a pipe or file."""
    store = context.store()
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return _summary(context, store)
    if context.no_color:
        os.environ["NO_COLOR"] = "1"  # Textual reads it when the app starts
    from dossier.tui.app import run_app

    return run_app(store, index_dir=context.index_dir)


def _summary(context: Context, store: Store) -> int:
    from rich.table import Table

    from dossier.check import check_tree
    from dossier.safe import clean

    with context.busy("checking every entry…"):
        report = check_tree(store)
    if context.piped:  # one fact a line, no box, for grep and scripts
        context.out.print(clean(str(store.root)), markup=False)
        for kind, count in sorted(report.counts.items()):
            context.out.print(f"{kind.plural}: {count}", markup=False)
    else:
        table = Table(title=clean(str(store.root)), show_header=True)
        table.add_column("kind")
        table.add_column("entries", justify="right")
        for kind, count in sorted(report.counts.items()):
            table.add_row(kind.plural, str(count))
        context.out.print(table)
    context.out.print(
        f"{len(report.problems)} problem(s); run 'dossier check' for details, 'dossier --help' for commands.",
        markup=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
