"""Receipt codes for anonymous input: shown once, stored only as a hash, and the
only way back to the item (to see its status or withdraw it)."""

from __future__ import annotations

import base64
import hashlib
import hmac

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.errors import NotFound
from portal.models import Submission


def receipt_for(secret: str, form_token: str) -> str:
    """A 20-character code (100 bits) in five groups, from the form's token."""
    digest = hmac.new(secret.encode(), b"receipt:" + form_token.encode(), "sha256")
    code = base64.b32encode(digest.digest()).decode()[:20]
    return "-".join(code[i : i + 4] for i in range(0, 20, 4))


def receipt_key(code: str) -> str:
    normalised = "".join(c for c in code.upper() if c.isalnum())
    return hashlib.sha256(("receipt:" + normalised).encode()).hexdigest()


def by_receipt(session: Session, code: str) -> Submission:
    item = session.scalar(
        select(Submission).where(Submission.receipt_hash == receipt_key(code))
    )
    if item is None:
        raise NotFound("No input matches that receipt code. Check it and try again.")
    return item
