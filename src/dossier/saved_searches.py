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
