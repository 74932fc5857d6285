"""Back and forward through the entries a user opened, with where the cursor was in each."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Place:
    """An opened entry and the cursor in it: the target it was on (by what it points at and by
    position) and how far the view was scrolled."""

    entry_id: str
    target_key: tuple[str, str] | None = None
    target_index: int | None = None
    scroll_y: float = 0.0


class History:
    """A browser-style history: opening an entry drops everything after the current place."""

    def __init__(self, limit: int = 200) -> None:
        self.places: list[Place] = []
        self.position = -1
        self.limit = limit

    @property
    def current(self) -> Place | None:
        return self.places[self.position] if 0 <= self.position < len(self.places) else None

    def push(self, place: Place) -> None:
        if self.current is not None and self.current.entry_id == place.entry_id:
            self.places[self.position] = place
            return
        del self.places[self.position + 1 :]
        self.places.append(place)
        if len(self.places) > self.limit:
            del self.places[0]
        self.position = len(self.places) - 1

    def can_go(self, step: int) -> bool:
        return 0 <= self.position + step < len(self.places)

    def go(self, step: int) -> Place | None:
        """Move back (-1) or forward (+1); None at either end."""
        if not self.can_go(step):
            return None
        self.position += step
        return self.places[self.position]

    def drop_current(self) -> None:
        """Forget the current place (its entry no longer exists); the position stays in range."""
        if self.current is None:
            return
        del self.places[self.position]
        self.position = min(self.position, len(self.places) - 1)
