"""Fixtures shared by every test: fixture trees copied to a temporary folder, the CLI in-process.

Tests never touch the repository's own ``dossiers/`` or the user's cache and
config: trees are copied into ``tmp_path`` and the index and config folders
point there too.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "dossiers"
FIXTURES = REPO / "tests" / "fixtures"
CORPUS = REPO.parent / "shared" / "corpus" / "timeline-events"


@pytest.fixture(autouse=True)
def _isolated_user_folders(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep every test away from the real cache, config and $DOSSIER_HOME."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("DOSSIER_INDEX", str(home / "index"))
    monkeypatch.setenv("DOSSIER_CONFIG_DIR", str(home / "config"))
    monkeypatch.setenv("DOSSIER_STATE", str(home / "state"))  # the curation journal
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "xdg-config"))
    monkeypatch.delenv("DOSSIER_HOME", raising=False)
    monkeypatch.setenv("COLUMNS", "200")


def copy_tree(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, symlinks=True)
    return target


@pytest.fixture
def sample_tree(tmp_path: Path) -> Path:
    """A private copy of the bundled sample dossier."""
    return copy_tree(SAMPLE, tmp_path / "dossiers")


@pytest.fixture
def hostile_tree(tmp_path: Path) -> Path:
    """A private copy of the fixture tree that holds one of every kind of bad input."""
    return copy_tree(FIXTURES / "hostile", tmp_path / "hostile")


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Run ``dossier ARGS`` in this process and return its exit code and output."""
    from dossier.cli import main

    def run(*args: str | Path) -> Result:
        capsys.readouterr()
        try:
            code = main([str(a) for a in args])
        except SystemExit as exc:  # argparse exits on usage errors and --help
            code = exc.code if isinstance(exc.code, int) else 2
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run
