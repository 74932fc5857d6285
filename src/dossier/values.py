"""How a field's value reads outside its file: as one line of text, or as JSON data.

A TOML value is a string, number, boolean, date, time, list or table. The CLI's ``show``, the
exporters and the browser all print values through :func:`value_text`, so that a date, a list
or a boolean reads the same everywhere (and as it is written in the file: ``true``, ``2020-06-01``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any


def value_text(value: object, separator: str = ", ") -> str:
    """A value as one line of text: dates in ISO form, ``true``/``false``, list items joined by
    ``separator``, a table as ``key: value; key: value``, nothing for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return separator.join(value_text(v, separator) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {value_text(v, separator)}" for k, v in value.items())
    return str(value)


def json_value(value: Any) -> Any:
    """A value as JSON-ready data: dates as ISO text, tables with string keys."""
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    return value
