"""The role -> permission table, and who can open which admin page."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_login import login_user
from sqlalchemy.orm import Session

from portal.access import ROLE_PERMISSIONS, Permission, can, permissions_of
from portal.models import Role
from portal.navigation import navigation
from tests.conftest import sign_in_as
from tests.factories import make_team, make_user

# Expected permissions per role, written out so a change to the table is deliberate.
EXPECTED = {
    Role.CONTRIBUTOR: {"use_portal", "view_framework", "submit_feedback"},
    Role.MODERATOR: {"use_portal", "view_framework", "moderate", "record_sessions",
                     "see_authors"},
    Role.SAFEGUARDING_LEAD: {"use_portal", "view_framework", "review_safeguarding"},
    Role.PLANNER: {
        "use_portal", "view_framework", "manage_framework", "manage_rounds",
        "record_sessions", "tag", "view_summaries", "export", "manage_plan",
        "view_board", "record_progress", "manage_risks", "freeze_quarter",
    },
    Role.LEAD_OFFICER: {"use_portal", "view_framework", "view_board",
                        "record_progress", "manage_risks"},
    # The board monitors and decides; nothing else, not even the framework pages.
    Role.BOARD_MEMBER: {"use_portal", "view_board", "sign_off", "request_reports"},
    Role.ADMIN: {
        "use_portal", "view_framework", "manage_framework", "manage_rounds",
        "manage_users", "manage_reference_data", "view_audit", "see_authors",
    },
}  # fmt: skip


@pytest.mark.parametrize("role", list(Role))
def test_role_permissions_table(role: Role) -> None:
    assert {p.value for p in ROLE_PERMISSIONS[role]} == EXPECTED[role]


def test_every_permission_is_granted_to_some_role() -> None:
    granted = set().union(*ROLE_PERMISSIONS.values())
    assert granted == set(Permission)


def test_several_roles_combine_and_disabled_users_have_none(session: Session) -> None:
    user = make_user(session, Role.MODERATOR, Role.PLANNER)
    assert can(user, Permission.MODERATE) and can(user, Permission.EXPORT)
    assert not can(user, Permission.MANAGE_USERS)
    user.disabled_at = user.created_at
    assert permissions_of(user) == frozenset()
    assert not can(None, Permission.USE_PORTAL)


ADMIN_PAGES = [
    ("GET", "/admin/users", Permission.MANAGE_USERS),
    ("GET", "/admin/users/new", Permission.MANAGE_USERS),
    ("POST", "/admin/users/new", Permission.MANAGE_USERS),
    ("GET", "/admin/users/{user}", Permission.MANAGE_USERS),
    ("POST", "/admin/users/{user}", Permission.MANAGE_USERS),
    ("POST", "/admin/users/{user}/disable", Permission.MANAGE_USERS),
    ("POST", "/admin/users/{user}/enable", Permission.MANAGE_USERS),
    ("POST", "/admin/users/{user}/reset-password", Permission.MANAGE_USERS),
    ("GET", "/admin/teams", Permission.MANAGE_REFERENCE_DATA),
    ("POST", "/admin/teams", Permission.MANAGE_REFERENCE_DATA),
    ("GET", "/admin/teams/{team}", Permission.MANAGE_REFERENCE_DATA),
    ("POST", "/admin/teams/{team}", Permission.MANAGE_REFERENCE_DATA),
    ("GET", "/framework", Permission.VIEW_FRAMEWORK),
    ("GET", "/framework/areas/{area}/edit", Permission.MANAGE_FRAMEWORK),
    ("POST", "/framework/areas/{area}/edit", Permission.MANAGE_FRAMEWORK),
    ("GET", "/framework/recommendations/{rec}/edit", Permission.MANAGE_FRAMEWORK),
    ("GET", "/framework/recommendations/{rec}/retire", Permission.MANAGE_FRAMEWORK),
    ("POST", "/framework/recommendations/{rec}/reinstate", Permission.MANAGE_FRAMEWORK),
    ("GET", "/framework/inspections/{inspection}/recommendations/new",
     Permission.MANAGE_FRAMEWORK),
    ("GET", "/rounds", Permission.MANAGE_ROUNDS),
    ("GET", "/rounds/new", Permission.MANAGE_ROUNDS),
    ("POST", "/rounds/new", Permission.MANAGE_ROUNDS),
    ("GET", "/feedback", Permission.SUBMIT_FEEDBACK),
    ("GET", "/feedback/mine", Permission.SUBMIT_FEEDBACK),
    ("GET", "/feedback/receipt", Permission.SUBMIT_FEEDBACK),
    ("POST", "/feedback/receipt", Permission.SUBMIT_FEEDBACK),
    ("GET", "/feedback/sessions", Permission.RECORD_SESSIONS),
    ("GET", "/feedback/notice", Permission.MANAGE_REFERENCE_DATA),
    ("POST", "/feedback/notice", Permission.MANAGE_REFERENCE_DATA),
    ("GET", "/moderation", Permission.MODERATE),
    ("POST", "/moderation/bulk", Permission.MODERATE),
    ("GET", "/safeguarding", Permission.REVIEW_SAFEGUARDING),
    ("GET", "/admin/audit", Permission.VIEW_AUDIT),
    ("POST", "/admin/audit/export", Permission.VIEW_AUDIT),
    ("GET", "/tagging", Permission.TAG),
    ("POST", "/tagging/bulk", Permission.TAG),
    ("GET", "/tagging/themes", Permission.TAG),
    ("POST", "/tagging/themes", Permission.TAG),
    ("GET", "/tagging/coverage", Permission.VIEW_SUMMARIES),
    ("GET", "/summaries", Permission.VIEW_SUMMARIES),
    ("GET", "/summaries/areas/{area}", Permission.VIEW_SUMMARIES),
    ("POST", "/summaries/areas/{area}/narrative", Permission.MANAGE_PLAN),
    ("GET", "/summaries/export", Permission.EXPORT),
    ("GET", "/summaries/pack", Permission.VIEW_SUMMARIES),
    ("GET", "/plan", Permission.MANAGE_PLAN),
    ("POST", "/plan/export", Permission.EXPORT),
    ("GET", "/admin/role-groups", Permission.MANAGE_REFERENCE_DATA),
    ("POST", "/admin/role-groups", Permission.MANAGE_REFERENCE_DATA),
]  # fmt: skip


@pytest.mark.usefixtures("framework")
@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(("method", "path", "permission"), ADMIN_PAGES)
def test_admin_pages_by_role(
    client: FlaskClient,
    session: Session,
    role: Role,
    method: str,
    path: str,
    permission: Permission,
) -> None:
    from sqlalchemy import select

    from portal.models import Area, Inspection, Recommendation

    target = make_user(session, Role.CONTRIBUTOR)
    team = make_team(session)
    url = path.format(
        user=target.id,
        team=team.id,
        area=session.scalar(select(Area.id)),
        rec=session.scalar(select(Recommendation.id)),
        inspection=session.scalar(select(Inspection.id)),
    )
    sign_in_as(client, make_user(session, role))
    response = client.open(url, method=method, data={})
    allowed = permission in ROLE_PERMISSIONS[role]
    if allowed:
        assert response.status_code in (200, 302, 400), (role, method, url)
    else:
        assert response.status_code == 403, (role, method, url)
        assert "You do not have access to this page" in response.text


@pytest.mark.parametrize(("method", "path", "permission"), ADMIN_PAGES)
def test_signed_out_visitors_are_sent_to_sign_in(
    client: FlaskClient, method: str, path: str, permission: Permission
) -> None:
    url = path.format(user=1, team=1, area=1, rec=1, inspection=1)
    response = client.open(url, method=method, data={})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


@pytest.mark.parametrize(
    ("roles", "visible", "hidden"),
    [
        (
            [Role.CONTRIBUTOR],
            ["Home", "Give input", "My input", "Framework"],
            ["Users", "Lists", "Rounds", "Sessions"],
        ),
        (
            [Role.ADMIN],
            ["Home", "Rounds", "Framework", "Users", "Lists"],
            ["Give input", "Sessions"],
        ),
        (
            [Role.PLANNER],
            ["Rounds", "Sessions", "Framework", "Tag"],
            ["Users", "Lists"],
        ),
        ([Role.MODERATOR], ["Sessions", "Moderate"], ["Rounds", "Give input", "Audit"]),
        ([Role.SAFEGUARDING_LEAD], ["Safeguarding"], ["Moderate", "Audit"]),
        ([Role.BOARD_MEMBER], ["Home", "Board"], ["Framework", "Plan", "Summaries"]),
        ([Role.LEAD_OFFICER], ["Board", "Framework"], ["Plan", "Summaries", "Tag"]),
    ],
)
def test_navigation_shows_only_what_the_user_may_use(
    client: FlaskClient,
    session: Session,
    roles: list[Role],
    visible: list[str],
    hidden: list[str],
) -> None:
    sign_in_as(client, make_user(session, *roles))
    page = client.get("/").text
    nav = re.search(r'<nav aria-label="Menu".*?</nav>', page, re.S)
    assert nav is not None
    links = re.findall(r'class="govuk-service-navigation__link" href="[^"]*"[^>]*>\s*'
                       r'(?:<strong[^>]*>)?([^<]+?)\s*<', nav.group(0))  # fmt: skip
    for name in visible:
        assert name in links
    for name in hidden:
        assert name not in links
    assert "Sign out" in nav.group(0)


def test_each_page_gets_govuks_menu_for_its_person_and_section(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    """The menu's markup is rendered once per distinct menu and reused
    (portal/navigation.py): each page must still show exactly what GOV.UK's
    macro gives for that person, that section and that page's sign-out form."""
    macro = app.jinja_env.get_template(
        "govuk_frontend_jinja/components/service-navigation/macro.html"
    ).module.govukServiceNavigation  # type: ignore[attr-defined]
    moderator = make_user(session, Role.MODERATOR)
    planner = make_user(session, Role.PLANNER)
    visits = [(moderator, p) for p in ("/moderation", "/", "/moderation", "/")]
    visits += [(planner, p) for p in ("/", "/rounds", "/")]
    for user, path in visits:
        sign_in_as(client, user)
        page = client.get(path).text
        shown = re.search(
            r'<section aria-label="Service information".*?</section>', page, re.S
        )
        assert shown is not None
        with app.test_request_context(path):
            login_user(user)
            context: dict[str, object] = {}
            app.update_template_context(context)
            base = app.jinja_env.get_template("base.html").make_module(context)
            sign_out = base.sign_out_slot()  # type: ignore[attr-defined]
            expected = macro(
                {
                    "serviceName": app.config["SERVICE_NAME"],
                    "serviceUrl": "/",
                    "navigation": navigation(),
                    "navigationLabel": "Menu",
                    "slots": {"navigationEnd": sign_out},
                }
            )
        assert _plain(shown.group(0)) == _plain(str(expected)), path
        current = {"/": "Home", "/moderation": "Moderate", "/rounds": "Rounds"}[path]
        assert f'__active-fallback">{current}</strong>' in shown.group(0), path


def _plain(html: str) -> str:
    """Markup with its white space runs as one space and any CSRF token as T."""
    html = re.sub(
        r'name="csrf_token" value="[^"]+"', 'name="csrf_token" value="T"', html
    )
    return re.sub(r"\s+", " ", html).strip()
