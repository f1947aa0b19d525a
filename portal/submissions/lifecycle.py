"""The submission lifecycle: every status, every allowed change, the one rule for
what counts as staff input, and the anonymity policy for what a row may hold.

Stage services (feedback, moderation, safeguarding, tagging, plan) call this module;
none writes ``status`` itself. Each change is one conditional
``UPDATE ... WHERE id = ? AND status = <the status the actor saw>`` followed by its
audit row in the caller's transaction, so of two people acting at once exactly one
wins and the other is told.

Anonymity policy (docs/architecture.md states it for people): an anonymous row
holds no author, no recorder, no exact time of any kind, and no audit row about its
writer's actions. Every time on it (decided, actioned) is cut to the day. The
policy is applied in ``anonymise`` for every write of a Submission: ORM inserts and
updates (a mapper hook) and this module's conditional updates alike.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import ColumnElement, and_, event, literal_column, update
from sqlalchemy.orm import Mapper, Session

from portal.audit.service import AuditAction, record
from portal.errors import Conflict
from portal.models import Submission, SubmissionKind, SubmissionStatus, User
from portal.submissions import phrases

S = SubmissionStatus

CHANGED_MEANWHILE = (
    "Someone else changed this item a moment ago, so your change was not saved. "
    "Reload the page to see where it stands now."
)


class Event(enum.StrEnum):
    """Everything that can happen to a submission after it arrives."""

    APPROVE = "approve"
    REJECT = "reject"
    RETURN = "return"
    DUPLICATE = "duplicate"
    ESCALATE = "escalate"
    # The safeguarding lead finds no safeguarding concern: back to moderation.
    RELEASE = "release"
    # The writer changes named input (it waits for moderation again, or goes to
    # the safeguarding lead if the new text raises a concern).
    EDIT = "edit"
    EDIT_RAISING_CONCERN = "edit_raising_concern"
    WITHDRAW = "withdraw"


# (status now, event) -> status after. Anything else is refused.
TRANSITIONS: dict[tuple[str, Event], str] = {
    (S.PENDING, Event.APPROVE): S.APPROVED,
    (S.PENDING, Event.REJECT): S.REJECTED,
    (S.PENDING, Event.RETURN): S.RETURNED,
    (S.PENDING, Event.DUPLICATE): S.DUPLICATE,
    (S.PENDING, Event.ESCALATE): S.SAFEGUARDING,
    # A disclosure can be noticed after a first decision.
    (S.APPROVED, Event.ESCALATE): S.SAFEGUARDING,
    (S.REJECTED, Event.ESCALATE): S.SAFEGUARDING,
    (S.RETURNED, Event.ESCALATE): S.SAFEGUARDING,
    (S.DUPLICATE, Event.ESCALATE): S.SAFEGUARDING,
    # Changing one's mind before anyone uses the input.
    (S.APPROVED, Event.REJECT): S.REJECTED,
    (S.REJECTED, Event.APPROVE): S.APPROVED,
    (S.SAFEGUARDING, Event.RELEASE): S.PENDING,
    (S.PENDING, Event.EDIT): S.PENDING,
    (S.RETURNED, Event.EDIT): S.PENDING,
    (S.PENDING, Event.EDIT_RAISING_CONCERN): S.SAFEGUARDING,
    (S.RETURNED, Event.EDIT_RAISING_CONCERN): S.SAFEGUARDING,
    (S.PENDING, Event.WITHDRAW): S.WITHDRAWN,
    (S.APPROVED, Event.WITHDRAW): S.WITHDRAWN,
    (S.REJECTED, Event.WITHDRAW): S.WITHDRAWN,
    (S.RETURNED, Event.WITHDRAW): S.WITHDRAWN,
    (S.DUPLICATE, Event.WITHDRAW): S.WITHDRAWN,
    # The duty to act outweighs the wish to withdraw: the item stays with the lead
    # (marked withdrawn, so it is never used) and the writer is not told.
    (S.SAFEGUARDING, Event.WITHDRAW): S.SAFEGUARDING,
}

AUDIT_ACTIONS: dict[Event, AuditAction] = {
    Event.APPROVE: AuditAction.INPUT_APPROVED,
    Event.REJECT: AuditAction.INPUT_REJECTED,
    Event.RETURN: AuditAction.INPUT_RETURNED,
    Event.DUPLICATE: AuditAction.INPUT_MARKED_DUPLICATE,
    Event.ESCALATE: AuditAction.INPUT_ESCALATED,
    Event.RELEASE: AuditAction.SAFEGUARDING_RELEASED,
    Event.EDIT: AuditAction.SUBMISSION_EDITED,
    Event.EDIT_RAISING_CONCERN: AuditAction.SUBMISSION_EDITED,
    Event.WITHDRAW: AuditAction.SUBMISSION_WITHDRAWN,
}

# What the writer sees. An escalation is never revealed to the writer, and nothing
# untrue is said: "being reviewed" holds for a moderator and a safeguarding lead.
STATUS_LABELS = {
    S.PENDING: "Received: being reviewed",
    S.SAFEGUARDING: "Received: being reviewed",
    S.APPROVED: "Approved",
    S.REJECTED: "Not used",
    S.DUPLICATE: "Not used: it repeats other input",
    S.RETURNED: "Returned to you for changes",
    S.WITHDRAWN: "Withdrawn",
}


def version_of(item: Submission) -> str:
    """Which version of the words a person is looking at (changed by each edit)."""
    return item.updated_at.isoformat() if item.updated_at else "original"


def arrival_status(raises_safeguarding_concern: bool) -> str:
    """A possible safeguarding disclosure goes straight to the safeguarding lead
    and never waits in the (team) moderation queue."""
    return S.SAFEGUARDING if raises_safeguarding_concern else S.PENDING


def status_label(submission: Submission) -> str:
    if submission.withdrawn_on is not None:
        return STATUS_LABELS[S.WITHDRAWN]
    return STATUS_LABELS.get(S(submission.status), submission.status)


def counts_as_staff_input(inline: bool = False) -> ColumnElement[bool]:
    """The one rule for what counts as staff input, as SQL: approved, and not
    withdrawn. Escalated, duplicate, rejected and returned input never count.
    Summaries, coverage, tagging, exports, the pack and plan evidence all use it.
    ``inline`` writes the status into the statement rather than binding it:
    SQLite uses a partial index (the export's, migration 0026) only when the
    statement's own text implies the index's condition."""
    status: Any = literal_column(f"'{S.APPROVED.value}'") if inline else S.APPROVED
    return and_(Submission.status == status, Submission.withdrawn_on.is_(None))


def is_staff_input(submission: Submission) -> bool:
    """The same rule for an item already loaded."""
    return submission.status == S.APPROVED and submission.withdrawn_on is None


def apply(
    session: Session,
    actor: User | None,
    item: Submission,
    happening: Event,
    *,
    seen: str | None = None,
    seen_version: str | None = None,
    values: dict[str, Any] | None = None,
    reason: str | None = None,
    audited: bool = True,
) -> str:
    """Apply one event to an item, conditional on the status the actor saw, on
    the version of the text they saw (``seen_version``, from ``version_of``: an
    edit keeps the status but changes the words), and on it not having been
    withdrawn meanwhile. Returns the new status; raises Conflict if the change is
    not allowed or someone else changed it first."""
    status_seen = seen or item.status
    if item.status != status_seen:
        raise Conflict(CHANGED_MEANWHILE)
    if seen_version is not None and seen_version != version_of(item):
        raise Conflict(CHANGED_MEANWHILE)
    target = TRANSITIONS.get((status_seen, happening))
    if target is None:
        raise Conflict(
            f"This item is {status_seen}, so it cannot be given the decision "
            f"“{happening.value}”. Nothing was changed."
        )
    changes = {**(values or {}), "status": target}
    if happening == Event.WITHDRAW:
        changes["withdrawn_on"] = changes.get("withdrawn_on") or date.today()
    elif happening == Event.RELEASE and item.withdrawn_on is not None:
        changes["status"] = target = S.WITHDRAWN
    conditions = [Submission.id == item.id, Submission.status == status_seen]
    if seen_version is not None:
        conditions.append(Submission.updated_at.is_not_distinct_from(item.updated_at))
    if happening != Event.RELEASE:
        # Withdrawn input is never changed again (a withdrawn safeguarding item
        # can still be released by the lead: it then shows as withdrawn).
        conditions.append(Submission.withdrawn_on.is_(None))
    changed = session.execute(
        update(Submission)
        .where(*conditions)
        .values(**anonymise(item.kind, changes))
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(
            "This input has already been withdrawn"
            if happening == Event.WITHDRAW and item.withdrawn_on is not None
            else CHANGED_MEANWHILE
        )
    session.expire(item)
    _after_change(session, item, (status_seen, target))
    if not audited:
        return target
    record(session, actor, AUDIT_ACTIONS[happening], "submission", item.id,
           reason=reason, before={"status": status_seen},
           after={"status": target})  # fmt: skip
    return target


def _after_change(
    session: Session, item: Submission, statuses: tuple[str, str]
) -> None:
    """What follows from a change of status, besides its audit row."""
    if S.APPROVED in statuses:
        phrases.refresh(session, item)  # counted in summaries while approved


# --- Anonymity policy --------------------------------------------------------

# Columns an anonymous row must leave empty: they would name or time its writer.
ANONYMOUS_EMPTY = ("author_id", "recorded_by_id", "submitted_at", "updated_at")
# Times an anonymous row may hold, and only as the day (midnight UTC).
ANONYMOUS_DAY_ONLY = ("decided_at", "safeguarding_actioned_at")


def day_of(moment: datetime) -> datetime:
    """Midnight UTC of the moment's day: all an anonymous row may say of a time."""
    return datetime.combine(moment.astimezone(UTC).date(), time(0), tzinfo=UTC)


def anonymise(kind: str | None, values: dict[str, Any]) -> dict[str, Any]:
    """The values a write may store, given the row's kind."""
    if kind != SubmissionKind.ANONYMOUS:
        return values
    kept = dict(values)
    for name in ANONYMOUS_EMPTY:
        if name in kept:
            kept[name] = None
    for name in ANONYMOUS_DAY_ONLY:
        if isinstance(kept.get(name), datetime):
            kept[name] = day_of(kept[name])
    return kept


@event.listens_for(Submission, "before_insert")
@event.listens_for(Submission, "before_update")
def _enforce_on_orm_writes(_mapper: Mapper[Any], _connection: Any, row: Any) -> None:
    if row.kind != SubmissionKind.ANONYMOUS:
        return
    guarded = {
        name: getattr(row, name) for name in (*ANONYMOUS_EMPTY, *ANONYMOUS_DAY_ONLY)
    }
    for name, value in anonymise(row.kind, guarded).items():
        setattr(row, name, value)
