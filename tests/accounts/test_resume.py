"""Signed out mid-form: "Sign in again" carries the words through sign-in and back
to the form, filled in and unsent (portal/accounts/resume.py). CSRF is on, as in
production; the session ends by the real clock check (time travel)."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
import time_machine
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import AnonymousInbox, EngagementRound, Role, Submission, Team
from tests.conftest import reload
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.feedback.conftest import answers, form_url
from tests.test_csrf import sign_in
from tests.test_csrf import token_from as token

WORDS = 'My careful answer, with "quotes" & <b>tags</b>\nand a second line.'


@pytest.fixture
def client(make_app: Callable[..., Flask]) -> Iterator[FlaskClient]:
    yield make_app(WTF_CSRF_ENABLED=True).test_client()


def hidden_fields(page: str, form_action: str) -> list[tuple[str, str]]:
    """The hidden inputs of the form posting to ``form_action``, decoded."""
    form = re.search(
        rf'<form method="post" action="{re.escape(form_action)}"[^>]*>(.*?)</form>',
        page,
        re.S,
    )
    assert form, f"a form posts to {form_action}"
    return [
        (html.unescape(name), html.unescape(value))
        for name, value in re.findall(
            r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form.group(1)
        )
    ]


def textarea(page: str, name: str) -> str:
    found = re.search(rf'<textarea[^>]+name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    assert found, f"the form has its {name} box"
    return html.unescape(found.group(1))


def stored(session: Session) -> int:
    reload(session)
    return sum(
        int(session.scalar(select(func.count()).select_from(model)) or 0)
        for model in (Submission, AnonymousInbox)
    )


def test_sign_in_again_returns_to_the_form_with_the_words_unsent(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    make_user(session, Role.CONTRIBUTOR, email="r@council.example")
    url = form_url(open_round)
    with time_machine.travel(time.time(), tick=False) as traveller:
        sign_in(client, "r@council.example")
        form_page = client.get(url).text
        traveller.shift(timedelta(minutes=61))
        # The dialog's "Sign in again" posts the page's form with _resume=1.
        typed = answers(
            obstacles=WORDS,
            priority="2",
            form_token="k" * 43,
            csrf_token=token(form_page),
            _resume="1",
        )
        signed_out = client.post(url, data=typed)
        assert signed_out.status_code == 400, "the stale token sent nothing"
        page = signed_out.text
        assert "You have been signed out" in page and "Nothing has been sent" in page
        assert textarea(page, "kept-1") == WORDS, "the words, read-only"
        carried = hidden_fields(page, f"/sign-in?next={url}")
        assert ("carried-obstacles", WORDS) in carried
        assert ("carried-priority", "2") in carried
        assert ("carried-form_token", "k" * 43) in carried
        assert not any(name.endswith(("csrf_token", "_resume")) for name, _ in carried)
        assert stored(session) == 0

        # A wrong password keeps carrying them.
        fields = dict(carried)
        wrong = client.post(
            f"/sign-in?next={url}",
            data={
                **fields,
                "email": "r@council.example",
                "password": "wrong",
                "csrf_token": token(page),
            },
        )
        assert wrong.status_code == 400
        assert "Enter a correct email address and password" in wrong.text
        assert hidden_fields(wrong.text, f"/sign-in?next={url}") == carried

        back = client.post(
            f"/sign-in?next={url}",
            data={
                **fields,
                "email": "r@council.example",
                "password": DEFAULT_PASSWORD,
                "csrf_token": token(wrong.text),
            },
        )

        assert back.status_code == 200, "a page that posts the words back"
        assert "data-auto-submit" in back.text
        returning = dict(hidden_fields(back.text, url))
        assert returning["obstacles"] == WORDS and returning["_resume"] == "1"
        assert "password" not in returning and "email" not in returning
        assert stored(session) == 0

        filled = client.post(url, data=returning)
    assert filled.status_code == 200
    assert "You are signed in again. Nothing has been sent yet" in filled.text
    assert textarea(filled.text, "obstacles") == WORDS
    assert re.search(r'<input[^>]+value="named"[^>]+checked', filled.text)
    assert re.search(r'<input[^>]+value="2"[^>]+checked', filled.text)
    assert 'name="form_token" type="hidden" value="' + "k" * 43 in filled.text
    assert stored(session) == 0, "still nothing sent: the person checks, then sends"


def test_a_live_session_never_sends_a_form_posted_to_resume(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    """Another tab kept the session alive: the dialog here thought it had ended.
    Its button must not send the input."""
    make_user(session, Role.CONTRIBUTOR, email="live@council.example")
    url = form_url(open_round)
    sign_in(client, "live@council.example")
    form_page = client.get(url).text
    response = client.post(
        url,
        data=answers(
            obstacles=WORDS,
            form_token="z" * 43,
            csrf_token=token(form_page),
            _resume="1",
        ),
    )
    assert response.status_code == 200
    assert "You are still signed in. Nothing has been sent yet" in response.text
    assert textarea(response.text, "obstacles") == WORDS
    assert stored(session) == 0


def test_a_form_without_a_redraw_still_gives_the_words_back_after_sign_in(
    client: FlaskClient, session: Session
) -> None:
    make_user(session, Role.ADMIN, email="a@council.example")
    with time_machine.travel(time.time(), tick=False) as traveller:
        sign_in(client, "a@council.example")
        teams = client.get("/admin/teams").text
        traveller.shift(timedelta(minutes=61))
        page = client.post(
            "/admin/teams",
            data={
                "name": "Edge of Care",
                "kind": "team",
                "csrf_token": token(teams),
                "_resume": "1",
            },
        ).text
        carried = dict(hidden_fields(page, "/sign-in?next=/admin/teams"))
        back = client.post(
            "/sign-in?next=/admin/teams",
            data={
                **carried,
                "email": "a@council.example",
                "password": DEFAULT_PASSWORD,
                "csrf_token": token(page),
            },
        )
        answer = client.post(
            "/admin/teams", data=dict(hidden_fields(back.text, "/admin/teams"))
        )
    assert answer.status_code == 200
    assert "Your answers have not been sent yet" in answer.text
    assert "Edge of Care" in answer.text
    reload(session)
    assert session.scalar(select(func.count()).select_from(Team)) == 0


def test_secrets_are_never_carried_and_the_return_stays_on_this_site(
    client: FlaskClient, session: Session
) -> None:
    make_user(session, Role.ADMIN, email="s@council.example")
    with time_machine.travel(time.time(), tick=False) as traveller:
        sign_in(client, "s@council.example")
        teams = client.get("/admin/teams").text
        traveller.shift(timedelta(minutes=61))
        page = client.post(
            "/admin/teams",
            data={
                "name": "Fostering",
                "password": "hunter2-secret",
                "current_password": "old-secret",
                "csrf_token": token(teams),
            },
        ).text
        assert "hunter2-secret" not in page and "old-secret" not in page
        assert token(teams) not in page, "the old token is not carried"
        back = client.post(
            "/sign-in?next=//evil.example/x",
            data={
                "carried-name": "Fostering",
                "email": "s@council.example",
                "password": DEFAULT_PASSWORD,
                "csrf_token": token(page),
            },
        )
    assert back.status_code == 200
    assert '<form method="post" action="/" data-auto-submit>' in back.text
    assert 'action="//evil' not in back.text


def test_the_warning_clock_is_what_the_server_has_left(
    client: FlaskClient, session: Session
) -> None:
    make_user(session, Role.CONTRIBUTOR, email="c@council.example")

    def left() -> int:
        found = re.search(r'data-seconds-left="(\d+)"', client.get("/feedback").text)
        assert found
        return int(found.group(1))

    with time_machine.travel(time.time(), tick=False) as traveller:
        sign_in(client, "c@council.example")
        traveller.shift(timedelta(seconds=30))
        # The last activity is recorded to the minute on reads, so the page
        # must say 3570 s, not a fresh 3600 s the server would not honour.
        assert 3569 <= left() <= 3570, "never later than the server"
        for _ in range(11):  # active all day, 54 minutes at a time
            traveller.shift(timedelta(minutes=54))
            assert client.get("/feedback").status_code == 200
        # 9 h 54 min 30 s in: the absolute limit (10 hours) is nearer than idleness.
        assert 329 <= left() <= 330


def test_a_warning_shorter_than_20_seconds_is_refused(
    make_app: Callable[..., Flask],
) -> None:
    with pytest.raises(RuntimeError, match="SESSION_WARNING_MINUTES"):
        make_app(SESSION_WARNING_MINUTES=0.2)
    with pytest.raises(RuntimeError, match="SESSION_WARNING_MINUTES"):
        make_app(SESSION_IDLE_MINUTES=5, SESSION_WARNING_MINUTES=5)
    with pytest.raises(RuntimeError, match="at least 120 seconds"):
        make_app(TESTING=False, SESSION_WARNING_MINUTES=1.5)
    assert make_app(TESTING=False, SESSION_WARNING_MINUTES=2)
