"""The safeguarding queue: possible disclosures, flagged by triage when they were sent
or escalated by a moderator. Only safeguarding leads see it. Items here never reach
a summary or an export. Triage has false alarms ("hits her team hardest"), so the
lead can find that an item is not a safeguarding concern and send it to moderation
(audited); nothing else ever takes an item out of this queue."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.audit.service import AuditAction, record
from portal.errors import InvalidInput, NotFound
from portal.models import Submission, SubmissionStatus, User
from portal.sanitise import plain_text
from portal.submissions import lifecycle

NOT_A_CONCERN = "not_a_concern"

ACTIONS = {
    "referred_mash": "Referred to the front door (MASH)",
    "referred_lado": "Referred to the LADO",
    "no_further_action": "No further action",
    NOT_A_CONCERN: "Not a safeguarding concern: send it to moderation",
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
    """What the lead did. It can be updated later (each change is audited). "Not a
    concern" sends the item to moderation, where it is treated like any other."""
    if action not in ACTIONS:
        raise InvalidInput("Select the action taken", field="action")
    note = plain_text(note)[:2000]
    before = item.safeguarding_action
    values = {
        "safeguarding_action": action,
        # On the row, where redaction reaches it; the audit holds the code only.
        "safeguarding_note": note or None,
        "safeguarding_actioned_at": now,
        "safeguarding_actioned_by_id": lead.id,
    }
    if action == NOT_A_CONCERN:
        lifecycle.apply(
            session, lead, item, lifecycle.Event.RELEASE, values=values, reason=action
        )
        return
    # (On an anonymous item the time is cut to the day by the lifecycle's policy.)
    for name, value in values.items():
        setattr(item, name, value)
    session.flush()
    record(session, lead, AuditAction.SAFEGUARDING_ACTION, "submission", item.id,
           reason=action, before={"action": before},
           after={"action": action})  # fmt: skip
