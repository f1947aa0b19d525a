"""The draft plan in the usual council layout: recommendation, action, lead officer,
timescale, measure of success, status, and the staff input behind it, in the
house style of portal/documents.py. The Word plan ends with an evidence appendix:
for each action, short quoted excerpts of the input it cites, with their area,
round and date, so a reader sees what the frontline said."""

from __future__ import annotations

import io
from dataclasses import dataclass

from docx.shared import Pt

from portal import documents
from portal.documents import Letterhead
from portal.export_formats import safe_cell, xml_safe
from portal.models import (
    ANSWER_FIELDS,
    ActionStatus,
    PlanAction,
    Recommendation,
    Submission,
    SubmissionStatus,
)

COLUMNS = [
    "Recommendation",
    "Action",
    "Lead officer",
    "Timescale",
    "Measure of success",
    "Status",
    "Staff input cited",
]
EXCERPT_CHARS = 280
Plan = list[tuple[Recommendation, list[PlanAction]]]


@dataclass(frozen=True)
class Evidence:
    reference: str  # "E3", as cited in the plan's table
    action: PlanAction
    items: list[Submission]


def _evidence(plan: Plan) -> dict[int, Evidence]:
    """Cited input that still counts (approved, not withdrawn), per action."""
    found: dict[int, Evidence] = {}
    for _rec, actions in plan:
        for action in actions:
            items = [
                i
                for i in action.evidence
                if i.status == SubmissionStatus.APPROVED and i.withdrawn_on is None
            ]
            if items:
                found[action.id] = Evidence(f"E{len(found) + 1}", action, items)
    return found


def _rows(plan: Plan, evidence: dict[int, Evidence]) -> list[list[str]]:
    rows = []
    for rec, actions in plan:
        if not actions:
            rows.append(
                [f"{rec.code}: {rec.text}", "No action drafted yet", "", "", "", "", ""]
            )
        for action in actions:
            cited = evidence.get(action.id)
            rows.append(
                [
                    f"{rec.code}: {rec.text}",
                    action.action,
                    action.lead_officer,
                    f"{action.target_date:%-d %B %Y}",
                    action.success_measure,
                    ActionStatus(action.status).label,
                    f"{len(cited.items)} items (see {cited.reference})"
                    if cited
                    else "None cited",
                ]
            )
    return rows


def excerpt(item: Submission) -> str:
    """The start of the item's first answer, cut at a word."""
    text = " ".join(
        " ".join((getattr(item, name) or "").split()) for name in ANSWER_FIELDS
    ).strip()
    if len(text) <= EXCERPT_CHARS:
        return text
    return text[:EXCERPT_CHARS].rsplit(" ", 1)[0] + "…"


def to_docx(plan: Plan, letterhead: Letterhead) -> bytes:
    document = documents.word_document(letterhead, landscape=True)
    document.styles["Normal"].font.size = Pt(10)
    document.add_heading(xml_safe(letterhead.title), level=0)
    document.add_paragraph(
        "One row per action. “Staff input cited” refers to the evidence appendix, "
        "which quotes the input behind each action."
    )
    evidence = _evidence(plan)
    grid = documents.table(document, COLUMNS)
    for row in _rows(plan, evidence):
        for cell, value in zip(grid.add_row().cells, row, strict=True):
            cell.text = xml_safe(value)
    document.add_page_break()  # type: ignore[no-untyped-call]
    document.add_heading("Evidence appendix: what staff said", level=1)
    if not evidence:
        document.add_paragraph("No action cites staff input yet.")
    for cited in evidence.values():
        action = cited.action
        document.add_heading(
            xml_safe(f"{cited.reference}: {action.recommendation.code}, "
                     f"{action.action[:120]}"),
            level=2,
        )  # fmt: skip
        for item in cited.items:
            quote = document.add_paragraph(style="Quote")
            quote.add_run(xml_safe(f"“{excerpt(item)}”")).italic = True
            document.add_paragraph(
                xml_safe(f"{item.area.code} {item.area.title} · {item.round.title} · "
                         f"{item.submitted_on:%-d %B %Y}"),
            )  # fmt: skip
    return documents.word_bytes(document)


def to_xlsx(plan: Plan, letterhead: Letterhead) -> bytes:
    import xlsxwriter  # on first use: not part of every start of the portal

    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        output,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
    )
    documents.workbook_properties(workbook, letterhead)
    sheet = workbook.add_worksheet("Improvement plan")
    heading = workbook.add_format(
        {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#F3F2F1"}
    )
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    rows = _rows(plan, _evidence(plan))
    widths = documents.column_widths(COLUMNS, rows)
    documents.set_up_sheet(sheet, letterhead, COLUMNS, widths, heading, len(rows))
    for row_number, row in enumerate(rows, start=1):
        sheet.set_row(row_number, documents.row_height(row, widths))
        for column, value in enumerate(row):
            sheet.write_string(row_number, column, safe_cell(value), wrap)
    workbook.close()
    return output.getvalue()
