"""Drafting the improvement plan: actions with their evidence, and the plan in Word
and Excel in the council layout."""

from __future__ import annotations

import io
import zipfile
from datetime import date

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import (
    AuditEvent,
    EngagementRound,
    PlanAction,
    Recommendation,
    RecommendationTag,
    Role,
    Submission,
)
from tests.conftest import reload, sign_in_as
from tests.factories import make_submission, make_user


def _evidence(
    session: Session,
    item_round: EngagementRound,
    rec: Recommendation,
    status: str = "approved",
) -> Submission:
    item = make_submission(
        session,
        make_user(session, Role.CONTRIBUTOR),
        item_round,
        text="The board never looks at children in care.",
    )
    item.status = status
    session.add(RecommendationTag(submission_id=item.id, recommendation_id=rec.id))
    session.commit()
    return item


def _form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "action": "Quarterly scrutiny of cared for children's outcomes at the board.",
        "lead_officer": "Independent Chair, LSCB",
        "start_date": ["1", "12", "2015"],
        "target_date": ["31", "3", "2016"],
        "success_measure": "Board minutes show challenge; audits improve.",
        "status": "not_started",
    }
    data.update(overrides)
    return data


def test_planner_drafts_an_action_with_evidence(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    rec = session.scalar(select(Recommendation).where(Recommendation.code == "LSCB-R2"))
    assert rec is not None
    good = _evidence(session, open_round, rec)
    pending = _evidence(session, open_round, rec, status="pending")
    planner = make_user(session, Role.PLANNER)
    sign_in_as(client, planner)
    url = f"/plan/recommendations/{rec.id}/actions/new"
    page = client.get(url).text
    assert good.id in page and pending.id not in page, "only approved, tagged input"
    missing = client.post(url, data=_form(lead_officer=" "))
    assert missing.status_code == 400 and "Enter the lead officer" in missing.text
    sneaky = client.post(url, data=_form(evidence_ids=[pending.id]))
    assert sneaky.status_code == 400
    response = client.post(url, data=_form(evidence_ids=[good.id]))
    assert response.headers["Location"].startswith("/plan")
    reload(session)
    action = session.scalar(select(PlanAction))
    assert action is not None and [s.id for s in action.evidence] == [good.id]
    assert str(action.target_date) == "2016-03-31"
    assert session.scalar(
        select(AuditEvent).where(AuditEvent.action == "plan_action_saved")
    )
    edit = client.post(
        f"/plan/actions/{action.id}",
        data=_form(status="in_progress", evidence_ids=[good.id]),
    )
    assert edit.status_code == 302
    page = client.get("/plan").text
    assert "Quarterly scrutiny" in page and "In progress" in page and "1 item" in page


def test_plan_downloads_in_the_council_layout(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    rec = session.scalar(select(Recommendation).where(Recommendation.code == "LSCB-R7"))
    assert rec is not None
    session.add(
        PlanAction(
            recommendation_id=rec.id,
            action="=cmd|' /C calc'!A0 FGM pathway",
            lead_officer="Public health lead",
            target_date=date(2016, 6, 30),
            success_measure="Referrals recorded",
            status="at_risk",
        )
    )
    session.commit()
    sign_in_as(client, make_user(session, Role.PLANNER))
    docx = client.post("/plan/export", data={"format": "docx"})
    assert docx.headers["Content-Disposition"].startswith(
        'attachment; filename="improvement-plan-'
    )
    with zipfile.ZipFile(io.BytesIO(docx.data)) as document:
        xml = document.read("word/document.xml").decode()
    for text in (
        "Recommendation",
        "Lead officer",
        "Timescale",
        "Measure of success",
        "FGM pathway",
        "30 June 2016",
        "At risk",
        "No action drafted yet",
    ):
        assert text in xml, text
    xlsx = client.post("/plan/export", data={"format": "xlsx"})
    with zipfile.ZipFile(io.BytesIO(xlsx.data)) as workbook:
        names = workbook.namelist()
        strings = (
            workbook.read("xl/sharedStrings.xml").decode()
            if ("xl/sharedStrings.xml" in names)
            else workbook.read("xl/worksheets/sheet1.xml").decode()
        )
    assert "'=cmd" in strings or "&apos;=cmd" in strings
    reload(session)
    exported = list(
        session.scalars(
            select(AuditEvent.subject_id)
            .where(AuditEvent.action == "data_exported")
            .order_by(AuditEvent.id)
        )
    )
    assert exported == ["plan-docx", "plan-xlsx"]


def test_only_planners_draft_the_plan(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    for role in (Role.CONTRIBUTOR, Role.MODERATOR, Role.ADMIN, Role.SAFEGUARDING_LEAD):
        sign_in_as(client, make_user(session, role))
        assert client.get("/plan").status_code == 403
        assert client.post("/plan/export", data={"format": "docx"}).status_code == 403
