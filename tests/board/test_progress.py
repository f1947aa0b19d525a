"""Quarterly progress: the suggested RAG from a straight line, the reasons it
needs, overdue actions needing a remedial step, and the kept history."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.board.progress import expected_percent, suggest_rag
from portal.board.quarters import Quarter
from portal.models import ActionUpdate, AuditEvent, PlanAction, Rag
from tests.board.conftest import Board, add_action, local_today
from tests.conftest import reload, sign_in_as


def test_expected_progress_is_a_straight_line_between_start_and_target() -> None:
    start, target = date(2016, 1, 1), date(2016, 1, 11)
    assert expected_percent(start, target, date(2015, 12, 1)) == 0
    assert expected_percent(start, target, date(2016, 1, 6)) == 50
    assert expected_percent(start, target, date(2016, 1, 9)) == 80
    assert expected_percent(start, target, date(2016, 2, 1)) == 100


def test_suggested_rating_thresholds(app: Flask, board: Board) -> None:
    # Half-way along the line (fixture): 50% expected today.
    on, action = local_today(app), board.action
    assert suggest_rag(action, 45, "in_progress", on) is Rag.GREEN  # 90% of expected
    assert suggest_rag(action, 44, "in_progress", on) is Rag.AMBER
    assert suggest_rag(action, 36, "in_progress", on) is Rag.AMBER
    assert suggest_rag(action, 35, "in_progress", on) is Rag.RED  # 70% of expected
    assert suggest_rag(action, 100, "complete", on) is Rag.GREEN


def _update(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "status": "in_progress",
        "percent_complete": "50",
        "rag_choice": "suggested",
        "reason": "",
        "commentary": "Monthly audits started in all four teams.",
        "remedial_step": "",
    }
    data.update(overrides)
    return data


def test_each_rating_that_needs_a_reason_is_refused_without_one(
    client: FlaskClient, session: Session, board: Board
) -> None:
    sign_in_as(client, board.lead)
    url = f"/board/actions/{board.action.id}/update"
    refusals = {
        "the action is amber": _update(percent_complete="40"),
        "the action is red": _update(percent_complete="10"),
        "changing the suggested rating": _update(rag_choice="amber"),
        "the action is complete": _update(status="complete", percent_complete="100"),
    }
    for words, form in refusals.items():
        response = client.post(url, data=form)
        assert response.status_code == 400, words
        assert words in response.text, words
    blank = client.post(url, data=_update(commentary=" "))
    assert blank.status_code == 400 and "commentary" in blank.text
    half = client.post(url, data=_update(status="complete", percent_complete="90"))
    assert "must be 100% complete" in half.text
    reload(session)
    assert session.scalar(select(ActionUpdate)) is None, "nothing refused was kept"


def test_an_update_is_kept_with_its_history_and_audited(
    app: Flask, client: FlaskClient, session: Session, board: Board
) -> None:
    sign_in_as(client, board.lead)
    url = f"/board/actions/{board.action.id}/update"
    first = client.post(url, data=_update())
    assert first.status_code == 302
    second = client.post(
        url,
        data=_update(percent_complete="40", reason="Two teams lost managers.",
                     commentary="Audits paused in two teams."),
    )  # fmt: skip
    assert second.status_code == 302
    reload(session)
    updates = list(session.scalars(select(ActionUpdate).order_by(ActionUpdate.id)))
    assert [(u.rag, u.suggested_rag) for u in updates] == [
        ("green", "green"),
        ("amber", "amber"),
    ]
    assert updates[0].commentary == "Monthly audits started in all four teams."
    assert {u.quarter for u in updates} == {Quarter.containing(local_today(app)).key}
    action = session.get(PlanAction, board.action.id)
    assert action is not None and (action.rag, action.percent_complete) == ("amber", 40)
    events = list(
        session.scalars(
            select(AuditEvent).where(AuditEvent.action == "progress_recorded")
        )
    )
    assert len(events) == 2 and events[0].actor_id == board.lead.id
    page = client.get(f"/board/recommendations/{board.rec.id}").text
    assert "Monthly audits started" in page and "Audits paused" in page
    assert "Two teams lost managers." in page


def test_an_override_is_kept_beside_the_suggestion(
    client: FlaskClient, session: Session, board: Board
) -> None:
    sign_in_as(client, board.lead)
    response = client.post(
        f"/board/actions/{board.action.id}/update",
        data=_update(rag_choice="red", reason="The new audit tool is not funded."),
    )
    assert response.status_code == 302
    reload(session)
    update = session.scalar(select(ActionUpdate))
    assert update is not None and (update.rag, update.suggested_rag) == ("red", "green")
    event = session.scalar(
        select(AuditEvent).where(AuditEvent.action == "progress_recorded")
    )
    assert event is not None and event.details["after"]["overridden"] is True


def test_an_overdue_action_needs_its_remedial_step(
    app: Flask, client: FlaskClient, session: Session, board: Board
) -> None:
    on = local_today(app)
    late = add_action(
        session,
        board.planner,
        board.rec,
        start=on - timedelta(days=200),
        target=on - timedelta(days=10),
    )
    sign_in_as(client, board.lead)
    url = f"/board/actions/{late.id}/update"
    form = _update(percent_complete="80", reason="Recruitment delays.")
    page = client.post(url, data=form)
    assert page.status_code == 400 and "enter the remedial step" in page.text
    done = client.post(url, data={**form, "remedial_step": "Agency staff until May."})
    assert done.status_code == 302
    board_page = client.get("/board").text
    assert "Overdue actions (1)" in board_page
    assert "Agency staff until May." in board_page


def test_the_plan_form_is_no_way_round_the_quarterly_update(
    client: FlaskClient, session: Session, board: Board
) -> None:
    sign_in_as(client, board.planner)
    url = f"/plan/actions/{board.action.id}"
    plan = {
        "action": board.action.action,
        "lead_officer": board.action.lead_officer,
        "start_date": ["1", "1", "2026"],
        "target_date": ["1", "1", "2028"],
        "success_measure": board.action.success_measure,
    }
    done = client.post(url, data={**plan, "status": "complete"})
    assert done.status_code == 400
    assert "Record the completion as a quarterly update" in done.text
    assert client.post(url, data={**plan, "status": "at_risk"}).status_code == 302
    sign_in_as(client, board.lead)
    client.post(f"/board/actions/{board.action.id}/update", data=_update())
    sign_in_as(client, board.planner)
    moved = client.post(url, data={**plan, "status": "not_started"})
    assert "status now comes from its quarterly updates" in moved.text
    reload(session)
    action = session.get(PlanAction, board.action.id)
    assert action is not None and action.status == "in_progress"
