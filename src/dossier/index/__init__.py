"""The search index: Whoosh over the tree, plus a table of what was indexed.

Where things live:

* :mod:`~dossier.index.core`: :class:`Index` itself (open, reconcile, apply, rebuild) and where
  its folder is; it mixes in :mod:`~dossier.index.listing` (rows, counts, problems, backlinks,
  mentions) and :mod:`~dossier.index.searching` (search, fallbacks, ranking, suggestions);
* :mod:`~dossier.index.damage`: what a damaged or deleted index raises when read;
* :mod:`~dossier.index.forgiving`: plain-word queries (typos, fallbacks, what was done);
* :mod:`~dossier.index.gitstate`: what changed in a tree kept in git;
* :mod:`~dossier.index.schema`: the Whoosh schema, field aliases, name keys;
* :mod:`~dossier.index.document`: the document and the record built from one entry;
* :mod:`~dossier.index.query`: the query language (parsing, limits, highlighting patterns);
* :mod:`~dossier.index.snippets`: the text shown under a hit or a mention;
* :mod:`~dossier.index.state_table`: the per-entry table read on every open;
* :mod:`~dossier.index.writer_lock`: one writer at a time across processes;
* :mod:`~dossier.index.scope`: which entries a set of changed paths touches;
* :mod:`~dossier.index.rows`: the values the index answers with (rows, hits, backlinks ...).
"""

from __future__ import annotations

from dossier.index.core import Index, default_index_dir, index_folder
from dossier.index.query import QueryError, parse_query
from dossier.index.rows import Backlink, Changes, Hit, Hits, Mention, Row
from dossier.index.schema import build_schema
from dossier.index.state_table import INDEX_FORMAT_VERSION
from dossier.index.writer_lock import IndexBusy, IndexWriteError
from dossier.model import Reference, iter_references

__all__ = [
    "INDEX_FORMAT_VERSION",
    "Backlink",
    "Changes",
    "Hit",
    "Hits",
    "Index",
    "IndexBusy",
    "IndexWriteError",
    "Mention",
    "QueryError",
    "Reference",
    "Row",
    "build_schema",
    "default_index_dir",
    "index_folder",
    "iter_references",
    "parse_query",
]
