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
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import (
    ColumnElement,
    and_,
    false,
    func,
    not_,
    or_,
    select,
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


class Moderator(Protocol):
    """What a moderator's scope depends on. A ``User``, or the same three as bound
    parameters (``moderation/queue.py`` builds each statement shape once)."""

    @property
    def id(self) -> Any: ...
    @property
    def independent_moderator(self) -> bool: ...
    @property
    def team_id(self) -> Any: ...


def not_own(moderator: Moderator) -> ColumnElement[bool]:
    """Nobody decides input they wrote or recorded at a staff session."""
    return and_(
        or_(Submission.author_id.is_(None), Submission.author_id != moderator.id),
        or_(
            Submission.recorded_by_id.is_(None),
            Submission.recorded_by_id != moderator.id,
        ),
    )


def team_keys(moderator: Moderator) -> list[Any]:
    """The team_id values a team moderator's scope takes (None: no team given)."""
    return [None] if moderator.team_id is None else [None, moderator.team_id]


def reach(moderator: Moderator) -> ColumnElement[bool]:
    """SQL condition: what the moderator's scope reaches apart from their own
    input (needs Area for a team moderator): never safeguarding; a team moderator
    sees input from their team or none, and not anonymous input about management,
    which goes to the independent moderator."""
    if moderator.independent_moderator:
        return reach_beside_team(moderator)
    team = or_(
        Submission.team_id.is_(None),
        *(Submission.team_id == k for k in team_keys(moderator) if k is not None),
    )
    return and_(reach_beside_team(moderator), team)


def reach_beside_team(moderator: Moderator) -> ColumnElement[bool]:
    """``reach`` without its team condition, for a statement that pins one team
    key itself (each keyset range of the moderation queue): the two together
    make an OR that PostgreSQL answered by reading and sorting every waiting row
    of both teams rather than walking the index for a page."""
    not_safeguarding = Submission.status != S.SAFEGUARDING
    if moderator.independent_moderator:
        return not_safeguarding
    about_managers = and_(
        Submission.kind == SubmissionKind.ANONYMOUS, Area.about_management.is_(True)
    )
    return and_(not_safeguarding, not_(about_managers))


def in_scope(moderator: User) -> ColumnElement[bool]:
    """SQL condition: the items this moderator may see and decide (needs Area)."""
    return and_(not_own(moderator), reach(moderator))


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
