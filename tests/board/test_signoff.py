"""The two-phase sign-off: Phase 1 needs every action complete and evidence;
Phase 2 needs performance or quality-assurance evidence and staff voice from a
round after Phase 1, and the independent practice check. Each is audited and can
be withdrawn with a reason."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from portal.models import (
    AuditEvent,
    BoardEvidence,
    EngagementRound,
    PlanAction,
    SignOff,
    utcnow,
)
from tests.board.conftest import Board, local_today
from tests.conftest import reload, sign_in_as
from tests.factories import make_open_round


def _evidence(
    session: Session,
    board: Board,
    kind: str,
    on: date,
    title: str,
    round_: EngagementRound | None = None,
) -> BoardEvidence:
    item = BoardEvidence(
        recommendation_id=board.rec.id,
        kind=kind,
        title=title,
        description="Figures from the quarterly audit.",
        effective_on=on,
        round_id=round_.id if round_ else None,
        added_by_id=board.lead.id,
    )
    session.add(item)
    session.commit()
    return item


def _complete(session: Session, board: Board) -> None:
    action = session.get(PlanAction, board.action.id)
    assert action is not None
    action.status, action.percent_complete = "complete", 100
    session.commit()


def _sign(
    client: FlaskClient, board: Board, phase: int, **data: object
) -> TestResponse:
    return client.post(
        f"/board/recommendations/{board.rec.id}/sign-off/{phase}",
        data={"reason": "Audits show the change.", **data},
    )


def test_phase_one_needs_every_action_complete_and_evidence(
    app: Flask, client: FlaskClient, session: Session, board: Board
) -> None:
    on = local_today(app)
    activity = _evidence(session, board, "activity", on, "Audit programme running")
    sign_in_as(client, board.member)
    open_action = _sign(client, board, 1, evidence_ids=[activity.id])
    assert open_action.status_code == 400
    assert "needs every action complete: 1 of 1 is not" in open_action.text
    _complete(session, board)
    no_evidence = _sign(client, board, 1)
    assert "Choose the evidence the sign-off relies on" in no_evidence.text
    no_reason = _sign(client, board, 1, evidence_ids=[activity.id], reason=" ")
    assert no_reason.status_code == 400
    reload(session)
    assert session.scalar(select(SignOff)) is None
    given = _sign(client, board, 1, evidence_ids=[activity.id])
    assert given.status_code == 302
    again = _sign(client, board, 1, evidence_ids=[activity.id])
    assert again.status_code == 400 and "already signed off" in again.text
    reload(session)
    sign_off = session.scalar(select(SignOff))
    assert sign_off is not None and sign_off.given_by_id == board.member.id
    assert [e.id for e in sign_off.evidence] == [activity.id]
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "signed_off"))
    assert event is not None and event.details["after"]["phase"] == 1


def test_phase_two_needs_later_improvement_evidence_staff_voice_and_a_check(
    app: Flask, client: FlaskClient, session: Session, board: Board
) -> None:
    on = local_today(app)
    _complete(session, board)
    activity = _evidence(session, board, "activity", on, "Audit programme running")
    sign_in_as(client, board.member)
    too_soon = _sign(client, board, 2, evidence_ids=[activity.id])
    assert "sign off Phase 1 first" in too_soon.text
    assert _sign(client, board, 1, evidence_ids=[activity.id]).status_code == 302
    # Phase 1 was signed off three days ago.
    reload(session)
    phase_one = session.scalar(select(SignOff))
    assert phase_one is not None
    phase_one.given_at = utcnow() - timedelta(days=3)
    session.commit()
    stale = _evidence(session, board, "performance", on - timedelta(days=10), "Old KPI")
    fresh = _evidence(session, board, "quality_assurance", on, "Case file audit")
    earlier_round = session.get(
        EngagementRound, make_open_round(session, board.planner).id
    )
    assert earlier_round is not None
    earlier_round.opens_at = utcnow() - timedelta(days=30)
    session.commit()
    old_voice = _evidence(
        session, board, "staff_voice", on, "Spring voice", earlier_round
    )
    later_round = make_open_round(session, board.planner)  # opened yesterday
    new_voice = _evidence(
        session, board, "staff_voice", on, "Autumn voice", later_round
    )
    check = {
        "practice_checked_by": "Principal Social Worker",
        "practice_checked_on": [str(on.day), str(on.month), str(on.year)],
        "practice_check": "Observed 12 supervisions against the standard.",
    }
    refusals = [
        ([stale.id, new_voice.id], "performance data or quality assurance evidence"),
        ([fresh.id, old_voice.id], "staff voice from an engagement round that opened"),
        ([fresh.id], "staff voice from an engagement round that opened"),
    ]
    for ids, words in refusals:
        response = _sign(client, board, 2, evidence_ids=ids, **check)
        assert response.status_code == 400 and words in response.text, words
    unchecked = _sign(client, board, 2, evidence_ids=[fresh.id, new_voice.id])
    assert "Enter who independently checked practice" in unchecked.text
    done = _sign(client, board, 2, evidence_ids=[fresh.id, new_voice.id], **check)
    assert done.status_code == 302
    reload(session)
    phase_two = session.scalar(select(SignOff).where(SignOff.phase == 2))
    assert phase_two is not None
    assert phase_two.practice_checked_by == "Principal Social Worker"
    assert phase_two.practice_check.startswith("Observed 12")
    assert {e.id for e in phase_two.evidence} == {fresh.id, new_voice.id}


def test_withdrawal_needs_a_reason_and_goes_phase_two_first(
    app: Flask, client: FlaskClient, session: Session, board: Board
) -> None:
    on = local_today(app)
    _complete(session, board)
    activity = _evidence(session, board, "activity", on, "Audit programme running")
    for phase in (1, 2):
        session.add(SignOff(recommendation_id=board.rec.id, phase=phase,
                            given_by_id=board.member.id, reason="Agreed.",
                            evidence=[activity]))  # fmt: skip
    session.commit()
    one, two = session.scalars(select(SignOff).order_by(SignOff.phase)).all()
    sign_in_as(client, board.member)
    blocked = client.post(f"/board/sign-offs/{one.id}/withdraw", data={"reason": "x"})
    assert "withdraw the Phase 2 sign-off first" in blocked.text
    empty = client.post(f"/board/sign-offs/{two.id}/withdraw", data={"reason": " "})
    assert empty.status_code == 400
    done = client.post(
        f"/board/sign-offs/{two.id}/withdraw",
        data={"reason": "Re-audit found supervision slipping again."},
    )
    assert done.status_code == 302
    reload(session)
    withdrawn = session.get(SignOff, two.id)
    assert withdrawn is not None and withdrawn.withdrawn_at is not None
    assert withdrawn.withdrawal_reason.startswith("Re-audit")
    assert session.scalar(
        select(AuditEvent).where(AuditEvent.action == "sign_off_withdrawn")
    )
    page = client.get(f"/board/recommendations/{board.rec.id}").text
    assert "withdrawn" in page and "Re-audit found supervision" in page
    # Phase 2 can be given again later; the withdrawn one stays on record.
    assert "Sign off Phase 2" in page


def test_the_two_phases_have_separate_keys_wherever_they_appear(
    client: FlaskClient, board: Board
) -> None:
    sign_in_as(client, board.member)
    page = client.get("/board").text
    assert "Progress key (each action)" in page and "Sign-off key" in page
    assert "Phase 1: activity complete" in page
    assert "Phase 2: practice improved" in page
    # No RAG colour stands for a phase.
    assert 'govuk-tag--green">Phase' not in page
    assert 'govuk-tag--blue">Phase 1' in page and 'govuk-tag--purple">Phase 2' in page
