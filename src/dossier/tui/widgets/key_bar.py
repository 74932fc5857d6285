"""The footer: the keys that work where the cursor is, from the bindings themselves.

Textual's Footer rebuilds a widget per key on every focus change, which costs
a visible fraction of a second per keystroke on a page of many links; this bar
is one line of text redrawn when the active bindings change.
"""

from __future__ import annotations

from rich.text import Text
from textual.screen import Screen
from textual.widgets import Static


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
        descriptions: dict[str, str] = {}
        app_wide: set[str] = set()
        for node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show or not enabled or binding.key == self.app.COMMAND_PALETTE_BINDING:
                continue
            keys.setdefault(binding.action, []).append(self.app.get_key_display(binding))
            descriptions.setdefault(binding.action, binding.description)
            if node is self.app:
                app_wide.add(binding.action)
        key_style = self.get_component_rich_style("key-bar--key", partial=True)
        head, tail = Text(no_wrap=True), Text(no_wrap=True)
        for action, displays in keys.items():
            part = tail if action in app_wide else head
            part.append(" " + "/".join(dict.fromkeys(displays)) + " ", style=key_style)
            part.append(descriptions[action] + "  ")
        tail.append(" ^p ", style=key_style)
        tail.append("commands")
        room = self.content_size.width - tail.cell_len
        if room > 0 and head.cell_len > room:
            head.truncate(room - 2)
            head.append("… ")
        self.update(head + tail if room > 0 else tail)

    COMPONENT_CLASSES = {"key-bar--key"}
    DEFAULT_CSS += """
    KeyBar > .key-bar--key { color: $footer-key-foreground; text-style: bold; }
    """
