"""Throttling: per client and across all clients (Flask-Limiter), shared through
the real Redis server by two app processes, and the per-account sign-in count
atomic under 30 simultaneous attempts on both databases."""

from __future__ import annotations

import os
import re
import socket
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.models import LoginFailure, Role
from tests.conftest import reload, sign_in_as
from tests.factories import make_user
from tests.servers import gunicorn


def _sign_in(client: object, email: str, address: str = "10.0.0.1") -> int:
    response = client.post(  # type: ignore[attr-defined]
        "/sign-in",
        data={"email": email, "password": "wrong password here"},
        environ_base={"REMOTE_ADDR": address},
    )
    return int(response.status_code)


def test_a_spray_of_accounts_from_one_client_is_slowed(
    app: Flask, make_app: Callable[..., Flask]
) -> None:
    client = make_app(
        RATELIMIT_ENABLED=True, SIGN_IN_LIMIT_PER_CLIENT="3 per minute"
    ).test_client()
    codes = [_sign_in(client, f"nobody{n}@council.example") for n in range(4)]
    assert codes == [400, 400, 400, 429]
    limited = client.post(
        "/sign-in",
        data={"email": "x@council.example", "password": "y"},
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
    )
    assert limited.status_code == 429
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    assert "too many attempts from here" in limited.text
    assert _sign_in(client, "other@council.example", "10.0.0.2") == 400


def test_an_overall_limit_catches_many_clients(
    app: Flask, make_app: Callable[..., Flask]
) -> None:
    client = make_app(
        RATELIMIT_ENABLED=True, SIGN_IN_LIMIT_OVERALL="4 per minute"
    ).test_client()
    codes = [_sign_in(client, f"a{n}@council.example", f"10.1.0.{n}") for n in range(5)]
    assert codes == [400, 400, 400, 400, 429]


def test_receipt_checks_and_password_changes_are_throttled(
    make_app: Callable[..., Flask], session: Session
) -> None:
    app = make_app(
        RATELIMIT_ENABLED=True,
        RECEIPT_LIMIT_PER_CLIENT="2 per minute",
        PASSWORD_CHANGE_LIMIT_PER_CLIENT="2 per minute",
    )
    client = app.test_client()
    sign_in_as(client, make_user(session, Role.CONTRIBUTOR))
    codes = [
        client.post(
            "/feedback/receipt", data={"code": "AAAA-BBBB-CCCC-DDDD-EEEE"}
        ).status_code
        for _ in range(3)
    ]
    assert codes == [404, 404, 429]
    changes = [
        client.post("/account/password", data={"current_password": "x"}).status_code
        for _ in range(3)
    ]
    assert changes[-1] == 429 and 429 not in changes[:2]


@pytest.mark.parametrize("attempts", [30])
def test_simultaneous_attempts_check_no_more_hashes_than_the_limit(
    make_app: Callable[..., Flask], session: Session, attempts: int
) -> None:
    user = make_user(session, Role.CONTRIBUTOR, email="target@council.example")
    # Every attempt may hash at once: the account's reservation alone must stop them.
    app = make_app(LOGIN_MAX_FAILURES=10, PASSWORD_CHECKS_AT_ONCE=attempts)
    start = threading.Barrier(attempts)
    codes: list[int] = []

    def attempt() -> None:
        client = app.test_client()
        start.wait()
        codes.append(_sign_in(client, user.email))

    threads = [threading.Thread(target=attempt) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(codes) == attempts
    assert codes.count(400) == 10, codes  # each of these checked the hash
    assert codes.count(429) == attempts - 10
    reload(session)
    failures = session.scalar(select(func.count()).select_from(LoginFailure))
    assert failures == 10


def _redis_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


def _attempt(opener: urllib.request.OpenerDirector, base: str) -> int:
    """A real attempt: the sign-in page first (session cookie and CSRF token),
    then the form, as a browser sends it."""
    with opener.open(base + "/sign-in", timeout=20) as page:
        html = page.read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert token is not None
    body = urllib.parse.urlencode(
        {"csrf_token": token.group(1), "email": "spray@council.example",
         "password": "nope nope nope"}
    ).encode()  # fmt: skip
    try:
        with opener.open(base + "/sign-in", data=body, timeout=20) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_two_app_servers_share_the_limit_through_redis(
    app: Flask, database_url: str, tmp_path: Path
) -> None:
    if not _redis_available():
        if os.environ.get("PORTAL_REQUIRE_REDIS"):
            pytest.fail("Redis is required (PORTAL_REQUIRE_REDIS) but not running")
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"test-{uuid.uuid4().hex}"
    settings = {
        "PORTAL_SECRET_KEY": "throttle-test",
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_INSTANCE_PATH": str(tmp_path),
        "PORTAL_RATELIMIT_STORAGE": "redis://127.0.0.1:6379/0",
        "PORTAL_RATELIMIT_KEY_PREFIX": prefix,
        "PORTAL_SIGN_IN_LIMIT_PER_CLIENT": "4 per minute",
        "PORTAL_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "PORTAL_LOCAL_HTTP": "1",  # plain http here: a cookie the client will send
    }
    with gunicorn(settings) as first, gunicorn(settings) as second:
        # One browser (one cookie jar) alternating between the two servers; both
        # share the secret key, as a load-balanced pair would.
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        codes = [_attempt(opener, (first, second)[n % 2]) for n in range(6)]
    # Four attempts in all, alternating between the servers, then both refuse.
    assert codes[:4] == [400, 400, 400, 400], codes
    assert codes[4:] == [429, 429], codes
