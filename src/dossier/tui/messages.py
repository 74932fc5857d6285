"""Messages that carry results from workers (and the file watcher) to the UI thread."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from dossier.index import Changes, Index, Row
    from dossier.model import Kind
    from dossier.tui.entry_data import EntryData
    from dossier.tui.history import Place


class IndexOpened(Message):
    """The index is open (maybe not yet reconciled): lists can be drawn from it."""

    def __init__(self, index: Index, first_rows: RowsLoaded | None = None,
                 counts: dict[Kind, int] | None = None) -> None:
        super().__init__()
        self.index = index
        self.first_rows = first_rows  # the list on screen, read in the same worker
        self.counts = counts


class IndexChanged(Message):
    """The index took in changes (or finished reconciling); fresh counts and problem total when known."""

    def __init__(self, changes: Changes | None, counts: dict[Kind, int] | None, problems: int | None, *,
                 reconciled: bool = False) -> None:
        super().__init__()
        self.changes = changes
        self.counts = counts
        self.problems = problems
        self.reconciled = reconciled


class IndexFailed(Message):
    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class FilesChanged(Message):
    """The watcher has a batch of changed paths; a burst of these collapses into one."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, FilesChanged)


class RowsLoaded(Message):
    def __init__(self, kind: Kind, text: str, rows: list[Row]) -> None:
        super().__init__()
        self.kind = kind
        self.text = text
        self.rows = rows


class EntryLoaded(Message):
    def __init__(self, data: EntryData, place: Place, focus: bool) -> None:
        super().__init__()
        self.data = data
        self.place = place
        self.focus = focus


class EntryMissing(Message):
    def __init__(self, entry_id: str, step: int) -> None:
        super().__init__()
        self.entry_id = entry_id
        self.step = step


class SyncStatus(Message):
    """The outcome of the last ``dossier sync`` (here or in a terminal), in one line."""

    def __init__(self, summary: str, *, fresh: bool = False) -> None:
        super().__init__()
        self.summary = summary
        self.fresh = fresh  # a sync the user just ran from the browser: say it aloud too
