"""The command line's commands, one class per command.

Each command is a :class:`Command` subclass in a module of this package; its
docstring is its ``--help`` text (first line: the one-line summary). ``cli.py``
finds them in :data:`COMMAND_MODULES` and builds the parser. Heavy imports
(Whoosh, Textual) happen inside ``run`` so that ``dossier --help`` stays quick.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import os
import sys
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
)


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


def _output_console() -> Console:
    if sys.stdout.isatty():
        return Console(highlight=False, soft_wrap=False)
    return Console(file=_TrimmedLines(), highlight=False, soft_wrap=False)


@dataclass
class Context:
    """What every command gets: where the tree is, and where to print."""

    tree: Path
    index_dir: Path | None = None
    out: Console = field(default_factory=_output_console)
    err: Console = field(default_factory=lambda: Console(stderr=True, highlight=False))

    def store(self) -> Store:
        """The tree as a store; a usage error when it is not a readable folder."""
        if not self.tree.is_dir():
            raise UsageError(f"no dossier tree at {self.tree} (give --tree PATH or set DOSSIER_HOME)")
        if not os.access(self.tree, os.R_OK | os.X_OK):
            raise UsageError(f"the tree at {self.tree} is not readable")
        return Store(self.tree)

    def print_json(self, value: Any) -> None:
        """JSON for scripts: plain, one document, no colour, nothing else on stdout."""
        sys.stdout.write(dumps_json(value, indent=2, default=str) + "\n")
        sys.stdout.flush()


class Command:
    """Base class: subclasses set ``name`` and implement ``add_arguments`` and ``run``."""

    name: ClassVar[str]
    #: Commands that read a tree accept ``--json``.
    json_output: ClassVar[bool] = True

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
