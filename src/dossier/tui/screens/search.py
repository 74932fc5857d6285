"""``/``: search everything with the index's query language; results update as you type."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.events import Key
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from dossier.safe import clean
from dossier.tui.keys import RESULT_KEYS, TypeAhead
from dossier.tui.widgets.key_bar import KeyBar
from dossier.tui.widgets.row_list import RowList

if TYPE_CHECKING:
    from dossier.index import Hit


class SearchResults(Message):
    def __init__(self, query: str, hits: list[Hit] | None, error: str | None) -> None:
        super().__init__()
        self.query = query
        self.hits = hits
        self.error = error


def highlighted(text: str, spans: tuple[tuple[int, int], ...], limit: int | None = None) -> Text:
    """Untrusted snippet text with the matched words in bold (spans are offsets into ``text``)."""
    shown = Text(clean(text))  # clean keeps one character per character, so the spans still fit
    if len(shown.plain) == len(text):
        for start, end in spans:
            shown.stylize("bold reverse", start, end)
    if limit is not None:
        shown.truncate(limit, overflow="ellipsis")
    return shown


def format_hit(hit: Hit) -> Text:
    row = hit.row
    text = Text(no_wrap=True)
    text.append(f"{row.kind.value:<7}", style="dim")
    if row.date:
        text.append(f"{clean(row.date, 10):<11}", style="dim")
    text.append(clean(row.title, 120), style="bold")
    if hit.snippet:
        text.append("  ")
        text.append_text(highlighted(hit.snippet, hit.highlights))
    return text


#: Queries shown under the box as examples; each must run as shown (a test types every one).
EXAMPLES = ('"a phrase"', "kind:event", "actor:mark-milley", "tag:retaliation", "date:[2020 TO 2021]",
            "milly~", "secur*", "iran AND NOT israel")
HELP = ("words  " + "  ".join(EXAMPLES)
        + "  (enter opens, ↓ to the results, ctrl+s saves the search, ctrl+o saved searches, escape closes)")


class SearchScreen(ModalScreen[str | None]):
    """A query box over the results; enter opens the highlighted hit."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="search.close"),
        Binding("down", "to_results", "To the results", show=False, id="search.results"),
        Binding("ctrl+s", "save_search", "Save search", id="search.save"),
        Binding("ctrl+o", "saved_searches", "Saved searches", id="search.saved"),
    ]

    def __init__(self, query: str = "") -> None:
        super().__init__(classes="dialog")
        self.initial = query
        self.hits: list[Hit] = []
        self.searched = ""  # the query whose outcome (results or error) is on screen
        self._searching = False  # a query is in the worker
        self._queued: str | None = None  # typed while it ran: the one query to run after it
        self._previewed: Hit | None = None
        self._partial = False  # the results on screen came from an index still being built
        self.type_ahead = TypeAhead(self)

    def compose(self) -> ComposeResult:
        yield KeyBar(classes="dialog-keys")  # this dialog's own keys, over the browser's footer
        with Vertical(id="body"):
            yield Static("Search", classes="dialog-title")
            yield Input(value=self.initial, placeholder="search everything…", id="query", select_on_focus=False)
            yield Static(Text(HELP), classes="hint", id="help")
            yield Static("", classes="error", id="error")
            yield Static("", classes="hint", id="did")  # what the search did: "showing results for …"
            yield RowList(format_hit, id="hits", empty_text="type to search")
            yield Static("", id="preview")

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#query", Input))
        if self.initial:
            self.search(self.initial)
        self.set_interval(0.5, self._check_build)
        self.type_ahead.release()  # what was typed while the dialog opened goes into the box

    def intercept_key(self, event: Key) -> bool:
        """Keys typed before the box has the focus, and enter or the arrows typed before the results of
        the query typed have arrived, wait for them (dossier.tui.keys)."""
        if self.focused is None:
            return self.type_ahead.hold(event, True)  # the dialog is still opening
        if self.type_ahead.hold(event, event.key in RESULT_KEYS and self.searched != self._typed()):
            return True
        if event.key == "enter":  # open the hit now: keys typed after it are for the entry it opens
            hits = self.query_one("#hits", RowList)
            if hits.current is not None:
                self.dismiss(hits.current.row.id)
            return True
        return False

    def _typed(self) -> str:
        return self.query_one("#query", Input).value

    def _check_build(self) -> None:
        """Results shown while the index was being built: search again once it is whole."""
        state = getattr(self.app.index, "state", "") or ""
        if self._partial and not state.startswith("indexing"):
            self._partial = False
            self.searched = ""  # what is on screen is no longer the whole answer to the query
            self.search(self._typed())

    @on(Input.Changed, "#query")
    def _changed(self, event: Input.Changed) -> None:
        self.search(event.value)

    def search(self, query: str) -> None:
        """Run ``query`` now when nothing is running, else right after the running one.

        No timed debounce: the first keystroke is searched at once, and while a query
        runs the keystrokes typed meanwhile collapse into one query for the latest text
        (a thread cannot be interrupted, so stale queries are dropped before they start).
        """
        if self._searching:
            self._queued = query
            return
        self._searching = True
        hits = self.query_one("#hits", RowList)
        if not hits.items and query.strip():
            hits.set_empty_text("searching…")  # a slow query on a large tree: say it is under way
        self.run_search(query)

    @on(Input.Submitted, "#query")
    def _submitted(self) -> None:
        hits = self.query_one("#hits", RowList)
        if hits.current is not None:
            self.dismiss(hits.current.row.id)

    @work(thread=True, exclusive=True, group="search")
    def run_search(self, query: str) -> None:
        from textual.worker import get_current_worker

        from dossier.index import QueryError

        worker = get_current_worker()
        index = self.app.index  # type: ignore[attr-defined]
        if worker.is_cancelled:
            return  # superseded before it started: a newer query is on its way
        if not query.strip():
            self.post_message(SearchResults(query, [], None))
            return
        try:
            hits = index.search(query)
        except QueryError as exc:
            where = f" (at character {exc.position + 1})" if exc.position is not None else ""
            self.post_message(SearchResults(query, None, f"{exc.message}{where}"))
            return
        except Exception as exc:  # the UI must outlive any failure of a single query
            self.post_message(SearchResults(query, None, f"search failed: {exc}"))
            return
        if worker.is_cancelled:
            return  # superseded while it ran: its results would only be drawn over
        self.post_message(SearchResults(query, hits, None))

    def _next_query(self, finished: str | None) -> bool:
        """The running query ended: run the one typed meanwhile, if any (True when one started)."""
        self._searching = False
        latest, self._queued = self._queued, None
        if latest is None or latest == finished:
            return False
        self.search(latest)
        return True

    def on_search_results(self, message: SearchResults) -> None:
        if self._next_query(message.query):
            return  # typed on since: its results come next
        if message.query != self._typed():
            return
        self._show(message)
        self.type_ahead.release()  # enter or ↓ typed before these results: they act on them now

    def _show(self, message: SearchResults) -> None:
        error = self.query_one("#error", Static)
        hits = self.query_one("#hits", RowList)
        self.searched = message.query
        did = self.query_one("#did", Static)
        if message.error is not None:
            error.update(Text("⚠ " + clean(message.error, 300)))
            # Never "searching…" or "type to search" under an error: the list says where the answer is.
            self.hits = []
            hits.set_items([])
            hits.set_empty_text("no results: the query above cannot be run")
            self._preview(None)
            did.update("")
            return
        error.update("")
        from dossier.index.forgiving import what_was_done

        done = what_was_done(message.hits) if message.hits is not None and hasattr(message.hits, "corrected") else []
        did.update(Text(clean(" · ".join(done), 400), style="italic"))
        self.hits = message.hits or []
        state = getattr(self.app.index, "state", "") or ""
        self._partial = state.startswith("indexing")
        if self._partial:
            # A first build indexes folder by folder: say these are not all the results (they update).
            error.update(Text(f"Partial results: the index is being built ({clean(state, 40)}); "
                              "they update when it is done."))
        building = f" yet: the index is being built ({state})" if self._partial else ""
        hits.set_empty_text(f"no results{building}" if message.query.strip() else "type to search")
        hits.set_items(self.hits)
        # The preview waits for the next frame: the results list is what the keystroke is for.
        self.call_after_refresh(self._preview_current)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # A query that ended without results (cancelled, or failed outside its own handling)
        # must not leave the box waiting for it forever.
        if event.worker.group == "search" and event.state in (WorkerState.CANCELLED, WorkerState.ERROR):
            self._next_query(None)

    def _preview_current(self) -> None:
        try:
            hits = self.query_one("#hits", RowList)
        except NoMatches:  # closed before the frame came
            return
        self._preview(hits.current)

    @on(RowList.Highlighted, "#hits")
    def _highlighted(self) -> None:
        self.call_after_refresh(self._preview_current)  # after the list has moved on screen

    def _preview(self, hit: Hit | None) -> None:
        if hit is self._previewed and hit is not None:
            return
        self._previewed = hit
        preview = self.query_one("#preview", Static)
        if hit is None:
            preview.update("")
            return
        text = Text(clean(hit.row.title, 300), style="bold")
        text.append(f"  {hit.row.kind.value} · {clean(hit.row.id, 120)}\n", style="dim")
        text.append_text(highlighted(hit.snippet, hit.highlights))
        preview.update(text)

    @on(RowList.Selected, "#hits")
    def _selected(self, event: RowList.Selected) -> None:
        self.dismiss(event.item.row.id)

    @on(RowList.TopReached, "#hits")
    def _top(self) -> None:
        self.set_focus(self.query_one("#query", Input))

    def on_key(self, event: Key) -> None:
        hits = self.query_one("#hits", RowList)
        if self.focused is hits and event.is_printable and event.character:
            event.stop()  # every letter on the results goes on with the query, as on the browser's lists
            query = self.query_one("#query", Input)
            self.set_focus(query)
            query.insert_text_at_cursor(event.character)

    def action_to_results(self) -> None:
        self.set_focus(self.query_one("#hits", RowList))  # now: a ↓ typed right after moves in the results

    def action_close(self) -> None:
        self.dismiss(None)

    def action_save_search(self) -> None:
        from dossier.tui.screens.saved_searches import SaveSearchScreen

        query = self.query_one("#query", Input).value
        if not query.strip():
            self.notify("type a query first, then ctrl+s saves it", severity="warning")
            return

        def saved(name: str | None) -> None:
            if name:
                self.notify(f"saved search @{name}")

        self.app.push_screen(SaveSearchScreen(query), saved)

    def action_saved_searches(self) -> None:
        from dossier.tui.screens.saved_searches import SavedSearchesScreen

        def chosen(query: str | None) -> None:
            if query:
                box = self.query_one("#query", Input)
                box.value = query  # runs it, as typing would
                box.focus()

        self.app.push_screen(SavedSearchesScreen(), chosen)
