"""Request throttling with Flask-Limiter: per client and across all clients, for
the forms an attacker would hammer (sign-in, the receipt-code check and withdraw,
changing a password). Storage is in memory by default (one app server) and Redis
when several servers share the load (``PORTAL_RATELIMIT_STORAGE=redis://...``).
The per-account sign-in count is separate and lives in the database
(``accounts.service.reserve_attempt``), so it holds whatever the storage.

Each app gets its own Limiter, applied to the views after the blueprints are
registered: limits and storage belong to one app, never to a module-level object
that a second app (another worker's, a test's) would overwrite."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user

# endpoint -> (limit per client, limit across every client); the values name
# settings in portal/config.py.
THROTTLED = {
    "accounts.sign_in": ("SIGN_IN_LIMIT_PER_CLIENT", "SIGN_IN_LIMIT_OVERALL"),
    "sso.start": ("SIGN_IN_LIMIT_PER_CLIENT", "SIGN_IN_LIMIT_OVERALL"),
    "feedback.receipt": ("RECEIPT_LIMIT_PER_CLIENT", "RECEIPT_LIMIT_OVERALL"),
    "feedback.withdraw_by_receipt": (
        "RECEIPT_LIMIT_PER_CLIENT",
        "RECEIPT_LIMIT_OVERALL",
    ),
    "accounts.change_password": (
        "PASSWORD_CHANGE_LIMIT_PER_CLIENT",
        "PASSWORD_CHANGE_LIMIT_OVERALL",
    ),
}


def _client() -> str:
    """Signed-in people are counted as themselves (many share an office address);
    everyone else by address (behind PROXY_FIX_HOPS, the real client's)."""
    if current_user.is_authenticated:
        return f"user:{current_user.get_id()}"
    return f"address:{get_remote_address()}"


def init_app(app: Flask) -> None:
    """Create this app's limiter (its hooks, its storage). Limits on views are
    checked as the view is called, so only attempts that passed the CSRF check
    (the ones that could test a password) are counted."""
    app.extensions["portal.limiter"] = Limiter(
        key_func=_client,
        app=app,
        storage_uri=app.config["RATELIMIT_STORAGE"],
        strategy="moving-window",
        headers_enabled=True,
        key_prefix=app.config["RATELIMIT_KEY_PREFIX"],
        enabled=bool(app.config["RATELIMIT_ENABLED"]),
    )


def apply_limits(app: Flask) -> None:
    """Put the limits on the views (once the blueprints have registered them)."""
    limiter: Limiter = app.extensions["portal.limiter"]
    for endpoint, (per_client, overall) in THROTTLED.items():
        view: Callable[..., Any] = app.view_functions[endpoint]
        view = limiter.limit(
            app.config[per_client], methods=["POST"], scope=f"{endpoint}:client"
        )(view)
        view = limiter.limit(
            app.config[overall],
            methods=["POST"],
            key_func=lambda: "everyone",
            scope=f"{endpoint}:all",
        )(view)
        app.view_functions[endpoint] = view


def retry_after_seconds() -> int:
    """Seconds until the limit that was hit lets this client try again."""
    limiter: Limiter = current_app.extensions["portal.limiter"]
    current = limiter.current_limit
    if current is None:
        return 60
    return max(1, math.ceil(current.reset_at - time.time()))
