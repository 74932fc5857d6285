"""``c`` connections of an actor, ``p`` the path to another actor (picked fuzzily), as pages of links.

Each page is a list whose links carry digit hints (``1``-``9``; ``01``-``99`` once a page
has more than nine): typing a hint, or enter on a link, opens that entry in the browser.
The graph is built from the index in a worker, never on the UI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar
from weakref import WeakKeyDictionary

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.events import Key
from textual.fuzzy import Matcher
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Static

from dossier.model import Kind
from dossier.safe import clean
from dossier.tui.widgets.key_bar import KeyBar
from dossier.tui.widgets.row_list import RowList

if TYPE_CHECKING:
    from dossier.graph import Chain, Connection, Evidence, Graph
    from dossier.tui.screens.browser import BrowserScreen


@dataclass
class Link:
    """One line of a page that opens an entry."""

    entry_id: str
    text: Text
    indent: int = 0
    hint: str = ""


def format_line(item: Link | str) -> Text:
    if isinstance(item, str):
        return Text(item, style="bold")
    text = Text(" " * item.indent, no_wrap=True)
    text.append(f"[{item.hint}] " if item.hint else "", style="bold")
    text.append_text(item.text)
    return text


def give_hints(items: list[Link | str]) -> None:
    """Digits in page order: one digit while there are at most nine links, two digits after."""
    links = [item for item in items if isinstance(item, Link)]
    width = 1 if len(links) <= 9 else len(str(len(links)))
    for number, link in enumerate(links, 1):
        link.hint = str(number).zfill(width)


class PageLoaded(Message):
    def __init__(self, items: list[Link | str], title: str, extra: object = None) -> None:
        super().__init__()
        self.items = items
        self.title = title
        self.extra = extra


class LinkPage(ModalScreen[str | None]):
    """A page of hinted links; a hint or enter dismisses it with the entry's id."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close", id="links.close")]

    def __init__(self) -> None:
        super().__init__(classes="dialog")
        self._typed = ""  # digits of a two-digit hint typed so far

    def compose(self) -> ComposeResult:
        yield KeyBar(classes="dialog-keys")
        with Vertical(id="body"):
            yield Static(Text("loading…"), classes="dialog-title", id="page-title")
            yield Static(Text("digits or enter open an entry; esc closes"), classes="hint", id="page-hint")
            yield RowList(format_line, is_header=lambda i: isinstance(i, str), id="links", empty_text="loading…")

    def on_mount(self) -> None:
        self.query_one("#links", RowList).focus()
        self.load()

    def load(self) -> None:
        raise NotImplementedError

    def show_page(self, message: PageLoaded) -> None:
        give_hints(message.items)
        self.query_one("#page-title", Static).update(Text(message.title))
        links = self.query_one("#links", RowList)
        links.set_empty_text("nothing to show")
        links.set_items(message.items)

    def on_page_loaded(self, message: PageLoaded) -> None:
        self.show_page(message)

    @property
    def links(self) -> list[Link]:
        return [item for item in self.query_one("#links", RowList).items if isinstance(item, Link)]

    def on_key(self, event: Key) -> None:
        if not (event.character or "").isdigit():
            self._typed = ""
            return
        event.stop()
        event.prevent_default()
        links = self.links
        typed = self._typed + event.character  # type: ignore[operator]
        matches = [link for link in links if link.hint.startswith(typed)]
        if len(matches) == 1 and matches[0].hint == typed:
            self._typed = ""
            self.dismiss(matches[0].entry_id)
        elif matches:
            self._typed = typed  # the first digit of a two-digit hint
        else:
            self._typed = ""
            self.notify(f"No link has the hint {typed}.", timeout=2)

    @on(RowList.Selected, "#links")
    def _selected(self, event: RowList.Selected) -> None:
        self.dismiss(event.item.entry_id)

    def action_close(self) -> None:
        self.dismiss(None)


def graph_of(app: object) -> Graph:
    """The graph of the app's index (in a worker: it walks every row)."""
    from dossier.graph import Graph

    return Graph.from_index(app.index)  # type: ignore[attr-defined]


def _evidence_text(graph: Graph, evidence: Evidence) -> Text:
    from dossier.graph import describe

    text = Text(clean(describe(graph, evidence), 160))
    if evidence.sources:
        text.append(f"  {len(evidence.sources)} source{'s' if len(evidence.sources) > 1 else ''}", style="dim")
    else:
        text.append("  no source given", style="yellow")
    return text


def _source_link(graph: Graph, source_id: str, indent: int) -> Link:
    from dossier.graph import source_json

    source = source_json(graph, source_id)
    text = Text("source ", style="dim")
    if source.get("missing"):
        text.append(clean(source_id), style="red")
        text.append("  missing: no source has this id", style="red")
    else:
        # The grade and outlet first: a long title is what gets cut at the edge of the page.
        text.append(f"{source['grade_words']}  ", style="italic")
        details = ", ".join(x for x in (source["outlet"], source["date"]) if x)
        text.append(f"{clean(details)}  " if details else "", style="dim")
        text.append(clean(source["title"], 100))
    return Link(source_id, text, indent)


def _evidence_link(graph: Graph, evidence: Evidence, indent: int) -> Link:
    # A link or a role opens the profile that states it.
    return Link(evidence.id, _evidence_text(graph, evidence), indent)


class ConnectionsScreen(LinkPage):
    """``c``: the actors connected to one actor, grouped by how, strongest first."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "path_to", "Path to…", id="connections.path"),
    ]

    def __init__(self, actor_id: str, actor_name: str) -> None:
        super().__init__()
        self.actor_id = actor_id
        self.actor_name = actor_name

    @work(thread=True, exclusive=True, group="connections")
    def load(self) -> None:
        graph = graph_of(self.app)
        connections = graph.connections(self.actor_id)
        self.post_message(PageLoaded(connection_page(graph, connections),
                                     f"Connections of {clean(self.actor_name, 80)}: {len(connections)} actors"))

    def action_path_to(self) -> None:
        browser = self.app.browser  # type: ignore[attr-defined]
        self.dismiss(None)
        path_from(browser, self.actor_id, self.actor_name)


#: Pieces of evidence shown under each connected actor on the connections page.
EVIDENCE_SHOWN = 2


def connection_page(graph: Graph, connections: list[Connection]) -> list[Link | str]:
    """Connected actors under a heading per way of connecting; an actor in several groups is listed once."""
    from dossier.commands.connections import GROUP_TITLES, groups

    items: list[Link | str] = []
    listed: set[str] = set()
    for name, members in groups(connections).items():
        members = [c for c in members if c.actor not in listed]
        if not members:
            continue
        items.append(f"── {GROUP_TITLES[name]} ({len(members)}) ──")
        for connection in members:
            listed.add(connection.actor)
            text = Text(clean(graph.title(connection.actor), 60), style="bold")
            parts = []
            for label, found in (("event", connection.events), ("link", connection.links),
                                 ("role", connection.roles)):
                if found:
                    parts.append(f"{len(found)} {label}{'s' if len(found) > 1 else ''}")
            if connection.organisations:
                parts.append("same organisation: " + ", ".join(graph.title(o) for o in connection.organisations))
            text.append("  " + clean("; ".join(parts), 120), style="dim")
            items.append(Link(connection.actor, text))
            # The evidence itself, strongest first: what an investigator checks before the count.
            evidence = [*connection.links, *connection.events, *connection.roles]
            for item in evidence[:EVIDENCE_SHOWN]:
                items.append(_evidence_link(graph, item, 4))
            if len(evidence) > EVIDENCE_SHOWN:
                items.append(f"    … and {len(evidence) - EVIDENCE_SHOWN} more (dossier connections -v lists all)")
    return items


def chain_page(graph: Graph, chains: list[Chain]) -> list[Link | str]:
    """Each chain as lines: an actor, the evidence of the hop (with its sources), the next actor ..."""
    items: list[Link | str] = []
    for number, chain in enumerate(chains, 1):
        hops = len(chain.hops)
        items.append(f"── Chain {number}: {hops} hop{'s' if hops > 1 else ''} ──")
        for hop in chain.hops:
            items.append(Link(hop.start, Text(clean(graph.title(hop.start), 80), style="bold")))
            best, *others = hop.evidence
            items.append(_evidence_link(graph, best, 4))
            for source_id in best.sources:
                items.append(_source_link(graph, source_id, 8))
            for other in others[:3]:
                items.append(_evidence_link(graph, other, 4))
            if len(others) > 3:
                items.append(f"    and {len(others) - 3} more (dossier path --json lists all)")
        items.append(Link(chain.actors[-1], Text(clean(graph.title(chain.actors[-1]), 80), style="bold")))
    return items


class PathScreen(LinkPage):
    """The chains from one actor to another, as a page of links (actors, events, sources)."""

    def __init__(self, start: str, end: str, page: PageLoaded | None = None) -> None:
        super().__init__()
        self.start = start
        self.end = end
        self.page = page  # kept, so that back from an entry shows the same chain at once

    def load(self) -> None:
        if self.page is not None:
            self.show_page(self.page)
        else:
            self._compute()

    @work(thread=True, exclusive=True, group="path")
    def _compute(self) -> None:
        graph = graph_of(self.app)
        chains = graph.paths(self.start, self.end)
        name, other = clean(graph.title(self.start), 60), clean(graph.title(self.end), 60)
        if not chains:
            self.post_message(PageLoaded([f"No chain from {name} to {other} within 6 hops."], f"{name} → {other}"))
            return
        self.post_message(PageLoaded(chain_page(graph, chains), f"{name} → {other}"))

    def on_page_loaded(self, message: PageLoaded) -> None:
        self.page = message
        self.show_page(message)


class ActorPicker(ModalScreen[str | None]):
    """"Path to…": type part of a name (fuzzy), enter picks the highlighted actor."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "close", "Close", id="picker.close")]

    class Actors(Message):
        def __init__(self, actors: list[tuple[str, str]]) -> None:
            super().__init__()
            self.actors = actors

    def __init__(self, start_name: str, exclude: str) -> None:
        super().__init__(classes="dialog small")
        self.start_name = start_name
        self.exclude = exclude
        self.actors: list[tuple[str, str]] = []  # (id, name), from the index

    def compose(self) -> ComposeResult:
        yield KeyBar(classes="dialog-keys")
        with Vertical(id="body"):
            yield Static(Text(f"Path from {clean(self.start_name, 60)} to…"), classes="dialog-title")
            yield Input(placeholder="type part of a name; enter picks", id="who")
            yield RowList(lambda item: Text(clean(item[1], 80)).append(f"  {item[0]}", style="dim"),
                          id="matches", empty_text="loading…")

    def on_mount(self) -> None:
        self.query_one("#who", Input).focus()
        self._load()

    @work(thread=True, exclusive=True, group="picker")
    def _load(self) -> None:
        rows = self.app.index.rows(Kind.ACTOR)  # type: ignore[attr-defined]
        self.post_message(self.Actors([(r.id, r.title) for r in rows if r.id != self.exclude]))

    class Matches(Message):
        def __init__(self, typed: str, found: list[tuple[str, str]]) -> None:
            super().__init__()
            self.typed = typed
            self.found = found

    def on_actor_picker_actors(self, message: Actors) -> None:
        self.actors = message.actors
        self._filter(self.query_one("#who", Input).value)

    @on(Input.Changed, "#who")
    def _changed(self, event: Input.Changed) -> None:
        self._filter(event.value)

    @work(thread=True, exclusive=True, group="picker-filter")
    def _filter(self, typed: str) -> None:
        # In a worker: fuzzy matching every actor of a large tree takes a noticeable moment.
        if typed.strip():
            matcher = Matcher(typed.strip())
            scored = [(max(matcher.match(name), matcher.match(actor_id)), actor_id, name)
                      for actor_id, name in self.actors]
            found = [(a, n) for score, a, n in sorted(scored, key=lambda s: (-s[0], s[2])) if score > 0]
        else:
            found = list(self.actors)
        self.post_message(self.Matches(typed, found[:200]))

    def on_actor_picker_matches(self, message: Matches) -> None:
        if message.typed != self.query_one("#who", Input).value:
            return  # the user has typed more since
        matches = self.query_one("#matches", RowList)
        matches.set_empty_text("no actor matches")
        matches.set_items(message.found)

    @on(Input.Submitted, "#who")
    def _submitted(self) -> None:
        items = self.query_one("#matches", RowList).items
        if items:
            self.dismiss(items[0][0])

    def on_key(self, event: Key) -> None:
        if event.key == "down" and isinstance(self.focused, Input):
            event.stop()
            self.query_one("#matches", RowList).focus()

    @on(RowList.Selected, "#matches")
    def _selected(self, event: RowList.Selected) -> None:
        self.dismiss(event.item[0])

    @on(RowList.TopReached, "#matches")
    def _top(self) -> None:
        self.query_one("#who", Input).focus()

    def action_close(self) -> None:
        self.dismiss(None)


# ------------------------------------------------------- the browser's entry-pane keys (c, p, h)

#: The browser's actions from this issue, and the kind of entry each needs open (None: any).
ENTRY_ACTIONS: dict[str, Kind | None] = {"connections": Kind.ACTOR, "path_to": Kind.ACTOR, "entry_history": None}
#: Pages to show again when back returns to the entry they were left from: (position, id) -> reopen.
_RETURN_PAGES: WeakKeyDictionary[Screen, dict[tuple[int, str], Callable[[], None]]] = WeakKeyDictionary()


def entry_action_allowed(browser: BrowserScreen, action: str) -> bool:
    """These keys are the entry pane's letters: active only with the focus there, on an entry of the right kind."""
    if action not in ENTRY_ACTIONS:
        return True
    try:
        view = browser.entry_view
    except NoMatches:
        return False
    focused = browser.focused
    data = view.data
    if data is None or focused is None or not (focused is view or focused in view.targets):
        return False
    kind = ENTRY_ACTIONS[action]
    return kind is None or data.entry.kind is kind


def open_connections(browser: BrowserScreen) -> None:
    data = browser.entry_view.data
    if data is None or browser.dossier.index is None:
        browser.notify("The index is still opening; try again in a moment.", severity="warning")
        return

    def opened(entry_id: str | None) -> None:
        if entry_id:
            browser.open_entry(entry_id)

    browser.app.push_screen(ConnectionsScreen(data.id, data.entry.title), opened)


def open_path_picker(browser: BrowserScreen) -> None:
    data = browser.entry_view.data
    if data is not None:
        path_from(browser, data.id, data.entry.title)


def path_from(browser: BrowserScreen, actor_id: str, name: str) -> None:
    """"Path to…": pick the other actor, then show the chains."""
    if browser.dossier.index is None:
        browser.notify("The index is still opening; try again in a moment.", severity="warning")
        return

    def picked(other: str | None) -> None:
        if other:
            show_path(browser, PathScreen(actor_id, other))

    browser.app.push_screen(ActorPicker(name, actor_id), picked)


def show_path(browser: BrowserScreen, screen: PathScreen) -> None:
    def opened(entry_id: str | None) -> None:
        if not entry_id:
            return
        browser.open_entry(entry_id)
        start, end, page = screen.start, screen.end, screen.page
        pages = _RETURN_PAGES.setdefault(browser, {})
        pages[(browser.history.position, entry_id)] = lambda: show_path(browser, PathScreen(start, end, page))

    browser.app.push_screen(screen, opened)


def reopen_page(browser: BrowserScreen) -> bool:
    """Back from an entry opened on a path page shows that page again; False when there is none."""
    current = browser.history.current
    pages = _RETURN_PAGES.get(browser)
    if current is None or not pages:
        return False
    reopen = pages.pop((browser.history.position, current.entry_id), None)
    if reopen is None:
        return False
    reopen()
    return True


def open_git_log(browser: BrowserScreen) -> None:
    from dossier.tui.screens.git_log import GitLogScreen

    data = browser.entry_view.data
    if data is not None:
        browser.app.push_screen(GitLogScreen(data.entry.folder, data.entry.title))
