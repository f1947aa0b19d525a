"""Writing data for spreadsheets safely, one row at a time.

CSV: UTF-8 with a byte-order mark (so Excel shows names and "£" correctly), RFC 4180
quoting, and cells that a spreadsheet would run as a formula neutralised with a
leading apostrophe (OWASP ASVS 5.0 1.2.10, CWE-1236).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
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
    header: list[str], rows: Iterable[Iterable[Any]], batch: int = 2000
) -> Iterator[str]:
    """The CSV file as chunks, starting with the byte-order mark and the header;
    rows are joined ``batch`` at a time."""
    yield "\ufeff" + csv_line(header)
    pending: list[str] = []
    for row in rows:
        pending.append(csv_line(row))
        if len(pending) >= batch:
            yield "".join(pending)
            pending.clear()
    if pending:
        yield "".join(pending)
