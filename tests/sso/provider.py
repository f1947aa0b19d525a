"""A small OpenID provider that the tests run themselves, shaped like Entra ID.

It serves discovery, its signing keys (JWKS), an authorisation endpoint that
signs in whichever test person ``sign_in_next`` chose, a token endpoint that
checks the client secret, the code's single use, its redirect URI and PKCE, and
an end-session endpoint. ``fault`` makes the next ID token wrong in one way, as a
misconfigured or hostile provider would; ``deny`` answers like Entra for a
disabled account. Everything is real HTTP on 127.0.0.1 and real RS256.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

TENANT = "9a3a4c1e-1111-4d2a-9c5e-00000000c0de"
CLIENT_ID = "frontline-voice-test"
CLIENT_SECRET = "test-client-secret"


@dataclass
class Person:
    oid: str
    name: str
    email: str
    groups: list[str] = field(default_factory=list)
    disabled: bool = False


@dataclass
class Provider:
    base: str = ""
    fault: str | None = None
    deny: bool = False
    people: dict[str, Person] = field(default_factory=dict)
    next_login: str | None = None
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    sign_outs: list[dict[str, str]] = field(default_factory=list)
    issued: list[dict[str, Any]] = field(default_factory=list)
    _codes: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "key-1", "use": "sig"})
        # Same key id, different key: a token it signs must not verify.
        self.impostor = RSAKey.generate_key(2048, parameters={"kid": "key-1"})

    @property
    def issuer(self) -> str:
        return f"{self.base}/{TENANT}/v2.0"

    def add(self, login: str, groups: list[str], **details: Any) -> Person:
        person = Person(
            oid=details.pop("oid", secrets.token_hex(8)),
            name=details.pop("name", login.title()),
            email=details.pop("email", f"{login}@council.example"),
            groups=list(groups),
            **details,
        )
        self.people[login] = person
        return person

    def sign_in_next(self, login: str) -> None:
        self.next_login = login

    # --- the endpoints ---------------------------------------------------------

    def wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        path = request.path.removeprefix(f"/{TENANT}/v2.0")
        handler = {
            "/.well-known/openid-configuration": self._discovery,
            "/keys": self._keys,
            "/authorize": self._authorize,
            "/token": self._token,
            "/logout": self._logout,
        }.get(path)
        response = handler(request) if handler else Response("not found", 404)
        return response(environ, start_response)

    def _discovery(self, request: Request) -> Response:
        issuer = self.issuer
        return _json({
            "issuer": "https://elsewhere.example/v2.0"
            if self.fault == "discovery_issuer" else issuer,
            "authorization_endpoint": issuer + "/authorize",
            "token_endpoint": issuer + "/token",
            "jwks_uri": issuer + "/keys",
            "end_session_endpoint": issuer + "/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256", "RS512"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        })  # fmt: skip

    def _keys(self, request: Request) -> Response:
        return _json(KeySet([self.key]).as_dict(private=False))

    def _authorize(self, request: Request) -> Response:
        args = request.args.to_dict()
        self.authorize_requests.append(args)
        back = args["redirect_uri"]
        person = self.people.get(self.next_login or "")
        if self.deny or person is None or person.disabled:
            query = {
                "error": "access_denied",
                "state": args.get("state", ""),
                "error_description": "AADSTS50057: The user account is disabled.",
            }
            return _redirect(back + "?" + urlencode(query))
        code = secrets.token_urlsafe(16)
        self._codes[code] = {
            "person": person,
            "args": args,
            "auth_time": int(time.time()),
        }
        return _redirect(back + "?" + urlencode({"code": code, "state": args["state"]}))

    def _token(self, request: Request) -> Response:
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if request.headers.get("Authorization") != f"Basic {expected}":
            return _json({"error": "invalid_client"}, 401)
        form = request.form
        grant = self._codes.pop(form.get("code", ""), None)  # a code works once
        if grant is None or form.get("redirect_uri") != grant["args"]["redirect_uri"]:
            return _json({"error": "invalid_grant"}, 400)
        verifier = form.get("code_verifier", "")
        challenge = (
            base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
            .rstrip(b"=")
            .decode()
        )
        if grant["args"].get("code_challenge_method") != "S256" or (
            challenge != grant["args"].get("code_challenge")
        ):
            return _json({"error": "invalid_grant", "error_description": "PKCE"}, 400)
        token: dict[str, Any] = {
            "access_token": secrets.token_urlsafe(24),
            "token_type": "Bearer",
            "expires_in": 3600,
        }
        if self.fault != "no_id_token":
            token["id_token"] = self._id_token(grant)
        return _json(token)

    def _id_token(self, grant: dict[str, Any]) -> str:
        person: Person = grant["person"]
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer, "aud": CLIENT_ID, "sub": "pairwise-" + person.oid,
            "oid": person.oid, "tid": TENANT, "iat": now, "nbf": now,
            "exp": now + 3600, "auth_time": grant["auth_time"],
            "nonce": grant["args"].get("nonce"), "name": person.name,
            "preferred_username": person.email, "groups": list(person.groups),
        }  # fmt: skip
        fault = self.fault
        if fault == "wrong_issuer":
            claims["iss"] = "https://login.example/another-tenant/v2.0"
        elif fault == "wrong_audience":
            claims["aud"] = "some-other-application"
        elif fault == "expired":
            claims.update(iat=now - 7200, nbf=now - 7200, exp=now - 3600)
        elif fault == "wrong_tenant":
            claims["tid"] = "another-tenant"
        elif fault == "old_authentication":
            claims["auth_time"] = now - 7200
        elif fault == "no_groups":
            del claims["groups"]
        elif fault == "groups_overage":
            del claims["groups"]
            claims["_claim_names"] = {"groups": "src1"}
            claims["_claim_sources"] = {"src1": {"endpoint": "https://graph.example"}}
        elif fault == "replayed_nonce" and self.issued:
            claims["nonce"] = self.issued[0]["nonce"]
        self.issued.append(claims)
        key = self.impostor if fault == "bad_signature" else self.key
        # An algorithm the provider offers but the council did not choose.
        alg = "RS512" if fault == "other_algorithm" else "RS256"
        return jwt.encode({"alg": alg, "kid": "key-1"}, claims, key,
                          algorithms=[alg])  # fmt: skip

    def _logout(self, request: Request) -> Response:
        args = request.args.to_dict()
        self.sign_outs.append(args)
        return _redirect(args.get("post_logout_redirect_uri", self.base))


def _json(body: dict[str, Any], status: int = 200) -> Response:
    import json

    return Response(json.dumps(body), status, mimetype="application/json")


def _redirect(location: str) -> Response:
    return Response("", 302, headers={"Location": location})


@contextmanager
def running() -> Iterator[Provider]:
    """The provider on a free port of 127.0.0.1, in a thread, for one test."""
    provider = Provider()
    server = make_server("127.0.0.1", 0, provider.wsgi, threaded=True)
    provider.base = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        thread.join(timeout=10)
