"""The house style of every document the portal writes, as a council would
publish it: A4, Arial, the council's name and the protective marking
(PROTECTIVE_MARKING, "OFFICIAL-SENSITIVE" by default) in every header and footer,
"Page N of M", real document properties, and tables whose header row repeats.

Word documents are built with python-docx; workbooks with XlsxWriter (landscape,
fit to width, frozen header row, filters, columns sized to their content and
rows tall enough for their wrapped text).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import _Row
from docx.text.paragraph import Paragraph

from portal.export_formats import xml_safe

A4 = (Mm(210), Mm(297))
MARGIN = Mm(20)


@dataclass(frozen=True)
class Letterhead:
    council: str
    marking: str
    title: str
    subject: str


def letterhead(config: Any, title: str, subject: str) -> Letterhead:
    """The council's name and marking from the app config, with this document's
    title and subject."""
    return Letterhead(
        council=str(config["COUNCIL_NAME"]),
        marking=str(config["PROTECTIVE_MARKING"]),
        title=title,
        subject=subject,
    )


DATA_TITLE = "Approved staff input"
DATA_SUBJECT = "Staff input on the Ofsted areas for improvement, after moderation"


def word_document(letterhead: Letterhead, *, landscape: bool = False) -> DocxDocument:
    """An empty document in the house style."""
    document = Document()
    section = document.sections[0]
    width, height = A4
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        width, height = height, width
    section.page_width, section.page_height = width, height
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN)
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3"):
        style = document.styles[name]
        style.font.name = "Arial"
        # East-Asian and complex-script fonts too, or Word falls back to others.
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attribute), "Arial")
        for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            fonts.attrib.pop(qn(theme), None)  # a theme font would win over Arial
    document.styles["Normal"].font.size = Pt(11)
    text_width = width - 2 * MARGIN
    header = section.header.paragraphs[0]
    header.text = xml_safe(f"{letterhead.council}\t{letterhead.marking}")
    footer = section.footer.paragraphs[0]
    for paragraph in (header, footer):
        # The template's tab stops are for US Letter portrait: clear them and set
        # one at this page's right margin.
        stops = paragraph.paragraph_format.tab_stops
        for name in ("Header", "Footer"):
            for inherited in document.styles[name].paragraph_format.tab_stops:
                stops.add_tab_stop(inherited.position, WD_TAB_ALIGNMENT.CLEAR)
        stops.add_tab_stop(text_width, WD_TAB_ALIGNMENT.RIGHT)
    footer.add_run(xml_safe(f"{letterhead.marking}\tPage "))
    _field(footer, "PAGE")
    footer.add_run(" of ")
    _field(footer, "NUMPAGES")
    properties = document.core_properties
    now = datetime.now(UTC).replace(microsecond=0)
    properties.title = xml_safe(letterhead.title)
    properties.subject = xml_safe(letterhead.subject)
    properties.author = properties.last_modified_by = xml_safe(letterhead.council)
    properties.created = properties.modified = now
    properties.revision = 1
    properties.keywords = xml_safe(letterhead.marking)
    properties.comments = ""
    return document


def _field(paragraph: Paragraph, code: str, shown: str = "1") -> None:
    """A Word field (PAGE, NUMPAGES, TOC) with a result shown until it updates."""
    for kind, text in (("begin", None), ("instr", code), ("separate", None),
                       ("text", shown), ("end", None)):  # fmt: skip
        run = paragraph.add_run()
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {text} "
        elif kind == "text":
            run.text = text or ""
            continue
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)


def contents(document: DocxDocument, entries: list[str]) -> None:
    """A contents field over the level-1 headings, showing ``entries`` until the
    reader's word processor updates it (Word asks on opening)."""
    document.add_heading("Contents", level=1)
    paragraph = document.add_paragraph()
    _field(paragraph, 'TOC \\o "1-1" \\h \\z \\u', shown="")
    end = paragraph.runs[-1]._r
    end.getparent().remove(end)  # the field ends after the last entry
    for number, entry in enumerate(entries, 1):
        line = paragraph if number == 1 else document.add_paragraph()
        line.add_run(xml_safe(f"{number}. {entry}"))
    closing = OxmlElement("w:fldChar")
    closing.set(qn("w:fldCharType"), "end")
    (line if entries else paragraph).add_run()._r.append(closing)
    settings = document.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)


def table(document: DocxDocument, headers: list[str]) -> Any:
    """A grid table whose header row repeats on every page."""
    grid = document.add_table(rows=1, cols=len(headers))
    grid.style = "Table Grid"
    for cell, name in zip(grid.rows[0].cells, headers, strict=True):
        cell.text = xml_safe(name)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    repeat_as_header(grid.rows[0])
    return grid


def chart(
    document: DocxDocument, png: bytes, alt_text: str, width_mm: int = 160
) -> None:
    """A chart image, full text width, with alternative text for screen readers."""
    picture = (
        document.add_paragraph()
        .add_run()
        .add_picture(io.BytesIO(png), width=Mm(width_mm))
    )
    properties = picture._inline.docPr
    properties.set("descr", xml_safe(alt_text))
    properties.set("title", xml_safe(alt_text[:80]))


def size_columns(grid: Any, widths: list[Any], size: Any = None) -> None:
    """Fixed column widths (Word ignores a table's own; each cell needs its width),
    and optionally a smaller font for a dense table."""
    grid.autofit = False
    for column, width in zip(grid.columns, widths, strict=False):
        column.width = width  # the grid LibreOffice reads
    for row in grid.rows:
        for cell, width in zip(row.cells, widths, strict=False):
            cell.width = width
            if size is not None:
                for paragraph in cell.paragraphs:
                    for run in paragraph.runs:
                        run.font.size = size


def repeat_as_header(row: _Row) -> None:
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def word_bytes(document: DocxDocument) -> bytes:
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


# --- Workbooks ---------------------------------------------------------------

MAX_WIDTH = 60  # characters; longer text wraps
LINE_HEIGHT = 15  # points per wrapped line of 11 pt Calibri/Arial


def column_widths(headers: list[str], rows: list[list[str]]) -> list[int]:
    """Each column as wide as its longest line (header included), capped."""
    widths = [len(h) + 2 for h in headers]
    for row in rows:
        for column, value in enumerate(row):
            longest = max((len(line) for line in str(value).split("\n")), default=0)
            widths[column] = max(widths[column], longest + 2)
    return [min(MAX_WIDTH, max(8, w)) for w in widths]


def row_height(values: list[Any], widths: list[int]) -> float:
    """Points for a row whose cells wrap at their column widths: the most lines
    any cell needs, so no text is hidden or printed over the row below."""
    lines = 1
    for value, width in zip(values, widths, strict=False):
        if value is None or type(value) is int:
            continue  # short enough for any column (at least 8 wide)
        text = value if type(value) is str else str(value)
        broken = "\n" in text
        if len(text) < width and not broken:
            continue  # one line (width - 1 usable), as most cells are
        usable = max(1, width - 1)
        if broken:
            needed = sum(
                max(1, math.ceil(len(line) / usable)) for line in text.split("\n")
            )
        else:
            needed = -(-len(text) // usable)  # the common long cell: one paragraph
        if needed > lines:
            lines = needed
    return LINE_HEIGHT * lines + 3


def set_up_sheet(
    sheet: Any, letterhead: Letterhead, headers: list[str], widths: list[int],
    header_format: Any, last_row: int,
) -> None:  # fmt: skip
    """Print and view set-up for a sheet: headers written, widths set, top row
    frozen, filters on, A4 landscape fit to one page wide, marking and page
    numbers in the header and footer."""
    for column, (name, width) in enumerate(zip(headers, widths, strict=True)):
        sheet.set_column(column, column, width)
        sheet.write_string(0, column, name, header_format)
    sheet.set_row(0, row_height(headers, widths), header_format)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(last_row, 1), len(headers) - 1)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0)
    marking = letterhead.marking.replace("&", "&&")
    council = letterhead.council.replace("&", "&&")
    sheet.set_header(f"&L{council}&R{marking}")
    sheet.set_footer(f"&L{marking}&RPage &P of &N")


def workbook_properties(workbook: Any, letterhead: Letterhead) -> None:
    workbook.set_properties(
        {
            "title": letterhead.title,
            "subject": letterhead.subject,
            "author": letterhead.council,
            "company": letterhead.council,
            "keywords": letterhead.marking,
            "created": datetime.now(UTC).replace(tzinfo=None),
        }
    )
