"""Production shape: two app servers (real gunicorn, on two ports) against one
PostgreSQL database and the real Redis on 127.0.0.1:6379, as behind a load
balancer. What must hold across them: the per-account sign-in throttle, the end
of a session signed out on the other server, and the request rate limits."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from portal import create_app, db
from portal.models import Role
from tests.conftest import base_config
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.servers import fresh_postgres, gunicorn


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def shared_database() -> Iterator[str]:
    """A fresh PostgreSQL database of its own, migrated, dropped afterwards."""
    if not (_listening(5432) and _listening(6379)):
        if os.environ.get("PORTAL_REQUIRE_REDIS"):
            pytest.fail("PostgreSQL and Redis on 127.0.0.1 are required here")
        pytest.skip("needs PostgreSQL on 5432 and Redis on 6379")
    with fresh_postgres("portal_two") as url:
        yield url


def _opener() -> tuple[urllib.request.OpenerDirector, http.cookiejar.CookieJar]:
    jar = http.cookiejar.CookieJar()
    no_redirects = type(
        "NoRedirects",
        (urllib.request.HTTPRedirectHandler,),
        {"redirect_request": lambda *args: None},
    )
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(jar), no_redirects()
    )
    return opener, jar


def _get(opener: urllib.request.OpenerDirector, url: str) -> tuple[int, str]:
    try:
        with opener.open(url, timeout=20) as response:
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as error:
        return int(error.code), error.read().decode()


def _post(
    opener: urllib.request.OpenerDirector, url: str, page: str, fields: dict[str, str]
) -> int:
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
    assert token is not None, "the page has a CSRF token"
    body = urllib.parse.urlencode({"csrf_token": token.group(1), **fields}).encode()
    try:
        with opener.open(url, data=body, timeout=20) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def _sign_in(opener: urllib.request.OpenerDirector, base: str, email: str,
             password: str) -> int:  # fmt: skip
    _, page = _get(opener, base + "/sign-in")
    return _post(opener, base + "/sign-in", page,
                 {"email": email, "password": password})  # fmt: skip


def test_two_app_servers_share_throttles_sessions_and_limits(
    shared_database: str, tmp_path: Path
) -> None:
    app = create_app(base_config(shared_database))
    db.upgrade(app)
    session = app.extensions["portal.sessions"]["read"]()
    make_user(session, Role.CONTRIBUTOR, email="ana@council.example")
    make_user(session, Role.CONTRIBUTOR, email="target@council.example")
    session.close()
    db.get_engine(app).dispose()
    settings = {
        "PORTAL_SECRET_KEY": "two-servers",
        "PORTAL_DATABASE_URL": shared_database,
        "PORTAL_INSTANCE_PATH": str(tmp_path),
        "PORTAL_RATELIMIT_STORAGE": "redis://127.0.0.1:6379/0",
        "PORTAL_RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        "PORTAL_SIGN_IN_LIMIT_PER_CLIENT": "30 per minute",
        "PORTAL_RECEIPT_LIMIT_PER_CLIENT": "3 per minute",
        "PORTAL_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "PORTAL_LOCAL_HTTP": "1",  # plain http here: a cookie the client will send
    }
    with gunicorn(settings) as first, gunicorn(settings) as second:
        servers = (first, second)

        # 1. The per-account throttle: ten wrong passwords, alternating servers,
        # and then neither lets the right one in.
        guesser, _ = _opener()
        codes = [
            _sign_in(guesser, servers[n % 2], "target@council.example", "wrong!")
            for n in range(10)
        ]
        assert codes == [400] * 10, codes
        for base in servers:
            fresh, _ = _opener()
            assert _sign_in(fresh, base, "target@council.example",
                            DEFAULT_PASSWORD) == 429  # fmt: skip

        # 2. A session signed out on one server is over on the other too.
        browser, jar = _opener()
        assert _sign_in(browser, first, "ana@council.example", DEFAULT_PASSWORD) == 302
        status, home = _get(browser, second + "/")
        assert status == 200 and "Sign out" in home, "one session, both servers"
        copied = list(jar)
        assert _post(browser, first + "/sign-out", home, {}) == 302
        stale, stale_jar = _opener()
        for cookie in copied:
            stale_jar.set_cookie(cookie)
        status, _ = _get(stale, second + "/")
        assert status == 302, "the old cookie no longer opens anything"

        # 3. A request limit counted across both servers (Redis): three receipt
        # checks a minute per person, wherever they land.
        checker, _ = _opener()
        assert _sign_in(checker, first, "ana@council.example", DEFAULT_PASSWORD) == 302
        results = []
        for n in range(5):
            base = servers[n % 2]
            _, page = _get(checker, base + "/feedback/receipt")
            results.append(_post(checker, base + "/feedback/receipt", page,
                                 {"code": "ABCD-EFGH-JKLM"}))  # fmt: skip
        assert results[:3] != [429] * 3 and 429 not in results[:3], results
        assert results[3:] == [429, 429], results
