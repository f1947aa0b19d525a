"""The GOV.UK timeout warning appears before the inactivity limit, passes axe, and
"Stay signed in" (by keyboard) keeps the session. Served with a 1-minute limit."""

from __future__ import annotations

from typing import Any

from flask import Flask
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from portal.models import Role
from tests.browser.conftest import check_axe, serve, sign_in_by_keyboard
from tests.factories import DEFAULT_PASSWORD, make_user


def test_timeout_warning_keeps_the_session_by_keyboard(
    page: Any, app: Flask, session: Session
) -> None:
    user = make_user(session, Role.CONTRIBUTOR, email="tw@council.example")
    # Warn 3 seconds after the page loads: 60 s limit, warning 57 s before it.
    with serve(
        app.config["DATABASE_URL"], SESSION_IDLE_MINUTES=1, SESSION_WARNING_MINUTES=0.95
    ) as url:
        page.base_url = url
        sign_in_by_keyboard(page, user.email, DEFAULT_PASSWORD)
        page.goto(url + "/feedback/mine")
        dialog = page.locator("#timeout-warning")
        expect(dialog).to_be_visible(timeout=10_000)
        expect(dialog).to_contain_text("we will sign you out in 1 minute")
        check_axe(page, "timeout warning")
        focused = page.evaluate("document.activeElement.textContent").strip()
        assert focused == "Stay signed in", "the dialog takes focus"
        with page.expect_response("**/session/keep-alive") as answer:
            page.keyboard.press("Enter")
        assert answer.value.ok
        expect(dialog).to_be_hidden()
        assert page.url == url + "/feedback/mine", "the person stays on their page"
        assert (
            page.evaluate("window.localStorage.length + window.sessionStorage.length")
            == 0
        )
