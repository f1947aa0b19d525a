"""gunicorn settings for Frontline Voice (``gunicorn -c gunicorn.conf.py wsgi:app``).

The timeout stays well above the app's own write-retry bound (WRITE_RETRY_SECONDS,
20 s by default, plus a last busy wait of SQLITE_BUSY_TIMEOUT_SECONDS), so a request
waiting for a locked database gives the writer their words back before gunicorn
would kill the worker. See docs/deployment.md.
"""

from __future__ import annotations

import os
from typing import Any

from gunicorn.glogging import Logger

from portal.access_log import is_unlogged

bind = "127.0.0.1:8000"
# Sync workers: each serves one request at a time, so the worker count is the
# concurrency. Two per core plus one keeps the cores busy while requests wait on
# the database: 5 on 2 cores, 17 on 8 (the ceiling; beyond it add app servers).
# WEB_CONCURRENCY overrides, as on most platforms. Database connections: each
# worker's pool holds DB_POOL_SIZE + DB_MAX_OVERFLOW (2 + 2); the sum over every
# worker of every app server must stay under PostgreSQL's max_connections
# (docs/deployment.md, "Several app servers").
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * (os.cpu_count() or 1) + 1, 17)))
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


def post_fork(server: Any, worker: Any) -> None:
    """With ``--preload`` the app, and its engine, exist before the fork: a pooled
    connection inherited from the master must never be shared between workers,
    so each worker starts with an empty pool (SQLAlchemy's advice for forks)."""
    import sys

    app = getattr(sys.modules.get("wsgi"), "app", None)
    engine = app.extensions.get("portal.engine") if app is not None else None
    if engine is not None:
        engine.dispose(close=False)
