"""New-entry templates: the fields a new entry starts with, its id, and the hints written below them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import tomli_w

from dossier.model import DATE_FIELD, Kind, ordered, slugify


def dump_toml(kind: Kind, data: Mapping[str, Any]) -> str:
    """TOML for a new file: canonical key order, tables last."""
    return tomli_w.dumps(ordered(kind, data))


def new_entry_data(kind: Kind, title: str, date: object = None, today: dt.date | None = None) -> dict[str, Any]:
    """The fields a new entry starts with."""
    today = today or dt.date.today()
    if kind is Kind.ACTOR:
        data: dict[str, Any] = {"name": title, "type": "person", "aliases": [], "summary": "", "tags": []}
        if date is not None:
            data["born"] = date
        return data
    if kind is Kind.EVENT:
        event: dict[str, Any] = {"title": title}
        if date is not None:  # never invented: today is not when it happened
            event["date"] = date
        event.update({"importance": 5, "status": "reported", "actors": [], "tags": [], "sources": []})
        return event
    data = {"title": title, "url": "", "outlet": "", "author": ""}
    if date is not None:
        data["published"] = date
    data.update({"accessed": today, "type": "news"})
    return data


NEW_ENTRY_HINTS = {
    Kind.ACTOR: (
        "\n# type: person | organization | group | state | other\n"
        "# [[roles]]\n# title = \"\"\n# org = \"\"          # an actor id, or free text\n# from = 2020-01-01\n"
        "# [[links]]\n# to = \"\"           # an actor id\n# rel = \"\"\n# sources = []\n"
    ),
    Kind.EVENT: (
        "\n# status: reported | confirmed | disputed | debunked; importance 1-10\n"
        "# location = \"\"\n# related = []\n"
        "# [[accounts]]      # who says what\n# by = \"\"\n# claim = \"\"\n# source = \"\"\n"
    ),
    Kind.SOURCE: (
        "\n# type: news | opinion | analysis | book | document | interview | web\n"
        "# reliability = \"B\"  # Admiralty source grade A-F\n"
        "# credibility = 2    # Admiralty information grade 1-6\n"
    ),
}


def new_entry_id(kind: Kind, title: str, date: object = None) -> str:
    """The id a new entry gets: a slug of its title, date first for events and sources."""
    slug = slugify(title)
    if kind is Kind.ACTOR or date is None:
        return slug
    return f"{date}-{slug}"


def date_of(kind: Kind, data: Mapping[str, Any]) -> object:
    return data.get(DATE_FIELD[kind])

