"""Words carried through the identity provider's sign-in.

A password sign-in carries a signed-out form's fields in the sign-in form itself
(``resume.py``). Single sign-on leaves for the provider's pages and comes back by
a plain redirect, which can carry nothing, and the session cookie is far too
small for a long answer. So the fields wait on the server, encrypted (AES-GCM)
with a fresh key that only this browser's session cookie holds. The row is
deleted when the words come back; one that never does is refused after an hour
and deleted by the next carry after that or by the daily purge. A copy left
behind in storage (WAL, dead tuples) is ciphertext whose key went with the
cookie, and the row's time is to the hour.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from datetime import timedelta

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import session as cookie
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.models import SignInCarry, utcnow

_COOKIE_KEY = "carry"
LIFETIME = timedelta(hours=1)
Fields = list[tuple[str, str]]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _this_hour() -> object:
    return utcnow().replace(minute=0, second=0, microsecond=0)


def save(session: Session, fields: Fields) -> None:
    """Keep the fields for this browser until it is back from the provider."""
    session.execute(
        delete(SignInCarry).where(SignInCarry.created_hour < utcnow() - LIFETIME)
    )
    if not fields:
        cookie.pop(_COOKIE_KEY, None)
        return
    token, key, nonce = (
        secrets.token_urlsafe(24),
        AESGCM.generate_key(256),
        secrets.token_bytes(12),
    )
    payload = json.dumps(fields).encode()
    sealed = nonce + AESGCM(key).encrypt(nonce, payload, _hash(token).encode())
    session.add(
        SignInCarry(
            token_hash=_hash(token), ciphertext=sealed, created_hour=_this_hour()
        )
    )
    session.flush()
    cookie[_COOKIE_KEY] = f"{token}.{base64.urlsafe_b64encode(key).decode()}"


def take(session: Session) -> Fields:
    """The fields this browser left with, once (the row is deleted); nothing if
    there were none, they expired, or the cookie's key does not open them."""
    held = cookie.pop(_COOKIE_KEY, None)
    if not isinstance(held, str) or "." not in held:
        return []
    token, _, encoded = held.partition(".")
    row = session.scalar(
        select(SignInCarry).where(SignInCarry.token_hash == _hash(token))
    )
    if row is None:
        return []
    session.delete(row)
    session.flush()
    if row.created_hour < utcnow() - LIFETIME - timedelta(hours=1):
        return []
    try:
        key = base64.urlsafe_b64decode(encoded)
        nonce, sealed = row.ciphertext[:12], row.ciphertext[12:]
        fields = json.loads(AESGCM(key).decrypt(nonce, sealed, _hash(token).encode()))
    except (InvalidTag, ValueError):
        return []
    return [(str(name), str(value)) for name, value in fields]
