"""``dossier completion SHELL`` and ``dossier man``: generated from the argument parser itself.

Both read the same parser that runs the commands, so a new command or option
appears in completion and in the manual page without anyone writing it twice
(shtab writes the scripts, argparse-manpage the page).
"""

from __future__ import annotations

import argparse
import sys

from dossier.commands import OK, Command, Context

SHELLS = ("bash", "zsh", "fish")

INSTALL_HELP = """\
Install (then open a new shell):
  bash  dossier completion bash > ~/.local/share/bash-completion/completions/dossier
  zsh   dossier completion zsh > ~/.zfunc/_dossier   (with fpath+=~/.zfunc before compinit)
  fish  dossier completion fish > ~/.config/fish/completions/dossier.fish
"""


class Completion(Command):
    """Print the shell completion script for bash, zsh or fish.

    Completes commands, subcommands, options, the choices of options such as
    --format and --kind, and folders for --tree and --index.
    """

    __doc__ = (__doc__ or "").rstrip() + "\n\n" + INSTALL_HELP

    name = "completion"
    json_output = False

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("shell", choices=SHELLS, help="the shell")

    def run(self, args: argparse.Namespace, context: Context) -> int:
        sys.stdout.write(completion_script(args.shell, context.parser))
        sys.stdout.flush()
        return OK


class Manual(Command):
    """Print the manual page (roff) for every command.

    Read it with: dossier man > dossier.1 && man ./dossier.1
    Install it with: dossier man > ~/.local/share/man/man1/dossier.1
    """

    name = "man"
    json_output = False

    def run(self, args: argparse.Namespace, context: Context) -> int:
        sys.stdout.write(manual_page(context.parser))
        sys.stdout.flush()
        return OK


def completion_script(shell: str, parser: argparse.ArgumentParser) -> str:
    """The completion script for ``shell`` (bash, zsh or fish), from the command line's parser."""
    import shtab

    _complete_folders(parser, shtab.DIRECTORY)
    return shtab.complete(parser, shell=shell)


#: The options whose value is a folder (``--tree``, ``--index``), completed as one.
FOLDER_OPTIONS = ("tree", "index_dir")


def _complete_folders(parser: argparse.ArgumentParser, marker: object) -> None:
    """Mark the folder options of ``parser`` and its commands for shtab (set here, not when every command
    builds its parser: importing shtab cost each command 30 ms of start-up)."""
    for action in parser._actions:  # noqa: SLF001 - argparse has no public list of actions
        if action.dest in FOLDER_OPTIONS:
            action.complete = marker  # type: ignore[attr-defined]
        if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
            for sub in dict.fromkeys(action.choices.values()):
                _complete_folders(sub, marker)


def manual_page(parser: argparse.ArgumentParser) -> str:
    """``dossier(1)`` in roff: every command, its options and its --help text."""
    from argparse_manpage.manpage import Manpage

    from dossier import __version__

    page = Manpage(parser, _data={
        "project_name": "dossier",
        "version": __version__,
        "description": "a terminal dossier browser for actors, events and sources",
        "manual_title": "dossier manual",
        "manual_section": "1",
    })  # dated by SOURCE_DATE_EPOCH when set (reproducible packages), else today
    # A help line that starts with a quote ('dossier check') would be read as a roff request.
    return "\n".join("\\&" + line if line.startswith("'") else line for line in str(page).split("\n"))
