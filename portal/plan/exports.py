"""The draft plan in the usual council layout: recommendation, action, lead officer,
timescale, measure of success, status, and how much staff input supports it."""

from __future__ import annotations

import io

import xlsxwriter
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Pt

from portal.export_formats import safe_cell, xml_safe
from portal.models import ActionStatus, PlanAction, Recommendation

COLUMNS = [
    "Recommendation",
    "Action",
    "Lead officer",
    "Timescale",
    "Measure of success",
    "Status",
    "Staff input cited",
]


def _rows(plan: list[tuple[Recommendation, list[PlanAction]]]) -> list[list[str]]:
    rows = []
    for rec, actions in plan:
        if not actions:
            rows.append(
                [f"{rec.code}: {rec.text}", "No action drafted yet", "", "", "", "", ""]
            )
        for action in actions:
            rows.append(
                [
                    f"{rec.code}: {rec.text}",
                    action.action,
                    action.lead_officer,
                    f"{action.target_date:%-d %B %Y}",
                    action.success_measure,
                    ActionStatus(action.status).label,
                    str(len(action.evidence)),
                ]
            )
    return rows


def to_docx(plan: list[tuple[Recommendation, list[PlanAction]]], title: str) -> bytes:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    document.styles["Normal"].font.name = "Arial"
    document.styles["Normal"].font.size = Pt(10)
    document.add_heading(xml_safe(title), level=0)
    table = document.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, COLUMNS, strict=True):
        cell.text = name
    for row in _rows(plan):
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = xml_safe(value)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def to_xlsx(plan: list[tuple[Recommendation, list[PlanAction]]]) -> bytes:
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        output,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False},
    )
    sheet = workbook.add_worksheet("Improvement plan")
    bold = workbook.add_format({"bold": True, "text_wrap": True})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    for column, name in enumerate(COLUMNS):
        sheet.write_string(0, column, name, bold)
        sheet.set_column(column, column, 40 if column in (0, 1, 4) else 18)
    for row_number, row in enumerate(_rows(plan), start=1):
        for column, value in enumerate(row):
            sheet.write_string(row_number, column, safe_cell(value), wrap)
    workbook.close()
    return output.getvalue()
