"""Whole-app guards: every view declares its access policy, headers, error pages and
template safety."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from flask import Flask, request
from flask.testing import FlaskClient
from sqlalchemy import insert
from sqlalchemy.orm import Session

from portal.access import Permission
from portal.models import Base, EngagementRound, Role, Submission
from portal.transaction import writes
from tests.conftest import reload, sign_in_as
from tests.factories import make_submission, make_team, make_user

ROOT = Path(__file__).resolve().parent.parent
# The only endpoints anyone may reach without signing in.
PUBLIC_ENDPOINTS = {
    "static",
    "accounts.sign_in",
    "sso.start",  # single sign-on: on the way in, so nobody is signed in yet
    "sso.callback",
    "pages.accessibility",
    "pages.privacy",
    "pages.health",
}


def test_every_endpoint_declares_exactly_one_access_policy(app: Flask) -> None:
    problems = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        permission = getattr(view, "required_permission", None)
        is_public = getattr(view, "is_public", False) or rule.endpoint == "static"
        if permission is not None and is_public:
            problems.append(f"{rule.endpoint} is both @public and @requires")
        elif permission is None and not is_public:
            problems.append(
                f"{rule.endpoint} ({rule.rule}) declares no access policy: add "
                "@requires(Permission.X) from portal.access, or @public and list it "
                "in PUBLIC_ENDPOINTS in tests/test_app.py"
            )
        elif is_public and rule.endpoint not in PUBLIC_ENDPOINTS:
            problems.append(
                f"{rule.endpoint} is @public but not in PUBLIC_ENDPOINTS; add it there "
                "only if anyone, signed in or not, may use it"
            )
        elif permission is not None and not isinstance(permission, Permission):
            problems.append(
                f"{rule.endpoint} declares {permission!r}, not a Permission"
            )
    assert problems == []


def test_urls_are_kebab_case_with_typed_ids(app: Flask) -> None:
    for rule in app.url_map.iter_rules():
        static_part = re.sub(r"<[^>]+>", "", rule.rule)
        assert static_part == static_part.lower(), rule.rule
        assert "_" not in static_part, f"{rule.rule}: use hyphens in URLs"
        for argument in re.findall(r"<([^>]+)>", rule.rule):
            assert argument.startswith(("int:", "uuid:", "path:")), (
                f"{rule.rule}: give <{argument}> a converter such as int:"
            )


def database_snapshot(session: Session) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, for comparing before and after."""
    reload(session)
    with session.get_bind().connect() as connection:
        return {
            table.name: sorted(
                (
                    tuple(str(v) for v in row)
                    for row in connection.execute(table.select())
                ),
            )
            for table in Base.metadata.sorted_tables
        }


# GET views that write on purpose, and why.
WRITES_ON_GET = {
    "feedback.thank_you": "consumes the one-time receipt hand-off",
    # The identity provider sends people back by a redirect, which is a GET.
    "sso.callback": "signs in: the account, its roles and the audit row",
}


def test_no_get_request_changes_the_database(
    app: Flask, client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    """Every GET route, as someone holding every role, with real ids to fill the
    URLs: none fails (an undeclared write is refused with a 500) and the database
    is the same afterwards, row for row."""
    everyone = make_user(session, *Role, team=make_team(session, "Team G"))
    item = make_submission(session, everyone, open_round)
    ids = {"uuid": item.id, "int": open_round.id}
    sign_in_as(client, everyone)
    before = database_snapshot(session)
    visited = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()) or rule.endpoint == "static":
            continue
        if rule.endpoint in WRITES_ON_GET:
            continue
        path = re.sub(r"<(\w+):\w+>", lambda m: str(ids.get(m.group(1), 1)), rule.rule)
        response = client.get(path)
        assert response.status_code < 500, path
        visited += 1
    assert visited > 30
    assert database_snapshot(session) == before


def test_only_listed_get_views_may_write(app: Flask) -> None:
    writing = set()
    for endpoint, view in app.view_functions.items():
        while view is not None:
            if getattr(view, "writes_on_get", False):
                writing.add(endpoint)
            view = getattr(view, "__wrapped__", None)
    assert writing == set(WRITES_ON_GET)
    for rule in app.url_map.iter_rules():
        methods = rule.methods or set()
        assert not methods & {"PUT", "PATCH", "DELETE"}, rule.rule
    sign_out = [
        r for r in app.url_map.iter_rules() if r.endpoint == "accounts.sign_out"
    ]
    assert sign_out and "GET" not in (sign_out[0].methods or set())


def test_templates_never_mark_user_text_safe() -> None:
    offenders = []
    for path in (ROOT / "templates").rglob("*"):
        if path.is_file():
            assert path.suffix == ".html", f"{path}: autoescape needs .html templates"
            text = path.read_text()
            for pattern in ("|safe", "| safe", "autoescape false", "Markup("):
                if pattern in text:
                    offenders.append(f"{path.relative_to(ROOT)}: {pattern}")
    for path in (ROOT / "portal").rglob("*.py"):
        # sanitise.cleaned_markup cleans with bleach as it marks text safe.
        if "Markup(" in path.read_text() and path.name != "sanitise.py":
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_bleach_is_imported_in_one_module_at_most() -> None:
    importers = [
        p
        for p in (ROOT / "portal").rglob("*.py")
        if re.search(r"^\s*(import|from) bleach", p.read_text(), re.M)
    ]
    assert len(importers) <= 1
    assert all(p.name == "sanitise.py" for p in importers)


def _expected_headers(nonce: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": (
            "default-src 'self'; "
            f"script-src 'self' 'nonce-{nonce}'; "
            "style-src 'self'; img-src 'self' data:; font-src 'self'; "
            "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
            "base-uri 'none'; object-src 'none'"
        ),
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Permissions-Policy": (
            "accelerometer=(), camera=(), geolocation=(), gyroscope=(), "
            "magnetometer=(), microphone=(), payment=(), usb=(), interest-cohort=()"
        ),
        "Cross-Origin-Opener-Policy": "same-origin",
        "Cross-Origin-Resource-Policy": "same-origin",
        "Cache-Control": "no-store",
    }


def _assert_security_headers(response_headers: object, body: str) -> str:
    headers = dict(response_headers)  # type: ignore[call-overload]
    nonce = re.search(r"'nonce-([^']+)'", headers["Content-Security-Policy"])
    assert nonce is not None
    for name, value in _expected_headers(nonce.group(1)).items():
        assert headers[name] == value, name
    if "<script" in body:
        assert f'nonce="{nonce.group(1)}"' in body
    return nonce.group(1)


def test_security_headers_on_public_signed_in_and_error_pages(
    client: FlaskClient, session: Session
) -> None:
    nonces = set()
    response = client.get("/sign-in")
    nonces.add(_assert_security_headers(response.headers, response.text))
    assert "Strict-Transport-Security" not in response.headers  # plain http
    sign_in_as(client, make_user(session, Role.ADMIN))
    for url, status in (("/", 200), ("/admin/users", 200), ("/no-such-page", 404)):
        response = client.get(url)
        assert response.status_code == status
        nonces.add(_assert_security_headers(response.headers, response.text))
    assert len(nonces) == 4, "the CSP nonce must be new for every response"


def test_hsts_is_sent_over_https(client: FlaskClient) -> None:
    response = client.get("/sign-in", base_url="https://portal.council.example")
    assert response.headers["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains"
    )


def test_static_assets_are_served_locally_and_cacheable(client: FlaskClient) -> None:
    for asset in (
        "app.min.css",
        "govuk-frontend.min.js",
        "init.js",
        "images/favicon.svg",
    ):
        response = client.get(f"/assets/{asset}")
        assert response.status_code == 200, asset
        assert response.headers.get("Cache-Control") != "no-store"
        response.close()
    page = client.get("/sign-in").text
    assert "http://" not in page.replace("http://www.w3.org", "")
    assert "https://" not in page.replace("https://www.w3.org", "")


def test_council_branding_has_no_crown_or_gds_font(client: FlaskClient) -> None:
    page = client.get("/sign-in").text
    assert "Cheshire East Council" in page and "Frontline Voice" in page
    assert "Crown copyright" not in page and "govuk-crest" not in page
    assert "govuk-phase-banner" not in page, "no demo banner outside the demo"
    css = client.get("/assets/app.min.css")
    assert b"GDS Transport" not in css.data and b"@font-face" not in css.data
    css.close()


def test_the_demo_says_so_on_every_page_in_the_inspected_councils_name(
    make_app: Callable[..., Flask],
) -> None:
    """The bundled framework is the 2015 Cheshire East inspection: the demo is
    branded to match, and says its people and input are invented."""
    client = make_app(DEMO=True).test_client()
    for path in ("/sign-in", "/accessibility", "/privacy"):
        page = client.get(path).text
        banner = page[page.index("govuk-phase-banner") :][:900]
        assert "Demo" in banner and "the people and their input are invented" in banner
        assert "2015 inspection of Cheshire East Council" in banner
        assert "Anytown" not in page


@pytest.mark.parametrize("status", [403, 404, 405, 409, 413, 500])
def test_error_pages_use_the_portal_layout_without_details(
    app: Flask, client: FlaskClient, status: int
) -> None:
    with app.test_request_context("/"):
        from portal.errors import render_error

        body, code = render_error(status)
    assert code == status
    assert "govuk-header" in body or "govuk-generic-header" in body
    assert "Traceback" not in body


def test_unexpected_error_logs_no_answer_text_even_in_tracebacks(
    app: Flask,
    make_app: Callable[..., Flask],
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    """A failing statement must not put the answer (or its id) into any log record,
    its traceback, or stderr; the writer still gets their words back."""
    fresh = make_app()
    marker = "ANSWER-MARKER-7f3a"

    @fresh.route("/boom", methods=["POST"])
    @writes
    def boom() -> str:
        from portal.db import get_session

        # A bound parameter in a statement that fails (no such round: a foreign
        # key error on both databases).
        get_session().execute(
            insert(Submission).values(
                id="boom-id-4242", round_id=987654, area_id=987654, kind="anonymous",
                status="pending", submitted_on=date(2026, 1, 1),
                obstacles=request.form["text"], idempotency_key="boom-key",
            )
        )  # fmt: skip
        return "unreachable"

    caplog.set_level(logging.DEBUG)
    response = fresh.test_client().post("/boom", data={"text": marker})
    assert response.status_code == 500
    assert "Traceback" not in response.text and "987654" not in response.text
    assert marker in response.text, "the writer gets their own words back"
    formatter = logging.Formatter()
    logged = "\n".join(formatter.format(r) for r in caplog.records)
    assert "IntegrityError" in logged, "the failure itself is logged"
    out, err = capfd.readouterr()
    for place in (logged, out, err):
        assert marker not in place and "boom-id-4242" not in place


def test_request_too_large_gets_413_page(app: Flask, client: FlaskClient) -> None:
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    response = client.post("/sign-in", data={"email": big, "password": "x"})
    assert response.status_code == 413
    assert "What you sent is too large" in response.text
    assert big[:100] not in response.text


def test_health_check_reports_database(client: FlaskClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_app_refuses_to_start_without_secret_key(database_url: str) -> None:
    from portal import create_app

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"DATABASE_URL": database_url, "SECRET_KEY": ""})


def test_production_defaults_are_safe() -> None:
    from portal import create_app

    prod = create_app({"SECRET_KEY": "x", "DATABASE_URL": "sqlite://"})
    assert prod.config["SESSION_COOKIE_SECURE"] is True
    assert prod.config["SESSION_COOKIE_HTTPONLY"] is True
    assert prod.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert prod.config["SESSION_COOKIE_NAME"] == "__Host-session"
    assert prod.config["PASSWORD_HASH_METHOD"] == "scrypt"
    assert prod.config["WTF_CSRF_TIME_LIMIT"] is None
    assert prod.config["MAX_CONTENT_LENGTH"] == 1024 * 1024
    assert prod.config["SESSION_IDLE_MINUTES"] == 60
    assert prod.config["SESSION_ABSOLUTE_HOURS"] == 10
    assert prod.debug is False
    local = create_app(
        {"SECRET_KEY": "x", "DATABASE_URL": "sqlite://", "LOCAL_HTTP": True}
    )
    assert local.config["SESSION_COOKIE_SECURE"] is False
    assert not local.config["SESSION_COOKIE_NAME"].startswith("__Host-")
