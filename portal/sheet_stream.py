"""One large worksheet streamed into a workbook that XlsxWriter has laid out.

XlsxWriter's per-cell work cost about 7 s per 100,000 rows of the data export on
its own (issue 16), and the faster writers on PyPI hold the whole sheet in memory.
So XlsxWriter writes everything but the data: properties, styles, column widths,
the frozen header, filters, print set-up, the header row and one *sample row*
whose cells show which style each kind of cell uses. The file is then copied, entry
by entry, into the real one, with the sample row replaced by rows streamed from
the caller, written straight into the compressed entry, so memory stays flat.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, lru_cache

from portal.export_formats import safe_cell, xml_safe

SAMPLE_ROW = 2  # the row (1-based, as in the file) the skeleton's sample sits in
EXCEL_EPOCH = date(1899, 12, 30)  # day 0 for dates after 1 March 1900
MAX_CELL = 32_767  # characters Excel keeps in one cell
_STYLE = re.compile(r'<c r="([A-Z]+)2"(?: s="(\d+)")?')
_DIMENSION = re.compile(r"<dimension [^>]*/>")


@dataclass(frozen=True)
class Styles:
    """The style index of the sample row's text (and number) cells and of its
    date cells."""

    text: str
    day: str


def sample_styles(sheet_xml: str, text_column: str, day_column: str) -> Styles:
    found = dict(_STYLE.findall(sheet_xml))
    return Styles(text=found[text_column], day=found[day_column])


def _escaped(text: str) -> str:
    text = xml_safe(safe_cell(text))[:MAX_CELL]
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    return text


# Short values (codes, names, kinds) repeat on row after row: escape each once.
_escaped_short = lru_cache(maxsize=4096)(_escaped)


@dataclass(frozen=True)
class _Cells:
    """The constant parts of each kind of cell. Cells carry no ``r`` reference:
    it is optional, and a cell without one follows the cell before it, so the
    reference would only cost time."""

    text: str
    empty: str
    number: str
    day: str


@cache
def _cells(styles: Styles) -> _Cells:
    return _Cells(
        text=f'<c s="{styles.text}" t="inlineStr"><is><t xml:space="preserve">',
        empty=f'<c s="{styles.text}"/>',
        number=f'<c s="{styles.text}"><v>',
        day=f'<c s="{styles.day}"><v>',
    )


def row_xml(number: int, values: list[object], styles: Styles, height: float) -> str:
    """One row of cells in order: numbers as numbers, dates as dates, everything
    else as text that is never a formula."""
    kinds = _cells(styles)
    parts = [f'<row r="{number}" ht="{height:g}" customHeight="1">']
    for value in values:
        if type(value) is str:
            if not value:
                parts.append(kinds.empty)
                continue
            escaped = _escaped_short(value) if len(value) < 64 else _escaped(value)
            parts += (kinds.text, escaped, "</t></is></c>")
        elif value is None:
            parts.append(kinds.empty)
        elif type(value) is int:
            parts += (kinds.number, str(value), "</v></c>")
        elif isinstance(value, date):
            parts += (kinds.day, _serial(value), "</v></c>")
        else:
            parts += (kinds.text, _escaped(str(safe_cell(value))), "</t></is></c>")
    parts.append("</row>")
    return "".join(parts)


@lru_cache(maxsize=4096)  # an export's rows share a few hundred days
def _serial(value: date) -> str:
    """Excel's day number (a fraction of a day for a time)."""
    if isinstance(value, datetime):
        since = value.replace(tzinfo=None) - datetime(1899, 12, 30)
        return f"{since.days + since.seconds / 86400:.10g}"
    return str((value - EXCEL_EPOCH).days)


def splice(skeleton: str, target: str, sheet: str, rows: Iterable[str]) -> None:
    """Copy ``skeleton`` to ``target`` with ``sheet``'s sample row replaced by
    ``rows`` (each a ``<row>`` element). The dimension is dropped rather than
    guessed (it is optional; readers work it out)."""
    with (
        zipfile.ZipFile(skeleton) as source,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out,
    ):
        for info in source.infolist():
            if info.filename != sheet:
                out.writestr(info, source.read(info.filename))
                continue
            xml = _DIMENSION.sub("", source.read(sheet).decode("utf-8"), count=1)
            start = xml.index(f'<row r="{SAMPLE_ROW}"')
            end = xml.index("</row>", start) + len("</row>")
            with out.open(sheet, "w", force_zip64=True) as handle:
                handle.write(xml[:start].encode("utf-8"))
                pending: list[str] = []
                for row in rows:
                    pending.append(row)
                    if len(pending) >= 500:  # one write per batch of rows
                        handle.write("".join(pending).encode("utf-8"))
                        pending.clear()
                handle.write("".join(pending).encode("utf-8"))
                handle.write(xml[end:].encode("utf-8"))
