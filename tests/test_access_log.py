"""Access logs leave no line for the pages around anonymous input: a real gunicorn
with the shipped gunicorn.conf.py, and the development server's logger."""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from portal.access_log import DropUnloggedRequests, is_unlogged
from tests.servers import gunicorn

UNLOGGED = [
    "/feedback/rounds/3/areas/7",
    "/feedback/rounds/3/areas/7/draft",
    "/feedback/thank-you",
    "/feedback/receipt",
    "/feedback/receipt/withdraw",
    "/you-said/actions/12",
]
LOGGED = ["/sign-in", "/feedback", "/feedback/mine", "/moderation", "/you-said"]


@pytest.mark.parametrize("path", UNLOGGED)
def test_pages_around_anonymous_input_are_not_logged(path: str) -> None:
    assert is_unlogged(path) and is_unlogged(path + "?x=1")


@pytest.mark.parametrize("path", LOGGED)
def test_other_pages_are_logged(path: str) -> None:
    assert not is_unlogged(path)


def test_the_development_server_logger_drops_those_lines() -> None:
    keep = DropUnloggedRequests()

    def line(request_line: str) -> logging.LogRecord:
        # The shape of werkzeug's request log record.
        return logging.LogRecord(
            "werkzeug", logging.INFO, __file__, 1, '%s - - [%s] "%s" %s %s',
            ("127.0.0.1", "01/Dec/2026 10:00:00", request_line, "302", "-"), None,
        )  # fmt: skip

    assert not keep.filter(line("POST /feedback/rounds/1/areas/2 HTTP/1.1"))
    assert not keep.filter(line("GET /feedback/thank-you HTTP/1.1"))
    assert keep.filter(line("POST /sign-in HTTP/1.1"))


def _get(url: str) -> int:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_gunicorn_with_the_shipped_config_logs_no_anonymous_route(
    app: object, database_url: str, tmp_path: Path
) -> None:
    settings = {
        "PORTAL_SECRET_KEY": "access-log-test",
        "PORTAL_DATABASE_URL": database_url,
        "PORTAL_INSTANCE_PATH": str(tmp_path),
    }
    log = tmp_path / "access.log"
    with log.open("w") as out, gunicorn(settings, out) as base:
        statuses = {path: _get(base + path) for path in UNLOGGED + LOGGED}
    assert all(code < 500 for code in statuses.values()), statuses
    lines = log.read_text()
    for path in LOGGED:
        assert f"GET {path} " in lines or f'GET {path}"' in lines, path
    for path in UNLOGGED:
        assert path not in lines, path
