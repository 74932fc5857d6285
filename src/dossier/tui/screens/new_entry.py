"""``n`` (and enter on a missing reference): create an actor, event or source through the store."""

from __future__ import annotations

import re
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, RadioButton, RadioSet, Static

from dossier.model import Kind, PartialDate
from dossier.safe import clean
from dossier.store import StoreError
from dossier.templates import NEW_ENTRY_HINTS, new_entry_data, new_entry_id
from dossier.tui.widgets.key_bar import KeyBar


class NewEntryScreen(ModalScreen[str | None]):
    """Kind, title and date; enter creates the entry (never overwriting) and opens it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Cancel", id="new.cancel"),
        Binding("ctrl+s", "create", "Create", id="new.create"),
        Binding("up", "kind(-1)", "Previous kind", show=False, id="new.previous-kind"),
        Binding("down", "kind(1)", "Next kind", show=False, id="new.next-kind"),
    ]

    def __init__(self, kind: Kind = Kind.ACTOR, title: str = "", entry_id: str | None = None) -> None:
        super().__init__(classes="dialog small")
        self.kind = kind
        self.initial_title = title
        self.entry_id = entry_id

    def compose(self) -> ComposeResult:
        yield KeyBar(classes="dialog-keys")  # this dialog's own keys, over the browser's footer
        with Vertical(id="body"):
            heading = f"Create {clean(self.entry_id, 100)}" if self.entry_id else "New entry"
            yield Static(Text(heading), classes="dialog-title")
            with RadioSet(id="kind"):
                for kind in Kind:
                    yield RadioButton(kind.value, value=kind is self.kind, id=f"new-{kind.value}")
            yield Input(value=self.initial_title, placeholder="name or title", id="title")
            # A missing id such as "2022-01-01-ghost-event" states its date: offered, not invented.
            stated = re.match(r"(\d{4}(?:-\d{2}){0,2})-", self.entry_id or "")
            date = PartialDate.parse(stated.group(1)) if stated else None
            yield Input(value=str(date) if date else "", id="date",
                        placeholder="date: 2025-01-28, 2020-06 or 1980 (optional)")
            yield Static("↑↓ kind · tab next field · enter creates · escape cancels", classes="hint")
            yield Static("", classes="error", id="error")

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()

    def action_kind(self, step: int) -> None:
        """↑/↓ from the text fields choose the kind (the kind list itself moves its own cursor)."""
        kinds = list(Kind)
        chosen = kinds[(kinds.index(self._chosen_kind()) + step) % len(kinds)]
        self.query_one(f"#new-{chosen.value}", RadioButton).value = True

    def _chosen_kind(self) -> Kind:
        pressed = self.query_one(RadioSet).pressed_button
        if pressed is not None and pressed.id:
            return Kind(pressed.id.removeprefix("new-"))
        return self.kind

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_create()

    def action_create(self) -> None:
        error = self.query_one("#error", Static)
        kind = self._chosen_kind()
        title = self.query_one("#title", Input).value.strip()
        date_text = self.query_one("#date", Input).value.strip()
        if not title:
            error.update("The title is empty.")
            return
        date: object = None
        if date_text:
            parsed = PartialDate.parse(date_text)
            if parsed is None:
                error.update(Text(f"{clean(date_text, 40)!r} is not a date (2025-01-28, 2020-06 or 1980)."))
                return
            date = parsed.first_day if parsed.day is not None else str(parsed)
        entry_id = self.entry_id or new_entry_id(kind, title, date)
        error.update("creating…")
        self._create(kind, entry_id, title, date)

    @work(thread=True, exclusive=True, group="create")
    def _create(self, kind: Kind, entry_id: str, title: str, date: object) -> None:
        # In a worker: making sure the id is new may scan the whole tree.
        store = self.app.store  # type: ignore[attr-defined]
        try:
            store.create(kind, entry_id, new_entry_data(kind, title, date), template=NEW_ENTRY_HINTS[kind])
        except StoreError as exc:
            self.app.call_from_thread(self.query_one("#error", Static).update, Text(clean(str(exc), 300)))
            return
        self.app.call_from_thread(self._created, entry_id)

    def _created(self, entry_id: str) -> None:
        self.notify(f"Created {entry_id}; press e to fill it in.")
        self.dismiss(entry_id)

    def action_close(self) -> None:
        self.dismiss(None)
