"""Single sign-on against the suite's own OpenID provider (tests/sso/provider.py):
accounts made just in time from directory groups, matched by object id, and every
way a token can be wrong refused with nothing signed in."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.accounts import directory
from portal.models import AuditEvent, Role, SignInCarry, User, UserIdentity
from tests.conftest import reload, sign_in_as
from tests.factories import make_team, make_user
from tests.sso.conftest import (
    MODERATORS,
    NORTH_TEAM,
    PLANNERS,
    STAFF,
    UNMAPPED,
    sso_sign_in,
)
from tests.sso.provider import Provider


def users(session: Session) -> list[User]:
    reload(session)
    return list(session.scalars(select(User).order_by(User.id)))


def signed_in(client: FlaskClient) -> bool:
    return client.get("/").status_code == 200 and "Sign out" in client.get("/").text


def actions(session: Session) -> list[tuple[str, str | None]]:
    reload(session)
    rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    return [(row.action, row.reason) for row in rows]


def test_first_sign_in_makes_the_account_from_directory_groups(
    sso_client: FlaskClient, provider: Provider, session: Session
) -> None:
    north = make_team(session, "Assessment North")
    person = provider.add("priya", [STAFF, NORTH_TEAM, UNMAPPED], name="Priya Shah")

    response = sso_sign_in(sso_client, provider, "priya")

    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert signed_in(sso_client)
    [user] = users(session)
    assert user.display_name == "Priya Shah"
    assert user.email == "priya@council.example"
    assert user.roles == {Role.CONTRIBUTOR}
    assert user.team_id == north.id
    identity = session.scalar(select(UserIdentity))
    assert identity is not None and identity.user_id == user.id
    assert identity.subject == person.oid, "the object id, not the pairwise sub"
    assert ("user_created", "directory") in actions(session)
    assert ("signed_in", "directory") in actions(session)
    # What the portal asked of the provider.
    [asked] = provider.authorize_requests
    assert (
        asked["code_challenge_method"] == "S256" and len(asked["code_challenge"]) >= 43
    )
    assert asked["prompt"] == "select_account" and asked["max_age"] == "3600"
    assert asked["nonce"] and asked["state"] and asked["response_type"] == "code"
    assert asked["client_id"] == "frontline-voice-test"


def test_roles_follow_the_groups_at_every_sign_in(
    sso_app: Flask, provider: Provider, session: Session
) -> None:
    person = provider.add("sam", [STAFF])
    first = sso_app.test_client()
    sso_sign_in(first, provider, "sam")
    assert users(session)[0].roles == {Role.CONTRIBUTOR}

    person.groups = [MODERATORS, PLANNERS]
    second = sso_app.test_client()
    sso_sign_in(second, provider, "sam")

    [user] = users(session)
    assert user.roles == {Role.MODERATOR, Role.CONTRIBUTOR, Role.PLANNER}
    assert ("roles_changed", "directory") in actions(session)
    assert len(users(session)) == 1, "the same account, found by its object id"

    # A leaver: out of every mapped group. No roles, and every session ends.
    person.groups = [UNMAPPED]
    third = sso_app.test_client()
    refused = sso_sign_in(third, provider, "sam")
    assert refused.status_code == 403
    assert "Ask your administrator for access" in refused.text
    assert not signed_in(third)
    for older in (first, second):
        ended = older.get("/")
        assert ended.status_code == 302, "older sessions ended, not just emptied"
        assert ended.headers["Location"].startswith("/sign-in")
    [user] = users(session)
    assert user.roles == frozenset()


def test_someone_in_no_mapped_group_gets_no_account(
    sso_client: FlaskClient, provider: Provider, session: Session
) -> None:
    provider.add("visitor", [UNMAPPED])
    response = sso_sign_in(sso_client, provider, "visitor")
    assert response.status_code == 403
    assert "not in any of the directory groups" in response.text
    assert users(session) == []
    assert ("sign_in_refused", "no_mapped_group") in actions(session)
    assert not signed_in(sso_client)


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ("wrong_issuer", "token_invalid_claim"),
        ("wrong_audience", "token_invalid_claim"),
        ("expired", "token_expired_token"),
        ("bad_signature", "token_bad_signature"),
        ("replayed_nonce", "token_invalid_claim"),
        ("wrong_tenant", "wrong_tenant"),
        ("old_authentication", "stale_authentication"),
        ("no_id_token", "no_id_token"),
        ("other_algorithm", "token_unsupported_algorithm"),
    ],
)
def test_a_token_wrong_in_any_way_signs_nobody_in(
    sso_client: FlaskClient, provider: Provider, session: Session, fault: str, code: str
) -> None:
    provider.add("erin", [STAFF])
    if fault == "replayed_nonce":
        # A token from an earlier sign-in (its nonce) offered to a new one.
        sso_sign_in(provider=provider, client=sso_client, login="erin")
        sso_client.post("/sign-out", data={})
        assert not signed_in(sso_client)
    provider.fault = fault
    before = len(users(session))

    response = sso_sign_in(sso_client, provider, "erin")

    assert response.status_code in {400, 403}, response.text[:300]
    assert "could not be signed in" in response.text
    assert not signed_in(sso_client)
    assert len(users(session)) == before
    assert ("sign_in_refused", code) in actions(session)


def test_missing_or_overflowing_group_claims_say_what_to_ask_for(
    sso_client: FlaskClient, provider: Provider, session: Session
) -> None:
    provider.add("gus", [STAFF])
    provider.fault = "no_groups"
    missing = sso_sign_in(sso_client, provider, "gus")
    assert missing.status_code == 403 and "sends the groups claim" in missing.text
    provider.fault = "groups_overage"
    overage = sso_sign_in(sso_client, provider, "gus")
    assert overage.status_code == 403 and "too many directory groups" in overage.text
    assert users(session) == []
    assert not signed_in(sso_client)


def test_a_disabled_person_is_turned_away_by_the_provider_or_by_the_portal(
    sso_app: Flask, provider: Provider, session: Session
) -> None:
    person = provider.add("dee", [STAFF], disabled=True)
    client = sso_app.test_client()
    denied = sso_sign_in(client, provider, "dee")
    assert denied.status_code == 403 and "did not let you in" in denied.text
    assert ("sign_in_refused", "provider_denied") in actions(session)

    person.disabled = False
    sso_sign_in(client, provider, "dee")
    [user] = users(session)
    admin = make_user(session, Role.ADMIN)
    admin_client = sso_app.test_client()
    sign_in_as(admin_client, admin)
    admin_client.post(f"/admin/users/{user.id}/disable", data={})
    assert not signed_in(client), "disabling ends the session at once"

    again = sso_app.test_client()
    refused = sso_sign_in(again, provider, "dee")
    assert refused.status_code == 403 and "has been disabled" in refused.text
    assert not signed_in(again)


def test_accounts_are_matched_by_object_id_never_by_email(
    sso_app: Flask, provider: Provider, session: Session
) -> None:
    local = make_user(session, Role.MODERATOR, email="kim@council.example")
    provider.add("kim", [STAFF], email="kim@council.example")

    client = sso_app.test_client()
    refused = sso_sign_in(client, provider, "kim")
    assert refused.status_code == 409 and "not linked" in refused.text
    assert not signed_in(client)
    assert session.scalar(select(func.count()).select_from(UserIdentity)) == 0

    # An administrator links it; from then on the directory decides.
    directory.link(session, None, "kim@council.example", provider.issuer,
                   provider.people["kim"].oid)  # fmt: skip
    session.commit()
    linked = sso_sign_in(client, provider, "kim")
    assert linked.status_code == 302
    [user] = users(session)
    assert user.id == local.id and user.roles == {Role.CONTRIBUTOR}

    # A renamed mailbox keeps the account; a stranger with a reused address
    # (another object id) does not get it.
    provider.people["kim"].email = "kim.lee@council.example"
    sso_sign_in(sso_app.test_client(), provider, "kim")
    assert users(session)[0].email == "kim.lee@council.example"
    provider.add("impostor", [PLANNERS], email="kim.lee@council.example")
    stranger = sso_app.test_client()
    assert sso_sign_in(stranger, provider, "impostor").status_code == 409
    assert users(session)[0].roles == {Role.CONTRIBUTOR}


def test_a_callback_replayed_or_forged_signs_nobody_in(
    sso_app: Flask, provider: Provider, session: Session
) -> None:
    provider.add("ola", [STAFF])
    client = sso_app.test_client()
    provider.sign_in_next("ola")
    start = client.post("/sign-in/sso")
    import requests

    back = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    callback = urlsplit(back.headers["Location"])
    url = f"{callback.path}?{callback.query}"
    # Another browser presenting this person's code and state.
    other = sso_app.test_client()
    assert other.get(url).status_code == 400 and not signed_in(other)
    assert client.get(url).status_code == 302 and signed_in(client)
    # The same answer again: its state was used up.
    assert client.post("/sign-out", data={}).status_code == 302
    assert client.get(url).status_code == 400 and not signed_in(client)
    assert ("sign_in_refused", "state_mismatch") in actions(session)


def test_signing_out_ends_the_providers_session_too(
    sso_client: FlaskClient, provider: Provider
) -> None:
    provider.add("ben", [STAFF])
    sso_sign_in(sso_client, provider, "ben")
    out = sso_client.post("/sign-out", data={})
    assert out.status_code == 302
    location = urlsplit(out.headers["Location"])
    assert out.headers["Location"].startswith(provider.issuer + "/logout")
    query = parse_qs(location.query)
    assert query["post_logout_redirect_uri"] == ["http://localhost/sign-in"]
    assert query["client_id"] == ["frontline-voice-test"]
    assert not signed_in(sso_client)


def test_the_provider_being_down_keeps_the_words(
    make_app: object, session: Session
) -> None:
    from tests.sso.conftest import sso_settings

    provider = Provider(base="http://127.0.0.1:9")  # nothing listens there
    client = make_app(**sso_settings(provider)).test_client()  # type: ignore[operator]
    response = client.post(
        "/sign-in/sso?next=/feedback", data={"carried-obstacles": "My words"}
    )
    assert response.status_code == 503
    assert "did not answer" in response.text and "My words" in response.text
    reload(session)
    assert session.scalar(select(func.count()).select_from(SignInCarry)) == 0


def test_a_discovery_document_naming_another_issuer_is_not_trusted(
    sso_client: FlaskClient, provider: Provider, session: Session
) -> None:
    provider.add("tam", [STAFF])
    provider.fault = "discovery_issuer"
    provider.sign_in_next("tam")
    response = sso_client.post("/sign-in/sso")
    assert response.status_code == 503
    assert not provider.authorize_requests, "nobody was sent to it"
    assert users(session) == []


def test_without_sso_settings_there_is_no_council_account_route(
    client: FlaskClient,
) -> None:
    assert client.post("/sign-in/sso").status_code == 404
    assert client.get("/sign-in/sso/callback?code=x&state=y").status_code == 404
    page = client.get("/sign-in").text
    assert "council account" not in page and 'name="password"' in page


def test_no_call_to_the_provider_holds_the_write_lock(
    sso_client: FlaskClient, provider: Provider, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fetching the discovery document, the keys or the token happens before the
    write transaction, never inside it (a slow provider would otherwise hold
    SQLite's write lock for everyone)."""
    import requests as http
    from flask import has_app_context

    from portal.db import get_session

    writing: list[str] = []
    send = http.Session.request

    def watched(self: object, method: str, url: str, *args: object, **kw: object):  # type: ignore[no-untyped-def]
        # (The test's own calls, as the browser, run outside the app.)
        if has_app_context() and get_session().info.get("portal.writing"):
            writing.append(url)
        return send(self, method, url, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(http.Session, "request", watched)
    provider.add("wes", [STAFF])
    assert sso_sign_in(sso_client, provider, "wes").status_code == 302
    assert sso_client.post("/sign-out", data={}).status_code == 302
    assert writing == [], writing
