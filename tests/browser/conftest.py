"""Real-browser fixtures: the app served on 127.0.0.1 with CSRF on, Debian's
Chromium driven by Playwright, and axe-core for accessibility checks.

Without /usr/bin/chromium these tests are skipped, unless PORTAL_REQUIRE_BROWSER=1
(as in CI), when a missing browser or axe-core is a failure.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from portal import create_app, db
from tests.conftest import base_config

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "screenshots"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is not installed (apt-get install chromium)"
    if not AXE.exists():
        return f"{AXE} is missing (npm ci)"
    return None


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    reason = _missing()
    for item in items:
        if "browser" not in item.nodeid.split("::")[0]:
            continue
        item.add_marker(pytest.mark.browser)
        if reason and os.environ.get("PORTAL_REQUIRE_BROWSER") != "1":
            item.add_marker(pytest.mark.skip(reason=reason))


@contextmanager
def serve(database_url: str, **overrides: Any) -> Iterator[str]:
    """The app, with CSRF on as in production, on a free port of 127.0.0.1."""
    reason = _missing()
    if reason:
        pytest.fail(f"Browser tests are required (PORTAL_REQUIRE_BROWSER=1): {reason}")
    served = create_app(
        {**base_config(database_url), "WTF_CSRF_ENABLED": True, **overrides}
    )
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        db.get_engine(served).dispose()


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    # As `make run` serves it: the demo banner is on every page axe checks.
    with serve(app.config["DATABASE_URL"], DEMO=True) as url:
        yield url


@pytest.fixture(scope="session")
def browser_context() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1024, "height": 768},
        )
        # Fail fast: a stuck page should fail its test, not hold up CI.
        context.set_default_timeout(15_000)
        yield context
        context.close()


class PageProblems:
    def __init__(self) -> None:
        self.items: list[str] = []


@pytest.fixture
def page(browser_context: Any, live_server: str) -> Iterator[Any]:
    browser_context.clear_cookies()
    tab = browser_context.new_page()
    problems = PageProblems()
    # Form pages answer 400 when validation fails, which Chromium notes in the
    # console; failed assets are caught by the response hook below instead.
    tab.on(
        "console",
        lambda m: (
            problems.items.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning")
            and "Failed to load resource" not in m.text
            else None
        ),
    )
    tab.on("pageerror", lambda e: problems.items.append(f"page error: {e}"))
    tab.on(
        "response",
        lambda r: (
            problems.items.append(f"{r.status} {r.url}")
            if "/assets/" in r.url and r.status >= 400
            else None
        ),
    )
    tab.base_url = live_server
    yield tab
    tab.close()
    assert problems.items == [], "the browser reported problems"


def press_and_wait(page: Any, key: str = "Enter") -> None:
    """Press a key that submits a form or follows a link, and wait for the new page."""
    with page.expect_navigation():
        page.keyboard.press(key)


def check_axe(page: Any, label: str) -> None:
    """Run axe-core in the page (evaluate, because the CSP blocks injected tags)."""
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    violations = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]
    assert violations == [], f"axe on {label}:\n{json.dumps(violations, indent=2)}"
    assert result["passes"], "axe ran no checks"


def screenshot(page: Any, name: str) -> None:
    """The README's screenshots, rewritten only on request (PORTAL_SCREENSHOTS=1),
    so a test run leaves the tree clean. The page is still rendered to an image
    either way, so a page that cannot be captured fails the test."""
    image = page.screenshot(full_page=True)
    assert image, f"{name}: empty screenshot"
    if os.environ.get("PORTAL_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        (SCREENSHOTS / f"{name}.png").write_bytes(image)


def assert_js_started(page: Any) -> None:
    classes = page.evaluate("document.body.className")
    assert "govuk-frontend-supported" in classes, "GOV.UK Frontend JS ran under the CSP"


def active_id(page: Any) -> str:
    return str(
        page.evaluate("document.activeElement.id || document.activeElement.tagName")
    )


def tab_to(page: Any, element_id: str, limit: int = 25) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if active_id(page) == element_id:
            return
    raise AssertionError(f"#{element_id} is not reachable by keyboard")


def sign_in_by_keyboard(page: Any, email: str, password: str) -> None:
    page.goto(page.base_url + "/sign-in")
    tab_to(page, "email")
    page.keyboard.type(email)
    tab_to(page, "password")
    page.keyboard.type(password)
    press_and_wait(page)
