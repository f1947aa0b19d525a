"""A social worker gives named and anonymous input by keyboard alone, meets the
personal-data warning, and every page of the journey passes axe."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.demo import load_bundled_framework
from portal.models import Role, Submission
from tests.browser.conftest import (
    active_id,
    assert_js_started,
    check_axe,
    press_and_wait,
    screenshot,
    sign_in_by_keyboard,
    tab_to,
)
from tests.conftest import reload
from tests.factories import DEFAULT_PASSWORD, make_open_round, make_user, release_held


def _open_round(session: Session) -> None:
    load_bundled_framework(session)
    make_open_round(session, make_user(session, Role.PLANNER), areas=3)


def _answer(page: Any, field: str, text: str) -> None:
    tab_to(page, field, limit=60)
    page.keyboard.type(text)


def _choose_priority(page: Any, value: int) -> None:
    tab_to(page, "priority", limit=60)
    for _ in range(value - 1):
        page.keyboard.press("ArrowDown")
    assert active_id(page) == ("priority" if value == 1 else f"priority-{value}")


def _send(page: Any, label: str) -> None:
    page.locator("button", has_text=label).focus()
    press_and_wait(page)


def test_named_then_anonymous_input_by_keyboard(page: Any, session: Session) -> None:
    _open_round(session)
    make_user(session, Role.CONTRIBUTOR, email="sw@council.example", name="Sam Worker")
    sign_in_by_keyboard(page, "sw@council.example", DEFAULT_PASSWORD)

    page.goto(page.base_url + "/feedback")
    check_axe(page, "open rounds")
    page.locator("a", has_text="Autumn staff engagement").focus()
    press_and_wait(page)
    check_axe(page, "round page")
    page.locator("h3 a").first.focus()
    press_and_wait(page)
    assert_js_started(page)
    check_axe(page, "feedback form")
    screenshot(page, "feedback-form")

    # Nothing is preselected, and nothing is saved until "Give my name" is chosen.
    assert not page.locator('input[name="mode"]:checked').count()
    tab_to(page, "mode", limit=30)
    page.keyboard.press("Space")
    assert page.locator("#mode").is_checked()
    # Named input with a phone number in the example: the warning comes back.
    _answer(page, "obstacles", "Caseloads rise whenever a colleague leaves.")
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved")
    _answer(page, "practice_example", "Mum, Sarah rang the duty line on 07700 900123.")
    _choose_priority(page, 4)
    _send(page, "Send your input")
    assert "Your answers may include personal data" in page.content()
    assert page.locator("mark.app-flag").count() == 2
    check_axe(page, "personal-data warning")
    screenshot(page, "personal-data-warning")
    _send(page, "Send anyway")
    assert "Thank you, your input has been sent" in page.content()
    check_axe(page, "thank you (named)")

    page.goto(page.base_url + "/feedback/mine")
    assert "Caseloads rise whenever a colleague leaves." in page.content()
    check_axe(page, "my input")

    # Anonymous input on another area: no draft, a receipt code instead.
    page.goto(page.base_url + "/feedback")
    page.locator("a", has_text="Autumn staff engagement").focus()
    press_and_wait(page)
    page.locator("h3 a").nth(1).focus()
    press_and_wait(page)
    tab_to(page, "mode", limit=30)
    page.keyboard.press("ArrowDown")
    assert active_id(page) == "mode-2"
    _answer(page, "biggest_difference", "Managers who challenge drift in plans.")
    expect(page.locator("#autosave-status")).to_contain_text("not saved as a draft")
    _choose_priority(page, 5)
    _send(page, "Send your input")
    receipt = page.locator("#receipt-code").inner_text()
    assert len(receipt) == 24
    check_axe(page, "thank you (anonymous) with receipt")
    screenshot(page, "receipt")
    assert "/feedback/thank-you" in page.url

    page.goto(page.base_url + "/feedback/receipt")
    check_axe(page, "receipt form")
    tab_to(page, "code")
    page.keyboard.type(receipt)
    press_and_wait(page)
    assert "Received: being reviewed" in page.content()
    check_axe(page, "receipt status")
    # Withdrawing asks once more, on a page that says what happens.
    page.locator("button", has_text="Withdraw this input").focus()
    press_and_wait(page)
    assert "Are you sure you want to withdraw your anonymous input?" in page.content()
    check_axe(page, "withdraw check")
    page.locator("button", has_text="Yes, withdraw it").focus()
    press_and_wait(page)
    assert "withdrawn" in page.content()

    release_held(session)  # the overnight release of anonymous input
    reload(session)
    kinds = dict(
        session.execute(
            select(Submission.kind, func.count()).group_by(Submission.kind)
        ).all()
    )
    assert kinds == {"named": 1, "anonymous": 1}
    anonymous = session.scalar(select(Submission).where(Submission.kind == "anonymous"))
    assert anonymous is not None and anonymous.author_id is None


def test_manager_pages_of_the_engagement_stage_pass_axe(
    page: Any, session: Session
) -> None:
    _open_round(session)
    admin = make_user(session, Role.ADMIN, Role.PLANNER, Role.MODERATOR)
    sign_in_by_keyboard(page, admin.email, DEFAULT_PASSWORD)
    round_id = session.scalar(select(func.min(Submission.round_id))) or 1
    for path, label in [
        ("/rounds", "rounds"),
        ("/rounds/new", "new round"),
        (f"/rounds/{round_id}/edit", "edit round"),
        ("/feedback/sessions", "sessions"),
        (f"/feedback/rounds/{round_id}/sessions/new", "record a session"),
        ("/feedback/notice", "safeguarding notice"),
        ("/admin/role-groups", "role groups"),
    ]:
        page.goto(page.base_url + path)
        check_axe(page, label)
    page.goto(page.base_url + "/rounds/new")
    page.locator("button", has_text="Save round").focus()
    press_and_wait(page)
    check_axe(page, "new round with errors")
    screenshot(page, "round-setup-errors")
