"""Fixtures of the index tests: a small tree of a few entries, built fresh for each test."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.index.helpers import small_tree


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return small_tree(tmp_path / "tree")
