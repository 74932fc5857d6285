"""A keyboard list that draws only the lines on screen, so 20,000 rows cost nothing to show.

Textual's OptionList builds and measures every option up front (seconds for a
large tree, on the UI thread); this list keeps the items as they are and
formats a line when it scrolls into view.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual.actions import SkipAction
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.events import Click
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip


class RowList(ScrollView, can_focus=True):
    """A list of items with a cursor; ``format_item`` turns an item into one line of Text."""

    # No letters: on the browser's lists and the search results every letter is typed into the
    # filter or query (see VimRowList for the lists that have no box to type into).
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "cursor_down", "Down", show=False, id="list.down"),
        Binding("up", "cursor_up", "Up", show=False, id="list.up"),
        Binding("home", "first", "First", show=False, id="list.first"),
        Binding("end", "last", "Last", show=False, id="list.last"),
        Binding("pagedown", "page_down", "Page down", show=False, id="list.page-down"),
        Binding("pageup", "page_up", "Page up", show=False, id="list.page-up"),
        Binding("enter", "select", "Open", id="list.open"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {"row-list--cursor", "row-list--header", "row-list--empty"}
    DEFAULT_CSS = """
    RowList { height: 1fr; background: $surface; overflow-x: hidden; }
    RowList > .row-list--cursor { background: $block-cursor-blurred-background; }
    RowList:focus > .row-list--cursor { background: $block-cursor-background; color: $block-cursor-foreground;
        text-style: bold; }
    RowList > .row-list--header { color: $accent; text-style: bold; }
    RowList > .row-list--empty { color: $text-muted; text-style: italic; }
    """

    cursor: reactive[int] = reactive(0, always_update=True)

    class Highlighted(Message):
        def __init__(self, row_list: RowList, item: Any, index: int) -> None:
            super().__init__()
            self.row_list = row_list
            self.item = item
            self.index = index

        @property
        def control(self) -> RowList:
            return self.row_list

    class Selected(Highlighted):
        pass

    class TopReached(Message):
        """The cursor tried to move above the first row (the filter above takes focus)."""

        def __init__(self, row_list: RowList) -> None:
            super().__init__()
            self.row_list = row_list

        @property
        def control(self) -> RowList:
            return self.row_list

    def __init__(
        self,
        format_item: Callable[[Any], Text],
        *,
        is_header: Callable[[Any], bool] | None = None,
        empty_text: str = "nothing to show",
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._format_item = format_item
        self._is_header = is_header or (lambda item: False)
        self.items: Sequence[Any] = []
        self.empty_text = empty_text
        self._cache: LRUCache[tuple[int, int, bool, bool], Strip] = LRUCache(512)

    # -- content

    def set_items(self, items: Sequence[Any], keep: Callable[[Any], Any] | None = None) -> None:
        """Replace the items; with ``keep`` (an item -> key function) the cursor stays on the same item."""
        old_key = None
        if keep is not None and 0 <= self.cursor < len(self.items):
            old_key = keep(self.items[self.cursor])
        self.items = items
        self._cache.clear()
        self.virtual_size = Size(1, max(1, len(items)))  # lines fit the width: nothing to scroll sideways
        index = 0
        if old_key is not None and keep is not None:
            for i, item in enumerate(items):
                if keep(item) == old_key:
                    index = i
                    break
        self._set_cursor(self._selectable(index, 1), scroll=True, animate=False)
        self.refresh()

    @property
    def current(self) -> Any | None:
        if 0 <= self.cursor < len(self.items) and not self._is_header(self.items[self.cursor]):
            return self.items[self.cursor]
        return None

    def set_empty_text(self, text: str) -> None:
        self.empty_text = text
        self._cache.clear()
        self.refresh()

    # -- drawing

    def render_line(self, y: int) -> Strip:
        _scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self._line_width()
        base = self.rich_style
        if not self.items:
            if index == 0:
                text = Text(self.empty_text, style=self.get_component_rich_style("row-list--empty"))
                return self._strip(text, width, base)
            return Strip.blank(width, base)
        if index >= len(self.items):
            return Strip.blank(width, base)
        is_cursor = index == self.cursor
        key = (index, width, is_cursor, self.has_focus)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        item = self.items[index]
        text = self._format_item(item)
        if self._is_header(item):
            text.stylize(self.get_component_rich_style("row-list--header"))
        if is_cursor:
            # On top of the widget's style: applied under it, the surface background would hide the cursor's.
            base = base + self.get_component_rich_style("row-list--cursor")
        strip = self._strip(text, width, base)
        self._cache[key] = strip
        return strip

    def _strip(self, text: Text, width: int, base: Style) -> Strip:
        text.no_wrap = True
        text.overflow = "ellipsis"
        text.truncate(max(1, width), overflow="ellipsis")
        segments = list(text.render(self.app.console))
        return Strip(segments).adjust_cell_length(width, base).apply_style(base)

    def _line_width(self) -> int:
        """The width of a line: the widget's, less the vertical scrollbar (lines never scroll sideways)."""
        return max(1, self.scrollable_content_region.width)

    def on_resize(self) -> None:
        self._cache.clear()
        self.virtual_size = Size(1, max(1, len(self.items)))

    def action_scroll_left(self) -> None:
        raise SkipAction()  # left and right belong to the screen (they switch lists)

    def action_scroll_right(self) -> None:
        raise SkipAction()

    def notify_style_update(self) -> None:
        # Lines are cached with their colours: a new theme (or any style change) must redraw them.
        self._cache.clear()
        super().notify_style_update()
        self.refresh()

    def on_focus(self) -> None:
        self._cache.clear()
        self.refresh()

    def on_blur(self) -> None:
        self._cache.clear()
        self.refresh()

    # -- cursor

    def _selectable(self, index: int, step: int) -> int:
        """The nearest non-header index from ``index`` going ``step``; stays in range."""
        if not self.items:
            return 0
        index = max(0, min(index, len(self.items) - 1))
        probe = index
        while 0 <= probe < len(self.items) and self._is_header(self.items[probe]):
            probe += step
        if 0 <= probe < len(self.items):
            return probe
        probe = index
        while 0 <= probe < len(self.items) and self._is_header(self.items[probe]):
            probe -= step
        return probe if 0 <= probe < len(self.items) else index

    def _set_cursor(self, index: int, *, scroll: bool = True, animate: bool = False) -> None:
        self.cursor = index  # lines are cached with their cursor state: no need to drop the cache
        self.refresh()
        if scroll and self.items:
            top = index
            # keep a year header above the first row of a group visible
            if index > 0 and self._is_header(self.items[index - 1]):
                top = index - 1
            self.scroll_to_region(Region(0, top, 1, index - top + 1), animate=animate, immediate=True)
        if self.items:
            item = self.current
            if item is not None:
                self.post_message(self.Highlighted(self, item, index))

    def move_to(self, index: int) -> None:
        self._set_cursor(self._selectable(index, 1))

    def action_cursor_down(self) -> None:
        if self.cursor < len(self.items) - 1:
            self._set_cursor(self._selectable(self.cursor + 1, 1))

    def action_cursor_up(self) -> None:
        target = self._selectable(self.cursor - 1, -1) if self.cursor > 0 else self.cursor
        if target >= self.cursor or self.cursor == 0:
            self.post_message(self.TopReached(self))
            return
        self._set_cursor(target)

    def action_first(self) -> None:
        self._set_cursor(self._selectable(0, 1))

    def action_last(self) -> None:
        self._set_cursor(self._selectable(len(self.items) - 1, -1))

    def action_page_down(self) -> None:
        self._set_cursor(self._selectable(self.cursor + max(1, self.size.height - 1), 1))

    def action_page_up(self) -> None:
        self._set_cursor(self._selectable(self.cursor - max(1, self.size.height - 1), -1))

    def on_click(self, event: Click) -> None:
        """A click puts the cursor on the row under the pointer; a double click opens it, as enter does."""
        offset = event.get_content_offset(self)
        if offset is None or not self.items:
            return
        index = self.scroll_offset.y + offset.y
        if not 0 <= index < len(self.items) or self._is_header(self.items[index]):
            return
        self.focus()
        if index != self.cursor:
            self._set_cursor(index, scroll=False)
        if event.chain >= 2:
            self.action_select()

    def action_select(self) -> None:
        item = self.current
        if item is not None:
            self.post_message(self.Selected(self, item, self.cursor))


class VimRowList(RowList):
    """A list with nothing to type into (timeline, problems): ``j``/``k``/``g``/``G`` move too."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False, id="list.down-j"),
        Binding("k", "cursor_up", "Up", show=False, id="list.up-k"),
        Binding("g", "first", "First", show=False, id="list.first-g"),
        Binding("G", "last", "Last", show=False, id="list.last-g"),
    ]
