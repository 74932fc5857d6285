"""``!``: what ``dossier check`` reports, from the index; enter opens the entry concerned."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static

from dossier.model import Problem, Severity
from dossier.safe import clean
from dossier.tui.widgets.key_bar import KeyBar
from dossier.tui.widgets.row_list import RowList, VimRowList


class ProblemsLoaded(Message):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__()
        self.problems = problems


def format_problem(problem: Problem) -> Text:
    text = Text(no_wrap=True)
    text.append("✗ " if problem.severity is Severity.ERROR else "! ", style="bold red" if
                problem.severity is Severity.ERROR else "bold yellow")
    text.append(clean(problem.location, 120), style="bold")
    text.append("  " + clean(problem.message, 400))
    return text


class ProblemsScreen(ModalScreen[str | None]):
    """Every problem in the tree, by file."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="problems.close"),
    ]

    def __init__(self) -> None:
        super().__init__(classes="dialog")

    def compose(self) -> ComposeResult:
        yield KeyBar(classes="dialog-keys")  # this dialog's own keys, over the browser's footer
        with Vertical(id="body"):
            yield Static("Problems", classes="dialog-title")
            yield Static("enter opens the entry; fix the file (e) and the list updates", classes="hint")
            yield VimRowList(format_problem, id="problems", empty_text="loading…")
            yield Static("", id="preview")

    def on_mount(self) -> None:
        self.query_one(RowList).focus()
        self._load()

    def refresh_problems(self) -> None:
        """Read the problems again (the index changed)."""
        self._load()

    @work(thread=True, exclusive=True, group="problems")
    def _load(self) -> None:
        self.post_message(ProblemsLoaded(self.app.index.problems()))  # type: ignore[attr-defined]

    def on_problems_loaded(self, message: ProblemsLoaded) -> None:
        rows = self.query_one(RowList)
        rows.set_empty_text("no problems: the tree is clean")
        rows.set_items(message.problems, keep=lambda p: (p.path, p.line, p.message))  # the cursor stays put
        if not message.problems:
            self.query_one("#preview", Static).update("")

    @on(RowList.Highlighted)
    def _highlighted(self, event: RowList.Highlighted) -> None:
        problem: Problem = event.item
        self.query_one("#preview", Static).update(
            Text(f"{clean(problem.location, 300)}\n{clean(problem.message, 2000)}"))

    @on(RowList.Selected)
    def _selected(self, event: RowList.Selected) -> None:
        problem: Problem = event.item
        if problem.entry_id:
            self.dismiss(problem.entry_id)
        else:
            self.notify("This problem is not about one entry (open the file in your editor).", severity="warning")

    def action_close(self) -> None:
        self.dismiss(None)
