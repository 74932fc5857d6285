"""How the browser reads the keyboard: keys in the order typed, keys that wait for results, digit hints.

Every key reaches the app before any widget sees it; a screen that defines
``intercept_key(event) -> bool`` gets it first (see ``DossierApp.on_event``) and
returns True when it has dealt with the key. If it has not, :func:`handle_now`
runs the key's binding (or types it into the focused text box) at once, in the
app's own turn: left to Textual, a key travels from the focused widget up to the
app before its binding runs, and keys typed meanwhile overtake it (``/`` then
``Hegseth`` typed fast went into the list, not the search box).

On top of that:

- :class:`TypeAhead`: a key typed before the results it acts on have arrived (enter
  on a list still loading, a hint on an entry still opening) waits for them; the
  keys behind it wait too, so that everything happens in the order it was typed.
- :class:`HintKeys`: hints are digits, one per link when an entry has up to 9
  links, else two (``01``-``99``) or more; a first digit waits for the rest.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual import events
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input

#: Keys that do something with results on screen (the others are held only behind one of these).
RESULT_KEYS = frozenset({"enter", "down", "up", "pagedown", "pageup", "home", "end"})
#: Seconds after which held keys go through anyway: results that never come must not swallow the keyboard.
HOLD_AT_MOST = 3.0


#: Keys whose character textual.keys.key_to_character does not know.
_CHARACTERS = {"slash": "/", "plus": "+", "minus": "-"}


def typed_character(key: str) -> str | None:
    """The character a key types into a text box (``slash``: ``/``), or None for keys that type nothing."""
    from textual.keys import key_to_character

    character = _CHARACTERS.get(key) or key_to_character(key)
    return character if character and character.isprintable() else None


async def handle_now(screen: Screen, event: events.Key) -> bool:
    """Type a character into the focused text box, or run the key's binding, now; False if neither applies."""
    focused = screen.focused
    if isinstance(focused, Input) and event.is_printable and event.character:
        # What Input does with a typed character, done in the app's turn so that a binding typed
        # right after (enter, tab) sees the whole text.
        selection = focused.selection
        if selection.is_empty:
            focused.insert_text_at_cursor(event.character)
        else:
            focused.replace(event.character, *selection)
        return True
    # The bindings from the focused widget up, each tried until one acts (a scroll binding that has
    # nothing to scroll passes the key on), as Textual does once the key has bubbled up: textual<9.
    return await screen.app._check_bindings(event.key)  # noqa: SLF001


class TypeAhead:
    """Keys held until the results they act on are on screen, then replayed in order."""

    def __init__(self, owner: Widget) -> None:
        self._owner = owner
        self._held: list[events.Key] = []
        self._passing = 0  # keys released by the deadline: they go through as they are
        self._deadline: Timer | None = None
        self._waiting_since: float | None = None  # when the results last awaited started to be awaited

    @property
    def holding(self) -> bool:
        return bool(self._held)

    def hold(self, event: events.Key, waiting: bool) -> bool:
        """Hold ``event`` when ``waiting`` (its results are not there) or when earlier keys are held."""
        if self._passing:
            self._passing -= 1
            return False
        now = time.monotonic()
        if not waiting:
            self._waiting_since = None
        elif self._waiting_since is None:
            self._waiting_since = now
        elif now - self._waiting_since > HOLD_AT_MOST:
            waiting = False  # results that have not come for this long are not coming: keys act at once
        if not waiting and not self._held:
            return False
        self._held.append(events.Key(event.key, event.character))
        if self._deadline is None:
            self._deadline = self._owner.set_timer(HOLD_AT_MOST, lambda: self.release(force=True))
        return True

    def release(self, *, force: bool = False) -> None:
        """Send the held keys again, in order (each is held again if what it needs is still missing)."""
        if self._deadline is not None:
            self._deadline.stop()
            self._deadline = None
        held, self._held = self._held, []
        if force:
            self._passing = len(held)
        else:
            self._waiting_since = None  # the results came: the next wait is a new one
        app = self._owner.app
        for key in held:
            app.post_message(key)


class HintKeys:
    """Digits typed towards a hint: ``1`` at once on a page of up to 9 links, ``0`` ``7`` on a longer one."""

    def __init__(self, shown: Callable[[str | None], None]) -> None:
        self.typed = ""
        self._shown = shown  # tells the user which digits are waiting for more

    def type(self, digit: str, width: int) -> str | None:
        """Add a digit; the whole hint once ``width`` digits are typed, else None."""
        self.typed += digit
        if len(self.typed) < width:
            self._shown(self.typed)
            return None
        typed, self.typed = self.typed, ""
        self._shown(None)
        return typed

    def cancel(self) -> bool:
        """Forget a partly typed hint; True if there was one."""
        if not self.typed:
            return False
        self.typed = ""
        self._shown(None)
        return True


def hint_labels(count: int) -> list[str]:
    """The hints of ``count`` links: ``1``-``9``, or all of one longer width (``01``-``42``) past nine."""
    if count <= 9:
        return [str(n) for n in range(1, count + 1)]
    width = len(str(count))
    return [str(n).zfill(width) for n in range(1, count + 1)]
