"""How the browser reads the keyboard: keys that wait for results, and digit hints.

Every key reaches the app before any widget sees it; a screen that defines
``intercept_key(event) -> bool`` gets it first (see ``DossierApp.on_event``) and
returns True when it has dealt with the key. Two things use that:

- :class:`TypeAhead`: a key typed before the results it acts on have arrived (enter
  on a list still loading, a hint on an entry still opening) waits for them; the
  keys behind it wait too, so that everything happens in the order it was typed.
- :class:`HintKeys`: hints are digits, one per link when an entry has up to 9
  links, else two (``01``-``99``) or more; a first digit waits for the rest.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.timer import Timer
from textual.widget import Widget

#: Keys that do something with results on screen (the others are held only behind one of these).
RESULT_KEYS = frozenset({"enter", "down", "up", "pagedown", "pageup", "home", "end"})
#: Seconds after which held keys go through anyway: results that never come must not swallow the keyboard.
HOLD_AT_MOST = 3.0


class TypeAhead:
    """Keys held until the results they act on are on screen, then replayed in order."""

    def __init__(self, owner: Widget) -> None:
        self._owner = owner
        self._held: list[events.Key] = []
        self._passing = 0  # keys released by the deadline: they go through as they are
        self._deadline: Timer | None = None

    @property
    def holding(self) -> bool:
        return bool(self._held)

    def hold(self, event: events.Key, waiting: bool) -> bool:
        """Hold ``event`` when ``waiting`` (its results are not there) or when earlier keys are held."""
        if self._passing:
            self._passing -= 1
            return False
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
