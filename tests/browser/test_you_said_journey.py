"""Closing the loop in Chromium: one anonymous item followed from its receipt
page to the plan action that cites it; "You said, we did" published and read;
axe finds nothing on any of these pages."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.demo import load_bundled_framework
from portal.models import (
    PlanAction,
    Recommendation,
    RecommendationTag,
    Role,
    Submission,
)
from tests.board.conftest import add_action
from tests.browser.conftest import (
    check_axe,
    press_and_wait,
    screenshot,
    sign_in_by_keyboard,
    tab_to,
)
from tests.conftest import reload
from tests.factories import DEFAULT_PASSWORD, make_open_round, make_user, release_held


def _sign_out(page: Any) -> None:
    page.locator("button", has_text="Sign out").first.click()
    page.wait_for_load_state()


def test_an_anonymous_item_followed_to_the_action_that_cites_it(
    page: Any, session: Session
) -> None:
    load_bundled_framework(session)
    planner = make_user(session, Role.PLANNER)
    engagement = make_open_round(session, planner)
    writer = make_user(session, Role.CONTRIBUTOR)
    rec = session.scalar(select(Recommendation).where(Recommendation.code == "LSCB-R2"))
    assert rec is not None
    start = planner.created_at.date()
    action = add_action(
        session,
        planner,
        rec,
        start=start - timedelta(days=90),
        target=start + timedelta(days=90),
        text="Protect fortnightly reflective supervision in every team.",
    )

    sign_in_by_keyboard(page, writer.email, DEFAULT_PASSWORD)
    area = engagement.areas[0]
    page.goto(page.base_url + f"/feedback/rounds/{engagement.id}/areas/{area.id}")
    tab_to(page, "mode", limit=30)
    page.keyboard.press("ArrowDown")  # Stay anonymous
    tab_to(page, "obstacles", limit=60)
    page.keyboard.type("Supervision is cancelled whenever the duty rota is short.")
    tab_to(page, "priority", limit=60)
    page.keyboard.press("ArrowDown")  # 2 out of 5
    page.locator("button", has_text="Send your input").focus()
    press_and_wait(page)
    errors = page.locator(".govuk-error-summary")
    assert errors.count() == 0, errors.first.inner_text()
    receipt = page.locator("#receipt-code").inner_text()

    # Overnight release, moderation, tagging and citing, done directly.
    release_held(session)
    reload(session)
    item = session.scalar(select(Submission).where(Submission.kind == "anonymous"))
    assert item is not None and item.author_id is None
    item.status = "approved"
    session.add(RecommendationTag(submission_id=item.id, recommendation_id=rec.id))
    cited = session.get(PlanAction, action.id)
    assert cited is not None
    cited.evidence = [item]
    session.commit()

    page.goto(page.base_url + "/feedback/receipt")
    tab_to(page, "code")
    page.keyboard.type(receipt)
    press_and_wait(page)
    check_axe(page, "receipt status with what became of it")
    expect(page.locator(".app-outcome")).to_contain_text("LSCB-R2")
    page.locator(".app-outcome a", has_text="Protect fortnightly").focus()
    press_and_wait(page)
    assert f"/you-said/actions/{action.id}" in page.url
    expect(page.locator("h1")).to_contain_text("Protect fortnightly")
    check_axe(page, "a plan action as staff see it")
    page.goto(page.base_url + "/feedback/mine")
    check_axe(page, "my input with outcomes")
    page.goto(page.base_url + "/account/digest")
    check_axe(page, "digest choice")
    tab_to(page, "opt_in", limit=60)
    page.keyboard.press("Space")
    page.locator("button", has_text="Save").focus()
    press_and_wait(page)
    assert "You will get the quarterly digest." in page.content()
    page.goto(page.base_url + "/you-said")
    check_axe(page, "you said, we did before anything is published")
    _sign_out(page)

    sign_in_by_keyboard(page, planner.email, DEFAULT_PASSWORD)
    page.goto(page.base_url + "/board/quarters")
    page.locator("input[name=quarter]").last.check()
    page.locator("button", has_text="Freeze the quarter").click()
    page.wait_for_url("**/board/quarters/*")
    page.goto(page.base_url + "/you-said/publish")
    check_axe(page, "publish with its preview")
    page.locator("button", has_text="Publish to all staff").focus()
    press_and_wait(page)
    assert "Published to all staff." in page.content()
    check_axe(page, "you said, we did as published")
    expect(page.locator("main")).to_contain_text("Protect fortnightly")
    screenshot(page, "you-said-we-did")
    with page.expect_download() as briefing:
        page.locator("a", has_text="Word briefing").click()
    assert briefing.value.suggested_filename.endswith(".docx")
