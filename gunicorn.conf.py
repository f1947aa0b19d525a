"""gunicorn settings for Frontline Voice (``gunicorn -c gunicorn.conf.py wsgi:app``).

The timeout stays well above the app's own write-retry bound (WRITE_RETRY_SECONDS,
20 s by default, plus a last busy wait of SQLITE_BUSY_TIMEOUT_SECONDS), so a request
waiting for a locked database gives the writer their words back before gunicorn
would kill the worker. See docs/deployment.md.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from portal.access_log import is_unlogged

bind = "127.0.0.1:8000"
workers = 2
timeout = 30
graceful_timeout = 30
accesslog = "-"
# No query strings in the access log: they could carry search words.
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s" %(s)s %(b)s'


class PortalLogger(Logger):  # type: ignore[misc]
    """No access-log line for the pages around anonymous input."""

    def access(
        self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any
    ) -> None:
        if is_unlogged(environ.get("PATH_INFO", "")):
            return
        super().access(resp, req, environ, request_time)


logger_class = PortalLogger
