"""Security hardening: a one-time password opens only the page that replaces it,
and the expired-form recovery never shows a page its viewer may not open."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from portal.models import EngagementRound, Role
from tests.conftest import sign_in_as
from tests.factories import make_user
from tests.feedback.conftest import answers, form_url


def test_a_one_time_password_opens_only_the_change_password_page(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    user = make_user(session, Role.CONTRIBUTOR, Role.MODERATOR,
                     must_change_password=True)  # fmt: skip
    sign_in_as(client, user)  # as if signed in with the one-time password
    for path in ("/", "/feedback", form_url(open_round), "/moderation"):
        response = client.get(path)
        assert response.headers["Location"] == "/account/password", path
    assert client.post("/moderation/bulk", data={}).headers["Location"] == (
        "/account/password"
    )
    assert client.get("/account/password").status_code == 200
    assert client.get("/privacy").status_code == 200


def test_form_recovery_runs_under_the_page_permission(
    make_app: Callable[..., Flask], session: Session, open_round: EngagementRound
) -> None:
    strict = make_app(WTF_CSRF_ENABLED=True).test_client()
    planner = make_user(session, Role.PLANNER)  # may not give input
    sign_in_as(strict, planner)
    url = form_url(open_round)
    response = strict.post(url, data=answers(obstacles="Planner words"))
    assert response.status_code == 400
    assert 'name="form_token"' not in response.text, "the form is not redrawn"
    assert "Planner words" in response.text, "the words still come back"
    contributor = make_user(session, Role.CONTRIBUTOR)
    sign_in_as(strict, contributor)
    allowed = strict.post(url, data=answers(obstacles="Writer words"))
    assert allowed.status_code == 400 and 'name="form_token"' in allowed.text


def test_input_returned_for_changes_shows_on_the_writers_home_page(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    from portal.models import utcnow
    from portal.moderation.service import Decision, DecisionDetails, decide
    from tests.factories import make_submission

    writer = make_user(session, Role.CONTRIBUTOR)
    item = make_submission(session, writer, open_round)
    moderator = make_user(session, Role.MODERATOR)
    decide(session, moderator, item,
           DecisionDetails(Decision.RETURN, note="Please leave out the surname."),
           utcnow())  # fmt: skip
    session.commit()
    sign_in_as(client, writer)
    home = client.get("/").text
    assert "Returned to you for changes" in home
    assert "Please leave out the surname." in home
    assert f"/feedback/mine/{item.id}/edit" in home
