"""Saved searches in the browser: pick one to run, or name the current query to keep it.

The searches are the ``[searches]`` table of the tree's ``dossier.toml`` (see
:mod:`dossier.saved_searches`); reading and writing it happen in thread workers.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from dossier.safe import clean


class SavedSearchesScreen(ModalScreen[str | None]):
    """The tree's saved searches; enter runs the highlighted one (returns its query)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close", id="saved.close")]

    def __init__(self) -> None:
        super().__init__(classes="dialog")
        self.searches: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="body"):
            yield Static("Saved searches", classes="dialog-title")
            yield Static("reading dossier.toml…", classes="hint", id="saved-help")
            yield OptionList(id="saved")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.load()

    @work(thread=True, exclusive=True, group="saved-searches")
    def load(self) -> None:
        from dossier.saved_searches import SavedSearchError, load_searches

        try:
            searches = load_searches(self.app.store)  # type: ignore[attr-defined]
        except (SavedSearchError, OSError) as exc:
            self.app.call_from_thread(self._show, {}, f"⚠ {exc}")
            return
        self.app.call_from_thread(self._show, searches, None)

    def _show(self, searches: dict[str, str], error: str | None) -> None:
        self.searches = searches
        options = self.query_one(OptionList)
        options.clear_options()
        for name, query in searches.items():
            label = Text(f"@{clean(name, 64)}", style="bold")
            label.append("  " + clean(query, 200), style="dim")
            options.add_option(Option(label, id=name))
        if error:
            help_text = error
        elif searches:
            help_text = "enter runs the search · escape closes · ctrl+s in the search box saves one"
        else:
            help_text = "no saved searches yet: ctrl+s in the search box saves the query typed there"
        self.query_one("#saved-help", Static).update(Text(help_text))
        if searches:
            options.highlighted = 0

    @on(OptionList.OptionSelected, "#saved")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        name = event.option.id
        if name is not None:
            self.dismiss(self.searches.get(name))

    def action_close(self) -> None:
        self.dismiss(None)


class SaveSearchScreen(ModalScreen[str | None]):
    """Ask for a name under which to keep ``query``; returns the name once saved."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Cancel", id="save-search.close")]

    def __init__(self, query: str) -> None:
        super().__init__(classes="dialog")
        self.search_query = query

    def compose(self) -> ComposeResult:
        with Vertical(id="body"):
            yield Static("Save this search as", classes="dialog-title")
            yield Static(Text(clean(self.search_query, 300)), classes="hint")
            yield Input(placeholder="a name: letters, digits, - and _", id="name")
            yield Static("", classes="error", id="save-error")

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    @on(Input.Submitted, "#name")
    def _submitted(self, event: Input.Submitted) -> None:
        self.save(event.value.strip())

    @work(thread=True, exclusive=True, group="save-search")
    def save(self, name: str) -> None:
        from dossier.saved_searches import SavedSearchError, save_search

        try:
            save_search(self.app.store, name, self.search_query)  # type: ignore[attr-defined]
        except (SavedSearchError, OSError, ValueError) as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self.dismiss, name)

    def _failed(self, message: str) -> None:
        self.query_one("#save-error", Static).update(Text("⚠ " + clean(message, 300)))

    def action_close(self) -> None:
        self.dismiss(None)
