"""Helpers shared by the importers: input files, front matter, dates, URLs, TOML-safe values."""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import yaml

from dossier.model import PartialDate, is_hidden
from dossier.userfiles import MAX_TEXT_BYTES, display, read_user_text

# The C loader is ~8x faster than the pure-Python one; fall back where libyaml is missing.
YAML_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL | re.MULTILINE)
_EMPTY_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)")


class InputError(Exception):
    """An input file that cannot be imported; the message says why."""


#: A YAML (or JSON) value shaped like a date, quoted or not, after a key.
_DATE_SCALAR = re.compile(r"""^[^#\n]*?:\s*['"]?(\d{4}-\d{1,2}-\d{1,2})['"]?,?\s*(?:#.*)?$""", re.MULTILINE)


def invalid_date_line(text: str, first_line: int = 1) -> tuple[int, str] | None:
    """(line, value) of the first date-shaped value in YAML text that is not a real date (2025-02-30)."""
    for match in _DATE_SCALAR.finditer(text):
        if PartialDate.parse(match.group(1)) is None:
            return first_line + text.count("\n", 0, match.start()), match.group(1)
    return None


def invalid_date_error(text: str, first_line: int = 1) -> InputError:
    """The error for YAML whose loader refused an impossible date: which one, and on which line."""
    found = invalid_date_line(text, first_line)
    if found is None:
        return InputError("invalid date in the YAML (a day or month out of range)")
    line, value = found
    return InputError(f"invalid date {value} at line {line}: no such day (write a real date, or quote it)")


def read_input(path: Path, limit: int = MAX_TEXT_BYTES) -> str:
    """An input file as text (UTF-8, not binary, not huge), or :class:`InputError`."""
    text, problems = read_user_text(path, display(str(path)), limit)
    if text is None:
        problem = problems[0]
        where = f" (line {problem.line})" if problem.line else ""
        raise InputError(problem.message + where)
    return text


def split_front_matter(text: str) -> tuple[dict[str, Any], str] | None:
    """(fields, body) of a Markdown file with YAML front matter; None when it has none.

    Raises :class:`InputError` when the front matter is there but is not a YAML
    table of fields.
    """
    if _EMPTY_FRONT_MATTER.match(text):
        return {}, text[_EMPTY_FRONT_MATTER.match(text).end():]  # type: ignore[union-attr]
    match = _FRONT_MATTER.match(text)
    if match is None:
        if text.startswith("---"):
            raise InputError("front matter is not closed by a '---' line")
        return None
    front = match.group(1)
    if "*" in front and _uses_aliases(front):
        # An alias repeats a whole node: a few nested ones ("billion laughs") turn a
        # 400-byte file into gigabytes. Timeline files have no use for them.
        raise InputError("YAML front matter uses aliases (*name), which are not accepted")
    try:
        data = yaml.load(front, Loader=YAML_LOADER)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 2}" if mark is not None else ""  # +1 for 0-based, +1 for '---'
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"YAML front matter does not parse{where}: {reason}") from None
    except RecursionError:
        raise InputError("YAML front matter nested too deeply") from None
    except ValueError:  # the loader builds dates itself: an unquoted 2025-02-30 raises here
        raise invalid_date_error(front, first_line=2) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(f"front matter is {type(data).__name__}, not a table of fields")
    return data, text[match.end():]


def _uses_aliases(front: str) -> bool:
    try:
        return any(isinstance(token, yaml.AliasToken) for token in yaml.scan(front, Loader=YAML_LOADER))
    except yaml.YAMLError:
        return False  # the real load reports the syntax error with its line


def iter_input_files(sources: list[Path], suffixes: tuple[str, ...]) -> Iterator[tuple[Path, bool]]:
    """Every input file under the given files and folders, sorted, with whether it was named.

    Files given by name are always yielded; inside folders only files with the
    suffixes are, hidden files and folders skipped.
    """
    for source in sources:
        if source.is_dir():
            found = []
            for path in source.rglob("*"):
                rel_parts = path.relative_to(source).parts
                if any(is_hidden(part) for part in rel_parts):
                    continue
                if path.suffix.lower() in suffixes and path.is_file():
                    found.append(path)
            for path in sorted(found):
                yield path, False
        else:
            yield source, True


# ------------------------------------------------------------------------- dates

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
            ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
            ("october", "oct"), ("november", "nov"), ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_ISO_PREFIX = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})[T ]\d")
_UNKNOWN_DAY = re.compile(r"(\d{4})-(\d{1,2})(?:-(?:xx|\?\?|00))?", re.IGNORECASE)
_MONTH_DAY_YEAR = re.compile(r"([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})", re.IGNORECASE)
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?\s+(\d{4})", re.IGNORECASE)
_MONTH_YEAR = re.compile(r"([a-z]+)\.?,?\s+(\d{4})", re.IGNORECASE)
_SLASHED = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})|(\d{1,2})/(\d{1,2})/(\d{4})")


def loose_date(value: object) -> PartialDate | None:
    """A partial date from the forms real files use; None when there is no date in it.

    Accepts TOML/YAML dates and datetimes, ``2025-01-28``, ``2025-01``, ``2025``,
    ``2025-01-28T10:00:00Z``, ``2025-01-xx``, ``January 28, 2025``, ``28 Jan 2025``,
    ``June 2009``, ``2025/01/28`` and US ``01/28/2025``.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return PartialDate.parse(str(value)) if 1000 <= value <= 9999 else None
    if not isinstance(value, (str, dt.date)):
        return None
    parsed = PartialDate.parse(value)
    if parsed is not None or not isinstance(value, str):
        return parsed
    text = value.strip()
    if not text:
        return None
    match = _ISO_PREFIX.match(text)
    if match:
        return PartialDate.parse("-".join(match.groups()))
    match = _UNKNOWN_DAY.fullmatch(text)
    if match:
        return PartialDate.parse(f"{match.group(1)}-{match.group(2)}")
    match = _MONTH_DAY_YEAR.fullmatch(text)
    if match and match.group(1).lower() in _MONTHS:
        return PartialDate.parse(f"{match.group(3)}-{_MONTHS[match.group(1).lower()]}-{match.group(2)}")
    match = _DAY_MONTH_YEAR.fullmatch(text)
    if match and match.group(2).lower() in _MONTHS:
        return PartialDate.parse(f"{match.group(3)}-{_MONTHS[match.group(2).lower()]}-{match.group(1)}")
    match = _MONTH_YEAR.fullmatch(text)
    if match and match.group(1).lower() in _MONTHS:
        return PartialDate.parse(f"{match.group(2)}-{_MONTHS[match.group(1).lower()]}")
    match = _SLASHED.fullmatch(text)
    if match:
        if match.group(1):
            return PartialDate.parse(f"{match.group(1)}-{match.group(2)}-{match.group(3)}")
        return PartialDate.parse(f"{match.group(6)}-{match.group(4)}-{match.group(5)}")
    return None


def toml_date(date: PartialDate) -> object:
    """A partial date as the file format writes it: a TOML date when the day is known."""
    return date.first_day if date.day is not None else str(date)


# -------------------------------------------------------------------------- URLs

_TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "ref_src", "smid", "cmpid", "_ga"}
)


@functools.lru_cache(maxsize=65536)  # the same URLs come back in every event that cites them
def normalise_url(url: str) -> str:
    """The identity of a URL: two spellings of the same page give the same string.

    Lowercase scheme and host, ``www.`` and default ports dropped, ``http`` and
    ``https`` the same page, no fragment, no trailing slash, tracking parameters
    (``utm_*``, ``fbclid`` ...) dropped and the rest sorted.
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return text.lower()
    if not parts.netloc:
        return text.rstrip("/").lower()
    host = (parts.hostname or "").lower().removeprefix("www.")
    if port is not None and not (port == 80 and parts.scheme in ("http", "")) and not (
        port == 443 and parts.scheme == "https"
    ):
        host += f":{port}"
    path = parts.path.rstrip("/")
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in _TRACKING_PARAMS
    )
    text = f"//{host}{path}"
    if query:
        text += "?" + urlencode(query)
    return text


def looks_like_url(text: str) -> bool:
    """True for a web address (with or without ``https://``), False for "Reuters" or "academic research"."""
    parts = urlsplit(text)
    if parts.scheme and parts.netloc:
        return " " not in text
    return re.fullmatch(r"(?:www\.)?[\w-]+(?:\.[\w-]+)+(?:[/?#]\S*)?", text) is not None


# ----------------------------------------------------------------- TOML values


def toml_value(value: Any) -> Any:
    """A parsed YAML/JSON value as something TOML can hold; None where it cannot.

    TOML has no null: null values (and nulls inside lists and tables) are
    dropped. Keys become strings; numbers outside TOML's 64-bit range, NaN-free
    floats aside, become text; anything exotic becomes its text.
    """
    if value is None:
        return None
    if isinstance(value, str):
        return _valid_text(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if -(2**63) <= value < 2**63 else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value
    if isinstance(value, dict):
        table = {}
        for key, item in value.items():
            converted = toml_value(item)
            if converted is not None:
                table[_valid_text(str(key))] = converted
        return table
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [toml_value(item) for item in value]
        return [item for item in items if item is not None]
    return _valid_text(str(value))


def _valid_text(text: str) -> str:
    """Text that encodes as UTF-8 (JSON may carry lone surrogates)."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text
