"""The main screen: lists of actors, events and sources on the left, the open entry on the right.

Lists, counts and backlinks come from the index; an entry's files are read
when it is opened. Everything that reads files or the index runs in a thread
worker and comes back as a message.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.events import Key
from textual.screen import Screen
from textual.widgets import Input, Tab, Tabs

from dossier.model import Kind
from dossier.safe import clean
from dossier.tui.entry_data import FIELD_KINDS, Missing, gather, title_of_id
from dossier.tui.history import History, Place
from dossier.tui.keys import RESULT_KEYS, HintKeys, TypeAhead
from dossier.tui.messages import EntryLoaded, EntryMissing, RowsLoaded
from dossier.tui.screens.curate import CurationActions
from dossier.tui.widgets.entry_view import EntryView, Target
from dossier.tui.widgets.key_bar import KeyBar
from dossier.tui.widgets.row_list import RowList
from dossier.tui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from dossier.index import Row
    from dossier.tui.app import DossierApp

KINDS = (Kind.ACTOR, Kind.EVENT, Kind.SOURCE)


def _is_digit(key: str) -> bool:
    return len(key) == 1 and key.isdigit()


def format_row(row: Row) -> Text:
    """One line of a list: what a person scans for, per kind."""
    text = Text(no_wrap=True)
    if row.kind is Kind.EVENT:
        if row.date:
            text.append(f"{clean(row.date, 10):<10}  ", style="dim")
        else:  # left out when the event was made: unknown, not blank (a blank reads as a glitch)
            text.append(f"{'unknown':<10}  ", style="dim italic")
        imp = row.importance
        text.append(f"{imp if imp is not None else '·':>2} ", style="bold" if (imp or 0) >= 7 else "")
        text.append(clean(row.title, 200))
        if row.status:
            text.append(f"  {clean(row.status, 20)}", style="dim italic")
    elif row.kind is Kind.SOURCE:
        text.append(f"{clean(row.date or '', 10):<10}  ", style="dim")
        if row.outlet:
            text.append(clean(row.outlet, 30) + "  ", style="bold")
        text.append(clean(row.title, 200))
    else:
        text.append(clean(row.title, 120))
        if row.type:
            text.append(f"  {clean(row.type, 20)}", style="dim")
    if row.problems:
        text.append(f"  ⚠ {row.problems}", style="bold red")
    return text


class BrowserScreen(CurationActions, Screen[None]):
    """Lists, the entry view, the status bar and the footer."""

    # The key model (README "Keys"): on a list every printable key but / ? ! types into its filter,
    # so the commands here are keys no name starts with. Letters that are commands live on the
    # open entry (EntryView.BINDINGS); digits follow hints from every pane (intercept_key).
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search", id="browser.search"),
        Binding("ctrl+t", "timeline", "Timeline", id="browser.timeline"),
        Binding("ctrl+n", "new_entry", "New", id="browser.new"),
        Binding("backspace,alt+left", "back", "Back", key_display="⌫", id="browser.back"),
        Binding("alt+right", "forward", "Forward", show=False, id="browser.forward"),
        Binding("left", "switch_kind(-1)", "Previous list", show=False, id="browser.previous-kind"),
        Binding("right", "switch_kind(1)", "Next list", show=False, id="browser.next-kind"),
        Binding("tab", "next_pane", "Next pane", show=False, id="browser.next-pane"),
        Binding("shift+tab", "previous_pane", "Previous pane", show=False, id="browser.previous-pane"),
        Binding("exclamation_mark", "problems", "Problems", id="browser.problems"),
        Binding("escape", "focus_list", "Back to the list / clear the filter", show=False, id="browser.focus-list"),
    ]

    def __init__(self) -> None:
        super().__init__(id="browser")
        self.kind = Kind.ACTOR
        self.history = History()
        self._filters: dict[Kind, str] = dict.fromkeys(KINDS, "")
        self.rows_loaded: dict[Kind, bool] = dict.fromkeys(KINDS, False)
        self._rows_shown: tuple[Kind, str] | None = None  # the list and filter whose rows are on screen
        self._first_rows: RowsLoaded | None = None  # read with the index before this screen was mounted
        self._ready = False  # on_mount has run: the widgets are there
        self._after_reload: list[Callable[[], object]] = []  # to run once the open entry is reloaded
        self._opening: Place | None = None  # an entry the user asked for, not yet on screen
        self.type_ahead = TypeAhead(self)
        self.hint_keys = HintKeys(self._show_typed_hint)

    @property
    def dossier(self) -> DossierApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            with Vertical(id="left"):
                yield Tabs(*(Tab(kind.plural.capitalize(), id=f"kind-{kind.value}") for kind in KINDS), id="kinds")
                yield Input(placeholder="type to filter", id="filter", select_on_focus=False)
                yield RowList(format_row, id="entries", empty_text="indexing…")
            yield EntryView(id="entry")
        yield StatusBar(clean(self.dossier.store.root.name or str(self.dossier.store.root)), id="status")
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        self.query_one(Tabs).can_focus = False
        self.query_one("#left").border_title = "List"
        self.entry_view.border_title = "Entry"
        self.set_focus(self.entries)
        self._ready = True
        if self._first_rows is not None:
            self.on_rows_loaded(self._first_rows)
            self._first_rows = None
        elif self.dossier.index is not None:
            self.refresh_rows()

    # -- parts

    @property
    def entries(self) -> RowList:
        return self.query_one("#entries", RowList)

    @property
    def entry_view(self) -> EntryView:
        return self.query_one(EntryView)

    @property
    def filter_input(self) -> Input:
        return self.query_one("#filter", Input)

    def set_status(self, **values: object) -> None:
        """Update the status bar (quietly nothing while the screen is being torn down)."""
        try:
            bar = self.query_one(StatusBar)
        except NoMatches:
            return
        bar.update_status(**values)  # type: ignore[arg-type]

    # -- lists

    def filter_text(self, kind: Kind) -> str:
        """What the user typed to filter the list of ``kind`` (safe to read from a worker)."""
        return self._filters[kind]

    def refresh_rows(self) -> None:
        if self.dossier.index is None:
            return
        self._load_rows(self.kind, self.filter_input.value)

    @work(thread=True, exclusive=True, group="rows")
    def _load_rows(self, kind: Kind, text: str) -> None:
        index = self.dossier.index
        if index is None:
            return
        from dossier.saved_searches import saved_search_ids

        saved = saved_search_ids(self.dossier.store, index, text, kind)  # "@name": a saved search's hits
        rows = index.rows(kind, text=text) if saved is None else [r for r in index.rows(kind) if r.id in saved]
        self.post_message(RowsLoaded(kind, text, rows))

    def on_rows_loaded(self, message: RowsLoaded) -> None:
        try:
            typed = self.filter_input.value
        except NoMatches:  # rows that arrive while the app shuts down
            return
        if message.kind is not self.kind or message.text != typed:
            return  # the user moved on while this was loading
        self.rows_loaded[message.kind] = True
        self._rows_shown = (message.kind, message.text)
        self.entries.set_empty_text(f"no {self.kind.plural} match" if message.text else f"no {self.kind.plural} yet")
        self.entries.set_items(message.rows, keep=lambda row: row.id)
        if self._opening is None:
            self.type_ahead.release()  # enter or ↓ typed before these rows came: they act on them now

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._filters[self.kind] = event.value
        self.refresh_rows()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.set_focus(self.entries)
        items = self.entries.items
        if len(items) == 1:  # the filter found the one entry: open it, as a second enter would
            self.open_entry(items[0].id)

    # -- the keyboard (dossier.tui.keys)

    def intercept_key(self, event: Key) -> bool:
        """Every key before any widget sees it; True when it was dealt with here.

        Keys typed ahead of what they act on wait for it; digits follow hints from any
        pane (but type into a filter that already holds text); on a list, every
        printable key that is not a command of its own goes into the list's filter.
        """
        if not self._ready or event.key == "ctrl+q":
            return False
        key = event.key
        if self.type_ahead.hold(event, self._waits(key)):
            return True
        filter_input = self.filter_input
        if self.hint_keys.typed:
            if _is_digit(key):
                self._type_hint(key)
                return True
            self.hint_keys.cancel()
            if key == "escape":
                return True  # esc only forgets the digits typed so far
        focused = self.focused
        typing_text = focused is filter_input and bool(filter_input.value)
        if _is_digit(key) and self.entry_view.hint_width and not typing_text:
            self._type_hint(key)
            return True
        if focused is self.entries and event.is_printable and event.character and key not in self.active_bindings:
            # Typed on the list, a name starts a new filter: "taliban" after "qasem" finds the Taliban.
            # To change the filter instead, go into it (↑ from the top row, f on the entry). The focus
            # moves now, so the next letters, however fast, follow this one into the filter.
            self.set_focus(filter_input)
            filter_input.value = event.character
            filter_input.cursor_position = 1
            return True
        # Keys that open an entry or move the focus act now: the keys typed next are meant for where they lead.
        if key == "enter":
            if focused is filter_input:
                self._filter_submitted()
                return True
            if focused is self.entries:
                if self.entries.current is not None:
                    self.open_entry(self.entries.current.id)
                return True
            if isinstance(focused, Target) and focused in self.entry_view.targets:
                self.follow(focused)
                return True
        if focused is filter_input and key in ("down", "escape"):
            if key == "escape":
                self.action_focus_list()
            else:
                self.set_focus(self.entries)
            return True
        return False

    def _waits(self, key: str) -> bool:
        """True when ``key`` acts on something not yet on screen (an entry opening, a list loading)."""
        if self._opening is not None:
            return True  # every key typed after asking for an entry is meant for that entry
        if key in RESULT_KEYS and self._pane_of(self.focused) < 2:
            return self._rows_shown != (self.kind, self.filter_input.value)
        return False

    def _type_hint(self, digit: str) -> None:
        hint = self.hint_keys.type(digit, self.entry_view.hint_width)
        if hint is None:
            return  # more digits to come
        target = self.entry_view.hint_target(hint)
        if target is None:
            self.notify(f"No link has the hint {hint}.", severity="warning", timeout=3)
            return
        target.focus(scroll_visible=True)
        self.follow(target)

    def _show_typed_hint(self, typed: str | None) -> None:
        self.entry_view.border_subtitle = f"hint {typed}…  (esc: cancel)" if typed else ""

    @on(Tabs.TabActivated)
    def _tab_activated(self, event: Tabs.TabActivated) -> None:
        if event.tab is None or event.tab.id is None:
            return
        kind = Kind(event.tab.id.removeprefix("kind-"))
        if kind is self.kind:
            return
        self.kind = kind
        with self.filter_input.prevent(Input.Changed):
            self.filter_input.value = self._filters[kind]
        self.entries.set_items([])
        self.entries.set_empty_text("loading…")
        self.refresh_rows()

    def action_switch_kind(self, step: int) -> None:
        position = (KINDS.index(self.kind) + step) % len(KINDS)
        self.show_kind(KINDS[position])
        self.action_focus_list()  # the list just shown is what the next keys (enter, j/k) are for

    def show_kind(self, kind: Kind) -> None:
        self.query_one(Tabs).active = f"kind-{kind.value}"

    @on(RowList.Selected, "#entries")
    def _row_selected(self, event: RowList.Selected) -> None:
        self.open_entry(event.item.id)

    @on(RowList.TopReached, "#entries")
    def _list_top(self) -> None:
        self.set_focus(self.filter_input)

    # -- opening entries

    def current_place(self, target: Target | None = None) -> Place | None:
        """The open entry and its cursor (``target`` when focus is about to move onto it)."""
        view = self.entry_view
        data = view.data
        if data is None:
            return None
        if target is not None and target in view.targets:
            key, index = target.info.key, view.targets.index(target)
        else:
            key, index = view.cursor()
        return Place(data.id, key, index, view.scroll_y)

    def _remember_cursor(self, target: Target | None = None) -> None:
        place = self.current_place(target)
        current = self.history.current
        if place is not None and current is not None and current.entry_id == place.entry_id:
            self.history.places[self.history.position] = place

    def open_entry(self, entry_id: str, *, focus: bool = True, origin: Target | None = None) -> None:
        """Open an entry and add it to the history (``origin``: the target followed to get there)."""
        self._remember_cursor(origin)
        place = Place(entry_id)
        self.history.push(place)
        if focus:
            self._opening = place
        self._load_entry(place, focus, 0)

    def reload_entry(self) -> None:
        """Read the open entry again (it changed on disk), keeping the cursor."""
        place = self.current_place()
        if place is None:
            return
        focus = self.focused is self.entry_view or self.focused in self.entry_view.targets
        self._load_entry(place, focus, 0)

    @work(thread=True, exclusive=True, group="entry")
    def _load_entry(self, place: Place, focus: bool, step: int) -> None:
        try:
            data = gather(self.dossier.store, place.entry_id, self.dossier.index)
        except Missing:
            self.post_message(EntryMissing(place.entry_id, step))
            return
        self.post_message(EntryLoaded(data, place, focus))

    async def on_entry_loaded(self, message: EntryLoaded) -> None:
        current = self.history.current
        if current is None or current.entry_id != message.data.id:
            self._run_after_reload()
            return  # a newer request is on its way
        view = self.entry_view
        await view.show(message.data)
        place = message.place
        self.call_after_refresh(view.restore, place.target_key, place.target_index, place.scroll_y, message.focus)
        self.call_after_refresh(self._run_after_reload)
        self.call_after_refresh(self._opened, message.place)

    def _opened(self, place: Place) -> None:
        """The entry asked for is on screen, with the focus: the keys typed meanwhile act on it now."""
        if self._opening is place:
            self._opening = None
            self.type_ahead.release()

    async def on_entry_missing(self, message: EntryMissing) -> None:
        self._run_after_reload()
        if self._opening is not None and self._opening.entry_id == message.entry_id:
            self.call_after_refresh(self._opened, self._opening)
        current = self.history.current
        if current is not None and current.entry_id == message.entry_id:
            if message.step:  # going back or forward: skip entries that no longer exist
                self.history.drop_current()
                if message.step > 0:
                    self.history.position -= 1  # drop_current already moved us onto the next one
                self._go(message.step)
                return
            self.history.drop_current()
        await self.entry_view.show_message(f"No entry has the id {message.entry_id!r} (it may have been removed).")
        self.notify(f"No entry has the id {message.entry_id!r}.", severity="warning")

    def action_back(self) -> None:
        from dossier.tui.screens.graph import reopen_page

        if reopen_page(self):  # an entry opened from a path page: back to that page
            return
        self._remember_cursor()
        self._go(-1)

    def action_forward(self) -> None:
        self._remember_cursor()
        self._go(1)

    def _go(self, step: int) -> None:
        place = self.history.go(step)
        if place is None:
            self.notify("No earlier entry." if step < 0 else "No later entry.", timeout=2)
            return
        self._opening = place
        self._load_entry(place, True, step)

    # -- targets

    @on(Target.Chosen)
    def _target_chosen(self, event: Target.Chosen) -> None:
        self.follow(event.target)

    def follow(self, target: Target) -> None:
        info = target.info
        if info.missing:
            field = info.field.split("#", 1)[0]
            self.create_entry(FIELD_KINDS.get(field, Kind.ACTOR), title_of_id(info.entry_id), info.entry_id)
            return
        self.open_entry(info.entry_id, origin=target)

    # -- the index

    def index_opened(self, first_rows: RowsLoaded | None = None) -> None:
        if not self._ready:
            self._first_rows = first_rows  # on_mount shows them (or asks the index when None)
        elif first_rows is None:
            self.refresh_rows()
        else:
            self.on_rows_loaded(first_rows)

    def files_changed(self, paths: Iterable[str], then: Callable[[], object]) -> bool:
        """Files changed on disk (the watcher's batch): the open entry is read again now when they are its own.

        Its text and fields come from its files, not from the index. True when it is being read
        again: ``then`` (the index taking the change in) runs once it is on screen, and once the
        index has the change, :meth:`index_changed` reads it again for what comes from there
        (titles, backlinks). False when the batch does not touch it (``then`` is not called).
        """
        data = self.entry_view.data
        if data is None:
            return False
        folder = data.entry.folder
        if not any(path == folder or path.startswith(folder + "/") for path in paths):
            return False
        self._after_reload.append(then)
        self.reload_entry()
        return True

    def index_changed(self, changes: frozenset[str] | None, then: Callable[[], object] | None = None) -> None:
        """Show what changed; ``then`` runs once the open entry is up to date (the status bar's counts)."""
        data = self.entry_view.data
        if changes is not None and data is not None and (
            data.id in changes
            or any(i in data.rows or any(b.row.id == i for b in data.backlinks) for i in changes)
        ):
            # The open entry first, alone: the list and the counts each walk the whole
            # index, and running them meanwhile would slow down what the user is looking at.
            self._after_reload.append(self.refresh_rows)
            if then is not None:
                self._after_reload.append(then)
            self.reload_entry()  # it changed, or a referenced entry or a backlink did: titles may differ
            return
        self.refresh_rows()
        if then is not None:
            then()

    def _run_after_reload(self) -> None:
        pending, self._after_reload = self._after_reload, []
        for callback in pending:
            callback()

    # -- panes and focus

    def _panes(self) -> list:
        return [self.filter_input, self.entries, self.entry_view]

    def _pane_of(self, widget: object) -> int:
        if widget is self.filter_input:
            return 0
        if widget is self.entries:
            return 1
        return 2

    def action_next_pane(self) -> None:
        self._focus_pane((self._pane_of(self.focused) + 1) % 3)

    def action_previous_pane(self) -> None:
        self._focus_pane((self._pane_of(self.focused) - 1) % 3)

    def _focus_pane(self, pane: int) -> None:
        if pane == 2:
            view = self.entry_view
            remembered = getattr(self, "_entry_focus", None)
            if remembered is not None and remembered in view.targets:
                self.set_focus(remembered)
            else:
                self.set_focus(view)
            return
        if self._pane_of(self.focused) == 2:
            self._entry_focus = self.focused
        self.set_focus(self._panes()[pane])

    def action_focus_list(self) -> None:
        """Esc: to the list from the entry; on the list or in its filter, clear the filter."""
        if self._pane_of(self.focused) == 2:
            self._entry_focus = self.focused
        elif self.filter_input.value:
            self.filter_input.value = ""  # the whole list again (Input.Changed reloads it)
        self.set_focus(self.entries)

    @on(EntryView.TopReached)
    def _entry_top(self) -> None:
        self.entry_view.focus()
        self.entry_view.scroll_home(animate=False)

    def action_filter(self) -> None:
        self.set_focus(self.filter_input)

    # -- actions that open other screens

    def action_search(self) -> None:
        from dossier.tui.screens.search import SearchScreen

        if self.dossier.index is None:
            self.notify("The index is still opening; search in a moment.", severity="warning")
            return

        def opened(entry_id: str | None) -> None:
            if entry_id:
                self.open_entry(entry_id)

        self.app.push_screen(SearchScreen(), opened)

    def action_timeline(self) -> None:
        from dossier.tui.screens.timeline import TimelineScreen

        if self.dossier.index is None:
            self.notify("The index is still opening; try again in a moment.", severity="warning")
            return
        data = self.entry_view.data
        actor = data.entry if data is not None and data.entry.kind is Kind.ACTOR else None

        def opened(entry_id: str | None) -> None:
            if entry_id:
                self.open_entry(entry_id)

        self.app.push_screen(TimelineScreen(actor.id if actor else None, actor.title if actor else None), opened)

    def action_problems(self) -> None:
        from dossier.tui.screens.problems import ProblemsScreen

        if self.dossier.index is None:
            self.notify("The index is still opening.", severity="warning")
            return

        def opened(entry_id: str | None) -> None:
            if entry_id:
                self.open_entry(entry_id)

        self.app.push_screen(ProblemsScreen(), opened)

    def action_new_entry(self) -> None:
        kind = self.kind
        self.create_entry(kind, "", None)

    def create_entry(self, kind: Kind, title: str, entry_id: str | None) -> None:
        from dossier.tui.screens.new_entry import NewEntryScreen

        def created(new_id: str | None) -> None:
            if new_id:
                self.dossier.apply_paths([f"{kind.plural}/{new_id}"])
                self.open_entry(new_id)

        self.app.push_screen(NewEntryScreen(kind, title, entry_id), created)

    # -- actions on the open entry

    def action_edit(self) -> None:
        data = self.entry_view.data
        if data is None:
            self.notify("Open an entry first (enter on a list row).", severity="warning")
            return
        from textual.app import SuspendNotSupported

        from dossier.editor import open_in_editor

        main_file = data.entry.main_file
        path = self.dossier.store.path(main_file)
        try:
            with self.app.suspend():
                open_in_editor(path)
        except SuspendNotSupported:  # no terminal to hand over (tests, web): run it anyway
            open_in_editor(path)
        except OSError as exc:
            self.notify(f"Could not start the editor: {exc}", severity="error")
            return
        self.app.refresh()
        self.dossier.apply_paths([main_file, *data.entry.text_files])

    def action_copy_id(self) -> None:
        data = self.entry_view.data
        if data is None:
            return
        self.app.copy_to_clipboard(data.id)
        self.notify(f"Copied the id {data.id}", timeout=2)

    def action_copy_citation(self) -> None:
        data = self.entry_view.data
        if data is None or data.entry.kind is not Kind.SOURCE:
            self.notify("Open a source to copy its citation.", severity="warning")
            return
        self.app.copy_to_clipboard(citation(data.entry.data, data.entry.title))
        self.notify("Copied the citation", timeout=2)

    def action_open_url(self) -> None:
        data = self.entry_view.data
        url = data.entry.data.get("url") if data is not None else None
        if not isinstance(url, str) or not url.lower().startswith(("http://", "https://")):
            self.notify("This entry has no http(s) URL to open.", severity="warning")
            return
        self.app.open_url(url)


    # -- connections, paths and git history (issue 16: tui/screens/graph.py, git_log.py)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        from dossier.tui.screens.graph import entry_action_allowed

        return entry_action_allowed(self, action)

    def action_connections(self) -> None:
        from dossier.tui.screens.graph import open_connections

        open_connections(self)

    def action_path_to(self) -> None:
        from dossier.tui.screens.graph import open_path_picker

        open_path_picker(self)

    def action_entry_history(self) -> None:
        from dossier.tui.screens.graph import open_git_log

        open_git_log(self)


def citation(data: dict, title: str) -> str:
    """A source as one line a person pastes into a draft: title, outlet, date, URL."""
    from dossier.tui.entry_data import plain

    parts = [f"“{clean(title)}”"]
    for key in ("author", "outlet", "published"):
        value = data.get(key)
        if value not in (None, ""):
            parts.append(clean(plain(value)))
    url = data.get("url")
    if isinstance(url, str) and url:
        parts.append(clean(url))
    return ", ".join(parts) + "."
