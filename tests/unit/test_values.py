"""One way a field's value reads outside its file, whoever prints it."""

from __future__ import annotations

import datetime as dt

from dossier.values import json_value, value_text


def test_a_value_reads_as_it_is_written_in_toml() -> None:
    assert value_text(dt.date(2020, 6, 1)) == "2020-06-01"
    assert value_text(True) == "true" and value_text(False) == "false"
    assert value_text(None) == ""
    assert value_text(["a", dt.date(2021, 1, 8), 3]) == "a, 2021-01-08, 3"
    assert value_text({"title": "Chairman", "from": dt.date(2019, 10, 1)}) == "title: Chairman; from: 2019-10-01"


def test_a_list_may_be_joined_with_another_separator() -> None:
    assert value_text(["Milley, Mark", "Gen. Milley"], "; ") == "Milley, Mark; Gen. Milley"


def test_json_data_has_iso_dates_and_string_keys() -> None:
    value = {"date": dt.date(2020, 6, 1), 1: [dt.time(12, 30)], "ok": True}
    assert json_value(value) == {"date": "2020-06-01", "1": ["12:30:00"], "ok": True}
