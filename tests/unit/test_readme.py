"""The README's claims that a test can check: install name, commands, CSV tables, the screen diagram."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from dossier.commands import load_commands
from dossier.exporters.csv import COLUMNS

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")


def test_install_section_uses_the_distribution_name() -> None:
    name = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["name"]
    for tool in ("pipx install", "uv tool install", "pip install"):
        assert f"{tool} {name}" in README, tool


def test_every_command_is_in_the_command_table() -> None:
    table = README[README.index("| command | what it does |"):]
    table = table[: table.index("\n\n")]
    for command in load_commands():
        assert re.search(rf"`(dossier )?{command.name}\b", table), command.name


def test_the_csv_tables_listed_are_the_ones_written() -> None:
    sentence = README[README.index("`export --format csv` writes"):]
    sentence = sentence[: sentence.index("(UTF-8")]
    assert re.findall(r"`(\w+)\.csv`", sentence) == list(COLUMNS)


def test_timeline_formats_named_are_the_ones_read() -> None:
    from dossier.importers.timeline import EVENT_SUFFIXES

    for suffix in EVENT_SUFFIXES:
        if suffix != ".markdown":
            assert f"`{suffix}`" in README, suffix


def test_the_diagram_shows_the_panes_the_browser_draws(sample_tree: Path, tmp_path: Path) -> None:
    import asyncio

    from dossier.store import Store
    from dossier.tui.app import make_app
    from tests.tui.conftest import screen_text, started

    block = README[README.index("```\n╭─ List"):]
    diagram = block[4: block.index("```", 4)].splitlines()

    async def draw() -> list[str]:
        app = make_app(Store(sample_tree), index_dir=tmp_path / "ix", settings_dir=tmp_path / "cfg", watch=False)
        async with app.run_test(size=(len(diagram[0]), len(diagram))) as pilot:
            await started(pilot)
            return [line.rstrip() for line in screen_text(app).splitlines()]

    screen = asyncio.run(draw())
    assert screen[:2] == diagram[:2], "the pane titles and list tabs"
    assert screen[2].split("││")[0] == diagram[2].split("││")[0]
    assert screen[-2].split("│")[0] == diagram[-2].split("│")[0], "the status bar"
