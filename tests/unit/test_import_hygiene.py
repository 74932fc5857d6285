"""The core (model, store, check, index, watch, importers, exporters) never imports Textual.

Like harlequin's test of the same name: the core must stay usable from scripts
and worker processes without the UI, and import-linter's contract in
pyproject.toml says the same for every module, not just the ones imported here.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

CORE = ["model", "store", "check", "safe", "index", "watch", "importers", "exporters", "commands", "cli",
        "graph", "githistory", "exporters.chronology", "exporters.graphml"]


def test_core_modules_import_without_textual() -> None:
    present = [m for m in CORE if importlib.util.find_spec(f"dossier.{m}") is not None]
    assert {"model", "store", "check", "cli"} <= set(present)
    code = (
        "import sys\n"
        + "".join(f"import dossier.{m}\n" for m in present)
        + "import dossier.commands as c; c.load_commands()\n"
        + "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        + "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_import_linter_contracts_hold() -> None:
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint is not None, "import-linter is a test dependency"
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([lint], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
