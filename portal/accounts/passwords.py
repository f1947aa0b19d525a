"""Password hashing, generation and policy, in one place."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from werkzeug.security import check_password_hash, generate_password_hash

# A few of the passwords most often tried first; the length rule does most of the work
# (NCSC: long passwords, no composition rules, no forced expiry).
_COMMON = frozenset(
    {
        "password1234",
        "passwordpassword",
        "123456789012",
        "qwertyuiop12",
        "letmein12345",
        "welcome12345",
        "changeme1234",
    }
)


T = TypeVar("T")
# Processor seconds this thread has spent hashing: what a password-check slot
# rests for (password_slots.py), leaving out a cold worker's first queries.
_spent = threading.local()


def hashing_seconds() -> float:
    return float(getattr(_spent, "seconds", 0.0))


def _metered(work: Callable[[], T]) -> T:
    started = time.thread_time()
    try:
        return work()
    finally:
        _spent.seconds = hashing_seconds() + time.thread_time() - started


def hash_password(password: str, method: str) -> str:
    return _metered(lambda: generate_password_hash(password, method=method))


def verify_password(password_hash: str, password: str) -> bool:
    return _metered(lambda: check_password_hash(password_hash, password))


@lru_cache(maxsize=8)
def dummy_hash(method: str) -> str:
    """A hash to verify against when the account does not exist, so an unknown
    email costs the same time as a wrong password."""
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


@dataclass(frozen=True)
class Issued:
    """A generated one-time password and its hash."""

    password: str
    password_hash: str


def issue(method: str) -> Issued:
    password = generate_password()
    return Issued(password, hash_password(password, method))


def generate_password() -> str:
    """A random 20-character password for new and reset accounts."""
    return secrets.token_urlsafe(15)


def password_problem(password: str, email: str, min_length: int) -> str | None:
    """Why this password is not acceptable, or None."""
    if len(password) < min_length:
        return f"Password must be {min_length} characters or more"
    if len(password) > 256:
        return "Password must be 256 characters or fewer"
    if password.lower() in _COMMON or password.lower() == email.lower():
        return "Choose a password that is harder to guess"
    return None
