"""Board fixtures: a recommendation with one plan action, and the people who
monitor it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.board.quarters import today
from portal.models import PlanAction, Recommendation, Role, User
from portal.plan.service import ActionDetails, save_action
from tests.factories import make_user


@dataclass
class Board:
    rec: Recommendation
    action: PlanAction
    planner: User
    lead: User
    member: User


def add_action(
    session: Session,
    planner: User,
    rec: Recommendation,
    *,
    start: date,
    target: date,
    status: str = "in_progress",
    text: str = "Audit supervision records every month and report to the board.",
) -> PlanAction:
    action = save_action(
        session,
        planner,
        rec,
        ActionDetails(
            action=text,
            lead_officer="Head of Service, Children in Need",
            target_date=target,
            success_measure="Supervision happens monthly for 95% of workers.",
            status=status,
            evidence_ids=[],
            start_date=start,
        ),
    )
    session.commit()
    return action


def local_today(app: Flask) -> date:
    """Today in the council's time zone, as the services judge it. (Tests do not
    hold an app context open: requests would then share one.)"""
    with app.app_context():
        return today()


@pytest.fixture
def board(app: Flask, session: Session, framework: None, planner: User) -> Board:
    rec = session.scalar(select(Recommendation).where(Recommendation.code == "LSCB-R2"))
    assert rec is not None
    on = local_today(app)
    # Half-way along the line from start to target today.
    action = add_action(
        session,
        planner,
        rec,
        start=on - timedelta(days=100),
        target=on + timedelta(days=100),
    )
    return Board(
        rec=rec,
        action=action,
        planner=planner,
        lead=make_user(session, Role.LEAD_OFFICER, name="Lena Lead"),
        member=make_user(session, Role.BOARD_MEMBER, name="Bola Board"),
    )
