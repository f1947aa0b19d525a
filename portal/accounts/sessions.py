"""Signed-in sessions: Flask-Login wiring plus server-checked lifetimes.

The cookie holds the user id with their session generation, the sign-in time and
the last activity time. Every request re-checks all three against the database and
the clock, so signing out, disabling an account, or a timeout takes effect at once.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_login import LoginManager, current_user, login_user, logout_user

from portal.accounts.service import load_session_user
from portal.db import get_session
from portal.models import User

login_manager = LoginManager()
login_manager.login_view = "accounts.sign_in"
login_manager.login_message = "Sign in to continue"
login_manager.login_message_category = "info"
# Sessions are protected by the server-side generation counter instead: "strong"
# breaks behind council proxies that change the client address.
login_manager.session_protection = None

# What someone with a one-time password may reach before choosing their own.
_FIRST_USE_OPEN = frozenset(
    {"accounts.change_password", "accounts.sign_out", "accounts.keep_alive",
     "accounts.sign_in", "pages.accessibility", "pages.privacy", "pages.health"}
)  # fmt: skip
_STARTED = "t0"
_SEEN = "seen"
_VIA = "via"
# Rewriting the cookie on every request is needless churn; a minute is precise enough.
_SEEN_GRANULARITY_SECONDS = 60


@login_manager.user_loader
def _load_user(token: str) -> User | None:
    return load_session_user(get_session(), token)


def start_session(user: User, via: str = "password") -> None:
    """Rotate the session: nothing from before sign-in survives into it. ``via``
    ("password" or "directory") decides what signing out ends."""
    session.clear()
    # Flask-WTF caches this request's token in g; it was signed for the old
    # session's secret, so a page rendered now would carry a dead token.
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    login_user(user, remember=False)
    now = int(time.time())
    session[_STARTED] = now
    session[_SEEN] = now
    session["nonce"] = secrets.token_urlsafe(8)
    session[_VIA] = via
    # A browser-session cookie (no Expires): it goes when the browser closes, which
    # matters on shared council PCs. Lifetimes are enforced on the server anyway.
    session.permanent = False


def signed_in_via() -> str | None:
    value = session.get(_VIA)
    return value if isinstance(value, str) else None


def touch_session() -> None:
    """Record activity now (the keep-alive from the timeout warning)."""
    session[_SEEN] = int(time.time())


def end_session() -> None:
    logout_user()
    session.clear()


def session_expiry_reason(now: float) -> str | None:
    """Why the current signed-in session has expired, or None if it is live."""
    config = current_app.config
    started = session.get(_STARTED)
    seen = session.get(_SEEN)
    if not isinstance(started, int) or not isinstance(seen, int):
        return "Your session was not valid. Sign in again."
    if now - started > config["SESSION_ABSOLUTE_HOURS"] * 3600:
        return "You have been signed out because your session reached its time limit."
    if now - seen > config["SESSION_IDLE_MINUTES"] * 60:
        return "You have been signed out after a period of inactivity."
    return None


def seconds_left(now: float) -> int:
    """How long the current session has before it ends, by inactivity or by its
    absolute limit, for the timeout warning's clock."""
    config = current_app.config
    started, seen = session.get(_STARTED), session.get(_SEEN)
    if not isinstance(started, int) or not isinstance(seen, int):
        return 0
    idle = config["SESSION_IDLE_MINUTES"] * 60 - (now - seen)
    absolute = config["SESSION_ABSOLUTE_HOURS"] * 3600 - (now - started)
    return max(0, int(min(idle, absolute)))


def _check_session() -> Any:
    if request.endpoint == "static" or "_user_id" not in session:
        return None
    now = time.time()
    reason = session_expiry_reason(now)
    if reason is None and not current_user.is_authenticated:
        reason = "You have been signed out. Sign in again to continue."
    if reason is not None:
        end_session()
        if request.method == "POST":
            # Let the view's CSRF check fail into the "your words back" page
            # rather than redirecting and dropping what was posted.
            return None
        flash(reason, "info")
        return redirect(url_for("accounts.sign_in", next=request.full_path.rstrip("?")))
    # A POST (an autosave, the keep-alive) resets the clock exactly, so the
    # warning's timer, restarted by it, agrees with the server.
    if request.method == "POST" or now - session[_SEEN] >= _SEEN_GRANULARITY_SECONDS:
        session[_SEEN] = int(now)
    if current_user.must_change_password and request.endpoint not in _FIRST_USE_OPEN:
        # A one-time password opens nothing but the page to replace it.
        flash("Choose a new password to finish signing in.", "info")
        return redirect(url_for("accounts.change_password"))
    return None


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    app.add_template_global(lambda: seconds_left(time.time()), "session_seconds_left")
    app.config.setdefault("REMEMBER_COOKIE_DURATION", 0)
    app.before_request(_check_session)
