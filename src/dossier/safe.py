"""Untrusted text made safe to show: no terminal control sequences, no markup.

Everything read from a tree is someone else's text. It reaches a terminal only
through :func:`clean` (for one line, like a title) or :func:`clean_block` (for a
body of text), and always as a Rich ``Text``, never parsed as markup.
"""

from __future__ import annotations

import json
import re
from typing import Any

# C0 controls except tab and newline, DEL, and C1 controls (0x80-0x9f: CSI, OSC, ...).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")

#: Characters of one text file laid out for a person (``show``, the browser): Rich lays out about
#: 300 KB/s, so a huge file would take minutes (``show --json`` gives them all).
SHOW_TEXT_CHARS = 100_000


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code == 0x1B:
        return "␛"
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode "control picture" for the character
    return f"\\x{code:02x}"


def clean_block(text: str) -> str:
    """Text with control characters made visible; newlines and tabs kept."""
    text = text.replace("\r\n", "\n")
    text = _CONTROL.sub(_visible, text)
    return _BIDI.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def clean(text: object, max_length: int | None = None) -> str:
    """One line of untrusted text: control characters visible, line breaks as spaces."""
    line = clean_block(str(text)).replace("\n", " ").replace("\t", " ")
    if max_length is not None and len(line) > max_length:
        return line[: max_length - 1] + "…"
    return line


_JSON_UNESCAPED_CONTROLS = re.compile(r"[\x7f-\x9f]")


def dumps_json(value: Any, **options: Any) -> str:
    """JSON that is safe to print: ``json`` escapes C0 controls but not DEL and C1
    (U+007F-U+009F, CSI and OSC among them), which terminals obey too. The data is unchanged."""
    text = json.dumps(value, ensure_ascii=False, **options)
    return _JSON_UNESCAPED_CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
