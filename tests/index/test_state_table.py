"""The state table is read by key from the mapped file: a command that needs a few records of many
loads none of the others (dossier/index/state_table.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dossier.index import state_table
from dossier.index.state_table import Record, RecordTable, read_state, write_state
from dossier.model import Kind, Problem


def record(n: int) -> Record:
    kind = (Kind.ACTOR, Kind.EVENT, Kind.SOURCE)[n % 3]
    folder = f"{kind.plural}/entry-{n}"
    row = (f"entry-{n}", kind, f"Entry {n} — Ünïcode", folder, f"{folder}/{kind.filename}", None, None, n % 10,
           None, None, ("tag",))
    problems = (Problem(f"{folder}/{kind.filename}", "a problem", "x", 3, 1, f"entry-{n}"),) if n % 7 == 0 else ()
    return Record(folder, kind, ((f"{folder}/{kind.filename}", 10, n, n, n),), f"digest{n}", row,
                  (("actors", f"entry-{n + 1}", None),), problems, (f"Entry {n}",), f"2025-01-{n % 28 + 1:02d}")


@pytest.fixture
def written(tmp_path: Path) -> tuple[Path, dict[str, Record]]:
    records = {f"entry-{n}": record(n) for n in range(500)}
    path = tmp_path / state_table.STATE_FILE
    write_state(path, tmp_path, records, [Problem(".", "scan problem", "y")], [], {"seg": (1, 2, 3)})
    return path, records


def test_records_are_read_one_by_one_without_loading_the_table(written, monkeypatch: pytest.MonkeyPatch) -> None:
    path, records = written

    def loaded_all(self: object) -> None:
        raise AssertionError("the whole table was loaded")

    monkeypatch.setattr(state_table._FileView, "everything", loaded_all)
    state = read_state(path)
    table = state["entries"]
    assert len(table) == 500
    assert table["entry-7"] == records["entry-7"]  # problems and all
    assert table.get("entry-499") == records["entry-499"]
    assert "entry-0" in table and "entry-500" not in table and "" not in table
    assert table.stamp("entry-3")[:2] == (records["entry-3"].folder, records["entry-3"].kind.value)
    assert table.kind_counts() == {Kind.ACTOR: 167, Kind.EVENT: 167, Kind.SOURCE: 166}
    assert state["scan_problems"][0].message == "scan problem"
    assert state["segments"] == {"seg": (1, 2, 3)}


def test_the_whole_table_loads_as_written_and_writes_back_the_same(written, tmp_path: Path) -> None:
    path, records = written
    table = read_state(path)["entries"]
    assert dict(table.items()) == records
    again = tmp_path / "again"
    write_state(again, tmp_path, table, [Problem(".", "scan problem", "y")], [], {"seg": (1, 2, 3)})
    assert again.read_bytes() == path.read_bytes()


def test_a_truncated_or_foreign_file_is_refused(written) -> None:
    path, _records = written
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 5])
    with pytest.raises(ValueError):
        read_state(path)
    path.write_bytes(b"\x93\x01\x02\x03" * 20)  # MessagePack, as an older format wrote
    with pytest.raises(ValueError):
        read_state(path)


def test_an_empty_table(tmp_path: Path) -> None:
    path = tmp_path / state_table.STATE_FILE
    write_state(path, tmp_path, RecordTable(), [], [])
    table = read_state(path)["entries"]
    assert len(table) == 0 and "x" not in table and dict(table.items()) == {}
