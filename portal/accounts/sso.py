"""OpenID Connect with the council's identity provider (Entra ID), through Authlib.

This module speaks the protocol and nothing else: it sends people to the provider
(authorisation code flow with PKCE S256, state and nonce, ``prompt`` and
``max_age``) and turns the answer into checked claims, or refuses with a reason
code. Who the claims make someone in the portal is ``directory.py``'s business.

Authlib checks the state, the PKCE exchange, the signature against the provider's
published keys, the nonce, and ``exp``/``iat``; it checks the audience and issuer
only when asked, so both are always asked for here, from our own settings rather
than from what the provider's metadata says. The tenant (``tid``) and
``auth_time`` against ``max_age`` are checked here too.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from flask import Flask, current_app, url_for
from werkzeug.wrappers import Response

if TYPE_CHECKING:
    from joserfc.errors import JoseError

from portal.models import Role, User

CLIENT_NAME = "council"
# Leeway for clocks that differ a little between the provider and us.
CLOCK_LEEWAY_SECONDS = 120
# Issuers that accept any tenant: a portal for one council accepts one tenant.
_MULTI_TENANT = ("/common/", "/organizations/", "/consumers/", "{tenantid}")


class SsoRefused(Exception):
    """The provider's answer is not a sign-in we accept. ``code`` goes to the
    audit trail; ``message`` is what the person sees."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(code)
        self.code = code
        self.message = message
        self.status = status


TRY_AGAIN = "Your sign-in could not be completed. Go back and sign in again."
PROVIDER_DOWN = (
    "The council's sign-in service did not answer. Try again in a few minutes. "
    "If it keeps happening, tell the IT service desk."
)


@dataclass(frozen=True)
class Claims:
    """What a checked ID token says about the person, as plain values."""

    issuer: str
    subject: str  # the immutable id: oid where the provider sends it, else sub
    email: str
    name: str
    groups: tuple[str, ...] | None  # None: the token carried no group claim
    groups_overage: bool  # too many groups for the token (Entra's _claim_names)


def enabled(config: Any = None) -> bool:
    return bool((config or current_app.config).get("SSO_ISSUER"))


def may_use_password(user: User) -> bool:
    """With SSO on, a password opens only the named break-glass administrator
    accounts (for when the identity provider is down)."""
    config = current_app.config
    if not enabled(config):
        return True
    named = {e.strip().lower() for e in config["SSO_BREAK_GLASS_ACCOUNTS"]}
    return user.email.lower() in named and Role.ADMIN in user.roles


def check_settings(config: Any) -> None:
    """Refuse to start with settings that would accept the wrong people."""
    if not enabled(config):
        return
    issuer = str(config["SSO_ISSUER"])
    for name in ("SSO_CLIENT_ID", "SSO_CLIENT_SECRET"):
        if not config.get(name):
            raise RuntimeError(f"SSO_ISSUER is set, so {name} must be set too.")
    if any(marker in issuer.lower() for marker in _MULTI_TENANT):
        raise RuntimeError(
            "SSO_ISSUER must be your own tenant's issuer "
            "(https://login.microsoftonline.com/<tenant id>/v2.0), not a "
            "multi-tenant one."
        )
    parts = urlsplit(issuer)
    if parts.scheme != "https" and not (
        parts.scheme == "http" and _is_loopback(parts.hostname or "")
    ):
        raise RuntimeError("SSO_ISSUER must be an https address.")
    for group, roles in config["SSO_GROUP_ROLES"].items():
        for role in [roles] if isinstance(roles, str) else roles:
            if role not in {r.value for r in Role}:
                raise RuntimeError(f"SSO_GROUP_ROLES maps {group} to unknown {role}")
    if not config["SSO_GROUP_ROLES"]:
        raise RuntimeError("SSO_GROUP_ROLES must map at least one group to a role.")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def init_app(app: Flask) -> None:
    check_settings(app.config)
    app.add_template_global(lambda: enabled(app.config), "sso_enabled")
    if not enabled(app.config):
        return
    # Imported only where single sign-on is set up: Authlib and requests were
    # 0.2 s of every start of the portal, a command's included (issue 16).
    from authlib.integrations.flask_client import OAuth

    oauth = OAuth(app)
    issuer = str(app.config["SSO_ISSUER"]).rstrip("/")
    oauth.register(
        CLIENT_NAME,
        client_id=app.config["SSO_CLIENT_ID"],
        client_secret=app.config["SSO_CLIENT_SECRET"],
        server_metadata_url=issuer + "/.well-known/openid-configuration",
        client_kwargs={
            "scope": app.config["SSO_SCOPES"],
            "code_challenge_method": "S256",
            "default_timeout": app.config["SSO_HTTP_TIMEOUT_SECONDS"],
        },
    )
    app.extensions["portal_sso"] = oauth
    # Signing in and out post to us and are redirected to the provider.
    issuer_parts = urlsplit(issuer)
    app.config["CSP_FORM_TARGETS"] = f" {issuer_parts.scheme}://{issuer_parts.netloc}"


def _client() -> Any:
    client = current_app.extensions["portal_sso"].create_client(CLIENT_NAME)
    metadata = client.server_metadata
    loaded = metadata.get("_loaded_at")
    if loaded and time.time() - loaded > current_app.config["SSO_METADATA_SECONDS"]:
        metadata.clear()  # keys and endpoints are fetched again
    return client


def _metadata(client: Any) -> dict[str, Any]:
    import requests

    try:
        metadata: dict[str, Any] = client.load_server_metadata()
    except (requests.RequestException, ValueError):
        raise SsoRefused("provider_unreachable", PROVIDER_DOWN, 503) from None
    # OpenID Connect Discovery 4.3: the document must name the issuer we asked.
    if str(metadata.get("issuer", "")).rstrip("/") != _issuer():
        metadata.clear()
        raise SsoRefused("issuer_mismatch", PROVIDER_DOWN, 503)
    # Authlib accepts the signing algorithms the provider's document lists;
    # ours, not theirs, decide (no algorithm the council did not choose).
    metadata["id_token_signing_alg_values_supported"] = list(
        current_app.config["SSO_ALGORITHMS"]
    )
    return metadata


def discover() -> SsoRefused | None:
    """Fetch the provider's discovery document (or refresh it when it is due)
    before any write transaction: routes that write call this from their
    ``prepare`` step, so no network call holds the database's write lock."""
    if not enabled():
        return None
    try:
        _metadata(_client())
    except SsoRefused as refused:
        return refused
    return None


def _issuer() -> str:
    return str(current_app.config["SSO_ISSUER"]).rstrip("/")


def redirect_uri() -> str:
    configured = current_app.config.get("SSO_REDIRECT_URI")
    return str(configured or url_for("sso.callback", _external=True))


def start() -> Response:
    """Send the person to the provider. State, nonce and the PKCE verifier wait
    in the (signed) session cookie for the answer."""
    client = _client()
    _metadata(client)
    config = current_app.config
    extra: dict[str, Any] = {}
    if config.get("SSO_PROMPT"):
        extra["prompt"] = config["SSO_PROMPT"]
    if config.get("SSO_MAX_AGE") is not None:
        extra["max_age"] = int(config["SSO_MAX_AGE"])
    response: Response = client.authorize_redirect(redirect_uri(), **extra)
    return response


def finish() -> Claims:
    """The provider's answer, checked; raises ``SsoRefused``."""
    import requests
    from authlib.integrations.base_client import MismatchingStateError, OAuthError
    from joserfc.errors import JoseError

    client = _client()
    _metadata(client)
    config = current_app.config
    options = {
        "iss": {"essential": True, "value": _issuer()},
        "aud": {"essential": True, "value": config["SSO_CLIENT_ID"]},
        "sub": {"essential": True},
        "exp": {"essential": True},
        "iat": {"essential": True},
    }
    try:
        token = client.authorize_access_token(
            claims_options=options, leeway=CLOCK_LEEWAY_SECONDS
        )
    except MismatchingStateError:
        raise SsoRefused("state_mismatch", TRY_AGAIN) from None
    except OAuthError as error:
        raise _provider_error(str(error.error or "")) from None
    except JoseError as error:
        raise SsoRefused(_jose_code(error), TRY_AGAIN) from None
    except (requests.RequestException, ValueError):
        raise SsoRefused("provider_unreachable", PROVIDER_DOWN, 503) from None
    claims = token.get("userinfo") if isinstance(token, dict) else None
    if not claims:
        # Authlib skips the ID token's checks when there is none: refuse.
        raise SsoRefused("no_id_token", TRY_AGAIN)
    return _checked(dict(claims))


def _provider_error(error: str) -> SsoRefused:
    if error == "access_denied":
        return SsoRefused(
            "provider_denied",
            "The council's sign-in service did not let you in. If your account "
            "has been disabled or you have left, this is expected; otherwise "
            "ask the IT service desk.",
            403,
        )
    return SsoRefused("provider_error", TRY_AGAIN)


def _jose_code(error: JoseError) -> str:
    """A short code for the audit trail (never the token's content)."""
    return "token_" + str(getattr(error, "error", "invalid"))[:40]


def _checked(claims: dict[str, Any]) -> Claims:
    config = current_app.config
    tenant = config.get("SSO_TENANT_ID")
    if tenant and str(claims.get("tid", "")) != str(tenant):
        raise SsoRefused("wrong_tenant", TRY_AGAIN, 403)
    max_age = config.get("SSO_MAX_AGE")
    if max_age is not None:
        auth_time = claims.get("auth_time")
        if not isinstance(auth_time, int | float) or (
            time.time() - auth_time > int(max_age) + CLOCK_LEEWAY_SECONDS
        ):
            raise SsoRefused("stale_authentication", TRY_AGAIN)
    subject = str(claims.get("oid") or claims.get("sub") or "")
    groups_claim = claims.get(config["SSO_GROUPS_CLAIM"])
    overage = config["SSO_GROUPS_CLAIM"] in (claims.get("_claim_names") or {})
    return Claims(
        issuer=_issuer(),
        subject=subject,
        email=str(
            claims.get("email") or claims.get("preferred_username") or ""
        ).strip(),
        name=str(claims.get("name") or "").strip(),
        groups=(
            tuple(str(g) for g in groups_claim)
            if isinstance(groups_claim, list)
            else None
        ),
        groups_overage=overage,
    )


def sign_out_url(post_sign_out: str) -> str | None:
    """Where to send someone so the provider ends its session too, if it offers
    that and the council wants it."""
    if not enabled() or not current_app.config["SSO_PROVIDER_SIGN_OUT"]:
        return None
    client = _client()
    try:
        metadata = _metadata(client)
    except SsoRefused:
        return None
    if not metadata.get("end_session_endpoint"):
        return None
    result = client.create_logout_url(
        post_logout_redirect_uri=post_sign_out, client_id=client.client_id
    )
    return str(result["url"])
