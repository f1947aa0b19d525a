"""With single sign-on on: passwords only for the named break-glass administrators,
directory accounts have no password to change or reset, settings that would let
the wrong people in refuse to start, and a signed-out form's words survive the
round trip through the provider."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
import time_machine
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import create_app
from portal.models import EngagementRound, Role, SignInCarry, Submission, User
from tests.accounts.test_resume import WORDS, hidden_fields, textarea
from tests.conftest import base_config, reload, sign_in_as
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.feedback.conftest import answers, form_url
from tests.sso.conftest import BREAK_GLASS, STAFF, sso_settings, through_provider
from tests.sso.provider import Provider
from tests.test_csrf import token_from as token


def password_sign_in(client: object, email: str) -> object:
    return client.post(  # type: ignore[attr-defined]
        "/sign-in", data={"email": email, "password": DEFAULT_PASSWORD}
    )


def test_only_break_glass_administrators_may_use_a_password(
    sso_app: Flask, session: Session
) -> None:
    make_user(session, Role.ADMIN, email=BREAK_GLASS)
    make_user(session, Role.ADMIN, email="ordinary.admin@council.example")
    make_user(session, Role.CONTRIBUTOR, email="staff@council.example")
    client = sso_app.test_client()

    page = client.get("/sign-in").text
    assert "Sign in with your council account" in page
    assert "Emergency administrator sign-in" in page

    for email in ("ordinary.admin@council.example", "staff@council.example"):
        refused = password_sign_in(client, email)
        assert refused.status_code == 400  # type: ignore[attr-defined]
        assert "Only the emergency administrator accounts" in refused.text  # type: ignore[attr-defined]
        assert client.get("/").status_code == 302, "not signed in"

    allowed = password_sign_in(client, BREAK_GLASS)
    assert allowed.status_code == 302  # type: ignore[attr-defined]
    assert client.get("/admin/users").status_code == 200
    reload(session)
    from portal.models import AuditEvent

    reasons = session.scalars(select(AuditEvent.reason).where(
        AuditEvent.action == "signed_in"))  # fmt: skip
    assert list(reasons) == ["break_glass"]


def test_a_break_glass_address_without_the_administrator_role_is_refused(
    sso_app: Flask, session: Session
) -> None:
    make_user(session, Role.PLANNER, email=BREAK_GLASS)
    client = sso_app.test_client()
    assert password_sign_in(client, BREAK_GLASS).status_code == 400  # type: ignore[attr-defined]


def test_directory_accounts_have_no_password_here(
    sso_app: Flask, provider: Provider, session: Session
) -> None:
    from tests.sso.conftest import sso_sign_in

    provider.add("nia", [STAFF])
    client = sso_app.test_client()
    sso_sign_in(client, provider, "nia")
    account = client.get("/account/password")
    assert "You sign in with your council account" in account.text
    assert 'name="new_password"' not in account.text
    tried = client.post(
        "/account/password",
        data={"current_password": "x", "new_password": "a long new password"},
    )
    assert tried.status_code == 409

    reload(session)
    nia = session.scalar(select(User).where(User.email == "nia@council.example"))
    assert nia is not None
    admin = make_user(session, Role.ADMIN)
    admin_client = sso_app.test_client()
    sign_in_as(admin_client, admin)
    reset = admin_client.post(f"/admin/users/{nia.id}/reset-password", data={})
    assert (
        "signs in with their council account"
        in admin_client.get(
            reset.headers.get("Location", f"/admin/users/{nia.id}")
        ).text
        or "signs in with their council account" in reset.text
    )
    edit = admin_client.post(
        f"/admin/users/{nia.id}",
        data={"display_name": "Nia", "roles": ["planner"], "team_id": ""},
    )
    assert edit.status_code in {400, 403, 409}
    assert "come from their council directory groups" in edit.text
    reload(session)
    assert nia.roles == {Role.CONTRIBUTOR}
    # And no password, old or guessed, opens it.
    assert (
        password_sign_in(sso_app.test_client(), "nia@council.example").status_code
        == 400
    )  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        (
            {"SSO_ISSUER": "https://login.microsoftonline.com/common/v2.0"},
            "multi-tenant",
        ),
        (
            {"SSO_ISSUER": "https://login.microsoftonline.com/organizations/v2.0"},
            "multi-tenant",
        ),
        ({"SSO_ISSUER": "http://login.example/tenant/v2.0"}, "https"),
        ({"SSO_CLIENT_SECRET": None}, "SSO_CLIENT_SECRET"),
        ({"SSO_GROUP_ROLES": {"g": "superuser"}}, "unknown"),
        ({"SSO_GROUP_ROLES": {}}, "at least one group"),
    ],
)
def test_settings_that_would_let_the_wrong_people_in_refuse_to_start(
    database_url: str, change: dict[str, object], complaint: str
) -> None:
    settings = {
        **base_config(database_url),
        **sso_settings(Provider(base="https://idp.example")),
        **change,
    }
    with pytest.raises(RuntimeError, match=complaint):
        create_app(settings)


def test_words_survive_the_round_trip_through_the_provider(
    make_app: Callable[..., Flask],
    provider: Provider,
    session: Session,
    open_round: EngagementRound,
) -> None:
    """Signed out mid-form with SSO on: the words wait encrypted on the server
    while the person is at the provider, and come back to their form unsent."""
    provider.add("rae", [STAFF])
    client = make_app(WTF_CSRF_ENABLED=True, **sso_settings(provider)).test_client()
    url = form_url(open_round)
    with time_machine.travel(time.time(), tick=False) as traveller:
        provider.sign_in_next("rae")
        start_page = client.get("/sign-in").text
        first = client.post("/sign-in/sso", data={"csrf_token": token(start_page)})
        through_provider(client, first)
        form_page = client.get(url).text
        traveller.shift(timedelta(minutes=61))
        typed = answers(
            obstacles=WORDS, priority="2", csrf_token=token(form_page), _resume="1"
        )
        signed_out = client.post(url, data=typed)
        assert (
            "Sign in with your council account and return to your form"
            in signed_out.text
        )
        carried = hidden_fields(signed_out.text, f"/sign-in/sso?next={url}")
        assert ("carried-obstacles", WORDS) in carried
        assert not any(name == "csrf_token" for name, _ in carried[1:])

        leaving = client.post(f"/sign-in/sso?next={url}", data=dict(carried))
        assert leaving.status_code == 302
        reload(session)
        [row] = session.scalars(select(SignInCarry))
        assert WORDS.encode() not in row.ciphertext
        assert b"careful" not in row.ciphertext, "only ciphertext on the server"
        assert row.created_hour.minute == 0 and row.created_hour.second == 0

        back = through_provider(client, leaving)
        assert back.status_code == 200 and "data-auto-submit" in back.text
        returning = dict(hidden_fields(back.text, url))
        assert returning["obstacles"] == WORDS and returning["_resume"] == "1"
        reload(session)
        assert session.scalar(select(func.count()).select_from(SignInCarry)) == 0
        # (Inside the travel: the cookie was signed at the travelled time.)
        filled = client.post(url, data=returning)
    assert "You are signed in again. Nothing has been sent yet" in filled.text
    assert textarea(filled.text, "obstacles") == WORDS
    assert re.search(r'<input[^>]+value="2"[^>]+checked', filled.text)
    assert session.scalar(select(func.count()).select_from(Submission)) == 0


def test_refused_at_the_provider_the_words_are_still_given_back(
    sso_app: Flask, provider: Provider, session: Session
) -> None:
    provider.add("ivy", [STAFF], disabled=True)
    client = sso_app.test_client()
    provider.sign_in_next("ivy")
    leaving = client.post("/sign-in/sso?next=/", data={"carried-obstacles": WORDS})
    refused = through_provider(client, leaving)
    assert refused.status_code == 403
    assert textarea(refused.text, "kept-1") == WORDS
    again = hidden_fields(refused.text, "/sign-in/sso?next=/")
    assert ("carried-obstacles", WORDS) in again, "carried on into the next try"
    reload(session)
    assert session.scalar(select(func.count()).select_from(SignInCarry)) == 0


def test_a_carry_opens_only_with_its_own_browsers_key(
    sso_app: Flask, provider: Provider, session: Session
) -> None:
    """Someone holding another browser's carry token but not its key, or coming
    back after it expired, gets nothing."""
    provider.add("al", [STAFF])
    client = sso_app.test_client()
    provider.sign_in_next("al")
    leaving = client.post("/sign-in/sso", data={"carried-obstacles": WORDS})
    with client.session_transaction() as cookie:
        token_part, _, _ = cookie["carry"].partition(".")
        cookie["carry"] = token_part + ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
    back = through_provider(client, leaving)
    assert back.status_code == 302, "signed in, with nothing to post back"
    reload(session)
    assert session.scalar(select(func.count()).select_from(SignInCarry)) == 0


def test_an_administrator_sees_and_keeps_a_directory_accounts_source(
    sso_app: Flask, provider: Provider, session: Session
) -> None:
    from tests.sso.conftest import sso_sign_in

    provider.add("lou", [STAFF], name="Lou Reed")
    sso_sign_in(sso_app.test_client(), provider, "lou")
    reload(session)
    lou = session.scalar(select(User).where(User.email == "lou@council.example"))
    assert lou is not None
    admin = make_user(session, Role.ADMIN)
    client = sso_app.test_client()
    sign_in_as(client, admin)
    page = client.get(f"/admin/users/{lou.id}").text
    assert "Their council account" in page and "Reset password" not in page
    renamed = client.post(
        f"/admin/users/{lou.id}",
        data={"display_name": "Someone Else", "roles": ["contributor"], "team_id": ""},
    )
    assert "come from their council directory groups" in renamed.text
    scope = client.post(
        f"/admin/users/{lou.id}",
        data={"display_name": "Lou Reed", "roles": ["contributor"], "team_id": "",
              "independent_moderator": "y"},
    )  # fmt: skip
    assert scope.status_code == 302
    reload(session)
    assert lou.display_name == "Lou Reed" and lou.independent_moderator
    assert "emergency administrator" in client.get("/admin/users/new").text
