"""A planner tags approved input by keyboard, accepts a suggestion, adds a theme and
a quote, and reads the coverage; every page passes axe."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.demo import load_bundled_framework
from portal.models import RecommendationTag, Role, ThemeTag
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
    make_open_round,
    make_submission,
    make_user,
)


def test_tag_by_keyboard_and_accept_a_suggestion(page: Any, session: Session) -> None:
    load_bundled_framework(session)
    item_round = make_open_round(session, make_user(session, Role.PLANNER))
    writer = make_user(session, Role.CONTRIBUTOR)
    item = make_submission(
        session,
        writer,
        item_round,
        text="We have no FGM strategy and midwives do not know who to tell.",
    )
    other = make_submission(
        session,
        writer,
        item_round,
        text="Delays in the family court leave children waiting.",
    )
    for approved in (item, other):
        approved.status = "approved"
    session.commit()
    planner = make_user(session, Role.PLANNER)
    sign_in_by_keyboard(page, planner.email, DEFAULT_PASSWORD)

    # A theme first, by keyboard.
    page.goto(page.base_url + "/tagging/themes")
    check_axe(page, "themes")
    tab_to(page, "name", limit=60)
    page.keyboard.type("Partnership working")
    page.locator("button", has_text="Add theme").focus()
    press_and_wait(page)
    assert "Theme “Partnership working” added." in page.content()

    page.goto(page.base_url + "/tagging")
    check_axe(page, "tagging list")
    screenshot(page, "tagging")
    page.locator("a", has_text="FGM strategy").focus()
    press_and_wait(page)
    check_axe(page, "tagging item")
    assert "LSCB-R7" in page.locator(
        "form button", has_text="Accept"
    ).first.inner_text() or ("LSCB-R7" in page.content())
    page.locator("button", has_text="Accept").first.focus()
    press_and_wait(page)
    assert "Suggestion accepted." in page.content()

    # Add the theme by hand from the tag checkboxes.
    theme_box = page.locator("input[name='theme_ids']").first
    theme_box.focus()
    page.keyboard.press("Space")
    page.locator("button", has_text="Save tags").focus()
    press_and_wait(page)
    assert "Tags saved." in page.content()

    # And a quote.
    tab_to(page, "quote-field", limit=120)
    page.select_option("#quote-field", "obstacles")
    tab_to(page, "quote-text", limit=5)
    page.keyboard.type("midwives do not know who to tell")
    page.locator("button", has_text="Add quote").focus()
    press_and_wait(page)
    assert "Quote added." in page.content()
    check_axe(page, "tagging item with tags and a quote")
    screenshot(page, "tagging-item")

    page.goto(page.base_url + "/tagging/coverage")
    check_axe(page, "coverage")
    screenshot(page, "coverage")
    assert "1 of 2 approved items are tagged" in page.content()

    reload(session)
    rec_tag = session.scalar(select(RecommendationTag))
    assert rec_tag is not None and rec_tag.from_suggestion
    assert session.scalar(select(ThemeTag)) is not None
