"""Summary pages pass axe, with a narrative written by keyboard."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect
from sqlalchemy.orm import Session

from portal.demo import load_bundled_framework
from portal.models import Role
from portal.submissions.phrases import rebuild_phrases
from tests.browser.conftest import (
    check_axe,
    press_and_wait,
    screenshot,
    sign_in_by_keyboard,
    tab_to,
)
from tests.factories import (
    DEFAULT_PASSWORD,
    make_open_round,
    make_submission,
    make_user,
)


def test_summary_pages_pass_axe(page: Any, session: Session) -> None:
    load_bundled_framework(session)
    item_round = make_open_round(session, make_user(session, Role.PLANNER))
    for n in range(6):
        item = make_submission(
            session,
            make_user(session, Role.CONTRIBUTOR),
            item_round,
            text=f"Supervision point {n}",
        )
        item.status = "approved"
    session.commit()
    rebuild_phrases(session)  # as portal init does for items approved directly
    session.commit()
    planner = make_user(session, Role.PLANNER)
    sign_in_by_keyboard(page, planner.email, DEFAULT_PASSWORD)
    page.goto(page.base_url + "/summaries")
    check_axe(page, "summaries index")
    page.goto(page.base_url + f"/summaries/areas/{item_round.areas[0].id}")
    check_axe(page, "area summary")
    page.locator("a", has_text="protected time").first.click()
    check_axe(page, "the items behind a recurring phrase")
    page.go_back()
    tab_to(page, "key_messages", limit=80)
    page.keyboard.type("**Supervision** is the theme that recurs most.")
    page.locator("button", has_text="Preview").focus()
    press_and_wait(page)
    preview = page.locator("#preview-heading")
    expect(preview).to_have_text("Preview: not saved yet")
    expect(page.locator(".app-preview strong")).to_have_text("Supervision")
    check_axe(page, "narrative preview")
    page.locator("button", has_text="Save narrative").focus()
    press_and_wait(page)
    assert "Narrative saved." in page.content()
    check_axe(page, "area summary with narrative")
    screenshot(page, "summary")
    page.goto(page.base_url + "/summaries/export")
    check_axe(page, "export page")
    page.goto(page.base_url + "/summaries/pack")
    check_axe(page, "seminar pack page")
    screenshot(page, "seminar-pack")
    page.locator("button", has_text="Download the pack").focus()
    with page.expect_download() as pack_download:
        page.keyboard.press("Enter")
    assert pack_download.value.suggested_filename.endswith(".docx")

    page.goto(page.base_url + "/summaries/export")
    page.locator("button", has_text="Download").focus()
    with page.expect_download() as data_download:
        page.keyboard.press("Enter")
    assert data_download.value.suggested_filename.endswith(".csv")

    page.goto(page.base_url + "/plan")
    check_axe(page, "improvement plan")
    page.locator("a", has_text="Add an action").first.focus()
    press_and_wait(page)
    check_axe(page, "new plan action")
    page.locator("button", has_text="Save action").focus()
    press_and_wait(page)
    check_axe(page, "new plan action with errors")
    screenshot(page, "plan-action")
