"""Sign in by keyboard, then every foundation page passes axe (WCAG 2.2 AA and best
practice) with zero violations. Screenshots for the README are saved on the way."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.demo import seed_demo
from portal.models import (
    Area,
    EngagementRound,
    GlossaryTerm,
    Recommendation,
    Role,
    Team,
    User,
)
from tests.browser.conftest import (
    active_id,
    assert_js_started,
    check_axe,
    press_and_wait,
    screenshot,
    sign_in_by_keyboard,
    tab_to,
)
from tests.conftest import FAST_HASH
from tests.factories import DEFAULT_PASSWORD, make_submission, make_team, make_user


def test_sign_in_journey_by_keyboard(page: Any, session: Session) -> None:
    make_user(
        session, Role.CONTRIBUTOR, email="kb@council.example", name="Kim Keyboard"
    )
    page.goto(page.base_url + "/sign-in")
    assert_js_started(page)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == (
        "Skip to main content"
    )
    check_axe(page, "sign-in page")
    screenshot(page, "sign-in")

    # Submitting empty: the error summary takes focus and links to each field.
    tab_to(page, "email")
    press_and_wait(page)
    assert page.title().startswith("Error: ")
    assert page.evaluate(
        "document.activeElement.classList.contains('govuk-error-summary')"
    )
    check_axe(page, "sign-in page with errors")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert active_id(page) == "email"

    # A wrong password: the generic message.
    sign_in_by_keyboard(page, "kb@council.example", "wrong password here")
    assert "Enter a correct email address and password" in page.content()

    sign_in_by_keyboard(page, "kb@council.example", DEFAULT_PASSWORD)
    assert page.url == page.base_url + "/"
    assert page.locator("h1").inner_text() == "Hello, Kim Keyboard"
    check_axe(page, "home page (contributor)")

    # Sign out from the service navigation, by keyboard.
    page.locator("button", has_text="Sign out").focus()
    press_and_wait(page)
    assert page.url.startswith(page.base_url + "/sign-in")
    assert "You have signed out." in page.content()


def test_admin_and_framework_pages_have_no_axe_violations(
    page: Any, session: Session
) -> None:
    seed_demo(session, FAST_HASH)
    session.commit()
    admin = make_user(session, Role.ADMIN, Role.PLANNER, name="Alex Admin")
    contributor = session.scalar(
        select(User).where(User.email == "demo-contributor@cheshire-east.example")
    )
    team = session.scalar(select(Team))
    area = session.scalar(select(Area))
    rec = session.scalar(select(Recommendation).where(Recommendation.is_placeholder))
    assert contributor and team and area and rec
    # Input from a team no moderator covers: the home page says where it waits.
    engagement = session.scalar(select(EngagementRound))
    assert engagement is not None
    make_submission(session, contributor, engagement, team=make_team(session, "Lone"))
    sign_in_by_keyboard(page, admin.email, DEFAULT_PASSWORD)
    assert "outside every moderator" in page.content()
    glossary_id = session.scalar(select(GlossaryTerm.id))
    pages = [
        ("/", "home", "home"),
        ("/admin/users", "users", "user-admin"),
        ("/admin/users/new", "new user", None),
        (f"/admin/users/{contributor.id}", "edit user", "user-edit"),
        ("/admin/teams", "teams", None),
        (f"/admin/teams/{team.id}", "edit team", None),
        ("/admin/glossary", "abbreviations", None),
        (f"/admin/glossary/{glossary_id}", "change an abbreviation", None),
        ("/framework", "framework", "framework"),
        (f"/framework/areas/{area.id}/edit", "edit area", None),
        (f"/framework/recommendations/{rec.id}/edit", "edit recommendation", None),
        (f"/framework/recommendations/{rec.id}/retire", "retire recommendation", None),
        (
            f"/framework/inspections/{area.inspection_id}/recommendations/new",
            "new recommendation",
            None,
        ),
        ("/account/password", "your account", None),
        ("/accessibility", "accessibility statement", None),
        ("/privacy", "privacy notice", None),
        ("/no-such-page", "404 page", None),
    ]
    for path, label, shot in pages:
        page.goto(page.base_url + path)
        assert_js_started(page)
        check_axe(page, label)
        if shot:
            screenshot(page, shot)

    # Error states of the admin forms, reached by keyboard.
    page.goto(page.base_url + "/admin/users/new")
    page.locator("button", has_text="Create account").focus()
    press_and_wait(page)
    assert "Enter the person" in page.content()
    check_axe(page, "new user with errors")
    page.goto(
        page.base_url
        + f"/framework/inspections/{area.inspection_id}/recommendations/new"
    )
    page.locator("button", has_text="Save recommendation").focus()
    press_and_wait(page)
    check_axe(page, "new recommendation with errors")
    screenshot(page, "form-errors")


def test_admin_creates_an_account_by_keyboard(page: Any, session: Session) -> None:
    admin = make_user(session, Role.ADMIN)
    sign_in_by_keyboard(page, admin.email, DEFAULT_PASSWORD)
    page.goto(page.base_url + "/admin/users/new")
    tab_to(page, "display_name")
    page.keyboard.type("Robin Reviewer")
    tab_to(page, "email")
    page.keyboard.type("robin@council.example")
    tab_to(page, "roles-2")  # the second role checkbox: Moderator
    page.keyboard.press("Space")
    page.locator("button", has_text="Create account").focus()
    press_and_wait(page)
    assert "Account created" in page.content()
    password = page.locator("#one-time-password").inner_text()
    assert len(password) >= 16
    check_axe(page, "account created")
    session.rollback()
    robin = session.scalar(select(User).where(User.email == "robin@council.example"))
    assert robin is not None and robin.roles == {Role.MODERATOR}
