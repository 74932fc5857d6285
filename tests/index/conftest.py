"""Fixtures of the index tests: a small tree of a few entries, built fresh for each test."""

from __future__ import annotations

from pathlib import Path

import pytest

from dossier.index import Index
from dossier.store import Store
from tests.index.helpers import small_tree


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return small_tree(tmp_path / "tree")


@pytest.fixture
def index(tree: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    """The small tree's index, built and reconciled, in the test's own folder."""
    ix = Index.open(Store(tree), tmp_path / "ix")
    ix.reconcile()
    yield ix
    ix.close()


@pytest.fixture
def no_walk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make a walk of the whole tree fail the test: the change must be found another way (git, stamps)."""

    def walked(self: Store) -> None:
        raise AssertionError("the whole tree was walked")

    monkeypatch.setattr(Store, "scan", walked)
