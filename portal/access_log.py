"""Which requests leave no line in an access log. An access log pairs a signed-in
person (their address, the time) with each request; for the pages around anonymous
input that pairing is exactly what anonymity must not leave behind: opening the
form, autosave, sending, the thank-you page and the receipt pages. The same rule
serves gunicorn (gunicorn.conf.py) and the development server; the reverse proxy
needs the matching setting (docs/deployment.md)."""

from __future__ import annotations

import logging
import re

UNLOGGED_PATHS = re.compile(
    r"^(?:/feedback/(?:rounds/\d+/areas/\d+(?:/draft)?|thank-you|receipt(?:/withdraw)?)"
    # A plan action's page is where a receipt's "cited by" link leads: a line
    # for it, just after an unlogged receipt page, would hint whose item it cites.
    r"|/you-said/actions/\d+)/?$"
)


def is_unlogged(path: str) -> bool:
    return bool(UNLOGGED_PATHS.match(path.split("?", 1)[0]))


class DropUnloggedRequests(logging.Filter):
    """For the development server's ``werkzeug`` logger, whose request lines carry
    the request line ("GET /path HTTP/1.1") as their first argument."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        for arg in args:
            if isinstance(arg, str) and " " in arg:
                parts = arg.split(" ")
                if len(parts) >= 2 and is_unlogged(parts[1]):
                    return False
        return True


def quiet_development_server() -> None:
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, DropUnloggedRequests) for f in logger.filters):
        logger.addFilter(DropUnloggedRequests())
