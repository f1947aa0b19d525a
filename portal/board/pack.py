"""The board pack as a Word document, from a frozen quarter: a one-page overview
(counts by RAG and by phase), progress over quarters as a chart with its table,
the exceptions, what changed, open requests, then each recommendation and the
risks at or above the board threshold. The print page shows the same content."""

from __future__ import annotations

from typing import Any

from docx.document import Document as DocxDocument
from docx.shared import Mm, Pt

from portal import charts, documents
from portal.board import changes
from portal.board.quarters import Quarter
from portal.board.signoff import PHASES
from portal.export_formats import xml_safe
from portal.models import ActionStatus, EvidenceKind
from portal.timefmt import local_date

State = dict[str, Any]


def _status(value: str) -> str:
    return ActionStatus(value).label


def _short(text: str, limit: int = 60) -> str:
    """A heading-length cut, at a word, marked as cut."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}{'' if number == 1 else 's'}"


def to_docx(
    state: State,
    changed: changes.Changes,
    trend: list[list[Any]],
    letterhead: documents.Letterhead,
) -> bytes:
    quarter = Quarter.parse(state["quarter"])
    document = documents.word_document(letterhead, landscape=False)
    document.add_paragraph(xml_safe(letterhead.marking)).runs[0].bold = True
    document.add_heading(xml_safe(letterhead.title), level=0)
    document.add_paragraph(xml_safe(letterhead.council))
    document.add_paragraph(
        f"{quarter.label}. Figures as frozen on {local_date(state['as_of'])}: later "
        "changes appear in the next quarter's pack."
    )
    documents.contents(
        document,
        ["Overview", "Exceptions", "What changed since the previous quarter",
         "Requests for detailed reports",
         *(f"{r['code']}: {_short(r['text'])}" for r in state["recommendations"]),
         "Risks for the board"],
    )  # fmt: skip
    document.add_page_break()  # type: ignore[no-untyped-call]
    _overview(document, state, trend)
    document.add_page_break()  # type: ignore[no-untyped-call]
    _exceptions(document, changes.exceptions(state, changed))
    _changes(document, changed)
    _requests(document, state)
    for rec in state["recommendations"]:
        document.add_page_break()  # type: ignore[no-untyped-call]
        _recommendation(document, rec)
    document.add_page_break()  # type: ignore[no-untyped-call]
    _risks(document, state)
    return documents.word_bytes(document)


def _overview(document: DocxDocument, state: State, trend: list[list[Any]]) -> None:
    summary = changes.overview(state)
    document.add_heading("Overview", level=1)
    document.add_paragraph(
        f"{_count(len(state['recommendations']), 'recommendation')}, "
        f"{_count(summary.actions, 'action')}, {summary.overdue} overdue; "
        f"{_count(summary.risks_to_board, 'risk')} at or above the board threshold "
        f"of {state['threshold']}; {_count(summary.open_requests, 'request')} for "
        "reports open."
    )
    document.add_paragraph(
        "Actions are rated by progress (Green, Amber, Red). Recommendations are "
        "signed off in two phases, shown separately: Phase 1, the activity is "
        "complete; Phase 2, evidence shows practice has improved."
    )
    grid = documents.table(document, ["Actions by progress", "Number"])
    for label, count in summary.by_rag:
        cells = grid.add_row().cells
        cells[0].text, cells[1].text = label, str(count)
    documents.size_columns(grid, [Mm(110), Mm(40)], Pt(9))
    document.add_paragraph()
    grid = documents.table(document, ["Recommendations by sign-off", "Number"])
    for label, count in summary.by_phase:
        cells = grid.add_row().cells
        cells[0].text, cells[1].text = label, str(count)
    documents.size_columns(grid, [Mm(110), Mm(40)], Pt(9))
    document.add_heading("Progress over quarters", level=2)
    grid = documents.table(document, list(changes.TREND_COLUMNS))
    for row in trend:
        cells = grid.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            cell.text = str(value)
    documents.size_columns(grid, [Mm(28)] + [Mm(22)] * 6, Pt(9))
    if trend:
        documents.chart(
            document,
            charts.bar_chart(changes.trend_bars(trend), width=900),
            "Bar chart of recommendations signed off at Phase 1 and at Phase 2 in "
            "each frozen quarter, the same figures as the table above.",
            width_mm=120,
        )


def _bullet(document: DocxDocument, text: str) -> None:
    document.add_paragraph(xml_safe(text), style="List Bullet")


def _action_line(rec: State, action: State) -> str:
    text = f"{rec['code']}: {action['action'][:120]} ({action['lead_officer']})"
    if action["reason"]:
        text += f". Reason: {action['reason']}"
    return text


def _exceptions(document: DocxDocument, found: changes.Exceptions) -> None:
    document.add_heading("Exceptions", level=1)
    if found.nothing:
        document.add_paragraph(
            "No action is red, amber or overdue, and no risk is new."
        )
    for title, rows in (("Red", found.red), ("Amber", found.amber)):
        if rows:
            document.add_heading(f"{title} actions", level=2)
            for rec, action in rows:
                _bullet(document, _action_line(rec, action))
    if found.overdue:
        document.add_heading("Overdue actions and their remedial steps", level=2)
        for rec, action in found.overdue:
            step = action["remedial_step"] or "No remedial step recorded"
            due = local_date(action["target_date"])
            _bullet(document, f"{rec['code']}: {action['action'][:120]}, due {due}. "
                    f"Remedial step: {step}")  # fmt: skip
    if found.new_risks:
        document.add_heading("New risks", level=2)
        for risk in found.new_risks:
            score = risk["current"]["score"]
            _bullet(document, f"R{risk['id']}: {risk['title']} (current score {score})")


def _changes(document: DocxDocument, changed: changes.Changes) -> None:
    document.add_heading("What changed since the previous quarter", level=1)
    if changed.previous_quarter is None:
        document.add_paragraph("This is the first frozen quarter: everything is new.")
    elif changed.nothing:
        document.add_paragraph("Nothing changed since the previous quarter.")
    lines = [
        *(f"{m['code']}: {_short(m['action']['action'], 100)} (moved from "
          f"{'no rating' if m['new'] else m['from']} to {m['to']})"
          for m in changed.rag_moves),
        *(f"New risk R{r['id']}: {r['title']}" for r in changed.new_risks),
        *(f"Closed risk R{r['id']}: {r['title']}" for r in changed.closed_risks),
        *(f"{g['code']}: {PHASES[g['phase']]} signed off" for g in changed.given),
        *(f"{w['code']}: {PHASES[w['phase']]} sign-off withdrawn. Reason: "
          f"{w['withdrawal_reason'] or 'not recorded'}" for w in changed.withdrawn),
    ]  # fmt: skip
    for line in lines:
        _bullet(document, line)


def _requests(document: DocxDocument, state: State) -> None:
    document.add_heading("Requests for detailed reports", level=1)
    open_ = [r for r in state["requests"] if not r["answered_on"]]
    if not open_:
        document.add_paragraph("No request is open.")
    for asked in open_:
        due = local_date(asked["due_on"])
        _bullet(document, f"{asked['subject']}: {asked['question']} Due {due}.")


def _recommendation(document: DocxDocument, rec: State) -> None:
    document.add_heading(xml_safe(f"{rec['code']}: {_short(rec['text'])}"), level=1)
    document.add_paragraph(xml_safe(rec["text"]))
    document.add_paragraph(
        f"Sign-off: {changes.phase_label(rec['phase'])}. Approved staff input tagged "
        f"to it: {rec['staff_input']} items."
    )
    if rec["actions"]:
        _actions_table(document, rec["actions"])
    else:
        document.add_paragraph("No action is in the plan for this recommendation.")
    _sign_offs(document, rec)
    _evidence(document, rec)


def _actions_table(document: DocxDocument, actions: list[State]) -> None:
    headers = ["Action", "Lead", "Target", "Status", "Done", "Progress", "Commentary"]
    grid = documents.table(document, headers)
    for action in actions:
        cells = grid.add_row().cells
        commentary = action["commentary"] or "No update yet"
        if action["reason"]:
            commentary += f" Reason: {action['reason']}"
        if action["overdue"]:
            commentary += (
                f" Overdue. Remedial step: {action['remedial_step'] or 'none recorded'}"
            )
        values = [action["action"], action["lead_officer"],
                  local_date(action["target_date"]), _status(action["status"]),
                  f"{action['percent_complete']}%", changes.rag_label(action["rag"]),
                  commentary]  # fmt: skip
        for cell, value in zip(cells, values, strict=True):
            cell.text = xml_safe(value)
    documents.size_columns(
        grid, [Mm(40), Mm(22), Mm(20), Mm(18), Mm(12), Mm(20), Mm(38)], Pt(8)
    )


def _sign_offs(document: DocxDocument, rec: State) -> None:
    document.add_heading("Sign-off", level=2)
    if not rec["sign_offs"]:
        document.add_paragraph("Not signed off.")
    for given in rec["sign_offs"]:
        text = (f"{PHASES[given['phase']]}, by {given['given_by']} on "
                f"{local_date(given['given_on'])}. Reason: {given['reason']} Evidence "
                f"relied on: {'; '.join(given['evidence'])}.")  # fmt: skip
        if given["practice_checked_by"]:
            text += (f" Practice checked by {given['practice_checked_by']} on "
                     f"{local_date(given['practice_checked_on'])}: "
                     f"{given['practice_check']}")  # fmt: skip
        if given["withdrawn_on"]:
            text += (f" Withdrawn on {local_date(given['withdrawn_on'])}: "
                     f"{given['withdrawal_reason']}")  # fmt: skip
        _bullet(document, text)


def _evidence(document: DocxDocument, rec: State) -> None:
    document.add_heading("Evidence", level=2)
    if not rec["evidence"]:
        document.add_paragraph("No evidence recorded.")
    for item in rec["evidence"]:
        kind = EvidenceKind(item["kind"]).label
        _bullet(
            document, f"{item['title']} ({kind}, {local_date(item['effective_on'])})"
        )


def _risks(document: DocxDocument, state: State) -> None:
    document.add_heading("Risks for the board", level=1)
    shown = [r for r in state["risks"] if r["to_board"]]
    document.add_paragraph(
        f"Open risks with a current score of {state['threshold']} or more "
        "(likelihood times impact, each from 1 to 5)."
    )
    if not shown:
        document.add_paragraph("No open risk is at or above the threshold.")
        return
    headers = ["Risk", "Owner", "Inherent", "Current", "Target", "Rationale", "Review"]
    grid = documents.table(document, headers)
    for risk in shown:
        cells = grid.add_row().cells
        review = local_date(risk["review_on"]) + (
            " (overdue)" if risk["review_overdue"] else ""
        )
        controls, mitigation = risk["existing_controls"], risk["mitigating_actions"]
        values = [f"R{risk['id']}: {risk['title']}. Controls: {controls} "
                  f"Mitigation: {mitigation}",
                  risk["owner"], str(risk["inherent"]["score"]),
                  str(risk["current"]["score"]), str(risk["target"]["score"]),
                  risk["rationale"], review]  # fmt: skip
        for cell, value in zip(cells, values, strict=True):
            cell.text = xml_safe(value)
    documents.size_columns(
        grid, [Mm(50), Mm(22), Mm(15), Mm(15), Mm(15), Mm(33), Mm(20)], Pt(8)
    )
