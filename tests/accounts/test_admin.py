"""Administrators manage accounts, roles and teams; every change is audited and bad
input changes nothing."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, Role, Team, User
from tests.conftest import reload, sign_in_as
from tests.factories import DEFAULT_PASSWORD, make_team, make_user


def audit_actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_admin_creates_an_account_with_a_one_time_password(
    client: FlaskClient, session: Session
) -> None:
    team = make_team(session, "Children in Need North")
    admin = make_user(session, Role.ADMIN)
    sign_in_as(client, admin)
    response = client.post(
        "/admin/users/new",
        data={
            "display_name": "  Dana   Social Worker ",
            "email": "Dana@Council.Example",
            "team_id": str(team.id),
            "roles": ["contributor", "moderator"],
        },
    )
    assert response.status_code == 200
    password = re.search(r'id="one-time-password">([^<]+)<', response.text)
    assert password is not None
    reload(session)
    user = session.scalar(select(User).where(User.email == "dana@council.example"))
    assert user is not None
    assert user.display_name == "Dana Social Worker"
    assert user.roles == {Role.CONTRIBUTOR, Role.MODERATOR}
    assert user.team_id == team.id and user.must_change_password
    assert password.group(1) not in user.password_hash
    event = session.scalar(
        select(AuditEvent).where(
            AuditEvent.action == "user_created", AuditEvent.subject_id == str(user.id)
        )
    )
    assert event is not None and event.actor_id == admin.id
    # The new person signs in with it and must change it first.
    other = client.application.test_client()
    first = other.post(
        "/sign-in",
        data={"email": "dana@council.example", "password": password.group(1)},
    )
    assert first.headers["Location"] == "/account/password"


def test_duplicate_email_is_refused_and_nothing_changes(
    client: FlaskClient, session: Session
) -> None:
    make_user(session, Role.CONTRIBUTOR, email="taken@council.example")
    sign_in_as(client, make_user(session, Role.ADMIN))
    before = session.scalar(select(func.count()).select_from(User))
    response = client.post(
        "/admin/users/new",
        data={
            "display_name": "Someone",
            "email": "TAKEN@council.example",
            "roles": ["planner"],
        },
    )
    assert response.status_code == 400
    assert "An account with this email address already exists" in response.text
    assert 'value="Someone"' in response.text, "what was typed comes back"
    reload(session)
    assert session.scalar(select(func.count()).select_from(User)) == before


def test_invalid_role_is_a_clear_error(client: FlaskClient, session: Session) -> None:
    sign_in_as(client, make_user(session, Role.ADMIN))
    response = client.post(
        "/admin/users/new",
        data={"display_name": "X", "email": "x@council.example", "roles": ["overlord"]},
    )
    assert response.status_code == 400
    assert "is not a valid choice" in response.text


def test_admin_changes_roles_and_team_and_it_applies_at_once(
    client: FlaskClient, session: Session
) -> None:
    team = make_team(session)
    user = make_user(session, Role.CONTRIBUTOR)
    user_client = client.application.test_client()
    sign_in_as(user_client, user)
    assert user_client.get("/admin/teams").status_code == 403
    sign_in_as(client, make_user(session, Role.ADMIN))
    response = client.post(
        f"/admin/users/{user.id}",
        data={
            "display_name": "Renamed",
            "team_id": str(team.id),
            "roles": ["contributor", "admin"],
        },
    )
    assert response.headers["Location"] == f"/admin/users/{user.id}"
    assert user_client.get("/admin/teams").status_code == 200, "no re-sign-in needed"
    reload(session)
    assert "roles_changed" in audit_actions(session)
    assert "user_updated" in audit_actions(session)


def test_last_admin_cannot_lose_admin_or_be_disabled(
    client: FlaskClient, session: Session
) -> None:
    admin = make_user(session, Role.ADMIN)
    sign_in_as(client, admin)
    response = client.post(
        f"/admin/users/{admin.id}",
        data={"display_name": "Renamed", "team_id": "", "roles": ["planner"]},
    )
    assert response.status_code == 400
    assert "You cannot remove the last administrator" in response.text
    reload(session)
    fresh = session.get(User, admin.id)
    assert fresh is not None
    assert fresh.roles == {Role.ADMIN} and fresh.display_name != "Renamed"
    response = client.post(f"/admin/users/{admin.id}/disable")
    assert response.status_code == 403
    reload(session)
    assert session.get(User, admin.id).disabled_at is None  # type: ignore[union-attr]


def test_disable_enable_and_reset_password(
    client: FlaskClient, session: Session
) -> None:
    user = make_user(session, Role.CONTRIBUTOR, email="leaver@council.example")
    sign_in_as(client, make_user(session, Role.ADMIN))
    client.post(f"/admin/users/{user.id}/disable")
    page = client.get(f"/admin/users/{user.id}")
    assert "Disabled" in page.text and "Enable account" in page.text
    client.post(f"/admin/users/{user.id}/enable")
    reset = client.post(f"/admin/users/{user.id}/reset-password")
    new_password = re.search(r'id="one-time-password">([^<]+)<', reset.text)
    assert new_password is not None
    other = client.application.test_client()
    old = other.post(
        "/sign-in",
        data={"email": "leaver@council.example", "password": DEFAULT_PASSWORD},
    )
    assert old.status_code == 400
    new = other.post(
        "/sign-in",
        data={"email": "leaver@council.example", "password": new_password.group(1)},
    )
    assert new.headers["Location"] == "/account/password"
    reload(session)
    actions = audit_actions(session)
    for action in ("user_disabled", "user_enabled", "password_reset"):
        assert action in actions


def test_user_list_filters(client: FlaskClient, session: Session) -> None:
    make_user(session, Role.PLANNER, name="Pat Planner")
    gone = make_user(session, Role.CONTRIBUTOR, name="Gone Person")
    gone.disabled_at = gone.created_at
    session.commit()
    sign_in_as(client, make_user(session, Role.ADMIN, name="Ada Admin"))
    planners = client.get("/admin/users?role=planner").text
    assert "Pat Planner" in planners and "Ada Admin" not in planners
    disabled = client.get("/admin/users?status=disabled").text
    assert "Gone Person" in disabled and "Pat Planner" not in disabled
    assert client.get("/admin/users?role=nonsense&status=weird").status_code == 200


def test_teams_add_rename_retire_and_duplicates(
    client: FlaskClient, session: Session
) -> None:
    sign_in_as(client, make_user(session, Role.ADMIN))
    assert (
        client.post(
            "/admin/teams", data={"name": "Early Help", "kind": "service"}
        ).status_code
        == 302
    )
    dup = client.post("/admin/teams", data={"name": "early help", "kind": "team"})
    assert dup.status_code == 400
    assert "already exists" in dup.text
    bad = client.post("/admin/teams", data={"name": "X", "kind": "galaxy"})
    assert bad.status_code == 400
    reload(session)
    team = session.scalar(select(Team))
    assert team is not None
    response = client.post(
        f"/admin/teams/{team.id}",
        data={"name": "Early Help Service", "kind": "service", "retired": "y"},
    )
    assert response.status_code == 302
    reload(session)
    team = session.get(Team, team.id)
    assert team is not None and team.name == "Early Help Service" and team.retired_at
    client.get("/admin/teams")  # shows (and clears) the "saved" message
    # A retired team is not offered for new accounts.
    assert "Early Help Service" not in client.get("/admin/users/new").text
    assert audit_actions(session).count("team_created") == 1
    assert "team_updated" in audit_actions(session)


def test_stored_xss_in_names_is_escaped(client: FlaskClient, session: Session) -> None:
    payloads = [
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "{{7*7}}",
    ]
    sign_in_as(client, make_user(session, Role.ADMIN))
    for i, payload in enumerate(payloads):
        client.post("/admin/teams", data={"name": f"{payload} {i}", "kind": "team"})
        make_user(session, Role.CONTRIBUTOR, name=payload)
    for url in ("/admin/teams", "/admin/users"):
        page = client.get(url).text
        assert "<script>alert(1)</script>" not in page
        assert "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "{{7*7}}" in page and ">49<" not in page
