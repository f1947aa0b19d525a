"""Single sign-on in Chromium: the sign-in page with the council-account button
and the break-glass form, the round trip through the suite's OpenID provider by
keyboard, and the "ask your administrator" page: axe on each, no sideways
scrolling at 320 CSS pixels."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from tests.browser.conftest import check_axe, press_and_wait, serve, tab_to
from tests.sso.conftest import STAFF, UNMAPPED, sso_settings
from tests.sso.provider import Provider, running


@pytest.fixture
def sso_site(app: Flask) -> Iterator[tuple[str, Provider]]:
    with (
        running() as provider,
        serve(app.config["DATABASE_URL"], DEMO=True, **sso_settings(provider)) as url,
    ):
        yield url, provider


def no_sideways_scroll(page: Any, label: str) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{label} scrolls sideways at 320px ({width}px)"
    page.set_viewport_size({"width": 1024, "height": 768})


def test_signing_in_with_a_council_account_by_keyboard(
    page: Any, sso_site: tuple[str, Provider]
) -> None:
    base, provider = sso_site
    provider.add("mo", [STAFF], name="Mo Farah")
    provider.add("stranger", [UNMAPPED])

    page.goto(base + "/sign-in")
    assert page.locator("h1").inner_text() == "Sign in to Frontline Voice"
    check_axe(page, "sign-in with SSO")
    no_sideways_scroll(page, "sign-in with SSO")
    # The break-glass form is there, folded away.
    page.locator("summary", has_text="Emergency administrator sign-in").click()
    check_axe(page, "sign-in, break-glass form open")

    provider.sign_in_next("mo")
    page.goto(base + "/sign-in")
    page.keyboard.press("Tab")  # skip link
    tab_to(page, "BUTTON")
    assert "council account" in page.evaluate("document.activeElement.textContent")
    press_and_wait(page)
    page.wait_for_load_state()
    assert page.url.rstrip("/") == base
    assert "Sign out" in page.content()
    page.goto(base + "/account/password")
    assert "You sign in with your council account" in page.content()
    check_axe(page, "a directory account's own page")
    no_sideways_scroll(page, "a directory account's own page")
    page.locator("button", has_text="Sign out").first.click()
    page.wait_for_load_state()
    assert page.url.startswith(base + "/sign-in")
    assert provider.sign_outs, "the provider's session was ended too"

    provider.sign_in_next("stranger")
    page.locator("button", has_text="Sign in with your council account").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Ask your administrator for access"
    check_axe(page, "ask your administrator")
    no_sideways_scroll(page, "ask your administrator")
