"""The line above the footer: which tree, how many entries, the index's state, problems."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from dossier.model import Kind
from dossier.safe import clean


class StatusBar(Static):
    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; color: $foreground; padding: 0 1; }
    """

    def __init__(self, tree: str, id: str | None = None) -> None:
        super().__init__(id=id)
        self.tree_name = tree
        self.counts: dict[Kind, int] = {}
        self.index_state = "opening the index…"
        self.problems: int | None = None
        self.sync: str | None = None  # the last `dossier sync`, from the browser or a terminal
        self.building = False  # a large build is under way: counts and lists are partial

    def on_mount(self) -> None:
        self.redraw()

    def update_status(self, *, counts: dict[Kind, int] | None = None, index_state: str | None = None,
            problems: int | None = None, sync: str | None = None) -> None:
        if counts is not None:
            self.counts = counts
        if index_state is not None:
            self.index_state = index_state
            self.building = index_state.startswith("indexing")
        if problems is not None:
            self.problems = problems
        if sync is not None:
            self.sync = sync
        self.redraw()

    def redraw(self) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(clean(self.tree_name, 60), style="bold")
        if self.counts:
            parts = " · ".join(kind.counted(self.counts.get(kind, 0)) for kind in Kind)
            if self.building:
                # A first build indexes folder by folder: "0 events" would read as a fact about the tree.
                parts = f"so far {parts} (the index is being built)"
            text.append("  │  " + parts)
        text.append("  │  index: " + clean(self.index_state, 60))
        if self.problems is not None:
            if self.problems:
                text.append("  │  ")
                text.append(f"⚠ {self.problems} problem{'s' if self.problems != 1 else ''}", style="bold")
                text.append(" (! to list)", style="dim")
            else:
                text.append("  │  no problems")
        if self.sync:
            text.append("  │  " + clean(self.sync, 160), style="bold red" if "conflict" in self.sync else "")
        self.update(text)
