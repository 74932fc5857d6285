"""The open entry, laid out for reading, with every reference and backlink a target.

A target is a focusable row: move to it with ``j``/``k`` and press enter, or
type the hint shown in front of it (``1``-``9``; ``01``-``99`` on a page of more
than nine links) from any pane. With this pane focused, letters are commands
(its bindings); on the lists they never are. Everything shown from the tree is
built as ``rich.text.Text`` from cleaned strings, never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from dossier import provenance
from dossier.model import CREDIBILITY_MEANING, RELIABILITY_MEANING, Kind, Severity, array_of_tables, is_valid_id
from dossier.safe import SHOW_TEXT_CHARS, clean, clean_block
from dossier.tui.entry_data import EntryData, plain
from dossier.tui.keys import hint_labels
from dossier.tui.screens.curate import CURATION_BINDINGS

if TYPE_CHECKING:
    from dossier.index import Backlink, Row

#: Accounts stand side by side only when each card gets this many columns; else they are stacked.
MIN_CARD_WIDTH = 30


@dataclass(frozen=True)
class TargetInfo:
    """Where a target leads and why it is there."""

    entry_id: str
    field: str  # the field of the reference, or "backlink:<field>" / "mention"
    label: str | None
    row: Row | None
    missing: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return (self.field, self.entry_id)


def describe_row(row: Row) -> str:
    """The short line after a target's title: what kind of entry, when, how important."""
    parts: list[str] = [row.kind.value]
    if row.kind is Kind.ACTOR and row.type:
        parts.append(row.type)
    if row.kind is Kind.SOURCE and row.outlet:
        parts.append(row.outlet)
    if row.date:
        parts.append(row.date)
    elif row.kind is Kind.EVENT:
        parts.append("date unknown")
    if row.kind is Kind.EVENT:
        if row.importance is not None:
            parts.append(f"importance {row.importance}")
        if row.status:
            parts.append(row.status)
    return " · ".join(clean(p, 60) for p in parts)


class Target(Static, can_focus=True):
    """One reference or backlink: enter or a click opens it."""

    DEFAULT_CSS = """
    Target { height: auto; padding: 0 1; }
    Target:focus { background: $block-cursor-background; color: $block-cursor-foreground; }
    Target.-missing { color: $error; }
    Target.-compact { text-wrap: nowrap; text-overflow: ellipsis; }
    Target > .target--hint { color: $accent; text-style: bold; }
    Target:focus > .target--hint { color: $block-cursor-foreground; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"target--hint"}

    class Chosen(Message):
        def __init__(self, target: Target) -> None:
            super().__init__()
            self.target = target

    def __init__(self, info: TargetInfo, snippet: str | None = None, *, secondary: bool = False) -> None:
        classes = ["-missing"] if info.missing else []
        if secondary and not info.missing:
            classes.append("-compact")
        super().__init__(classes=" ".join(classes) or None)
        self.info = info
        self.hint: str | None = None
        self.snippet = snippet
        self.secondary = secondary  # shown on one line, dimmed: it repeats what another section shows

    def render(self) -> Text:
        text = Text()
        text.append(f"[{self.hint}] " if self.hint else "    ", style=self.get_component_rich_style("target--hint"))
        info = self.info
        if self.secondary and not info.missing and info.row is not None:
            text.no_wrap = True
            text.overflow = "ellipsis"
            # The title first: on a narrow pane the line is cut at its end, and the title is what is read.
            text.append("↳ ", style="dim")
            text.append(clean(info.row.title, 200))
            text.append("  " + (clean(info.label, 60) + " · " if info.label else "") + describe_row(info.row),
                        style="dim")
            return text
        if info.missing or info.row is None:
            text.append(clean(info.entry_id, 100), style="bold")
            text.append("  missing: no entry has this id (enter to create it)", style="italic")
        else:
            text.append(clean(info.row.title, 160), style="bold")
            text.append("  " + describe_row(info.row), style="dim")
        if info.label:
            text.append("  — " + clean(info.label, 200), style="italic")
        if self.snippet:
            text.append("\n     “" + clean(self.snippet, 240) + "”", style="dim italic")
        return text

    def on_click(self) -> None:
        """A click follows the link, like a hyperlink (a missing id opens the new-entry dialog, which asks)."""
        self.focus()
        self.post_message(self.Chosen(self))

    def key_enter(self) -> None:
        self.post_message(self.Chosen(self))


def _heading(text: str) -> Static:
    return Static(Text(text, style="bold underline"), classes="heading")


#: Longer lists (tags, aliases, references) show their first items and say how many more there are:
#: every item is laid out on the UI thread.
MAX_LIST_ITEMS = 200
#: A field value longer than this is cut (a value is one line of the field grid).
MAX_VALUE_CHARS = 5_000


def _items(value: object) -> str:
    """A list field as one line, at most :data:`MAX_LIST_ITEMS` items with a count of the rest."""
    if not isinstance(value, list) or len(value) <= MAX_LIST_ITEMS:
        return plain(value)
    rest = len(value) - MAX_LIST_ITEMS
    return plain(value[:MAX_LIST_ITEMS]) + f" … and {rest:,} more not shown"


def _capped(items: list, heading: str) -> tuple[list, Static | None]:
    """The first :data:`MAX_LIST_ITEMS` of a list of targets, and a note on the rest when there are more."""
    if len(items) <= MAX_LIST_ITEMS:
        return items, None
    rest = len(items) - MAX_LIST_ITEMS
    note = Static(Text(f"… and {rest:,} more {heading} not shown (open the file, press e)", style="italic"))
    return items[:MAX_LIST_ITEMS], note


def _grid(rows: Iterable[tuple[str, str]]) -> Static | None:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    count = 0
    for name, value in rows:
        if value in ("", None):
            continue
        if len(value) > MAX_VALUE_CHARS:
            value = value[:MAX_VALUE_CHARS] + f" … {len(value) - MAX_VALUE_CHARS:,} more characters not shown"
        table.add_row(Text(clean(name, 60)), Text(clean_block(value)))
        count += 1
    return Static(table, classes="fields") if count else None


def importance_bar(importance: int | None) -> str:
    if importance is None:
        return ""
    level = max(0, min(10, importance))
    return "●" * level + "○" * (10 - level)


#: How backlinks are grouped under headings, by the kind of the citing entry and its field.
BACKLINK_HEADINGS: dict[tuple[Kind, str], str] = {
    (Kind.EVENT, "actors"): "Events with this actor",
    (Kind.EVENT, "accounts.by"): "Accounts given in events",
    (Kind.EVENT, "sources"): "Events citing this source",
    (Kind.EVENT, "accounts.source"): "Accounts citing this source",
    (Kind.EVENT, "related"): "Events related to this one",
    (Kind.SOURCE, "actors"): "Sources about this actor",
    (Kind.ACTOR, "links.to"): "Actors linked to this one",
    (Kind.ACTOR, "links.sources"): "Actor links citing this source",
    (Kind.ACTOR, "roles.org"): "Roles in this organisation",
    (Kind.EVENT, "provenance"): "Event fields this source backs",
    (Kind.ACTOR, "provenance"): "Actor fields this source backs",
    (Kind.SOURCE, "provenance"): "Source fields this source backs",
}


#: Marks after a field's name: backed by a source, marked as resting on a note alone, lacking what the policy asks.
SOURCED_MARK, NOTE_MARK, LACKING_MARK = " ◆", " ◇", " ?"


#: Backlinks that repeat what another section shows: reachable, but hinted last.
SECONDARY_BACKLINKS = {"accounts.by", "accounts.source", "links.sources", "roles.org", "provenance"}


class Accounts(Horizontal):
    """Account cards side by side when each gets :data:`MIN_CARD_WIDTH` columns, else one under another
    (a narrow card would break the claim's words)."""

    DEFAULT_CSS = """
    Accounts.-stacked { layout: vertical; }
    """

    def on_resize(self) -> None:
        cards = max(1, len(self.children))
        self.set_class(self.size.width // cards < MIN_CARD_WIDTH, "-stacked")


class EntryView(VerticalScroll, can_focus=True):
    """The right pane: one entry, or a hint of what to do when none is open."""

    # Letters are commands here, and only here: on a list they type into its filter. Commands on the
    # open entry (edit, copy, history, undo ...) are added to this list, never to the browser screen.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "screen.edit", "Edit", id="entry.edit"),
        Binding("t", "screen.timeline", "Timeline", id="entry.timeline"),
        Binding("n", "screen.new_entry", "New", id="entry.new"),
        Binding("y", "screen.copy_id", "Copy id", id="entry.copy-id"),
        Binding("Y", "screen.copy_citation", "Copy citation", show=False, id="entry.copy-citation"),
        Binding("o", "screen.open_url", "Open the source's URL", show=False, id="entry.open-url"),
        Binding("f", "screen.filter", "Filter", id="entry.filter"),
        Binding("q", "app.quit", "Quit", id="entry.quit"),
        Binding("down,j", "next_target", "Next link", show=False, id="entry.next"),
        Binding("up,k", "previous_target", "Previous link", show=False, id="entry.previous"),
        Binding("home,g", "first_target", "First link", show=False, id="entry.first"),
        Binding("end,G", "last_target", "Last link", show=False, id="entry.last"),
        *CURATION_BINDINGS,  # m merge, l link, a alias, r rename, u undo (issue 13)
        # The screen's check_action shows these on an actor (c, p) or any entry (h) only.
        # Not in the footer (it would push out the commands every page has): in ? and ctrl+p.
        Binding("c", "screen.connections", "Connections", show=False, id="entry.connections"),
        Binding("p", "screen.path_to", "Path to…", show=False, id="entry.path"),
        Binding("h", "screen.entry_history", "History", show=False, id="entry.history"),
    ]

    class TopReached(Message):
        pass

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.data: EntryData | None = None
        self.targets: list[Target] = []
        self.hint_width = 0  # digits in each hint on the page (0: no links)

    def compose(self) -> Iterable[Widget]:
        yield Static(Text("Choose an entry in the list and press enter (or double-click it), or press / to search.",
                          style="italic"),
                     classes="placeholder")

    # -- showing

    async def show_message(self, message: str) -> None:
        self.data = None
        self.targets = []
        self.hint_width = 0
        await self.remove_children()
        await self.mount(Static(Text(message, style="italic"), classes="placeholder"))

    async def show(self, data: EntryData) -> None:
        self.data = data
        self._created: list[Target] = []
        widgets = list(self._build(data))
        # Targets are made in the order they are shown: hints count down the page.
        hints = hint_labels(len(self._created))
        for target, hint in zip(self._created, hints, strict=True):
            target.hint = hint
        self.hint_width = len(hints[-1]) if hints else 0
        with self.app.batch_update():
            await self.remove_children()
            await self.mount_all(widgets)
        self.targets = list(self.query(Target))
        self.scroll_home(animate=False, immediate=True)

    def hint_target(self, key: str) -> Target | None:
        for target in self.targets:
            if target.hint == key:
                return target
        return None

    def focused_target(self) -> Target | None:
        focused = self.screen.focused
        return focused if isinstance(focused, Target) and focused in self.targets else None

    def cursor(self) -> tuple[tuple[str, str] | None, int | None]:
        target = self.focused_target()
        if target is None:
            return None, None
        return target.info.key, self.targets.index(target)

    def restore(self, key: tuple[str, str] | None, index: int | None, scroll_y: float, focus: bool) -> None:
        """Put the cursor back on the target it was on (by what it points at, else by position)."""
        chosen = None
        if key is not None:
            chosen = next((t for t in self.targets if t.info.key == key), None)
        if chosen is None and index is not None and self.targets:
            chosen = self.targets[min(index, len(self.targets) - 1)]
        self.scroll_to(y=scroll_y, animate=False, immediate=True)
        if focus:
            if chosen is not None:
                chosen.focus(scroll_visible=False)
            else:
                self.focus(scroll_visible=False)

    # -- moving

    def _move(self, step: int) -> None:
        if not self.targets:
            self.scroll_relative(y=step * 3, animate=False)
            return
        current = self.focused_target()
        if current is None:
            index = 0 if step > 0 else len(self.targets) - 1
        else:
            index = self.targets.index(current) + step
        if index < 0:
            self.post_message(self.TopReached())
            return
        if index >= len(self.targets):
            self.scroll_end(animate=False)
            return
        self.targets[index].focus()

    def action_next_target(self) -> None:
        self._move(1)

    def action_previous_target(self) -> None:
        self._move(-1)

    def action_first_target(self) -> None:
        if self.targets:
            self.targets[0].focus()
        self.scroll_home(animate=False)

    def action_last_target(self) -> None:
        if self.targets:
            self.targets[-1].focus()
        self.scroll_end(animate=False)

    # -- layout

    def _build(self, data: EntryData) -> Iterable[Widget]:
        entry = data.entry
        seen: set[tuple[str, str]] = set()
        created = self._created

        def target(entry_id: str, field: str, label: str | None = None, snippet: str | None = None,
                   secondary: bool = False) -> Target:
            row = data.rows.get(entry_id)
            missing = entry_id not in data.rows or row is None
            if field.startswith(("backlink:", "mention", "duplicate")):
                missing = False
            info = TargetInfo(entry_id, field, label, row, missing=missing and is_valid_id(entry_id))
            if info.key in seen:  # the same target twice in one list: keep both, distinct keys
                info = TargetInfo(entry_id, f"{field}#{len(seen)}", label, row, missing=info.missing)
            seen.add(info.key)
            made = Target(info, snippet, secondary=secondary)
            created.append(made)
            return made

        def row_target(row: Row, field: str, label: str | None = None, snippet: str | None = None,
                       secondary: bool = False) -> Target:
            data.rows.setdefault(row.id, row)
            return target(row.id, field, label, snippet, secondary)

        def id_section(heading: str, value: object, field: str, noun: str) -> Iterable[Widget]:
            """A heading and one target per referenced id, capped like every long list."""
            ids = _ids(value)
            if not ids:
                return
            yield _heading(heading)
            ids, more = _capped(ids, noun)
            for entry_id in ids:
                yield target(entry_id, field)
            if more:
                yield more

        def backlink_sections(first: bool) -> Iterable[Widget]:
            """Backlinks under headings; ``first`` = only the events an actor is in (shown near the top)."""
            groups: dict[str, list[Backlink]] = {}
            related_here = set(_ids(entry.data.get("related"))) if entry.kind is Kind.EVENT else set()
            for backlink in data.backlinks:
                if backlink.field == "related" and backlink.row.id in related_here:
                    continue  # already under "Related events": once is enough
                is_events = entry.kind is Kind.ACTOR and (backlink.row.kind, backlink.field) == (Kind.EVENT, "actors")
                if is_events != first:
                    continue
                heading = BACKLINK_HEADINGS.get((backlink.row.kind, backlink.field),
                                                f"Referred to by {backlink.row.kind.plural} ({backlink.field})")
                groups.setdefault(heading, []).append(backlink)
            for heading, backlinks in groups.items():
                if first:  # an actor's events: the latest first
                    backlinks = sorted(backlinks, key=lambda b: b.row.date or "", reverse=True)
                yield _heading(heading)
                shown: set[str] = set()
                for backlink in backlinks:
                    if backlink.row.id in shown:
                        continue
                    shown.add(backlink.row.id)
                    yield row_target(backlink.row, "backlink:" + backlink.field, backlink.label,
                                     secondary=backlink.field in SECONDARY_BACKLINKS)

        def text_sections() -> Iterable[Widget]:
            """The entry's own text files (summary.md, notes), each under its name."""
            for text_file in data.texts:
                yield _heading(clean(text_file.name, 120))
                if text_file.text is None:
                    yield Static(Text("(not shown: see the problems above)", style="italic"))
                    continue

                # Layout runs on the UI thread at ~300 KB/s: a huge file would freeze the browser.
                text = text_file.text
                rest = len(text) - SHOW_TEXT_CHARS
                if rest > 0:
                    text = text[:SHOW_TEXT_CHARS]
                if text_file.path.lower().endswith(".md"):
                    from rich.markdown import Markdown

                    yield Static(Markdown(clean_block(text), hyperlinks=False), classes="text-file")
                else:
                    yield Static(Text(clean_block(text)), classes="text-file")
                if rest > 0:
                    yield Static(Text(f"… {rest:,} more characters not shown; open the file (press e) to read them all",
                                      style="italic"), classes="text-more")

        title = Text(clean(entry.title, 300), style="bold")
        yield Static(title, classes="title")
        subtitle = [entry.kind.value, entry.id]
        if entry.kind is Kind.ACTOR and isinstance(entry.data.get("type"), str):
            subtitle.insert(1, entry.data["type"])
        yield Static(Text(clean("  ·  ".join(subtitle), 300), style="dim"), classes="subtitle")

        if data.problems:
            yield _heading("Problems")
            for problem in data.problems:
                mark = "✗" if problem.severity is Severity.ERROR else "!"
                line = Text(f"{mark} ", style="bold")
                line.append(clean(problem.location, 200), style="bold")
                line.append("  " + clean(problem.message, 500))
                yield Static(line, classes="problem -error" if problem.severity is Severity.ERROR else "problem")
            if entry.broken:
                yield Static(Text("The entry's file could not be read; fix it (press e) and the view updates.",
                                  style="italic"), classes="problem-help")

        backings, _ = provenance.read(entry.data)

        def mark(label: str, name: str) -> str:
            """A field's label with its provenance mark (see :data:`SOURCED_MARK`)."""
            if name in data.lacking or (name == "status" and data.above_status is not None):
                return label + LACKING_MARK
            backing = backings.get(name)
            if backing is None:
                return label
            return label + (NOTE_MARK if backing.outside else SOURCED_MARK)

        def provenance_section() -> Iterable[Widget]:
            """Each field's sources as targets (a hint opens the source), its note, and what the policy misses."""
            if not backings and not data.lacking:
                return
            yield _heading("Sources per field")
            for name, backing in backings.items():
                for source in backing.sources:
                    yield target(source, "provenance", f"{name}: {backing.note}" if backing.note else name)
                if backing.outside:
                    line = Text(f"    {clean(name, 80)}{NOTE_MARK}  ", style="bold")
                    line.append("no source in this tree — " + clean(backing.note or "", 400), style="italic")
                    yield Static(line, classes="provenance-note")
            for name in data.lacking:
                line = Text(f"    {clean(name, 80)}{LACKING_MARK}  ", style="bold")
                line.append("no provenance, though the policy asks for a source", style="italic")
                yield Static(line, classes="provenance-lacking")

        d = entry.data
        if entry.kind is Kind.ACTOR:
            if isinstance(d.get("summary"), str) and d["summary"].strip():
                yield Static(Text(clean_block(d["summary"])), classes="summary")
            grid = _grid([
                (mark("Born", "born"), plain(d.get("born", ""))),
                (mark("Died", "died"), plain(d.get("died", ""))),
                ("Aliases", _items(entry.aliases)),
                ("Tags", _items(entry.tags)),
            ])
            if grid:
                yield grid
            yield from backlink_sections(first=True)
            roles = array_of_tables(d.get("roles"))
            if roles:
                yield _heading("Roles")
                roles, more = _capped(roles, "roles")
                for role in roles:
                    period = _period(role.get("from"), role.get("to"))
                    org = role.get("org")
                    label = clean(plain(role.get("title", "")), 200)
                    if isinstance(org, str) and is_valid_id(org):
                        yield target(org, "roles.org", f"{label}{period}")
                    else:
                        text = Text("    " + label, style="bold")
                        if org:
                            text.append(", " + clean(plain(org), 200))
                        text.append(period, style="dim")
                        yield Static(text, classes="role")
                if more:
                    yield more
            links = array_of_tables(d.get("links"))
            if links:
                yield _heading("Links")
                links, more = _capped(links, "links")
                for link in links:
                    to = link.get("to")
                    rel = plain(link.get("rel", "")) + _period(link.get("since"), link.get("until"))
                    if isinstance(to, str):
                        yield target(to, "links.to", rel)
                    for source in _ids(link.get("sources")):
                        # No label: the line under the link (↳) already says "source" (describe_row).
                        yield target(source, "links.sources", secondary=True)
                if more:
                    yield more
        elif entry.kind is Kind.EVENT:
            grid = _grid([
                (mark("Date", "date"), plain(d["date"]) if d.get("date") not in (None, "") else "unknown"),
                ("Importance", f"{importance_bar(d['importance'])} {d['importance']}/10"
                 if isinstance(d.get("importance"), int) else plain(d.get("importance", ""))),
                (mark("Status", "status"), plain(d.get("status", ""))
                 + (f"  (the policy needs {data.above_status.needs}; this event has {data.above_status.has})"
                    if data.above_status else "")),
                (mark("Location", "location"), plain(d.get("location", ""))),
                ("Tags", _items(entry.tags)),
            ])
            if grid:
                yield grid
            # The narrative first: what happened is read before the lists of who and what says so.
            yield from text_sections()
            yield from id_section("Actors", d.get("actors"), "actors", "actors")
            yield from id_section("Sources", d.get("sources"), "sources", "sources")
            accounts = array_of_tables(d.get("accounts"))
            if accounts:
                yield _heading("Accounts (who says what)")
                accounts, more = _capped(accounts, "accounts")
                cards = []
                for account in accounts:
                    parts: list[Widget] = []
                    by = account.get("by")
                    if isinstance(by, str):
                        parts.append(target(by, "accounts.by"))
                    claim = clean_block(plain(account.get("claim", ""))).strip()
                    if not (claim[:1] in "\"“'‘" and claim[-1:] in "\"”'’"):  # quoted already: once is enough
                        claim = "“" + claim + "”"
                    parts.append(Static(Text(claim), classes="claim"))
                    source = account.get("source")
                    if isinstance(source, str):
                        parts.append(target(source, "accounts.source"))
                    cards.append(Vertical(*parts, classes="account"))
                yield Accounts(*cards, classes="accounts")
                if more:
                    yield more
            yield from id_section("Related events", d.get("related"), "related", "related events")
        else:
            grading = ""
            reliability, credibility = d.get("reliability"), d.get("credibility")
            if reliability or credibility:
                grading = f"{plain(reliability or '?')}{plain(credibility or '?')}"
                meanings = [RELIABILITY_MEANING.get(reliability, ""), CREDIBILITY_MEANING.get(credibility, "")]
                meanings = [m for m in meanings if m]
                if meanings:
                    grading += " (" + " source; ".join(meanings) + ")"
            grid = _grid([
                (mark("Outlet", "outlet"), plain(d.get("outlet", ""))),
                (mark("Author", "author"), plain(d.get("author", ""))),
                (mark("Published", "published"), plain(d.get("published", ""))),
                (mark("Accessed", "accessed"), plain(d.get("accessed", ""))),
                ("Type", plain(d.get("type", ""))),
                ("Grading", grading),
                (mark("URL", "url"), plain(d.get("url", ""))),
                ("Tags", _items(entry.tags)),
            ])
            if grid:
                yield grid
            yield from id_section("Actors", d.get("actors"), "actors", "actors")

        yield from provenance_section()
        yield from backlink_sections(first=False)
        if data.backlinks and data.backlinks_total > len(data.backlinks):
            yield Static(Text(f"… and {data.backlinks_total - len(data.backlinks)} more (press t for the "
                              "timeline)", style="italic"))
        if data.mentions:
            yield _heading("Mentioned in text")
            for mention in data.mentions:
                yield row_target(mention.row, "mention", f"as “{mention.name}” in {mention.path}", mention.snippet,
                                 secondary=True)
        if data.duplicates:
            yield _heading("Possible duplicates (m merges the one under the cursor)")
            for row, why in data.duplicates:
                yield row_target(row, "duplicate", why, secondary=True)

        if entry.kind is not Kind.EVENT:
            yield from text_sections()

        unknown = entry.unknown_fields
        if unknown:
            yield _heading("Other fields")
            grid = _grid((key, plain(value)) for key, value in unknown.items())
            if grid:
                yield grid


def _ids(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, str)]


def _period(start: object, end: object) -> str:
    """When a role or link held: no end date is not a claim that it still holds ("since 2020-03", never
    "2020-03 – now"); the format has no value for "still holds", so nothing here says "now"."""
    if start is None and end is None:
        return ""
    if end is None:
        return f" (since {plain(start)})"
    if start is None:
        return f" (until {plain(end)})"
    return f" ({plain(start)} – {plain(end)})"
