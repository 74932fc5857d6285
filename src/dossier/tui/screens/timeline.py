"""``t``: events in date order, grouped by year, for one actor or for the whole tree.

Filter by tag (type in the box, the tags of the tree are suggested) and by
minimum importance (``+`` / ``-``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.events import Key
from textual.message import Message
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Static

from dossier.model import Kind
from dossier.safe import clean
from dossier.tui.keys import RESULT_KEYS, TypeAhead
from dossier.tui.widgets.entry_view import importance_bar
from dossier.tui.widgets.key_bar import KeyBar
from dossier.tui.widgets.row_list import RowList, VimRowList

if TYPE_CHECKING:
    from dossier.index import Row

STATUS_MARKS = {"confirmed": "✓", "reported": "·", "disputed": "?", "debunked": "✗"}


class TimelineLoaded(Message):
    def __init__(self, key: tuple, items: list, tags: list[str] | None) -> None:
        super().__init__()
        self.key = key
        self.items = items
        self.tags = tags


def group_by_year(rows: list[Row]) -> list[Row | str]:
    """Rows in date order with a year heading before each year (undated last)."""
    items: list[Row | str] = []
    year = None
    for row in rows:
        this_year = (row.date or "")[:4] or "undated"
        if this_year != year:
            items.append(this_year)
            year = this_year
        items.append(row)
    return items


def format_item(item: Row | str) -> Text:
    if isinstance(item, str):
        return Text(f"── {item} ──")
    text = Text(no_wrap=True)
    date = item.date or ""
    text.append(f"{clean(date[5:] if len(date) > 4 else '', 5):<5}  ", style="dim")
    imp = item.importance
    text.append(f"{importance_bar(imp) if imp is not None else ' ' * 10} ",
                style="bold" if (imp or 0) >= 7 else "dim")
    text.append(f"{imp if imp is not None else '':>2}  ")
    mark = STATUS_MARKS.get(item.status or "", " ")
    text.append(f"{mark} ", style="bold")
    text.append(clean(item.title, 200))
    if item.status:
        text.append(f"  {clean(item.status, 20)}", style="dim italic")
    return text


class TimelineScreen(ModalScreen[str | None]):
    """Events by year; enter opens one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="timeline.close"),
        Binding("plus,equals_sign", "importance(1)", "Importance +", key_display="+", id="timeline.more-important"),
        Binding("minus", "importance(-1)", "Importance -", key_display="-", id="timeline.less-important"),
        Binding("f", "tag_filter", "Filter by tag", id="timeline.tag"),
    ]

    def __init__(self, actor_id: str | None = None, actor_name: str | None = None) -> None:
        super().__init__(classes="dialog")
        self.actor_id = actor_id
        self.actor_name = actor_name
        self.min_importance = 1
        self.tag = ""
        self.count = 0
        self.known_tags: list[str] = []  # the tree's tags, as the tag box suggests them
        self._shown: tuple | None = None  # the (actor, tag, importance) whose events are on screen
        self.type_ahead = TypeAhead(self)

    def intercept_key(self, event: Key) -> bool:
        """Keys typed while the timeline opens, and enter or the arrows before its events are listed,
        wait for them (dossier.tui.keys)."""
        if self.focused is None:
            return self.type_ahead.hold(event, True)
        return self.type_ahead.hold(event, event.key in RESULT_KEYS
                                    and self._shown != (self.actor_id, self.tag, self.min_importance))

    def compose(self) -> ComposeResult:
        yield KeyBar(classes="dialog-keys")  # this dialog's own keys, over the browser's footer
        with Vertical(id="body"):
            title = f"Timeline of {clean(self.actor_name or self.actor_id or '', 100)}" if self.actor_id \
                else "Timeline of all events"
            yield Static(Text(title), classes="dialog-title", id="timeline-title")
            yield Input(placeholder="filter by tag, or @name for a saved search (f), enter to apply", id="tag")
            yield Static("", classes="hint", id="summary")
            yield VimRowList(format_item, is_header=lambda i: isinstance(i, str), id="events", empty_text="loading…")

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#events", RowList))
        self.type_ahead.release()
        self._describe()
        self.load(with_tags=True)

    def _describe(self) -> None:
        parts = [f"importance ≥ {self.min_importance} (+/-)", f"tag: {clean(self.tag, 40) or 'any'} (f)"]
        parts.append(Kind.EVENT.counted(self.count))
        parts.append("status: ✓ confirmed · reported ? disputed ✗ debunked")
        self.query_one("#summary", Static).update(Text("   ".join(parts)))

    def load(self, with_tags: bool = False) -> None:
        self._load((self.actor_id, self.tag, self.min_importance), with_tags)

    @work(thread=True, exclusive=True, group="timeline")
    def _load(self, key: tuple, with_tags: bool) -> None:
        index = self.app.index  # type: ignore[attr-defined]
        actor, tag, minimum = key
        from dossier.saved_searches import saved_search_ids

        saved = saved_search_ids(self.app.store, index, tag or "", Kind.EVENT)  # type: ignore[attr-defined]
        rows = index.rows(Kind.EVENT, sort="date", actor=actor, tag=None if saved is not None else tag or None,
                          min_importance=minimum if minimum > 1 else None)
        if saved is not None:  # "@name" in the tag box: the events a saved search finds
            rows = [row for row in rows if row.id in saved]
        tags = [t for t, _ in index.tags()] if with_tags else None
        self.post_message(TimelineLoaded(key, rows, tags))

    def on_timeline_loaded(self, message: TimelineLoaded) -> None:
        if message.key != (self.actor_id, self.tag, self.min_importance):
            return
        if message.tags is not None:
            self.known_tags = message.tags
            self.query_one("#tag", Input).suggester = SuggestFromList(message.tags, case_sensitive=False)
        self.count = len(message.items)
        events = self.query_one("#events", RowList)
        events.set_empty_text("no events match")
        events.set_items(group_by_year(message.items), keep=lambda i: i if isinstance(i, str) else i.id)
        self._describe()
        self._shown = message.key
        self.type_ahead.release()  # enter or ↓ typed before these events: they act on them now

    def action_importance(self, step: int) -> None:
        self.min_importance = max(1, min(10, self.min_importance + step))
        self._describe()
        self.load()

    def action_tag_filter(self) -> None:
        self.query_one("#tag", Input).focus()

    @on(Input.Submitted, "#tag")
    def _tag(self, event: Input.Submitted) -> None:
        typed = event.value.strip()
        # Enter takes the tag the box suggests (shown dimmed after the typed letters), as → does.
        if typed and not typed.startswith("@") and typed.lower() not in (t.lower() for t in self.known_tags):
            typed = next((t for t in self.known_tags if t.lower().startswith(typed.lower())), typed)
            with event.input.prevent(Input.Changed):
                event.input.value = typed
        self.tag = typed
        self.query_one("#events", RowList).focus()
        self._describe()
        self.load()

    @on(RowList.Selected, "#events")
    def _selected(self, event: RowList.Selected) -> None:
        self.dismiss(event.item.id)

    @on(RowList.TopReached, "#events")
    def _top(self) -> None:
        self.query_one("#tag", Input).focus()

    def action_close(self) -> None:
        if isinstance(self.focused, Input):
            self.query_one("#events", RowList).focus()
            return
        self.dismiss(None)
