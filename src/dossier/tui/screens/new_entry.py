"""``ctrl+n`` (``n`` on the open entry, enter on a missing reference): create an entry through the store."""

from __future__ import annotations

import re
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.events import Key
from textual.screen import ModalScreen
from textual.widgets import Input, RadioButton, RadioSet, Static

from dossier.errors import describe_os_error
from dossier.model import Kind, PartialDate
from dossier.safe import clean
from dossier.store import StoreError
from dossier.templates import NEW_ENTRY_HINTS, new_entry_data, new_entry_id
from dossier.tui.keys import TypeAhead
from dossier.tui.widgets.key_bar import KeyBar


class KindButton(RadioButton):
    """A kind to choose: the chosen one shows a dot, the others an empty box (not only another colour)."""

    @property
    def _button(self):  # type: ignore[no-untyped-def]
        self.BUTTON_INNER = "●" if self.value else " "
        return super()._button


class KindChoice(RadioSet):
    """The kinds: ↑/↓ (or ←/→) choose at once; enter creates, as in the text fields.

    ``chosen`` changes as the key is handled: the radio set's own state follows a message
    later, and an enter typed right after the arrow must create the kind it chose.
    """

    def __init__(self, chosen: Kind, id: str | None = None) -> None:
        super().__init__(*(KindButton(kind.value, value=kind is chosen, id=f"new-{kind.value}") for kind in Kind),
                         id=id)
        self.chosen = chosen

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,right", "choose(1)", "Next kind", show=False, id="new.next-kind"),
        Binding("up,left", "choose(-1)", "Previous kind", show=False, id="new.previous-kind"),
        Binding("enter", "screen.create", "Create", show=False, id="new.create-from-kind"),
    ]

    def action_choose(self, step: int) -> None:
        kinds = list(Kind)
        self.chosen = kinds[(kinds.index(self.chosen) + step) % len(kinds)]
        self._selected = kinds.index(self.chosen)  # the highlight, on the button chosen
        self.query_one(f"#new-{self.chosen.value}", RadioButton).value = True

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        if event.pressed.id:  # chosen with the mouse (or space)
            self.chosen = Kind(event.pressed.id.removeprefix("new-"))


class NewEntryScreen(ModalScreen[str | None]):
    """Kind, title and date; enter creates the entry (never overwriting) and opens it."""

    # ↑/↓ in the text fields do nothing: the kind changes only where the focus shows it (the kind list).
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Cancel", id="new.cancel"),
        Binding("ctrl+s", "create", "Create", id="new.create"),
    ]

    def __init__(self, kind: Kind = Kind.ACTOR, title: str = "", entry_id: str | None = None) -> None:
        super().__init__(classes="dialog small")
        self.kind = kind
        self.initial_title = title
        self.entry_id = entry_id
        self.type_ahead = TypeAhead(self)

    def compose(self) -> ComposeResult:
        yield KeyBar(classes="dialog-keys")  # this dialog's own keys, over the browser's footer
        with Vertical(id="body"):
            heading = f"Create {clean(self.entry_id, 100)}" if self.entry_id else "New entry"
            yield Static(Text(heading), classes="dialog-title")
            yield Input(value=self.initial_title, placeholder="name or title", id="title")
            # A missing id such as "2022-01-01-ghost-event" states its date: offered, not invented.
            stated = re.match(r"(\d{4}(?:-\d{2}){0,2})-", self.entry_id or "")
            date = PartialDate.parse(stated.group(1)) if stated else None
            yield Input(value=str(date) if date else "", id="date",
                        placeholder="date: 2025-01-28, 2020-06 or 1980 (optional)")
            yield KindChoice(self.kind, id="kind")
            yield Static("tab next field (the kind: ↑↓ there) · enter creates · escape cancels", classes="hint")
            yield Static("", classes="error", id="error")

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#title", Input))
        self.type_ahead.release()  # what was typed while the dialog opened goes into the fields

    def intercept_key(self, event: Key) -> bool:
        """Keys typed before the dialog has the focus wait for it (dossier.tui.keys)."""
        return self.type_ahead.hold(event, self.focused is None)

    def _chosen_kind(self) -> Kind:
        return self.query_one(KindChoice).chosen

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
        except OSError as exc:  # a read-only tree, no permission, a full disk: say so, keep the dialog open
            self.app.call_from_thread(self.query_one("#error", Static).update,
                                      Text(clean(f"Could not create {entry_id}: {describe_os_error(exc, store.root)}",
                                                 300)))
            return
        self.app.call_from_thread(self._created, entry_id)

    def _created(self, entry_id: str) -> None:
        self.notify(f"Created {entry_id}; press e to fill it in.")
        self.dismiss(entry_id)

    def action_close(self) -> None:
        self.dismiss(None)
