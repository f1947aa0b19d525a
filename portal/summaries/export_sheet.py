"""The data export as an XLSX workbook whose rows stream.

XlsxWriter lays the workbook out around one sample row (so the text columns get
fixed, capped widths), and ``sheet_stream`` writes the rows in its place, each
with the height its wrapped text needs (``portal/sheet_stream.py`` says why).
Every text cell is a string, never a formula; numbers are numbers and dates
dates. From the command line the rows are written in parts, one process each
(``export_parts``), and their compressed pieces joined into the one sheet.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from portal import documents, sheet_stream
from portal.documents import Letterhead
from portal.summaries.exports import HEADER, ExportRequest, sheet_rows

SHEET = "xl/worksheets/sheet1.xml"
# Columns of staff text: wide, and wrapped. The rest are sized to their header.
_TEXT_COLUMNS = {2, 3, 7, 8, 9}
WIDTHS = [
    documents.MAX_WIDTH if n in _TEXT_COLUMNS else max(12, len(h) // 2 + 4)
    for n, h in enumerate(HEADER)
]


@dataclass(frozen=True)
class Layout:
    """The workbook XlsxWriter laid out, and the styles its sample row uses."""

    skeleton: str
    styles: sheet_stream.Styles


@contextmanager
def laid_out(letterhead: Letterhead) -> Iterator[Layout]:
    with tempfile.TemporaryDirectory() as folder:
        skeleton = f"{folder}/skeleton.xlsx"
        _skeleton(skeleton, letterhead)
        with zipfile.ZipFile(skeleton) as made:
            styles = sheet_stream.sample_styles(
                made.read(SHEET).decode("utf-8"), text_column="A", day_column="B"
            )
        yield Layout(skeleton, styles)


def rows_xml(
    data: Iterable[list[Any]], layout: Layout, first: int = sheet_stream.SAMPLE_ROW
) -> Iterator[str]:
    """Each row's ``<row>`` element, numbered from ``first`` (the file's row)."""
    return (
        sheet_stream.row_xml(
            number, row, layout.styles, documents.row_height(row, WIDTHS)
        )
        for number, row in enumerate(data, start=first)
    )


def write_xlsx_rows(
    data: Iterator[list[Any]], path: str, letterhead: Letterhead
) -> None:
    """The workbook with ``data`` (rows as ``exports.rows`` gives them)."""
    with laid_out(letterhead) as layout:
        sheet_stream.splice(layout.skeleton, path, SHEET, rows_xml(data, layout))


def write_xlsx(
    session: Session, request: ExportRequest, path: str, letterhead: Letterhead
) -> None:
    write_xlsx_rows(sheet_rows(session, request), path, letterhead)


def xlsx_chunks(
    session: Session, request: ExportRequest, letterhead: Letterhead
) -> Iterator[bytes]:
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as handle:
        write_xlsx(session, request, handle.name, letterhead)
        handle.seek(0)
        while chunk := handle.read(64 * 1024):
            yield chunk


def _skeleton(path: str, letterhead: Letterhead) -> None:
    import xlsxwriter  # on first use: not part of every start (a CSV export's)

    workbook = xlsxwriter.Workbook(path, {"constant_memory": True})
    documents.workbook_properties(workbook, letterhead)
    sheet = workbook.add_worksheet("Approved input")
    heading = workbook.add_format(
        {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#F3F2F1"}
    )
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    day = workbook.add_format({"num_format": "d mmm yyyy", "valign": "top"})
    # The filter range must be known before rows stream: a generous bound.
    documents.set_up_sheet(sheet, letterhead, HEADER, WIDTHS, heading, 1_048_575)
    sheet.write_string(1, 0, "sample", wrap)  # the sample row: its styles are read
    sheet.write_datetime(1, 1, date(2015, 10, 20), day)
    workbook.close()
