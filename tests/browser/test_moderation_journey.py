"""A manager moderates a batch by keyboard: redacts a flagged span, approves,
rejects with a reason, and bulk-approves; the safeguarding lead reviews. Every page
passes axe."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.demo import load_bundled_framework
from portal.models import Role, Submission
from tests.browser.conftest import (
    check_axe,
    press_and_wait,
    screenshot,
    sign_in_by_keyboard,
    tab_to,
)
from tests.conftest import reload
from tests.factories import (
    DEFAULT_PASSWORD,
    hold_anonymous,
    make_open_round,
    make_submission,
    make_team,
    make_user,
)


def _select_option(page: Any, element_id: str, value: str) -> None:
    tab_to(page, element_id, limit=80)
    page.select_option(f"#{element_id}", value)  # keyboard users pick with arrows


def test_moderate_a_batch_by_keyboard(page: Any, session: Session) -> None:
    load_bundled_framework(session)
    item_round = make_open_round(session, make_user(session, Role.PLANNER), areas=2)
    team = make_team(session, "Children in Need North")
    writer = make_user(session, Role.CONTRIBUTOR, team=team)
    flagged = make_submission(
        session,
        writer,
        item_round,
        team=team,
        text="Mum, Sarah rang 07700 900123 about the plan.",
    )
    to_reject = make_submission(
        session, writer, item_round, team=team, text="The car park is too small."
    )
    batch = [
        make_submission(session, writer, item_round, team=team, text=f"Point {n}")
        for n in range(2)
    ]
    make_submission(
        session,
        writer,
        item_round,
        team=team,
        text="My sister Amy has bruises and is scared to go home.",
    )
    moderator = make_user(session, Role.MODERATOR, team=team)
    sign_in_by_keyboard(page, moderator.email, DEFAULT_PASSWORD)

    page.goto(page.base_url + "/moderation")
    check_axe(page, "moderation queue")
    screenshot(page, "moderation-queue")
    assert "scared to go home" not in page.content()

    # Redact the flagged name and phone number, by keyboard (input that may still
    # hold personal data cannot simply be approved).
    page.goto(page.base_url + f"/moderation/items/{flagged.id}")
    check_axe(page, "moderation item")
    screenshot(page, "moderation-item")
    tab_to(page, "redact-spans", limit=80)
    page.keyboard.press("Space")  # the first flagged item: the name
    page.keyboard.press("Tab")  # the second: the phone number
    page.keyboard.press("Space")
    _select_option(page, "redact-reason", "family")
    page.locator("button", has_text="Redact").focus()
    press_and_wait(page)
    assert "Redacted 17 characters" in page.content()
    assert "[redacted: a family member's details]" in page.content()
    check_axe(page, "moderation item after redaction")

    # Approve it.
    tab_to(page, "decide-decision", limit=120)
    page.keyboard.press("Space")
    page.locator("button", has_text="Save decision").focus()
    press_and_wait(page)
    assert "Approved." in page.content()

    # Reject another with a reason.
    page.goto(page.base_url + f"/moderation/items/{to_reject.id}")
    tab_to(page, "decide-decision", limit=120)
    page.keyboard.press("ArrowDown")  # Reject
    _select_option(page, "decide-reason", "off_topic")
    page.locator("button", has_text="Save decision").focus()
    press_and_wait(page)
    assert "Rejected." in page.content()

    # Bulk-approve the rest of the batch from the queue.
    page.goto(page.base_url + "/moderation")
    for n in range(2):
        tab_to(page, f"select-{n + 1}", limit=60)
        page.keyboard.press("Space")
    tab_to(page, "decision", limit=20)
    page.keyboard.press("Space")
    page.locator("button", has_text="Apply to selected items").focus()
    press_and_wait(page)
    assert "2 items approved." in page.content()
    check_axe(page, "bulk decision result")

    reload(session)
    statuses = {s.id: s.status for s in session.scalars(select(Submission))}
    assert statuses[flagged.id] == "approved" and statuses[to_reject.id] == "rejected"
    assert all(statuses[item.id] == "approved" for item in batch)


def test_safeguarding_pages_pass_axe(page: Any, session: Session) -> None:
    load_bundled_framework(session)
    item_round = make_open_round(session, make_user(session, Role.PLANNER))
    writer = make_user(session, Role.CONTRIBUTOR)
    item = make_submission(
        session,
        writer,
        item_round,
        text="My sister Amy has bruises and is scared to go home.",
    )
    hold_anonymous(session, writer, item_round, "HELD: he hits her when he drinks.")
    lead = make_user(session, Role.SAFEGUARDING_LEAD)
    sign_in_by_keyboard(page, lead.email, DEFAULT_PASSWORD)
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "1 item needs safeguarding review"
    )
    check_axe(page, "lead's home page")
    page.goto(page.base_url + "/safeguarding")
    assert "HELD: he hits her when he drinks." in page.content()
    check_axe(page, "safeguarding queue, with anonymous input still held")
    page.goto(page.base_url + f"/safeguarding/items/{item.id}")
    check_axe(page, "safeguarding item")
    screenshot(page, "safeguarding-item")
    tab_to(page, "action", limit=80)
    page.keyboard.press("ArrowDown")  # Referred to the LADO
    page.locator("button", has_text="Record action").focus()
    press_and_wait(page)
    assert "The action has been recorded." in page.content()


def test_audit_viewer_passes_axe(page: Any, session: Session) -> None:
    admin = make_user(session, Role.ADMIN)
    sign_in_by_keyboard(page, admin.email, DEFAULT_PASSWORD)
    page.goto(page.base_url + "/admin/audit")
    check_axe(page, "audit trail")
