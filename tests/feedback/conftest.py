"""An open engagement round on two areas, and helpers to fill the feedback form."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from portal.models import EngagementRound, Role, User
from tests.factories import make_open_round, make_user


@pytest.fixture
def planner(session: Session) -> User:
    return make_user(session, Role.PLANNER, name="Priya Planner")


@pytest.fixture
def open_round(session: Session, framework: None, planner: User) -> EngagementRound:
    return make_open_round(session, planner)


def form_url(item: EngagementRound, index: int = 0) -> str:
    return f"/feedback/rounds/{item.id}/areas/{item.areas[index].id}"


def fresh_token(client: FlaskClient, url: str) -> str:
    match = re.search(
        r'name="form_token" type="hidden" value="([^"]+)"', client.get(url).text
    )
    assert match, "the form carries a one-time token"
    return match.group(1)


def answers(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "mode": "named",
        "obstacles": "Too many handovers between teams.",
        "biggest_difference": "Protected time for reflective supervision.",
        "practice_example": "A plan drifted for months because nobody owned it.",
        "priority": "4",
        "team_id": "",
        "role_group_id": "",
    }
    data.update(overrides)
    return data
