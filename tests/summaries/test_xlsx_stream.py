"""The data export's XLSX, whose rows are streamed into a workbook XlsxWriter laid
out (portal/sheet_stream.py): well-formed, every value where it belongs with the
right style, and read back the same by LibreOffice."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest

from portal.documents import Letterhead
from portal.summaries.export_sheet import write_xlsx_rows
from portal.summaries.exports import HEADER
from tests.test_documents import _office_ready

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
LETTERHEAD = Letterhead("Council", "OFFICIAL", "Title", "Subject")
LONG = "Supervision is cancelled more often than it happens. " * 6


def _rows() -> list[list[object]]:
    return [
        ["Round 1", "LA-01", "LA-R1; LSCB-R2", "Supervision", "Named",
         date(2026, 1, 1), 3, LONG, "a & b < c > d", "", "Team A", "Role", None,
         "Somebody"],
        ["Round 2", "LA-02", "", "", "Anonymous", date(2015, 10, 20), None,
         "=HYPERLINK(\"x\")", "line one\nline two", "ctrl\x0bchar", "", "", 12, ""],
    ]  # fmt: skip


def _written(tmp_path: Path) -> Path:
    path = tmp_path / "export.xlsx"
    write_xlsx_rows(iter(_rows()), str(path), LETTERHEAD)
    return path


def _cells(sheet: ET.Element, row: int) -> dict[str, ET.Element]:
    """The row's cells by column letter. Streamed cells carry no reference (it is
    optional): each follows the one before."""
    element = sheet.find(f"m:sheetData/m:row[@r='{row}']", NS)
    assert element is not None, row
    cells = element.findall("m:c", NS)
    assert len(cells) == len(HEADER), "every column written, empty ones too"
    return {chr(65 + n): c for n, c in enumerate(cells)}


def _text(cell: ET.Element) -> str:
    return "".join(t.text or "" for t in cell.iterfind("m:is/m:t", NS))


def test_streamed_rows_hold_each_value_with_its_style(tmp_path: Path) -> None:
    with zipfile.ZipFile(_written(tmp_path)) as workbook:
        # Our own file, just written: not untrusted input.
        sheet = ET.fromstring(workbook.read("xl/worksheets/sheet1.xml"))  # noqa: S314
        styles = ET.fromstring(workbook.read("xl/styles.xml"))  # noqa: S314
    assert len(HEADER) == 14
    xfs = styles.findall("m:cellXfs/m:xf", NS)
    formats = {f.attrib["numFmtId"]: f.attrib["formatCode"]
               for f in styles.findall("m:numFmts/m:numFmt", NS)}  # fmt: skip
    head = _cells(sheet, 1)
    assert _text(head["A"]) == "Round" and _text(head["N"]) == "Written by"
    first, second = _cells(sheet, 2), _cells(sheet, 3)
    assert _text(first["H"]) == LONG
    assert _text(first["I"]) == "a & b < c > d"
    assert first["G"].findtext("m:v", namespaces=NS) == "3"
    assert first["F"].findtext("m:v", namespaces=NS) == "46023", "1 January 2026"
    assert second["F"].findtext("m:v", namespaces=NS) == "42297", "20 October 2015"
    assert _text(second["H"]) == '\'=HYPERLINK("x")', "never a formula"
    assert sheet.find(".//m:f", NS) is None
    assert _text(second["I"]) == "line one\nline two"
    assert _text(second["J"]) == "ctrlchar", "no character XML cannot hold"
    assert second["M"].findtext("m:v", namespaces=NS) == "12"
    day_style = xfs[int(first["F"].attrib["s"])]
    assert formats[day_style.attrib["numFmtId"]] == "d mmm yyyy"
    for cell in (first["H"], first["G"], second["I"]):
        alignment = xfs[int(cell.attrib["s"])].find("m:alignment", NS)
        assert alignment is not None and alignment.attrib["wrapText"] == "1"
    rows = sheet.findall("m:sheetData/m:row", NS)
    assert [r.attrib["r"] for r in rows] == ["1", "2", "3"], "the sample row is gone"
    # The long text wraps to several lines at 60 characters; the row is tall.
    assert float(rows[1].attrib["ht"]) > 4 * 15
    assert float(rows[2].attrib["ht"]) == 2 * 15 + 3, "two short lines"
    assert sheet.find("m:autoFilter", NS) is not None
    pane = sheet.find("m:sheetViews/m:sheetView/m:pane", NS)
    assert pane is not None and pane.attrib["state"] == "frozen"


@pytest.mark.office
def test_libreoffice_reads_back_every_value(tmp_path: Path) -> None:
    _office_ready()
    assert shutil.which("soffice")
    path = _written(tmp_path)
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
         "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76",
         "--outdir", str(tmp_path), str(path)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    table = list(csv.reader(io.StringIO(path.with_suffix(".csv").read_text("utf-8"))))
    assert table[0] == HEADER
    assert table[1][:9] == [
        "Round 1", "LA-01", "LA-R1; LSCB-R2", "Supervision", "Named",
        "1 Jan 2026", "3", LONG, "a & b < c > d",
    ]  # fmt: skip
    assert table[2][5:10] == ["20 Oct 2015", "", "'=HYPERLINK(\"x\")",
                              "line one\nline two", "ctrlchar"]  # fmt: skip
    assert table[2][12] == "12"
    assert len(table) == 3


def test_a_date_with_a_time_is_a_day_number_with_its_fraction() -> None:
    from portal.sheet_stream import Styles, row_xml

    xml = row_xml(
        2, [datetime(2026, 1, 1, 18, 0), date(2026, 1, 1)], Styles("1", "2"), 18
    )
    assert '<c s="2"><v>46023.75</v></c><c s="2"><v>46023</v></c>' in xml
