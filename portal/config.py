"""Configuration defaults and the order in which they are overridden.

Order (later wins): these defaults -> ``instance/config.py`` -> ``PORTAL_*``
environment variables (parsed as JSON where possible, e.g.
``PORTAL_SESSION_IDLE_MINUTES=30``)
-> the mapping a test passes to ``create_app``. No secret has a default: the app refuses
to start without ``SECRET_KEY``.
"""

from __future__ import annotations

from typing import Any

DEFAULTS: dict[str, Any] = {
    # Branding: a council portal is not on GOV.UK, so no crown and no GDS Transport.
    # The default matches the bundled framework (the 2015 Cheshire East inspection);
    # a council importing its own sets its own name.
    "COUNCIL_NAME": "Cheshire East Council",
    "SERVICE_NAME": "Frontline Voice",
    # Printed in the header and footer of every document and workbook (Government
    # Security Classifications; councils commonly use OFFICIAL-SENSITIVE for
    # anything about children's cases or staff input).
    "PROTECTIVE_MARKING": "OFFICIAL-SENSITIVE",
    # DATABASE_URL defaults to instance/portal.sqlite3 (set in create_app once the
    # instance path is known).
    "DATABASE_URL": None,
    # A write waits this long for SQLite's lock on each attempt, and a request
    # retries its whole transaction until WRITE_RETRY_SECONDS have passed; then the
    # writer gets their words back. Both stay well below gunicorn's 30 s worker
    # timeout (gunicorn.conf.py; docs/deployment.md).
    "SQLITE_BUSY_TIMEOUT_SECONDS": 5,
    # PostgreSQL connections per app worker (pool, and extra under a burst).
    "DB_POOL_SIZE": 2,
    "DB_MAX_OVERFLOW": 2,
    "WRITE_RETRY_SECONDS": 20,
    # Sessions: absolute lifetime and inactivity timeout, both checked on the server.
    "SESSION_ABSOLUTE_HOURS": 10,
    "SESSION_IDLE_MINUTES": 60,
    "SESSION_COOKIE_NAME": "__Host-session",
    "SESSION_COOKIE_SECURE": True,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_REFRESH_EACH_REQUEST": False,
    # `make run` serves plain http on 127.0.0.1: it sets PORTAL_LOCAL_HTTP=1, which
    # drops the Secure flag and the __Host- prefix (browsers refuse both over http).
    "LOCAL_HTTP": False,
    # `make run` sets PORTAL_DEMO=1: every page says it is a demonstration with
    # invented people and input. Never set it where real staff give input.
    "DEMO": False,
    # Login throttle (Cyber Essentials: at most 10 guesses in 5 minutes per account).
    "LOGIN_MAX_FAILURES": 10,
    "LOGIN_WINDOW_SECONDS": 300,
    # Request throttles (portal/throttle.py), in Flask-Limiter's notation. Storage:
    # "memory://" for one app server; "redis://host:6379/0" when several share it.
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE": "memory://",
    "RATELIMIT_KEY_PREFIX": "frontline-voice",
    "SIGN_IN_LIMIT_PER_CLIENT": "30 per minute; 300 per hour",
    "SIGN_IN_LIMIT_OVERALL": "600 per minute",
    "RECEIPT_LIMIT_PER_CLIENT": "10 per minute; 60 per hour",
    "RECEIPT_LIMIT_OVERALL": "300 per minute",
    "PASSWORD_CHANGE_LIMIT_PER_CLIENT": "5 per 15 minutes",
    "PASSWORD_CHANGE_LIMIT_OVERALL": "300 per minute",
    # Password checks running at once on this machine, across every worker
    # (portal/accounts/password_slots.py); None means half the cores, at least
    # one. Checks use at most PASSWORD_CHECK_SHARE of each slot's time. A check
    # finding no slot free waits PASSWORD_CHECK_WAIT_SECONDS (0: a waiting sync
    # worker is one fewer serving everyone else), then the person is asked to
    # try again in PASSWORD_CHECK_RETRY_SECONDS (their email and carried words kept).
    "PASSWORD_CHECKS_AT_ONCE": None,
    "PASSWORD_CHECK_SHARE": 0.5,
    "PASSWORD_CHECK_WAIT_SECONDS": 0,
    "PASSWORD_CHECK_RETRY_SECONDS": 1,
    # Werkzeug's scrypt (~100 ms per check). Tests may choose a faster method.
    "PASSWORD_HASH_METHOD": "scrypt",
    "PASSWORD_MIN_LENGTH": 12,
    # CSRF tokens live as long as the session: no second clock to lose a form to.
    "WTF_CSRF_TIME_LIMIT": None,
    # No uploads: 1 MB is far above any form, and form fields have their own limits
    # so an over-long text gets a validation message, not a bare 413.
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    # Board evidence files (portal/uploads.py). The upload view alone accepts a
    # request this large plus room for its form fields.
    "EVIDENCE_MAX_BYTES": 10 * 1024 * 1024,
    # The risk register's 5x5 matrix (board/risks.py): the names of the levels,
    # and the current score (likelihood x impact) from which a risk goes to the
    # board pack by itself.
    "RISK_LIKELIHOOD_LABELS": [
        "Rare",
        "Unlikely",
        "Possible",
        "Likely",
        "Almost certain",
    ],
    "RISK_IMPACT_LABELS": ["Negligible", "Minor", "Moderate", "Major", "Severe"],
    "RISK_BOARD_THRESHOLD": 15,
    # Retention (portal/retention/purge.py, `portal purge` daily from cron). The
    # words of input not used (withdrawn, rejected, duplicate) go after 30 days;
    # all input's words 36 months after the plan's last target date and its round
    # closed (counts and tags stay);
    # drafts after 30 days; failed sign-ins after 30 days; evidence files six
    # years after the date they are about.
    "RETENTION_UNUSED_DAYS": 30,
    "RETENTION_INPUT_MONTHS": 36,
    "RETENTION_DRAFT_DAYS": 30,
    "RETENTION_LOGIN_FAILURE_DAYS": 30,
    "RETENTION_EVIDENCE_MONTHS": 72,
    # The audit trail: sign-in and sign-out records after a year, the export log
    # after two, everything else after six (the chain stays verifiable).
    "RETENTION_SIGN_IN_DAYS": 365,
    "RETENTION_EXPORT_LOG_DAYS": 730,
    "RETENTION_AUDIT_YEARS": 6,
    # Single sign-on with the council's identity provider (portal/accounts/sso.py;
    # docs/deployment.md, "Single sign-on"). Off while SSO_ISSUER is unset. The
    # issuer is one tenant's (Entra ID: https://login.microsoftonline.com/<tenant
    # id>/v2.0), never "common" or "organizations"; SSO_TENANT_ID, when set, must
    # equal every ID token's "tid". Secrets come from the environment
    # (PORTAL_SSO_CLIENT_SECRET), never from a file in the repository.
    "SSO_ISSUER": None,
    "SSO_TENANT_ID": None,
    "SSO_CLIENT_ID": None,
    "SSO_CLIENT_SECRET": None,
    # Where the provider sends people back; by default this portal's own
    # /sign-in/sso/callback as the request reached it (set it behind a proxy).
    "SSO_REDIRECT_URI": None,
    "SSO_SCOPES": "openid profile email",
    # Sent with every sign-in: "select_account" lets a shared PC choose the
    # person; "login" forces the password again. SSO_MAX_AGE (seconds) makes the
    # provider re-authenticate anyone who signed in there longer ago, and the
    # portal refuses a token whose auth_time is older.
    "SSO_PROMPT": "select_account",
    "SSO_MAX_AGE": None,
    "SSO_ALGORITHMS": ["RS256"],
    # Directory groups (object ids in the token's SSO_GROUPS_CLAIM) -> a role, or
    # a list of roles; and -> a team's name. Re-read at every sign-in.
    "SSO_GROUPS_CLAIM": "groups",
    "SSO_GROUP_ROLES": {},
    "SSO_GROUP_TEAMS": {},
    # With SSO on, passwords work only for these administrator accounts (emails),
    # for when the identity provider is down.
    "SSO_BREAK_GLASS_ACCOUNTS": [],
    # Sign-out also ends the provider's session, where its metadata offers it.
    "SSO_PROVIDER_SIGN_OUT": True,
    # Seconds the provider's discovery document and keys are trusted before they
    # are fetched again (a key it no longer lists is refetched at once).
    "SSO_METADATA_SECONDS": 3600,
    "SSO_HTTP_TIMEOUT_SECONDS": 10,
    # Number of reverse proxies in front (X-Forwarded-For/Proto trusted from them).
    "PROXY_FIX_HOPS": 0,
    "HSTS_SECONDS": 31536000,
    # Staff see and enter times in the council's own time zone; stored in UTC.
    "TIMEZONE": "Europe/London",
    # Personal-data checks (portal/privacy.py). Office postcodes are not personal
    # data; case-reference formats are local to each council's case system.
    "OFFICE_POSTCODES": [],
    "CASE_REFERENCE_PATTERNS": [],
    # None means the built-in list in portal/privacy.py; the safeguarding lead
    # should own this list.
    "SAFEGUARDING_PHRASES": None,
    "ANSWER_MAX_CHARS": 4000,
    # Warn this long before the inactivity timeout (GOV.UK timeout warning).
    "SESSION_WARNING_MINUTES": 5,
    # Small-group suppression: breakdowns of counts show groups of at least this
    # many; anything that shows text by group needs the larger figure.
    "SUPPRESS_COUNT_MINIMUM": 5,
    "SUPPRESS_TEXT_MINIMUM": 10,
    # Notification emails (flask portal notify-moderators). No SMTP_HOST: the command
    # prints what it would send instead.
    "SMTP_HOST": None,
    "SMTP_PORT": 587,
    "SMTP_STARTTLS": True,
    "SMTP_USERNAME": None,
    "SMTP_PASSWORD": None,
    "MAIL_FROM": "frontline-voice@council.invalid",
    # The portal's address as staff reach it, for links in emails.
    "BASE_URL": "http://127.0.0.1:5000",
}


def local_http_overrides() -> dict[str, Any]:
    """Cookie settings for `make run` over plain http on the developer's machine."""
    return {"SESSION_COOKIE_SECURE": False, "SESSION_COOKIE_NAME": "portal_session"}
