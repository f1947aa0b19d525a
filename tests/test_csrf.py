"""With CSRF protection on, as in production: every POST needs the token, and a
failed or expired form hands the user their words back and changes nothing."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, Role, Team
from tests.conftest import reload
from tests.factories import DEFAULT_PASSWORD, make_user


@pytest.fixture
def csrf_app(make_app: Callable[..., Flask]) -> Flask:
    return make_app(WTF_CSRF_ENABLED=True)


@pytest.fixture
def csrf_client(csrf_app: Flask) -> FlaskClient:
    return csrf_app.test_client()


def token_from(html: str) -> str:
    match = re.search(
        r'name="csrf_token" type="hidden" value="([^"]+)"', html
    ) or re.search(r'type="hidden" name="csrf_token" value="([^"]+)"', html)
    assert match, "the page has a CSRF token"
    return match.group(1)


def sign_in(client: FlaskClient, email: str) -> None:
    token = token_from(client.get("/sign-in").text)
    response = client.post(
        "/sign-in",
        data={"email": email, "password": DEFAULT_PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302


def post_endpoints(app: Flask) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "POST" in (rule.methods or set()):
            url = re.sub(r"<int:[^>]+>", "1", rule.rule)
            urls.append(
                re.sub(r"<uuid:[^>]+>", "00000000-0000-4000-8000-000000000000", url)
            )
    return sorted(urls)


def test_every_post_endpoint_rejects_a_missing_token(
    csrf_app: Flask, csrf_client: FlaskClient, session: Session
) -> None:
    make_user(session, Role.ADMIN, Role.PLANNER, email="admin@council.example")
    sign_in(csrf_client, "admin@council.example")
    reload(session)
    events_before = session.scalar(select(func.count()).select_from(AuditEvent))
    urls = post_endpoints(csrf_app)
    assert "/sign-in" in urls and "/admin/users/new" in urls
    for url in urls:
        response = csrf_client.post(url, data={"name": "x", "kind": "team"})
        assert response.status_code == 400, url
        assert "Your form had expired" in response.text, url
    reload(session)
    assert session.scalar(select(func.count()).select_from(Team)) == 0
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == events_before


def test_bad_token_gives_the_words_back_escaped(
    csrf_client: FlaskClient, session: Session
) -> None:
    make_user(session, Role.ADMIN, email="admin@council.example")
    sign_in(csrf_client, "admin@council.example")
    typed = "Children's <script>alert(1)</script> team\nwith two lines"
    response = csrf_client.post(
        "/admin/teams", data={"name": typed, "kind": "team", "csrf_token": "forged"}
    )
    assert response.status_code == 400
    assert "Nothing was saved" in response.text
    assert (
        "Children&#39;s &lt;script&gt;alert(1)&lt;/script&gt; team\nwith two lines"
        in (response.text)
    )
    assert "<script>alert(1)</script>" not in response.text
    assert 'href="/admin/teams"' in response.text


def test_passwords_are_never_shown_back(csrf_client: FlaskClient) -> None:
    response = csrf_client.post(
        "/sign-in", data={"email": "me@council.example", "password": "hunter2-secret"}
    )
    assert response.status_code == 400
    assert "me@council.example" in response.text
    assert "hunter2-secret" not in response.text


def test_form_with_a_valid_token_works(
    csrf_client: FlaskClient, session: Session
) -> None:
    make_user(session, Role.ADMIN, email="admin@council.example")
    sign_in(csrf_client, "admin@council.example")
    token = token_from(csrf_client.get("/admin/teams").text)
    response = csrf_client.post(
        "/admin/teams",
        data={"name": "Care Leavers", "kind": "service", "csrf_token": token},
    )
    assert response.status_code == 302
    reload(session)
    assert session.scalar(select(Team.name)) == "Care Leavers"


def test_token_outlives_an_hour_while_the_session_is_active(
    csrf_client: FlaskClient, session: Session
) -> None:
    make_user(session, Role.ADMIN, email="admin@council.example")
    with time_machine.travel(time.time(), tick=False) as traveller:
        sign_in(csrf_client, "admin@council.example")
        token = token_from(csrf_client.get("/admin/teams").text)
        for _ in range(3):  # keep the session alive, but let 3 hours pass
            traveller.shift(timedelta(minutes=55))
            csrf_client.get("/")
        response = csrf_client.post(
            "/admin/teams",
            data={"name": "Early Help", "kind": "service", "csrf_token": token},
        )
    assert response.status_code == 302, "no separate CSRF clock"


def test_expired_session_hands_back_the_text_with_a_sign_in_link(
    csrf_client: FlaskClient, session: Session
) -> None:
    make_user(session, Role.ADMIN, email="admin@council.example")
    with time_machine.travel(time.time(), tick=False) as traveller:
        sign_in(csrf_client, "admin@council.example")
        token = token_from(csrf_client.get("/admin/teams").text)
        traveller.shift(timedelta(minutes=61))
        response = csrf_client.post(
            "/admin/teams",
            data={
                "name": "A long name I typed slowly",
                "kind": "team",
                "csrf_token": token,
            },
        )
    assert response.status_code == 400
    assert "A long name I typed slowly" in response.text
    assert "Sign in and return to your form" in response.text
    assert 'action="/sign-in?next=/admin/teams"' in response.text
    assert 'name="carried-name" value="A long name I typed slowly"' in response.text
    reload(session)
    assert session.scalar(select(func.count()).select_from(Team)) == 0
