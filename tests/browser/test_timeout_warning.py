"""The GOV.UK timeout warning appears before the inactivity limit, passes axe, and
"Stay signed in" (by keyboard) keeps the session; once the session has ended, its
one button signs in again and returns to the form with the words. Served with a
1-minute limit."""

from __future__ import annotations

import time
from typing import Any

import time_machine
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.demo import load_bundled_framework
from portal.models import AnonymousInbox, Role, Submission
from tests.browser.conftest import (
    active_id,
    check_axe,
    press_and_wait,
    serve,
    sign_in_by_keyboard,
    tab_to,
)
from tests.conftest import reload
from tests.factories import DEFAULT_PASSWORD, make_open_round, make_user


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


def test_after_the_session_ends_one_button_signs_in_again_back_to_the_words(
    page: Any, app: Flask, session: Session
) -> None:
    """The page's clock is Playwright's (fast-forwarded); the server's is moved on
    with time-machine, so its session check really finds the session ended."""
    load_bundled_framework(session)
    make_open_round(session, make_user(session, Role.PLANNER), areas=2)
    user = make_user(session, Role.CONTRIBUTOR, email="te@council.example")
    words = "Supervision slots are cancelled first when the duty rota is short."
    with serve(
        app.config["DATABASE_URL"], SESSION_IDLE_MINUTES=1, SESSION_WARNING_MINUTES=0.5
    ) as url:
        page.base_url = url
        page.clock.install()
        sign_in_by_keyboard(page, user.email, DEFAULT_PASSWORD)
        page.goto(url + "/feedback")
        page.locator("a", has_text="Autumn staff engagement").click()
        page.locator("h3 a").first.click()
        form_url = page.url
        page.locator("#mode-2").check()  # stay anonymous: no autosave
        page.locator("#obstacles").fill(words)

        dialog = page.locator("#timeout-warning")
        page.clock.fast_forward("00:35")
        expect(dialog).to_be_visible()
        expect(dialog).to_contain_text("You will be signed out soon")
        page.clock.fast_forward("00:30")
        expect(dialog).to_contain_text("You have been signed out")
        expect(dialog).to_contain_text("Sign in again to go back to this form")
        expect(dialog.locator("button", has_text="Stay signed in")).to_be_hidden()
        again = dialog.locator("button", has_text="Sign in again")
        expect(again).to_be_visible()
        assert active_id(page) == "timeout-warning-sign-in", "the button has focus"
        check_axe(page, "timeout dialog after the session ended")

        with time_machine.travel(time.time() + 120, tick=True):
            press_and_wait(page)  # by keyboard: Enter on the focused button
            expect(page.locator("h1")).to_have_text("You have been signed out")
            expect(page.locator("#kept-1")).to_have_value(words)
            check_axe(page, "signed out, with the words kept")
            tab_to(page, "email")
            page.keyboard.type(user.email)
            tab_to(page, "password")
            page.keyboard.type(DEFAULT_PASSWORD)
            with page.expect_navigation(url=form_url):
                page.keyboard.press("Enter")
            page.wait_for_load_state()
            expect(page.locator("#obstacles")).to_have_value(words)
            assert page.locator("#mode-2").is_checked()
            expect(page.locator("main")).to_contain_text("You are signed in again")
            check_axe(page, "the form back, filled in")
    reload(session)
    assert session.scalar(select(func.count()).select_from(AnonymousInbox)) == 0
    assert session.scalar(select(func.count()).select_from(Submission)) == 0
