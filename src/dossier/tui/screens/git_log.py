"""``h``: the git history of the open entry's folder (date, author, message), and a chosen commit's diff.

Git runs in a worker (:mod:`dossier.githistory`); commit messages, names and diffs are
other people's text and are shown as plain ``Text``.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static

from dossier.githistory import Commit
from dossier.safe import clean, clean_block
from dossier.tui.widgets.key_bar import KeyBar
from dossier.tui.widgets.row_list import RowList


def format_commit(commit: Commit) -> Text:
    text = Text(no_wrap=True)
    text.append(f"{commit.date[:16].replace('T', ' ')}  ", style="dim")
    text.append(f"{clean(commit.author, 24):<24}  ", style="bold")
    text.append(clean(commit.message, 200))
    return text


def diff_text(diff: str) -> Text:
    """A unified diff coloured by line (added, removed, hunk), as plain text otherwise."""
    text = Text()
    for line in clean_block(diff).splitlines():
        style = ""
        if line.startswith("+") and not line.startswith("+++"):
            style = "green"
        elif line.startswith("-") and not line.startswith("---"):
            style = "red"
        elif line.startswith("@@"):
            style = "cyan"
        elif line.startswith(("diff ", "index ", "+++", "---")):
            style = "bold"
        text.append(line + "\n", style=style)
    return text


class HistoryLoaded(Message):
    def __init__(self, commits: list[Commit] | None, error: str | None) -> None:
        super().__init__()
        self.commits = commits
        self.error = error


class DiffLoaded(Message):
    def __init__(self, sha: str, diff: str) -> None:
        super().__init__()
        self.sha = sha
        self.diff = diff


class GitLogScreen(ModalScreen[None]):
    """Commits that touched the entry, newest first; enter shows what one changed."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close", id="gitlog.close")]

    def __init__(self, folder: str, title: str) -> None:
        super().__init__(classes="dialog")
        self.folder = folder
        self.entry_title = title

    def compose(self) -> ComposeResult:
        yield KeyBar(classes="dialog-keys")
        with Vertical(id="body"):
            yield Static(Text(f"History of {clean(self.entry_title, 80)}"), classes="dialog-title")
            yield Static(Text("reading git…"), classes="hint", id="git-summary")
            yield RowList(format_commit, id="commits", empty_text="reading git…")
            with VerticalScroll(id="diff-pane"):
                yield Static("", id="diff")

    def on_mount(self) -> None:
        self.query_one("#diff-pane").display = False
        self.query_one("#commits", RowList).focus()
        self._load()

    @work(thread=True, exclusive=True, group="git-log")
    def _load(self) -> None:
        from dossier.githistory import HistoryError, entry_history

        try:
            commits = entry_history(self.app.store.root, self.folder)  # type: ignore[attr-defined]
        except HistoryError as exc:
            self.post_message(HistoryLoaded(None, str(exc)))
            return
        self.post_message(HistoryLoaded(commits, None))

    def on_history_loaded(self, message: HistoryLoaded) -> None:
        commits = self.query_one("#commits", RowList)
        summary = self.query_one("#git-summary", Static)
        if message.error is not None:
            summary.update(Text(clean(message.error), style="bold"))
            commits.set_empty_text("no history: " + clean(message.error))
            commits.set_items([])
            return
        found = message.commits or []
        summary.update(Text(f"{len(found)} commit{'s' if len(found) != 1 else ''} touched {clean(self.folder)}; "
                            "enter shows what one changed, esc goes back"))
        commits.set_empty_text("no commit has touched this entry yet")
        commits.set_items(found)

    @on(RowList.Selected, "#commits")
    def _selected(self, event: RowList.Selected) -> None:
        self._diff(event.item.sha)

    @work(thread=True, exclusive=True, group="git-diff")
    def _diff(self, sha: str) -> None:
        from dossier.githistory import HistoryError, commit_diff

        try:
            diff = commit_diff(self.app.store.root, sha, self.folder)  # type: ignore[attr-defined]
        except HistoryError as exc:
            diff = f"(git could not show this commit: {exc})"
        self.post_message(DiffLoaded(sha, diff))

    def on_diff_loaded(self, message: DiffLoaded) -> None:
        pane = self.query_one("#diff-pane", VerticalScroll)
        self.query_one("#diff", Static).update(diff_text(message.diff or "(no change in this folder)"))
        self.query_one("#commits", RowList).display = False
        pane.display = True
        pane.border_title = f"commit {message.sha[:10]}"
        pane.focus()

    def action_close(self) -> None:
        pane = self.query_one("#diff-pane", VerticalScroll)
        if pane.display:  # from a diff, back to the list of commits
            pane.display = False
            commits = self.query_one("#commits", RowList)
            commits.display = True
            commits.focus()
            return
        self.dismiss(None)
