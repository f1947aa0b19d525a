"""Every board URL, walked from app.url_map, as every role: allowed exactly when
the role holds the view's permission. The board member may view the board, sign
off and request reports, and nothing else in the portal."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from portal.access import Permission
from portal.models import Role
from tests.board.conftest import Board
from tests.conftest import sign_in_as
from tests.factories import make_user

# Written out, not read from portal.access: who may do what on the board.
WHO = {
    Permission.VIEW_BOARD: {Role.BOARD_MEMBER, Role.LEAD_OFFICER, Role.PLANNER},
    Permission.RECORD_PROGRESS: {Role.LEAD_OFFICER, Role.PLANNER},
    Permission.MANAGE_RISKS: {Role.LEAD_OFFICER, Role.PLANNER},
    Permission.FREEZE_QUARTER: {Role.PLANNER},
    Permission.SIGN_OFF: {Role.BOARD_MEMBER},
    Permission.REQUEST_REPORTS: {Role.BOARD_MEMBER},
}
# And which permission each board page needs.
NEEDS = {
    "board.index": Permission.VIEW_BOARD,
    "board.recommendation": Permission.VIEW_BOARD,
    "board.update": Permission.RECORD_PROGRESS,
    "board.add_evidence": Permission.RECORD_PROGRESS,
    "board.evidence_file": Permission.VIEW_BOARD,
    "board.sign_off": Permission.SIGN_OFF,
    "board.withdraw": Permission.SIGN_OFF,
    "board.risk_register": Permission.VIEW_BOARD,
    "board.risk": Permission.VIEW_BOARD,
    "board.new_risk": Permission.MANAGE_RISKS,
    "board.edit_risk": Permission.MANAGE_RISKS,
    "board.close_risk": Permission.MANAGE_RISKS,
    "board.request_for_recommendation": Permission.REQUEST_REPORTS,
    "board.request_for_risk": Permission.REQUEST_REPORTS,
    "board.report_requests": Permission.VIEW_BOARD,
    "board.answer": Permission.RECORD_PROGRESS,
    "board.quarters": Permission.VIEW_BOARD,
    "board.freeze": Permission.FREEZE_QUARTER,
    "board.quarter": Permission.VIEW_BOARD,
    "board.quarter_pack": Permission.VIEW_BOARD,
}

BOARD_ROLES = [Role.BOARD_MEMBER, Role.LEAD_OFFICER, Role.PLANNER, Role.ADMIN,
               Role.CONTRIBUTOR, Role.MODERATOR]  # fmt: skip


def _board_rules(app: Flask) -> list[tuple[str, str, Permission]]:
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("board."):
            continue
        declared = app.view_functions[rule.endpoint].required_permission
        assert declared == NEEDS[rule.endpoint], rule.endpoint
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            found.append((method, rule.rule, NEEDS[rule.endpoint]))
    return found


def _id(board: Board, name: str) -> str:
    if name == "phase":
        return "1"
    return str(board.rec.id if "recommendation" in name else board.action.id)


@pytest.mark.parametrize("role", BOARD_ROLES)
def test_every_board_url_is_open_exactly_to_its_permission(
    app: Flask, client: FlaskClient, session: Session, board: Board, role: Role
) -> None:
    rules = _board_rules(app)
    assert len(rules) >= 25
    sign_in_as(client, make_user(session, role))
    for method, rule, permission in rules:
        url = re.sub(r"<int:(\w+)>", lambda m: _id(board, m.group(1)), rule)
        response = client.open(url, method=method, data={})
        if role in WHO[permission]:
            assert response.status_code in (200, 302, 400, 404), (role, method, url)
        else:
            assert response.status_code == 403, (role, method, url)


def test_a_board_member_sees_nothing_else_of_the_portal(
    client: FlaskClient, board: Board
) -> None:
    sign_in_as(client, board.member)
    for url in ("/framework", "/plan", "/summaries", "/tagging", "/moderation",
                "/feedback", "/admin/users"):  # fmt: skip
        assert client.get(url).status_code == 403, url
    assert client.get("/board").status_code == 200
