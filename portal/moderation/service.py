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
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    func,
    not_,
    or_,
    select,
    tuple_,
    update,
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
from portal.tagging import service as tagging

PAGE_SIZE = 25
ALREADY_DECIDED = (
    "Another moderator decided this item a moment ago, so your decision was not "
    "saved. Reload the page to see what they decided."
)


class Decision(enum.StrEnum):
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
# (status now, decision) -> status after. Anything else is refused.
TRANSITIONS: dict[tuple[str, Decision], str] = {
    (S.PENDING, Decision.APPROVE): S.APPROVED,
    (S.PENDING, Decision.REJECT): S.REJECTED,
    (S.PENDING, Decision.RETURN): S.RETURNED,
    (S.PENDING, Decision.DUPLICATE): S.DUPLICATE,
    (S.PENDING, Decision.ESCALATE): S.SAFEGUARDING,
    # A disclosure can be noticed after a first decision.
    (S.APPROVED, Decision.ESCALATE): S.SAFEGUARDING,
    (S.REJECTED, Decision.ESCALATE): S.SAFEGUARDING,
    (S.RETURNED, Decision.ESCALATE): S.SAFEGUARDING,
    (S.DUPLICATE, Decision.ESCALATE): S.SAFEGUARDING,
    # Changing one's mind before anyone uses the input.
    (S.APPROVED, Decision.REJECT): S.REJECTED,
    (S.REJECTED, Decision.APPROVE): S.APPROVED,
}
AUDIT_ACTIONS = {
    Decision.APPROVE: AuditAction.INPUT_APPROVED,
    Decision.REJECT: AuditAction.INPUT_REJECTED,
    Decision.RETURN: AuditAction.INPUT_RETURNED,
    Decision.DUPLICATE: AuditAction.INPUT_MARKED_DUPLICATE,
    Decision.ESCALATE: AuditAction.INPUT_ESCALATED,
}


def in_scope(moderator: User) -> ColumnElement[bool]:
    """SQL condition: the items this moderator may see and decide (needs Area)."""
    not_own = or_(Submission.author_id.is_(None), Submission.author_id != moderator.id)
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
    # Tags to apply with an approval (only from people who may tag).
    recommendation_ids: frozenset[int] = frozenset()
    theme_ids: frozenset[int] = frozenset()


def decide(
    session: Session,
    moderator: User,
    item: Submission,
    details: DecisionDetails,
    now: datetime,
) -> str:
    """Apply one decision to an item in scope; returns the new status."""
    seen = details.seen_status or item.status
    if item.status != seen:
        raise Conflict(ALREADY_DECIDED)
    target = TRANSITIONS.get((seen, details.decision))
    if target is None:
        raise Conflict(
            f"This item is {seen}, so it cannot be given the decision "
            f"“{details.decision.value}”. Nothing was changed."
        )
    note = plain_text(details.note)[:2000]
    reason = _check_details(session, moderator, item, details, note)
    changed = session.execute(
        update(Submission)
        .where(Submission.id == item.id, Submission.status == seen)
        .values(
            status=target,
            decided_at=now,
            decided_by_id=moderator.id,
            reject_reason=reason,
            decision_note=note or None,
            duplicate_of_id=details.duplicate_of
            if details.decision == Decision.DUPLICATE
            else None,
        )
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(ALREADY_DECIDED)
    session.expire(item)
    record(session, moderator, AUDIT_ACTIONS[details.decision], "submission", item.id,
           reason=reason or (note or None),
           before={"status": seen}, after={"status": target})  # fmt: skip
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
    already_decided: int


def decide_many(
    session: Session,
    moderator: User,
    item_ids: list[str],
    details: DecisionDetails,
    now: datetime,
) -> BulkOutcome:
    """Approve or reject a selection with one reason. Items decided meanwhile by
    someone else are skipped and counted."""
    if details.decision not in (Decision.APPROVE, Decision.REJECT):
        raise InvalidInput("Choose approve or reject for a selection", "decision")
    if not item_ids:
        raise InvalidInput("Select at least one item", field="item_ids")
    decided = skipped = 0
    pending = DecisionDetails(details.decision, details.reason, seen_status=S.PENDING)
    for item_id in dict.fromkeys(item_ids):
        item = visible_item(session, moderator, item_id)
        try:
            decide(session, moderator, item, pending, now)
        except Conflict:
            skipped += 1
        else:
            decided += 1
    return BulkOutcome(decided, skipped)


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
