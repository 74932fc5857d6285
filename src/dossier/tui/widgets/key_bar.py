"""The footer: the keys that work where the cursor is, from the bindings themselves.

Textual's Footer rebuilds a widget per key on every focus change, which costs
a visible fraction of a second per keystroke on a page of many links; this bar
is one line of text redrawn when the active bindings change.
"""

from __future__ import annotations

from rich.text import Text
from textual.screen import Screen
from textual.widgets import Input, Static

from dossier.tui.keys import typed_character

#: Actions whose keys stay on the bar however narrow the terminal: the rest is cut before them.
PINNED = ("help", "quit", "close", "dismiss")


class KeyBar(Static):
    DEFAULT_CSS = """
    KeyBar { height: 1; background: $panel; color: $foreground; padding: 0 1; }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.call_after_refresh(self.redraw)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        self.redraw()

    def on_resize(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        """The screen's keys, then the app's (quit, help) and the palette, which stay visible however narrow."""
        if not self.is_attached:
            return
        keys: dict[str, list[str]] = {}
        pinned: dict[str, list[str]] = {}  # how to get help and how to quit: never cut off
        typing = isinstance(self.screen.focused, Input)
        for key, (_node, binding, enabled, _tooltip) in self.screen.active_bindings.items():
            if not binding.show or not enabled or binding.key == self.app.COMMAND_PALETTE_BINDING:
                continue
            if typing and typed_character(key):
                continue  # in a text box this key types its character (/ in the filter is a slash)
            # The same command on two keys (t on the entry, ctrl+t anywhere): the focused pane's key
            # comes first in the bindings and is the one shown.
            name = binding.description or binding.action
            group = pinned if binding.action.removeprefix("app.") in PINNED else keys
            shown = group.setdefault(name, [])
            if not shown or binding.action.removeprefix("app.") in PINNED:
                shown.append(self.app.get_key_display(binding))
        key_style = self.get_component_rich_style("key-bar--key", partial=True)
        tail = Text(no_wrap=True)
        for name, displays in pinned.items():
            tail.append(" " + "/".join(dict.fromkeys(displays[:1])) + " ", style=key_style)
            tail.append(name + "  ")
        tail.append(" ^p ", style=key_style)
        tail.append("commands")
        text = Text(no_wrap=True, overflow="ellipsis")
        for name, displays in keys.items():
            text.append(" " + "/".join(dict.fromkeys(displays)) + " ", style=key_style)
            text.append(name + "  ")
        width = self.content_size.width  # 0 before the first layout: nothing to cut yet
        room = max(0, width - tail.cell_len)
        if width and text.cell_len > room:
            text.truncate(room, overflow="ellipsis")
        self.update(text + tail)

    COMPONENT_CLASSES = {"key-bar--key"}
    DEFAULT_CSS += """
    KeyBar > .key-bar--key { color: $footer-key-foreground; text-style: bold; }
    """
