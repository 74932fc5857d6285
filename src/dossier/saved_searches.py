"""Saved searches: named queries in the ``[searches]`` table of the tree's ``dossier.toml``.

They live in the tree so that they travel with it through git. Written through the store's TOML
edit path (comments, key order and unknown keys kept; atomic; nothing written if the file
changed on disk meanwhile).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from dossier.atomic import atomic_write
from dossier.store import COLLECTION_FILE, edited_toml

if TYPE_CHECKING:
    from dossier.store import Store

TABLE = "searches"
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


class SavedSearchError(ValueError):
    """A saved search that cannot be read or written; the message says why."""


def load_searches(store: Store) -> dict[str, str]:
    """The tree's saved searches, name -> query, in the file's order (entries that are not text skipped)."""
    data, problems = store.collection()
    if problems:
        raise SavedSearchError(f"{problems[0].path}: {problems[0].message}")
    table: Any = data.get(TABLE, {})
    if not isinstance(table, dict):
        raise SavedSearchError(f"{COLLECTION_FILE}: [{TABLE}] must be a table of name = \"query\"")
    return {str(name): query for name, query in table.items() if isinstance(query, str) and query.strip()}


def save_search(store: Store, name: str, query: str) -> None:
    """Keep ``query`` as ``name`` (replacing a search of that name) in ``dossier.toml``."""
    if not _NAME.fullmatch(name):
        raise SavedSearchError(f"a saved search's name is lowercase letters, digits, - and _ (not {name!r})")
    if not query.strip():
        raise SavedSearchError("a saved search needs a query")
    path = store.root / COLLECTION_FILE
    before = path.read_bytes() if path.exists() else None
    text = before.decode("utf-8") if before is not None else ""

    def change(document: Any) -> None:
        import tomlkit

        if TABLE not in document:
            document[TABLE] = tomlkit.table()
        document[TABLE][name] = query

    new_text = edited_toml(text, change, COLLECTION_FILE)
    atomic_write(path, new_text.encode("utf-8"), expect=before)


#: At most this many hits of a saved search filter a list (the search ranks at most 500 anyway).
FILTER_LIMIT = 500


def saved_search_ids(store: Store, index: Any, text: str, kind: Any = None) -> set[str] | None:
    """The entries a list filter ``@name`` stands for: the hits of that saved search.

    None when ``text`` is not ``@`` and the name of a saved search (the filter is then ordinary
    text), or when the saved searches cannot be read.
    """
    from dossier.index import QueryError

    if not text.startswith("@"):
        return None
    try:
        query = load_searches(store).get(text[1:].strip())
    except (SavedSearchError, OSError):
        return None
    if query is None:
        return None
    try:
        return {hit.row.id for hit in index.search(query, kind=kind, limit=FILTER_LIMIT)}
    except QueryError:
        return set()
