"""Board-ready documents (portal/documents.py): the seminar pack, the plan and the
data export, checked in their parsed structure and, with the `office` marker, as
a reader sees them: converted to PDF by LibreOffice and read back with poppler
(A4, the marking and "Page 1 of" on every page, no empty sections, no clipped
cell text)."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.documents import Letterhead, row_height
from portal.models import (
    EngagementRound,
    PlanAction,
    Recommendation,
    RecommendationTag,
    Submission,
)
from portal.plan import exports as plan_exports
from portal.plan import service as plan_service
from portal.summaries import export_sheet, pack
from portal.summaries import exports as data_exports
from tests.factories import make_approved

MARKING = "OFFICIAL-SENSITIVE"
LETTERHEAD = Letterhead("Cheshire East Council", MARKING, "Draft plan", "Plan")
LONG = (
    "Protected time for reflective supervision every fortnight, with the notes "
    "written up the same week so the next worker can see the thinking. " * 3
)


@pytest.fixture
def documents_data(session: Session, open_round: EngagementRound) -> Path:
    recs = {r.code: r for r in session.scalars(select(Recommendation))}
    items: list[Submission] = []
    for n in range(6):
        item = make_approved(session, open_round, f"Supervision point {n}. {LONG}")
        items.append(item)
        code = "LSCB-R2" if n < 4 else "LSCB-R7"
        session.add(
            RecommendationTag(submission_id=item.id, recommendation_id=recs[code].id)
        )
    action = PlanAction(
        recommendation_id=recs["LSCB-R2"].id,
        action="Quarterly scrutiny of cared for children's services by the board. " * 3,
        lead_officer="Head of Service, Cared for Children",
        target_date=date(2016, 3, 31),
        success_measure="Board minutes show challenge and follow-up. " * 3,
    )
    action.evidence = items[:2]
    session.add(action)
    session.commit()
    return Path()


def _pack_docx(session: Session) -> bytes:
    built = pack.build_pack(
        session, [], council="Cheshire East Council", minimum=5, today=date(2026, 12, 1)
    )
    return pack.to_docx(built, MARKING)


def _xml(data: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name).decode()


def test_word_documents_have_the_house_style(
    session: Session, documents_data: Path
) -> None:
    data = _pack_docx(session)
    body, core = _xml(data, "word/document.xml"), _xml(data, "docProps/core.xml")
    assert 'w:w="11906" w:h="16838"' in body, "A4 portrait in twentieths of a point"
    assert "<w:tblHeader" in body, "table header rows repeat"
    assert "TOC \\o" in body, "a contents field"
    assert "LSCB-R2" in body and "Recommendations with no input yet" in body
    assert "0 approved items" not in body, "no empty recommendation sections"
    assert "<dc:creator>Cheshire East Council</dc:creator>" in core
    charts = re.findall(r'<wp:docPr [^>]*descr="([^"]+)"', body)
    assert len(charts) == 3, "coverage, and ratings for each of two sections"
    assert charts[0].startswith("Bar chart of approved items per recommendation")
    assert "most input is on LSCB-R2 (4)" in charts[0]
    assert "the most common was 3, given by 4" in charts[1]
    assert "python-docx" not in core and "2013" not in core
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    footer = "".join(_xml(data, n) for n in names if n.startswith("word/footer"))
    assert "NUMPAGES" in footer and MARKING in footer
    plan = plan_exports.to_docx(plan_service.plan(session), LETTERHEAD)
    plan_body = _xml(plan, "word/document.xml")
    assert 'w:orient="landscape"' in plan_body
    assert "Evidence appendix" in plan_body and "2 items (see E1)" in plan_body
    assert "Supervision point 0" in plan_body, "the cited input, quoted"


def test_workbooks_have_the_house_style(session: Session, documents_data: Path) -> None:
    data = plan_exports.to_xlsx(plan_service.plan(session), LETTERHEAD)
    sheet = _xml(data, "xl/worksheets/sheet1.xml")
    assert '<pane ySplit="1"' in sheet and "<autoFilter" in sheet
    assert 'orientation="landscape"' in sheet and 'paperSize="9"' in sheet
    assert 'fitToWidth="1"' in sheet or "<pageSetUpPr fitToPage" in sheet
    assert MARKING in sheet and "Page &amp;P of &amp;N" in sheet
    heights = [float(h) for h in re.findall(r'<row r="\d+"[^>]* ht="([\d.]+)"', sheet)]
    assert max(heights) > 45, "rows grow for their wrapped text"
    assert "<dc:creator>Cheshire East Council</dc:creator>" in _xml(
        data, "docProps/core.xml"
    )


def test_chart_images_are_real_pngs_with_bars_in_proportion() -> None:
    import struct
    import zlib

    from portal.charts import BLUE, bar_chart

    png = bar_chart([("RATED 1", 4), ("RATED 2", 2), ("RATED 3", 0)], width=600)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (600, 3 * 28 + 8)
    data = png[png.index(b"IDAT") + 4 : png.index(b"IEND") - 8]
    raw = zlib.decompress(data)
    stride = 1 + width * 3
    rows = [raw[r * stride + 1 : (r + 1) * stride] for r in range(height)]

    def blue_run(y: int) -> int:
        pixels = [rows[y][x * 3 : x * 3 + 3] for x in range(width)]
        return sum(p == bytes(BLUE) for p in pixels)

    first, second = blue_run(6 + 10), blue_run(28 + 6 + 10)
    assert first > 0 and abs(first - 2 * second) <= 2, "4 is twice as long as 2"


def _office_ready() -> None:
    missing = [t for t in ("soffice", "pdfinfo", "pdftotext") if not shutil.which(t)]
    if missing:
        if os.environ.get("PORTAL_REQUIRE_OFFICE") == "1":
            pytest.fail(f"Office tests are required: missing {missing}")
        pytest.skip(f"missing {missing} (apt-get install libreoffice-writer-nogui "
                    "libreoffice-calc-nogui poppler-utils)")  # fmt: skip


def _as_pdf(data: bytes, name: str, folder: Path) -> tuple[str, list[str]]:
    """LibreOffice's PDF of the file: pdfinfo's report and each page's text."""
    source = folder / name
    source.write_bytes(data)
    profile = folder / "profile"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless",
         "--convert-to", "pdf", "--outdir", str(folder), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    pdf = source.with_suffix(".pdf")
    if os.environ.get("PORTAL_SCREENSHOTS") == "1" and name in (
        "pack.docx",
        "plan.docx",
    ):
        # The README's images of page 1, rewritten only on request.
        target = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
        stem = target / f"{name.split('.')[0]}-page-1"
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
             str(pdf), str(stem)],
            check=True, timeout=60,
        )  # fmt: skip
    info = subprocess.run(
        ["pdfinfo", str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return info, [page for page in text.split("\f") if page.strip()]


@pytest.mark.office
def test_documents_read_right_when_opened_in_libreoffice(
    session: Session, documents_data: Path, tmp_path: Path
) -> None:
    _office_ready()
    plan = plan_service.plan(session)
    files = {
        "pack.docx": _pack_docx(session),
        "plan.docx": plan_exports.to_docx(plan, LETTERHEAD),
        "plan.xlsx": plan_exports.to_xlsx(plan, LETTERHEAD),
    }
    data_path = tmp_path / "data.xlsx"
    request = data_exports.ExportRequest([], False, 10)
    export_sheet.write_xlsx(session, request, str(data_path), LETTERHEAD)
    files["data.xlsx"] = data_path.read_bytes()
    for name, data in files.items():
        info, pages = _as_pdf(data, name, tmp_path)
        assert "(A4)" in info, f"{name}: {info}"
        count = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
        assert 1 <= count <= 12, f"{name}: {count} pages"
        for number, page in enumerate(pages, 1):
            assert MARKING in page, f"{name} page {number} has the marking"
            assert f"Page {number} of {count}" in " ".join(page.split()), (
                f"{name} page {number} numbered"
            )
        joined = " ".join(" ".join(pages).split())
        if name == "pack.docx":
            assert "LSCB-R2" in joined and "Recommendations with no input yet" in joined
            assert "0 approved items" not in joined
        if name == "plan.xlsx":
            # Every cell's words are on the page: none hidden by a short row.
            for row in plan_exports._rows(plan, plan_exports._evidence(plan)):
                for value in row:
                    for word in re.findall(r"[A-Za-z]{4,}", value)[-3:]:
                        assert word in joined, f"plan.xlsx: {word!r} is hidden"


@pytest.mark.parametrize(
    ("values", "lines"),
    [
        (["short", 3, None], 1),
        (["x" * 9], 1),  # a 10-wide column holds 9 characters a line
        (["x" * 10], 2),
        (["x" * 18], 2),
        (["x" * 19], 3),
        (["one\ntwo\nthree"], 3),  # each paragraph starts a line
        (["x" * 10 + "\n" + "y" * 3], 3),
        (["x" * 19, "x" * 28], 4),  # the tallest cell sets the row
    ],
)
def test_a_row_is_as_tall_as_its_most_wrapped_cell(
    values: list[object], lines: int
) -> None:
    widths = [10, 10, 10]
    assert row_height(values, widths) == 15 * lines + 3
