"""Security headers on every response, with a fresh CSP nonce per request for the
one inline script in the GOV.UK page template."""

from __future__ import annotations

import secrets

from flask import Flask, Response, current_app, g, request

PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)


def content_security_policy(nonce: str, form_targets: str = "") -> str:
    """``form_targets``: other origins a form may lead to (the identity
    provider: signing in and out post here, then redirect there, and browsers
    hold redirects of a form to form-action)."""
    return (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self'; "
        "img-src 'self' data:; "
        "font-src 'self'; "
        "connect-src 'self'; "
        f"form-action 'self'{form_targets}; "
        "frame-ancestors 'none'; "
        "base-uri 'none'; "
        "object-src 'none'"
    )


def csp_nonce() -> str:
    """This request's nonce, made on first use (templates and error pages alike)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    nonce: str = g.csp_nonce
    return nonce


def _add_headers(response: Response) -> Response:
    nonce = csp_nonce()
    headers = response.headers
    headers["Content-Security-Policy"] = content_security_policy(
        nonce, current_app.config.get("CSP_FORM_TARGETS", "")
    )
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    # same-origin, not no-referrer: Flask-WTF checks the Referer on HTTPS POSTs.
    headers["Referrer-Policy"] = "same-origin"
    headers["Permissions-Policy"] = PERMISSIONS_POLICY
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    if request.endpoint != "static":
        # Pages may show what staff wrote about children: never keep a copy.
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    hsts = int(current_app.config["HSTS_SECONDS"])
    if request.is_secure and hsts:
        headers["Strict-Transport-Security"] = f"max-age={hsts}; includeSubDomains"
    return response


def init_app(app: Flask) -> None:
    app.add_template_global(csp_nonce)
    app.after_request(_add_headers)
