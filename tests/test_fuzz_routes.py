"""Bad input never reaches a 500: every route in app.url_map, as someone holding
every role, with integers too large for the database in the URL and the query
string, file parts in text fields and repeated fields; with CSRF on as well, so
the expired-form recovery meets the same input."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from portal.formkit import db_id
from portal.models import EngagementRound, Role
from tests.conftest import sign_in_as
from tests.factories import make_submission, make_team, make_user

HUGE = str(2**64)
QUERIED = ("page", "round", "area", "before", "after", "recommendation", "theme",
           "status", "flag")  # fmt: skip
QUERY = dict.fromkeys(QUERIED, HUGE)
FIELDS = ["obstacles", "biggest_difference", "practice_example", "priority", "mode",
          "team_id", "role_group_id", "form_token", "email", "password", "name",
          "code", "text", "reason", "note", "item_ids", "decision", "format",
          "rounds", "key_messages", "questions", "action", "recommendation_ids",
          "theme_ids", "evidence_ids", "area_ids", "target_date", "status"]  # fmt: skip


def _paths(app: Flask, item_id: str) -> list[tuple[str, set[str]]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(r"<int:\w+>", HUGE, rule.rule)
        path = re.sub(r"<uuid:\w+>", item_id, path)
        found.append((path, set(rule.methods or ())))
    return found


def _everyone(session: Session, open_round: EngagementRound) -> tuple[str, object]:
    person = make_user(session, *Role, team=make_team(session, "Team F"))
    item = make_submission(session, person, open_round)
    return item.id, person


def _hostile_forms() -> list[dict[str, object]]:
    return [
        dict.fromkeys(FIELDS, HUGE),
        {name: [HUGE, "1", "x"] for name in FIELDS},  # repeated fields
        {name: (io.BytesIO(b"file body"), "a.txt") for name in FIELDS[:6]},
        {"target_date": ["99", "99", "99999999999999999999"], "priority": "²"},
    ]


@pytest.mark.parametrize("csrf", [False, True], ids=["csrf-off", "csrf-on"])
def test_no_route_answers_bad_input_with_a_500(
    make_app: Callable[..., Flask],
    app: Flask,
    session: Session,
    open_round: EngagementRound,
    csrf: bool,
) -> None:
    fuzzed = make_app(WTF_CSRF_ENABLED=csrf)
    item_id, person = _everyone(session, open_round)
    client: FlaskClient = fuzzed.test_client()
    sign_in_as(client, person)  # type: ignore[arg-type]
    failures = []
    for path, methods in _paths(fuzzed, item_id):
        if "GET" in methods:
            for query in (QUERY, {k: [HUGE, "1"] for k in QUERY}):
                response = client.get(path, query_string=query)
                response.get_data()  # a streamed download ends before the next
                if response.status_code >= 500:
                    failures.append(f"GET {path} {response.status_code}")
        if "POST" in methods and not path.startswith("/sign-out"):
            for form in _hostile_forms():
                response = client.post(path, data=form)
                response.get_data()
                if response.status_code >= 500:
                    failures.append(f"POST {path} {response.status_code}")
        sign_in_as(client, person)  # type: ignore[arg-type]
    assert failures == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [("42", 42), (str(2**63 - 1), 2**63 - 1), (str(2**63), None), ("²", None),
     ("٣", None), ("-1", None), ("", None), (None, None), (" 7", None)],
)  # fmt: skip
def test_ids_are_ascii_digits_within_the_database_range(
    value: object, expected: int | None
) -> None:
    assert db_id(value) == expected
