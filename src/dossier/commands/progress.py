"""Progress for long commands: a bar with the phase, counts, elapsed time and time left.

On a terminal (and without ``-q``) an import shows each phase as it runs,
reading, resolving actors, writing, flushing to disk, then indexing, so that
the screen is never still for more than a moment while work goes on. Off a
terminal nothing is drawn: progress is for people, not for logs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from dossier.commands import Context
from dossier.store import Store

#: Called as progress(phase, done, total); total 0 means a phase whose size is not known.
PhaseProgress = Callable[[str, int, int], None]


def progress_bar(context: Context, description: str = "{task.description}") -> Progress:
    """The one progress bar style of the command line (Rich refreshes it, so elapsed time keeps moving)."""
    return Progress(
        TextColumn(description), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        TextColumn("left"), TimeRemainingColumn(), console=context.err, transient=True,
    )


@contextlib.contextmanager
def phase_bar(context: Context) -> Iterator[PhaseProgress]:
    """A bar whose description is the current phase; yields the callback the importers call."""
    bar = progress_bar(context)
    tasks: dict[str, TaskID] = {}

    def progress(phase: str, done: int, total: int) -> None:
        task = tasks.get(phase)
        if task is None:  # a task per phase: its own elapsed time and its own rate for the time left
            for earlier in tasks.values():
                bar.update(earlier, visible=False)
            task = tasks[phase] = bar.add_task(phase, total=total or None)
        # A phase of unknown size (total 0) pulses, so that the bar moves while it runs.
        bar.update(task, completed=done, total=total or None)

    with bar:
        yield progress


def index_after_import(context: Context, store: Store, written: int) -> str:
    """Bring the index up to date after an import wrote ``written`` entries, with an "indexing" bar; a line.

    The index is derived state: an import that wrote the tree has succeeded even
    when the index cannot be updated, so the reason goes into the report.
    """
    from dossier.commands.index import COMMAND_WAIT, _with_progress
    from dossier.index import Index, IndexBusy

    try:
        index = Index.open(store, context.index_dir)
        try:
            changes = _with_progress(context, index, lambda cb: index.reconcile(cb, wait=COMMAND_WAIT), True)
        finally:
            index.close()
    except IndexBusy:
        return "index: another program is updating it and will take these entries in"
    except Exception as exc:  # noqa: BLE001 - derived state; the reason goes into the summary
        return f"index not updated: {type(exc).__name__}: {exc}"
    return f"index updated: {len(changes.ids)} entries"
