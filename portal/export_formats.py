"""Writing data for spreadsheets safely, one row at a time.

CSV: UTF-8 with a byte-order mark (so Excel shows names and "£" correctly), RFC 4180
quoting, and cells that a spreadsheet would run as a formula neutralised with a
leading apostrophe (OWASP ASVS 5.0 1.2.10, CWE-1236).
"""

from __future__ import annotations

import csv
import io
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


def _cell(value: Any) -> Any:
    """``safe_cell`` for what needs it: text that could start a formula or
    holds a NUL, and values csv would not write as they are. Plain numbers,
    dates and ordinary text go straight through (most cells)."""
    if type(value) is str:
        if value.startswith(FORMULA_STARTS) or "\0" in value:
            return safe_cell(value)
        return value
    if value is None or isinstance(value, bool | int | float):
        return safe_cell(value)
    return value  # dates: csv writes their ISO form


def csv_rows(
    header: list[str], rows: Iterable[Iterable[Any]], batch: int = 2000
) -> Iterator[str]:
    """The CSV file as chunks, starting with the byte-order mark and the header;
    rows are written ``batch`` at a time, in one call each."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> str:
        chunk = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return chunk

    writer.writerow([_cell(v) for v in header])
    yield "\ufeff" + flush()
    pending: list[list[Any]] = []
    for row in rows:
        pending.append([_cell(v) for v in row])
        if len(pending) >= batch:
            writer.writerows(pending)
            pending.clear()
            yield flush()
    if pending:
        writer.writerows(pending)
        yield flush()
