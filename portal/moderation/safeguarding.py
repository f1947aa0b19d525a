"""The safeguarding queue: possible disclosures, flagged by triage when they were sent
or escalated by a moderator. Only safeguarding leads see it. Items here never return
to moderation and never reach a summary or an export, whatever the lead decides."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.audit.service import AuditAction, record
from portal.errors import InvalidInput, NotFound
from portal.models import Submission, SubmissionStatus, User
from portal.sanitise import plain_text

ACTIONS = {
    "referred_mash": "Referred to the front door (MASH)",
    "referred_lado": "Referred to the LADO",
    "no_further_action": "No further action",
}


def review_queue(session: Session) -> list[Submission]:
    """Items still needing a decision first, then the rest; by day, never by time."""
    return list(
        session.scalars(
            select(Submission)
            .where(Submission.status == SubmissionStatus.SAFEGUARDING)
            .order_by(
                Submission.safeguarding_action.is_not(None),
                Submission.submitted_on,
                Submission.id,
            )
        )
    )


def waiting_count(session: Session) -> int:
    count = session.scalar(
        select(func.count())
        .select_from(Submission)
        .where(
            Submission.status == SubmissionStatus.SAFEGUARDING,
            Submission.safeguarding_action.is_(None),
        )
    )
    return int(count or 0)


def get_item(session: Session, item_id: str) -> Submission:
    item = session.get(Submission, item_id)
    if item is None or item.status != SubmissionStatus.SAFEGUARDING:
        raise NotFound("There is no such item in the safeguarding queue")
    return item


def record_action(
    session: Session,
    lead: User,
    item: Submission,
    action: str,
    note: str,
    now: datetime,
) -> None:
    """What the lead did. It can be updated later (each change is audited)."""
    if action not in ACTIONS:
        raise InvalidInput("Select the action taken", field="action")
    note = plain_text(note)[:2000]
    before = item.safeguarding_action
    item.safeguarding_action = action
    item.safeguarding_note = note or None
    item.safeguarding_actioned_at = now
    item.safeguarding_actioned_by_id = lead.id
    session.flush()
    record(session, lead, AuditAction.SAFEGUARDING_ACTION, "submission", item.id,
           reason=ACTIONS[action], before={"action": before},
           after={"action": action})  # fmt: skip
