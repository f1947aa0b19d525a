"""Moderation rules: who may see which item, the queue, decisions and redaction.

Scope: safeguarding items are never here. A moderator never sees their own input.
Team moderators see input from their own team and input with no team; anonymous
input on an area "about management" goes only to independent moderators, because
team moderators are often the writers' own managers.

Decisions follow one transition table and are conditional updates
(``... WHERE status = <the status the moderator saw>``), so when two moderators
decide the same item at once exactly one wins and the other is told.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    false,
    func,
    not_,
    or_,
    select,
    tuple_,
)
from sqlalchemy.orm import Session

from portal.access import Permission, can
from portal.audit.service import AuditAction, record
from portal.errors import Conflict, InvalidInput, NotAllowed, NotFound
from portal.models import (
    Area,
    Submission,
    SubmissionKind,
    SubmissionStatus,
    User,
)
from portal.sanitise import plain_text, single_line
from portal.submissions import lifecycle
from portal.tagging import service as tagging

PAGE_SIZE = 25


class Decision(enum.StrEnum):
    """What a moderator may decide (each is a lifecycle event of the same name)."""

    APPROVE = "approve"
    REJECT = "reject"
    RETURN = "return"
    DUPLICATE = "duplicate"
    ESCALATE = "escalate"


REJECT_REASONS = {
    "off_topic": "Off-topic",
    "personal_data": "Contains personal data that cannot be redacted",
    "offensive": "Offensive",
    "duplicate": "Duplicate",
    "other": "Other",
}

S = SubmissionStatus

# Why a moderator approves input that still holds personal data (a code: the audit
# holds no free text).
PERSONAL_DATA_REASONS = {
    "not_identifying": "It does not identify anyone in context",
    "public_role": "It names a professional acting in a public role",
    "consented": "The person named agreed to it being used",
}
PERSONAL_DATA_GATE = (
    "This input may still contain personal data. Redact it, or confirm that it "
    "can be approved as it is and say why."
)


def applies(item: Submission, decision: Decision) -> bool:
    """Whether a decision can be made on this item now: allowed from its status,
    and returning only ever goes to a named author."""
    if decision == Decision.RETURN and item.kind != SubmissionKind.NAMED:
        return False
    return (item.status, lifecycle.Event(decision.value)) in lifecycle.TRANSITIONS


def in_scope(moderator: User) -> ColumnElement[bool]:
    """SQL condition: the items this moderator may see and decide (needs Area)."""
    # Nobody decides input they wrote or recorded at a staff session.
    not_own = and_(
        or_(Submission.author_id.is_(None), Submission.author_id != moderator.id),
        or_(
            Submission.recorded_by_id.is_(None),
            Submission.recorded_by_id != moderator.id,
        ),
    )
    not_safeguarding = Submission.status != S.SAFEGUARDING
    if moderator.independent_moderator:
        return and_(not_own, not_safeguarding)
    team = or_(
        Submission.team_id.is_(None),
        Submission.team_id == moderator.team_id
        if moderator.team_id is not None
        else Submission.team_id.is_(None),
    )
    about_managers = and_(
        Submission.kind == SubmissionKind.ANONYMOUS, Area.about_management.is_(True)
    )
    return and_(not_own, not_safeguarding, team, not_(about_managers))


def visible_item(session: Session, moderator: User, item_id: str) -> Submission:
    """The item if it is in this moderator's scope; otherwise it does not exist."""
    item = session.scalar(
        select(Submission)
        .join(Area, Area.id == Submission.area_id)
        .where(Submission.id == item_id, in_scope(moderator))
    )
    if item is None:
        raise NotFound("There is no such item in your moderation queue")
    return item


@dataclass(frozen=True)
class QueueFilters:
    status: str = S.PENDING
    round_id: int | None = None
    area_id: int | None = None
    flag: str | None = None  # "personal_data" or "facilitated"


@dataclass(frozen=True)
class QueuePage:
    items: list[Submission]
    next_cursor: str | None
    counts: dict[str, int]


def _filtered(moderator: User, filters: QueueFilters) -> list[ColumnElement[bool]]:
    conditions = [in_scope(moderator), Submission.status == filters.status]
    if filters.round_id:
        conditions.append(Submission.round_id == filters.round_id)
    if filters.area_id:
        conditions.append(Submission.area_id == filters.area_id)
    if filters.flag == "personal_data":
        conditions.append(Submission.has_personal_data.is_(True))
    elif filters.flag == "facilitated":
        conditions.append(Submission.kind == SubmissionKind.FACILITATED)
    return conditions


def queue(
    session: Session, moderator: User, filters: QueueFilters, after: str | None
) -> QueuePage:
    """One page of the queue, oldest day first and in random order within a day
    (ids are random), so arrival order and time are never shown. Keyset pages."""
    conditions = _filtered(moderator, filters)
    query = (
        select(Submission)
        .join(Area, Area.id == Submission.area_id)
        .where(*conditions)
        .order_by(Submission.submitted_on, Submission.id)
        .limit(PAGE_SIZE + 1)
    )
    cursor = _parse_cursor(after)
    if cursor is not None:
        query = query.where(tuple_(Submission.submitted_on, Submission.id) > cursor)
    items = list(session.scalars(query))
    next_cursor = None
    if len(items) > PAGE_SIZE:
        items = items[:PAGE_SIZE]
        last = items[-1]
        next_cursor = f"{last.submitted_on.isoformat()}_{last.id}"
    return QueuePage(items, next_cursor, counts(session, moderator, filters))


def _parse_cursor(after: str | None) -> tuple[date, str] | None:
    if not after or "_" not in after:
        return None
    day, _, item_id = after.partition("_")
    try:
        return date.fromisoformat(day), item_id[:36]
    except ValueError:
        return None


def counts(session: Session, moderator: User, filters: QueueFilters) -> dict[str, int]:
    """Counts for the filter links, over the moderator's scope and the status being
    viewed, aggregated in SQL from ix_submissions_scope alone."""
    base = QueueFilters(filters.status, filters.round_id, filters.area_id)
    row = session.execute(
        select(
            func.count(),
            func.coalesce(
                func.sum(case((Submission.has_personal_data.is_(True), 1), else_=0)), 0
            ),
            func.coalesce(
                func.sum(
                    case((Submission.kind == SubmissionKind.FACILITATED, 1), else_=0)
                ),
                0,
            ),
        )
        .select_from(Submission)
        .join(Area, Area.id == Submission.area_id)
        .where(*_filtered(moderator, base))
    ).one()
    return {
        "all": int(row[0]),
        "personal_data": int(row[1]),
        "facilitated": int(row[2]),
    }


@dataclass(frozen=True)
class DecisionDetails:
    decision: Decision
    reason: str | None = None
    note: str = ""
    duplicate_of: str | None = None
    # The status the moderator was looking at. If the item has moved on since,
    # someone else decided it first: their decision stands.
    seen_status: str | None = None
    # The version of the words the moderator read (lifecycle.version_of).
    seen_version: str | None = None
    # Tags to apply with an approval (only from people who may tag).
    recommendation_ids: frozenset[int] = frozenset()
    theme_ids: frozenset[int] = frozenset()
    # Approving input still flagged for personal data needs this, with a reason.
    personal_data_reason: str | None = None


def decide(
    session: Session,
    moderator: User,
    item: Submission,
    details: DecisionDetails,
    now: datetime,
) -> str:
    """Apply one decision to an item in scope; returns the new status."""
    note = plain_text(details.note)[:2000]
    reason = _check_details(session, moderator, item, details, note)
    approving = details.decision == Decision.APPROVE
    if approving and item.has_personal_data:
        if details.personal_data_reason not in PERSONAL_DATA_REASONS:
            raise InvalidInput(PERSONAL_DATA_GATE, field="personal_data_reason")
    target = lifecycle.apply(
        session,
        moderator,
        item,
        lifecycle.Event(details.decision.value),
        seen=details.seen_status or item.status,
        seen_version=details.seen_version,
        values={
            "decided_at": now,
            "decided_by_id": moderator.id,
            "reject_reason": reason,
            # The note lives on the row, where redaction reaches it; the audit
            # row holds only the reason code.
            "decision_note": note or None,
            "duplicate_of_id": details.duplicate_of
            if details.decision == Decision.DUPLICATE
            else None,
        },
        reason=reason,
    )
    if approving and item.has_personal_data:
        record(session, moderator, AuditAction.APPROVED_WITH_PERSONAL_DATA,
               "submission", item.id,
               reason=details.personal_data_reason)  # fmt: skip
    if target == S.APPROVED and (details.recommendation_ids or details.theme_ids):
        if not can(moderator, Permission.TAG):
            raise NotAllowed("Tagging needs the planner role")
        tagging.set_tags(
            session,
            moderator,
            item,
            tagging.Tags(details.recommendation_ids, details.theme_ids),
        )
    return target


def _check_details(
    session: Session,
    moderator: User,
    item: Submission,
    details: DecisionDetails,
    note: str,
) -> str | None:
    if details.decision == Decision.REJECT:
        if details.reason not in REJECT_REASONS:
            raise InvalidInput("Select why the input is rejected", field="reason")
        return details.reason
    if details.decision == Decision.RETURN:
        if item.kind != SubmissionKind.NAMED:
            raise InvalidInput(
                "Only named input can be returned to its author", "decision"
            )
        if not note:
            raise InvalidInput("Tell the author what to change", field="note")
    if details.decision == Decision.DUPLICATE:
        other_id = single_line(details.duplicate_of or "")
        if not other_id or other_id == item.id:
            raise InvalidInput("Select the item this one duplicates", "duplicate_of")
        visible_item(session, moderator, other_id)
    return None


@dataclass(frozen=True)
class BulkOutcome:
    decided: int
    # Items someone else changed first, and items approval skipped because they
    # may hold personal data: each needs a look on its own page.
    already_decided: list[Submission] = field(default_factory=list)
    personal_data: list[Submission] = field(default_factory=list)


def decide_many(
    session: Session,
    moderator: User,
    item_ids: list[str],
    details: DecisionDetails,
    now: datetime,
) -> BulkOutcome:
    """Approve or reject a selection with one reason. Items decided meanwhile by
    someone else are skipped and listed; so, for approval, are items that may
    still hold personal data (they need redaction or a reasoned approval)."""
    if details.decision not in (Decision.APPROVE, Decision.REJECT):
        raise InvalidInput("Choose approve or reject for a selection", "decision")
    if not item_ids:
        raise InvalidInput("Select at least one item", field="item_ids")
    decided = 0
    skipped: list[Submission] = []
    flagged: list[Submission] = []
    pending = DecisionDetails(details.decision, details.reason, seen_status=S.PENDING)
    for item_id in dict.fromkeys(item_ids):
        item = visible_item(session, moderator, item_id)
        if details.decision == Decision.APPROVE and item.has_personal_data:
            flagged.append(item)
            continue
        try:
            with session.begin_nested():
                decide(session, moderator, item, pending, now)
        except Conflict:
            skipped.append(item)
        else:
            decided += 1
    return BulkOutcome(decided, skipped, flagged)


def duplicate_candidates(
    session: Session, moderator: User, item: Submission
) -> list[Submission]:
    """Other items on the same area and round this one could duplicate."""
    return list(
        session.scalars(
            select(Submission)
            .join(Area, Area.id == Submission.area_id)
            .where(
                in_scope(moderator),
                Submission.round_id == item.round_id,
                Submission.area_id == item.area_id,
                Submission.id != item.id,
                Submission.status.in_([S.PENDING, S.APPROVED]),
            )
            .order_by(Submission.submitted_on, Submission.id)
            .limit(50)
        )
    )


def unreachable_by_area(session: Session) -> list[tuple[Area, int]]:
    """Waiting input that no active moderator's scope includes (a team with no
    moderator, anonymous input about management with no independent moderator),
    counted per area. Counts only, for administrators to fix the scopes."""
    moderators = [
        user
        for user in session.scalars(select(User).where(User.disabled_at.is_(None)))
        if can(user, Permission.MODERATE)
    ]
    reachable = or_(false(), *(in_scope(m) for m in moderators))
    rows = session.execute(
        select(Area, func.count())
        .join(Submission, Submission.area_id == Area.id)
        .where(Submission.status == S.PENDING, not_(reachable))
        .group_by(Area.id)
        .order_by(Area.inspection_id, Area.position)
    ).all()
    return [(area, int(n)) for area, n in rows]
