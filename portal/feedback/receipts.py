"""Receipt codes for anonymous input: shown once, stored only as a hash, and the
only way back to the item (to see its status or withdraw it). The code reaches the
thank-you page through a one-time hand-off row, never through the cookie."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.db import checkpoint_after_commit
from portal.errors import NotFound
from portal.models import (
    AnonymousInbox,
    Area,
    EngagementRound,
    ReceiptHandoff,
    Submission,
    SubmissionStatus,
)
from portal.outcomes.service import Outcome, outcomes_of
from portal.submissions import lifecycle


def receipt_for(secret: str, form_token: str) -> str:
    """A 20-character code (100 bits) in five groups, from the form's token."""
    digest = hmac.new(secret.encode(), b"receipt:" + form_token.encode(), "sha256")
    code = base64.b32encode(digest.digest()).decode()[:20]
    return "-".join(code[i : i + 4] for i in range(0, 20, 4))


def receipt_key(code: str) -> str:
    normalised = "".join(c for c in code.upper() if c.isalnum())
    return hashlib.sha256(("receipt:" + normalised).encode()).hexdigest()


def by_receipt(session: Session, code: str) -> Submission | AnonymousInbox:
    """The item a receipt code belongs to, whether it is still held in the
    anonymous inbox or already released (the code works from the moment of
    sending)."""
    key = receipt_key(code)
    item = session.scalar(select(Submission).where(Submission.receipt_hash == key))
    if item is not None:
        return item
    held = session.scalar(
        select(AnonymousInbox).where(AnonymousInbox.receipt_hash == key)
    )
    if held is None:
        raise NotFound("No input matches that receipt code. Check it and try again.")
    return held


@dataclass(frozen=True)
class Thanks:
    kind: str
    receipt: str | None


def _token_key(token: str) -> str:
    return hashlib.sha256(("handoff:" + token).encode()).hexdigest()


def hand_over(session: Session, kind: str, receipt: str | None, today: date) -> str:
    """Store what the thank-you page shows; returns the one-time token for the
    browser. Unclaimed hand-offs older than a day are cleared on the way."""
    session.execute(
        delete(ReceiptHandoff).where(ReceiptHandoff.created_on < today - timedelta(1))
    )
    token = secrets.token_urlsafe(24)
    session.add(
        ReceiptHandoff(
            token_hash=_token_key(token), kind=kind, receipt=receipt, created_on=today
        )
    )
    session.flush()
    return token


def collect(session: Session, token: str | None) -> Thanks | None:
    """What to show, once: the row is deleted (and the WAL checkpointed) as it is
    read, so an old cookie replayed shows nothing."""
    if not token:
        return None
    row = session.get(ReceiptHandoff, _token_key(token))
    if row is None:
        return None
    thanks = Thanks(row.kind, row.receipt)
    session.delete(row)
    session.flush()
    checkpoint_after_commit(session)
    return thanks


@dataclass(frozen=True)
class ReceiptStatus:
    """What a receipt code shows: the same whether the item is held or released."""

    round_title: str
    area_title: str
    sent_on: date
    status: str
    withdrawn: bool
    # What became of it (tags, the plan actions citing it), once released.
    outcome: Outcome | None = None


def receipt_status(session: Session, code: str, minimum: int) -> ReceiptStatus:
    item = by_receipt(session, code)
    if isinstance(item, AnonymousInbox):
        round_ = session.get_one(EngagementRound, item.payload["round_id"])
        area = session.get_one(Area, item.payload["area_id"])
        status = lifecycle.STATUS_LABELS[SubmissionStatus(item.payload["status"])]
        return ReceiptStatus(
            round_.title,
            area.title,
            item.held_on,
            status,
            item.withdrawn_on is not None,
        )
    return ReceiptStatus(
        item.round.title,
        item.area.title,
        item.submitted_on,
        lifecycle.status_label(item),
        item.withdrawn_on is not None,
        outcomes_of(session, [item], minimum)[item.id],
    )
