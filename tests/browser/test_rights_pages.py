"""Your data, the erasure requests and the notice texts pass axe; asking for
erasure works by keyboard."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from portal.demo import load_bundled_framework
from portal.models import Role
from tests.browser.conftest import check_axe, press_and_wait, sign_in_by_keyboard
from tests.factories import (
    DEFAULT_PASSWORD,
    make_open_round,
    make_submission,
    make_user,
)


def test_rights_pages_pass_axe(page: Any, session: Session) -> None:
    load_bundled_framework(session)
    engagement = make_open_round(session, make_user(session, Role.PLANNER))
    writer = make_user(session, Role.CONTRIBUTOR)
    make_submission(session, writer, engagement, text="Supervision keeps slipping.")
    admin = make_user(session, Role.ADMIN)
    sign_in_by_keyboard(page, writer.email, DEFAULT_PASSWORD)
    page.goto(page.base_url + "/account/my-data")
    check_axe(page, "your data")
    page.locator("button", has_text="Ask for my named input to be erased").focus()
    press_and_wait(page)
    assert "Your request has been sent." in page.content()
    check_axe(page, "your data, erasure asked")
    page.locator("button", has_text="Sign out").first.click()
    page.wait_for_load_state()
    sign_in_by_keyboard(page, admin.email, DEFAULT_PASSWORD)
    page.goto(page.base_url + "/admin/erasure-requests")
    check_axe(page, "erasure requests")
    page.goto(page.base_url + "/admin/notices")
    check_axe(page, "notice texts")
    for path in ("/privacy", "/accessibility"):
        page.goto(page.base_url + path)
        check_axe(page, path)
