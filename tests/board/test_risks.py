"""The risk register and requests for detailed reports."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, ReportRequest, Risk, RiskReview
from tests.board.conftest import Board, local_today
from tests.conftest import reload, sign_in_as


def _risk_form(app: Flask, board: Board, **overrides: object) -> dict[str, object]:
    review = local_today(app)
    data: dict[str, object] = {
        "title": "Workforce instability",
        "owner": "Director of Children's Services",
        "description": "Managers leave and supervision lapses.",
        "cause": "Vacancies in team manager posts.",
        "effect": "Drift in children's plans.",
        "existing_controls": "Agency cover; weekly vacancy panel.",
        "mitigating_actions": "Recruitment campaign; market supplement.",
        "inherent_likelihood": "5", "inherent_impact": "5",
        "current_likelihood": "4", "current_impact": "4",
        "target_likelihood": "2", "target_impact": "3",
        "rationale": "Three manager posts vacant.",
        "review_on": [str(review.day), str(review.month), str(review.year + 1)],
        "recommendation_ids": [str(board.rec.id)],
    }  # fmt: skip
    data.update(overrides)
    return data


def test_a_risk_is_scored_reviewed_each_quarter_and_closed_with_a_reason(
    app: Flask, client: FlaskClient, session: Session, board: Board
) -> None:
    sign_in_as(client, board.lead)
    unlinked = client.post(
        "/board/risks/new", data=_risk_form(app, board, recommendation_ids=[])
    )
    assert "Link the risk to at least one" in unlinked.text
    no_score = client.post(
        "/board/risks/new", data=_risk_form(app, board, current_impact="9")
    )
    assert "Choose the current impact, from 1 to 5" in no_score.text
    no_rationale = client.post(
        "/board/risks/new", data=_risk_form(app, board, rationale="")
    )
    assert "Give the rationale for the current score" in no_rationale.text
    created = client.post("/board/risks/new", data=_risk_form(app, board))
    assert created.status_code == 302
    reload(session)
    risk = session.scalar(select(Risk))
    assert risk is not None
    assert (risk.score("inherent"), risk.score("current"), risk.score("target")) == (
        25,
        16,
        6,
    )
    assert risk.existing_controls != risk.mitigating_actions
    register = client.get("/board/risks").text
    assert "To the board" in register, "16 is at or above the threshold of 15"
    # A new current score needs its rationale; the old review is kept.
    moved = client.post(
        f"/board/risks/{risk.id}/edit",
        data=_risk_form(app, board, current_likelihood="3", rationale=""),
    )
    assert "Give the rationale" in moved.text
    client.post(
        f"/board/risks/{risk.id}/edit",
        data=_risk_form(app, board, current_likelihood="3",
                        rationale="Two posts filled."),
    )  # fmt: skip
    reload(session)
    reviews = session.scalars(select(RiskReview).order_by(RiskReview.id)).all()
    assert [(r.likelihood, r.rationale) for r in reviews] == [
        (4, "Three manager posts vacant."),
        (3, "Two posts filled."),
    ]
    assert "To the board" not in client.get("/board/risks").text, "12 is below 15"
    no_reason = client.post(f"/board/risks/{risk.id}/close", data={"reason": ""})
    assert no_reason.status_code == 400
    closed = client.post(
        f"/board/risks/{risk.id}/close", data={"reason": "All posts filled."}
    )
    assert closed.status_code == 302
    assert "Workforce instability" not in client.get("/board/risks").text
    again = client.post(f"/board/risks/{risk.id}/edit", data=_risk_form(app, board))
    assert again.status_code in (400, 409) and "closed" in again.text
    reload(session)
    actions = [
        e.action
        for e in session.scalars(
            select(AuditEvent)
            .where(AuditEvent.subject_type == "risk")
            .order_by(AuditEvent.id)
        )
    ]
    assert actions == ["risk_saved", "risk_saved", "risk_closed"]


def test_the_board_requests_a_report_and_the_lead_officer_answers(
    app: Flask, client: FlaskClient, session: Session, board: Board
) -> None:
    sign_in_as(client, board.member)
    url = f"/board/recommendations/{board.rec.id}/requests"
    on = local_today(app)
    past = client.post(
        url,
        data={"question": "Why is supervision slipping?",
              "due_on": [str(on.day), str(on.month), str(on.year)]},
    )  # fmt: skip
    assert "due date in the future" in past.text
    asked = client.post(
        url,
        data={"question": "Why is supervision slipping in the south teams?",
              "due_on": [str(on.day), str(on.month), str(on.year + 1)]},
    )  # fmt: skip
    assert asked.status_code == 302
    listing = client.get("/board/requests").text
    assert "Why is supervision slipping in the south teams?" in listing
    assert "Answer this request" not in listing, "board members ask; they do not answer"
    assert "No request is open" not in client.get("/board").text
    reload(session)
    request_ = session.scalar(select(ReportRequest))
    assert request_ is not None
    sign_in_as(client, board.member)
    assert client.post(f"/board/requests/{request_.id}/answer").status_code == 403
    sign_in_as(client, board.lead)
    empty = client.post(f"/board/requests/{request_.id}/answer", data={"answer": ""})
    assert empty.status_code == 400
    answered = client.post(
        f"/board/requests/{request_.id}/answer",
        data={"answer": "Two managers left; cover is in place from May."},
    )
    assert answered.status_code == 302
    assert "No request is open" in client.get("/board").text
    page = client.get(f"/board/recommendations/{board.rec.id}").text
    assert "cover is in place from May" in page
    reload(session)
    assert [
        e.action
        for e in session.scalars(
            select(AuditEvent)
            .where(AuditEvent.subject_type == "report_request")
            .order_by(AuditEvent.id)
        )
    ] == ["report_requested", "report_answered"]
