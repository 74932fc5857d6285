"""Importers: bring the material researchers already have into a tree, through the store.

``timeline`` reads event files (Markdown with YAML front matter, JSON),
``article`` reads one saved article (text, Markdown, HTML). Both write only
through :class:`~dossier.store.Store`, never modify an existing entry, and end
with an :class:`ImportReport` that the command prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dossier.model import Kind
from dossier.store import Store


@dataclass
class Tally:
    """What happened to the entries of one kind."""

    created: int = 0
    reused: int = 0
    skipped: int = 0

    def to_json(self) -> dict[str, int]:
        return {"created": self.created, "reused": self.reused, "skipped": self.skipped}


@dataclass(frozen=True)
class Note:
    """Something about one input file: why it was skipped, or what was changed on the way in."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


@dataclass
class ImportReport:
    """The summary of one import: counts by kind, skipped files, notes, and what was written."""

    files: int = 0
    tallies: dict[Kind, Tally] = field(default_factory=lambda: {kind: Tally() for kind in Kind})
    skipped: list[Note] = field(default_factory=list)
    warnings: list[Note] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    #: Tree-relative folders of the entries this import wrote (none on a dry run).
    written: list[str] = field(default_factory=list)
    #: (kind, id, folder) of each entry created, or on a dry run each entry that would be.
    created: list[tuple[Kind, str, str]] = field(default_factory=list)
    index: str | None = None
    dry_run: bool = False
    #: Every merge of actor names the import made, with its reasons, for a person to review.
    merges: list[dict[str, Any]] = field(default_factory=list)

    def record(self, kind: Kind, entry_id: str, folder: str) -> None:
        """One new entry: written, or on a dry run planned (nothing is written then)."""
        self.created.append((kind, entry_id, folder))
        if not self.dry_run:
            self.written.append(folder)

    def skip(self, path: str, message: str) -> None:
        self.skipped.append(Note(path, message))

    def warn(self, path: str, message: str) -> None:
        self.warnings.append(Note(path, message))

    @property
    def ok(self) -> bool:
        return not self.skipped

    def to_json(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "dry_run": self.dry_run,
            **{kind.plural: tally.to_json() for kind, tally in self.tallies.items()},
            "skipped": [{"path": n.path, "reason": n.message} for n in self.skipped],
            "warnings": [{"path": n.path, "message": n.message} for n in self.warnings],
            "ignored": list(self.ignored),
            # What was written, and on a dry run nothing: the planned entries are in "entries".
            "written": len(self.written),
            "entries": [{"id": i, "kind": k.value, "folder": f} for k, i, f in self.created],
            "index": self.index,
            "merges": list(self.merges),
        }


def update_index(store: Store, index_dir: Path | None, written: list[str]) -> str:
    """Bring the search index up to date with the folders an import wrote; a line for the summary.

    The index is derived state: an import that wrote the tree has succeeded even
    when the index cannot be updated, so the reason is reported rather than raised
    (the next ``dossier`` start reconciles anyway).
    """
    if not written:
        return "index: nothing to update"
    try:
        from dossier.index import Index
    except ImportError as exc:
        return f"index not updated: {exc}"
    try:
        index = Index.open(store, index_dir)
        try:
            changes = index.apply(written)
        finally:
            index.close()
    except Exception as exc:  # noqa: BLE001 - derived state; the reason goes into the summary
        return f"index not updated: {type(exc).__name__}: {exc}"
    return f"index updated: {len(changes.ids)} entries"
