"""An open engagement round on two areas, and helpers to fill the feedback form."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from portal.models import EngagementRound


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
