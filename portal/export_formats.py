"""Writing data for spreadsheets safely, one row at a time.

CSV: UTF-8 with a byte-order mark (so Excel shows names and "£" correctly), RFC 4180
quoting, and cells that a spreadsheet would run as a formula neutralised with a
leading apostrophe (OWASP ASVS 5.0 1.2.10, CWE-1236).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")
# Characters Word's XML cannot hold (control characters, lone surrogates).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """Text python-docx can write: a defensive filter (input is cleaned on the way
    in, but one bad row must never break every Word export)."""
    return _NOT_XML.sub("", text)


def safe_cell(value: Any) -> str:
    """Text for one cell: never a formula, never a control character that breaks a
    file. Numbers stay numbers (a negative number is not a formula)."""
    if (
        type(value) is str
        and "\0" not in value
        and not value.startswith(FORMULA_STARTS)
    ):
        return value  # most cells: plain text, returned as it is
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    text = str(value).replace("\0", "")
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


_NEEDS_QUOTES = (",", '"', "\r", "\n")


def csv_field(value: Any) -> str:
    """One field as the csv module writes it (RFC 4180, quoted only when it must
    be), after ``safe_cell``: written here because the module's per-cell work was
    a third of a large export's time."""
    if type(value) is str:
        text = safe_cell(value)
        for special in _NEEDS_QUOTES:
            if special in text:
                return '"' + text.replace('"', '""') + '"'
        return text
    if value is None or isinstance(value, bool | int | float):
        return safe_cell(value)
    return csv_field(str(value))  # dates: their ISO form


def csv_line(values: Iterable[Any]) -> str:
    fields = [csv_field(v) for v in values]
    if fields == [""]:
        return '""\r\n'  # a lone empty field is quoted, or the row would vanish
    return ",".join(fields) + "\r\n"


def csv_rows(
    header: list[str] | None, rows: Iterable[Iterable[Any]], batch: int = 2000
) -> Iterator[str]:
    """The CSV file as chunks, starting with the byte-order mark and the header
    (none for a later part of a file: ``header`` None); rows are joined
    ``batch`` at a time. The same text as ``csv_line`` row by
    row, with each short value (names, codes, labels, days: they repeat row
    after row) made safe and quoted once, not once per row."""
    if header is not None:
        yield "\ufeff" + csv_line(header)
    seen: dict[Any, str] = {}
    pending: list[str] = []
    for row in rows:
        fields = _fields(row, seen)
        if len(fields) == 1 and not fields[0]:
            pending.append('""')  # a lone empty field is quoted, as csv_line
        else:
            pending.append(",".join(fields))
        if len(pending) >= batch:
            yield "\r\n".join(pending) + "\r\n"
            pending.clear()
    if pending:
        yield "\r\n".join(pending) + "\r\n"


def _fields(row: Iterable[Any], seen: dict[Any, str]) -> list[str]:
    """One row's fields as ``csv_field`` writes them, short ones from ``seen``."""
    fields = []
    for value in row:
        kind = type(value)
        if value is None:
            field = ""
        elif kind is int:
            field = str(value)
        elif (kind is str and len(value) < _SHORT) or kind is date:
            # Only str and date are remembered: True, 1.0 and 1 would be one
            # key. Bounded, so short free-text answers cannot grow it.
            found = seen.get(value)
            if found is None:
                if len(seen) >= _SEEN:
                    seen.clear()
                found = seen[value] = csv_field(value)
            field = found
        else:
            field = csv_field(value)
        fields.append(field)
    return fields


_SHORT = 64  # shorter text is remembered once made safe
_SEEN = 4096
