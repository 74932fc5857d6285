"""The core (model, store and its modules, check, index, watch, importers, exporters) never imports Textual.

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

CORE = ["model", "suggest", "provenance", "policy", "values", "safe", "editor", "userfiles", "atomic", "templates",
        "store", "check", "index", "watch", "review", "curate", "transliterate", "search_text", "errors",
        "saved_searches", "merge", "gitsync",
        "importers", "exporters", "commands", "cli",
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


def test_help_imports_neither_tomlkit_nor_rich_markdown() -> None:
    """``dossier --help`` and each command's ``--help`` load only what they print (harlequin checks the same)."""
    code = (
        "import contextlib, io, sys\n"
        "from dossier.cli import main\n"
        "from dossier.commands import load_commands\n"
        "for argv in [['--help']] + [[c.name, '--help'] for c in load_commands()]:\n"
        "    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "        main(argv)\n"
        "heavy = ('tomlkit', 'tomli_w', 'rich.markdown', 'markdown_it', 'textual', 'whoosh', 'trafilatura', 'yaml',\n"
        "         'shtab')\n"
        "print(','.join(sorted(m for m in sys.modules if m.startswith(heavy))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
