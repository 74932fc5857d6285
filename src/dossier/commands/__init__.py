"""The command line's commands, one class per command.

Each command is a :class:`Command` subclass in a module of this package; its
docstring is its ``--help`` text (first line: the one-line summary). ``cli.py``
finds them in :data:`COMMAND_MODULES` and builds the parser. Heavy imports
(Whoosh, Textual) happen inside ``run`` so that ``dossier --help`` stays quick.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import inspect
import os
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from rich.console import Console

from dossier.safe import dumps_json
from dossier.store import Store

#: Exit codes, the same for every command.
OK, FINDINGS, USAGE = 0, 1, 2

#: Modules of this package that hold commands, in the order ``--help`` lists them.
COMMAND_MODULES = (
    "check", "show", "new", "search", "index", "import_", "export", "curate", "path", "connections", "history",
    "git", "sync", "merge_file", "completion",
)

#: The version of every ``--json`` shape (``docs/schemas/``); raised when a field changes meaning or goes.
JSON_VERSION = 1

#: Piped output is never wrapped: lines are as long as their content (grep, cut and diff see one record a line).
PIPE_WIDTH = 32_767


class UsageError(Exception):
    """A mistake in the command line or an unreadable tree: message, then exit 2."""


class _TrimmedLines:
    """Standard output without the spaces Rich pads table cells with, when it is not a terminal.

    Piped into a file, ``grep`` or ``diff``, padded lines are noise; on a terminal they are
    invisible and Rich's own handling (width, colour) is kept.
    """

    def __init__(self) -> None:
        self._pending = ""

    def write(self, text: str) -> int:
        *lines, self._pending = (self._pending + text).split("\n")
        for line in lines:
            sys.stdout.write(line.rstrip(" ") + "\n")
        return len(text)

    def flush(self) -> None:
        if self._pending:
            sys.stdout.write(self._pending)
            self._pending = ""
        sys.stdout.flush()

    def isatty(self) -> bool:
        return False

    @property
    def encoding(self) -> str:
        return getattr(sys.stdout, "encoding", None) or "utf-8"


def _plain(no_color: bool) -> dict[str, Any]:
    # --no-color and NO_COLOR (no-color.org) mean no escape sequences at all, bold included.
    return {"color_system": None} if no_color or os.environ.get("NO_COLOR") else {}


def output_console(no_color: bool = False) -> Console:
    """Standard output: Rich on a terminal; unwrapped, unpadded lines into a pipe or a file."""
    if sys.stdout.isatty():
        return Console(highlight=False, soft_wrap=False, **_plain(no_color))
    return Console(file=_TrimmedLines(), highlight=False, soft_wrap=True, width=PIPE_WIDTH, **_plain(no_color))


def error_console(no_color: bool = False) -> Console:
    """Standard error, never wrapped when it is not a terminal (a log file keeps whole messages)."""
    if sys.stderr.isatty():
        return Console(stderr=True, highlight=False, **_plain(no_color))
    return Console(stderr=True, highlight=False, soft_wrap=True, width=PIPE_WIDTH, **_plain(no_color))


@dataclass
class Context:
    """What every command gets: where the tree is, where to print, and how much to say.

    ``quiet`` (``-q``) silences progress and the notes that go to standard error;
    ``verbose`` (``-v``) adds details there. Neither changes standard output.
    """

    tree: Path
    index_dir: Path | None = None
    #: The whole command line's parser (``completion`` and ``man`` are generated from it); set by the CLI.
    parser: argparse.ArgumentParser = None  # type: ignore[assignment]
    out: Console = None  # type: ignore[assignment]  # built in __post_init__ from no_color
    err: Console = None  # type: ignore[assignment]
    no_color: bool = False
    quiet: bool = False
    verbose: bool = False
    #: When the command started (``time.monotonic()``): what the user did before it is older than this.
    started: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        if self.out is None:
            self.out = output_console(self.no_color)
        if self.err is None:
            self.err = error_console(self.no_color)

    @property
    def piped(self) -> bool:
        """Standard output goes to a pipe or a file: plain lines, no boxes, no layout."""
        return not self.out.is_terminal

    @property
    def progress(self) -> bool:
        """Whether to draw progress on standard error (a terminal, and not -q)."""
        return self.err.is_terminal and not self.quiet

    def info(self, message: str) -> None:
        """A note for the person on standard error (what was written where); silenced by -q."""
        if not self.quiet:
            self.err.print(message, markup=False, highlight=False)

    def busy(self, message: str) -> contextlib.AbstractContextManager[object]:
        """A spinner with ``message`` on standard error while a long step runs (a terminal, not -q).

        Nothing may be printed to standard output inside it: print after, when the spinner is gone.
        """
        if not self.progress:
            return contextlib.nullcontext()
        return self.err.status(message, spinner="dots")

    def detail(self, message: str) -> None:
        """A detail shown only with -v."""
        if self.verbose and not self.quiet:
            self.err.print(message, markup=False, highlight=False, style="dim")

    def store(self) -> Store:
        """The tree as a store; a usage error when it is not a readable folder."""
        if not self.tree.is_dir():
            raise UsageError(f"no dossier tree at {self.tree} (give --tree PATH or set DOSSIER_HOME)")
        if not os.access(self.tree, os.R_OK | os.X_OK):
            raise UsageError(f"the tree at {self.tree} is not readable")
        return Store(self.tree)

    def write_lines(self, lines: Iterable[str]) -> None:
        """Plain lines on standard output, exactly as given (tabs kept): the piped form of a listing."""
        for line in lines:
            sys.stdout.write(line + "\n")
        sys.stdout.flush()

    def print_json(self, value: Any) -> None:
        """JSON for scripts: plain, one document, no colour, nothing else on stdout.

        A JSON object gets ``"version"`` (:data:`JSON_VERSION`) first, so a script can tell
        which shape of ``docs/schemas/`` it reads.
        """
        if isinstance(value, dict) and "version" not in value:
            value = {"version": JSON_VERSION, **value}
        sys.stdout.write(dumps_json(value, indent=2, default=str) + "\n")
        sys.stdout.flush()


class Command:
    """Base class: subclasses set ``name`` and implement ``add_arguments`` and ``run``."""

    name: ClassVar[str]
    #: Commands that read a tree accept ``--json``.
    json_output: ClassVar[bool] = True
    #: Commands that write (the tree, the index, files) accept ``--dry-run``: read and plan
    #: everything, write nothing, and say what would be written, by id.
    writes: ClassVar[bool] = False

    @classmethod
    def summary(cls) -> str:
        return (inspect.getdoc(cls) or "").split("\n", 1)[0]

    @classmethod
    def description(cls) -> str:
        return inspect.getdoc(cls) or ""

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        """Add this command's own arguments."""

    def run(self, args: argparse.Namespace, context: Context) -> int:
        raise NotImplementedError


def add_global_options(parser: argparse.ArgumentParser, suppress: bool) -> None:
    """Options every command takes before or after its name (SUPPRESS keeps a value given before it)."""
    default = argparse.SUPPRESS if suppress else None
    flag_default = argparse.SUPPRESS if suppress else False
    parser.add_argument(
        "--tree", metavar="PATH", default=default,
        help="the dossier tree (default: $DOSSIER_HOME, else ./dossiers)",
    )
    parser.add_argument(
        "--index", metavar="DIR", dest="index_dir", default=default,
        help="where the search index lives (default: $DOSSIER_INDEX, else the user cache folder)",
    )
    parser.add_argument("--no-color", action="store_true", default=flag_default,
                        help="no colour (also when NO_COLOR is set)")
    loudness = parser.add_mutually_exclusive_group()
    loudness.add_argument("-q", "--quiet", action="store_true", default=flag_default,
                          help="no progress and no notes on standard error; errors still shown")
    loudness.add_argument("-v", "--verbose", action="store_true", default=flag_default,
                          help="more detail on standard error")


def add_dry_run(parser: argparse.ArgumentParser) -> None:
    """``--dry-run`` for a command that writes (the same words everywhere)."""
    parser.add_argument("--dry-run", action="store_true", default=False,
                        help="read and plan everything, write nothing; list what would be written, by id")


def load_commands() -> list[type[Command]]:
    """Every command class, in ``--help`` order."""
    commands = []
    for module_name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"dossier.commands.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"dossier.commands.{module_name}":
                continue  # not written yet
            raise
        for value in vars(module).values():
            if inspect.isclass(value) and issubclass(value, Command) and value is not Command and "name" in vars(value):
                commands.append(value)
    return commands


def load_command(name: str) -> type[Command] | None:
    """The command called ``name`` when its module is named after it, importing no other command's module.

    Every command's module pulls in what that command needs (curation, the graph, importers); a
    command that runs on its own need not pay for the others' imports. None when the name is not one.
    """
    for module_name in (name, name + "_"):
        if module_name not in COMMAND_MODULES:
            continue
        module = importlib.import_module(f"dossier.commands.{module_name}")
        for value in vars(module).values():
            if inspect.isclass(value) and issubclass(value, Command) and vars(value).get("name") == name:
                return value
    return None
