"""``?``: every key, read from the bindings themselves (no hand-written table to fall out of date)."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from dossier.tui.widgets.entry_view import HINT_LETTERS
from dossier.tui.widgets.key_bar import KeyBar


def binding_groups() -> list[tuple[str, list[Binding]]]:
    """Every binding of the browser, grouped by where it works."""
    from dossier.tui.app import DossierApp
    from dossier.tui.screens.browser import BrowserScreen
    from dossier.tui.screens.git_log import GitLogScreen
    from dossier.tui.screens.graph import ActorPicker, ConnectionsScreen, LinkPage
    from dossier.tui.screens.new_entry import NewEntryScreen
    from dossier.tui.screens.problems import ProblemsScreen
    from dossier.tui.screens.search import SearchScreen
    from dossier.tui.screens.timeline import TimelineScreen
    from dossier.tui.widgets.entry_view import EntryView
    from dossier.tui.widgets.row_list import RowList

    groups = [
        ("Everywhere", DossierApp.BINDINGS),
        ("Main screen", BrowserScreen.BINDINGS),
        ("Lists", RowList.BINDINGS),
        ("Open entry", EntryView.BINDINGS),
        ("Search (/)", SearchScreen.BINDINGS),
        ("Timeline (t)", TimelineScreen.BINDINGS),
        ("Problems (!)", ProblemsScreen.BINDINGS),
        ("New entry (n)", NewEntryScreen.BINDINGS),
        ("Connections (c) and path pages (digits open a link)", [*LinkPage.BINDINGS, *ConnectionsScreen.BINDINGS]),
        ("Path to… (p): the actor picker", ActorPicker.BINDINGS),
        ("History (h): git log of the entry", GitLogScreen.BINDINGS),
    ]
    return [(name, [b for b in bindings if isinstance(b, Binding)]) for name, bindings in groups]


#: Keys named as a person reads them on the keyboard (Textual's own names are symbols for these).
_READABLE = {"enter": "enter", "escape": "esc", "backspace": "backspace", "tab": "tab"}


def key_name(key: str) -> str:
    """One key as a person types it: ``=`` rather than ``equals_sign``, ``←`` rather than ``left``."""
    from textual.keys import format_key

    key = key.strip()
    return _READABLE.get(key) or format_key(key)


def key_names(binding: Binding) -> str:
    return " / ".join(dict.fromkeys(key_name(key) for key in binding.key.split(",")))


def keys_table() -> Table:
    table = Table(show_header=True, header_style="bold", expand=True, box=None, padding=(0, 2))
    table.add_column("Key", no_wrap=True, style="bold")
    table.add_column("Does")
    table.add_column("Where", style="dim")
    table.add_row("1-9, letters", "Follow the link shown with that hint, e.g. [1]: hints are 1-9, then the "
                  f"letters no other key uses ({HINT_LETTERS})", "Open entry (digits also from the list)")
    table.add_row("enter", "Follow the link under the cursor; on a missing id, offer to create it", "Open entry")
    table.add_row("ctrl+p", "Command palette: every action, and switching theme", "Everywhere")
    for where, bindings in binding_groups():
        for binding in bindings:
            table.add_row(key_names(binding), binding.description or binding.action, where)
    return table


class HelpScreen(ModalScreen[None]):
    """Every key of the browser."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "dismiss", "Close", id="help.close"),
    ]

    def __init__(self) -> None:
        super().__init__(classes="dialog")

    def compose(self) -> ComposeResult:
        yield KeyBar(classes="dialog-keys")  # this dialog's own keys, over the browser's footer
        with Vertical(id="body"):
            yield Static("Keys", classes="dialog-title")
            yield Static(Text("Everything works from the keyboard. Footer: the keys for where you are. "
                              "escape closes this."), classes="hint")
            with VerticalScroll():
                yield Static(keys_table(), id="keys")

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
