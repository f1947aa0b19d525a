"""Quarterly progress on plan actions. The portal suggests a RAG rating from
progress against a straight line between the action's start and target dates; the
lead officer may override it. Amber, red, an override and a completion each need a
written reason, and an overdue action needs its remedial step: the board's own
minutes complain of "green" with no detail and overdue actions with no plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import privacy
from portal.audit.service import AuditAction, record
from portal.board.quarters import Quarter, today
from portal.errors import InvalidInput
from portal.models import (
    ActionStatus,
    ActionUpdate,
    PlanAction,
    Rag,
    User,
    utcnow,
)
from portal.sanitise import plain_text
from portal.timefmt import to_local

ON_TRACK = 0.9  # at least 90% of the progress expected by now
OFF_TRACK = 0.7  # at most 70% of it
USE_SUGGESTION = "suggested"


def start_of(action: PlanAction) -> date:
    """The start of the straight line. Actions drafted before start dates were
    asked for start from when they were last saved."""
    return action.start_date or to_local(action.updated_at).date()


def expected_percent(start: date, target: date, on: date) -> float:
    """How far along the straight line from start to target ``on`` falls."""
    if on <= start:
        return 0.0
    if on >= target or target <= start:
        return 100.0
    return 100.0 * (on - start).days / (target - start).days


def suggest_rag(action: PlanAction, percent: int, status: str, on: date) -> Rag:
    if status == ActionStatus.COMPLETE:
        return Rag.GREEN
    expected = expected_percent(start_of(action), action.target_date, on)
    if expected <= 0:
        return Rag.GREEN
    ratio = percent / expected
    if ratio >= ON_TRACK:
        return Rag.GREEN
    if ratio <= OFF_TRACK:
        return Rag.RED
    return Rag.AMBER


def is_overdue(action: PlanAction, on: date) -> bool:
    return action.status != ActionStatus.COMPLETE and action.target_date < on


@dataclass(frozen=True)
class Guide:
    """What the update form tells the lead officer: the progress expected by
    today, whether the action is overdue, and the rating the figures suggest."""

    expected: int
    overdue: bool
    suggestion: Rag | None


def guide(action: PlanAction, percent: int | None, status: str | None) -> Guide:
    on = today()
    suggestion = None
    if percent is not None and 0 <= percent <= 100:
        suggestion = suggest_rag(action, percent, status or action.status, on)
    expected = expected_percent(start_of(action), action.target_date, on)
    return Guide(round(expected), is_overdue(action, on), suggestion)


@dataclass(frozen=True)
class UpdateDetails:
    status: str
    percent_complete: int | None
    rag_choice: str  # USE_SUGGESTION or a Rag value
    reason: str
    commentary: str
    remedial_step: str


def reason_needed(rag: Rag, overridden: bool, status: str) -> str | None:
    """Why a reason is needed, as the error message says it, or None."""
    if status == ActionStatus.COMPLETE:
        return "Give the evidence that the action is complete"
    if overridden:
        return "Give the reason for changing the suggested rating"
    if rag is Rag.RED:
        return "Give the reason the action is red"
    if rag is Rag.AMBER:
        return "Give the reason the action is amber"
    return None


def record_update(
    session: Session,
    actor: User,
    action: PlanAction,
    details: UpdateDetails,
    *,
    settings: privacy.PrivacySettings,
    confirmed: bool,
) -> ActionUpdate:
    """Record this quarter's update on ``action`` and copy its figures onto it."""
    on = today()
    if details.status not in {s.value for s in ActionStatus}:
        raise InvalidInput("Select a status", field="status")
    percent = details.percent_complete
    if percent is None or not 0 <= percent <= 100:
        raise InvalidInput(
            "Enter how complete the action is, from 0 to 100", field="percent_complete"
        )
    if details.status == ActionStatus.COMPLETE and percent != 100:
        raise InvalidInput(
            "An action marked complete must be 100% complete", field="percent_complete"
        )
    suggested = suggest_rag(action, percent, details.status, on)
    if details.rag_choice == USE_SUGGESTION:
        rag = suggested
    elif details.rag_choice in {r.value for r in Rag}:
        rag = Rag(details.rag_choice)
    else:
        raise InvalidInput("Choose a rating", field="rag_choice")
    reason = plain_text(details.reason)
    commentary = plain_text(details.commentary)
    remedial = plain_text(details.remedial_step)
    needed = reason_needed(rag, rag is not suggested, details.status)
    if needed and not reason:
        raise InvalidInput(needed, field="reason")
    if not commentary:
        raise InvalidInput("Enter this quarter's commentary", field="commentary")
    overdue = details.status != ActionStatus.COMPLETE and action.target_date < on
    if overdue and not remedial:
        raise InvalidInput(
            "The action is past its target date: enter the remedial step",
            field="remedial_step",
        )
    privacy.refuse_unconfirmed(
        {"commentary": commentary, "reason": reason, "remedial_step": remedial},
        settings,
        confirmed,
    )
    before = {"status": action.status, "percent": action.percent_complete,
              "rag": action.rag}  # fmt: skip
    update = ActionUpdate(
        action_id=action.id,
        quarter=Quarter.containing(on).key,
        recorded_by_id=actor.id,
        status=details.status,
        percent_complete=percent,
        suggested_rag=suggested.value,
        rag=rag.value,
        reason=reason,
        commentary=commentary,
        remedial_step=remedial,
    )
    session.add(update)
    action.status, action.percent_complete, action.rag = details.status, percent, rag
    action.updated_at = utcnow()
    session.flush()
    record(
        session,
        actor,
        AuditAction.PROGRESS_RECORDED,
        "plan_action",
        action.id,
        before=before,
        after={
            "status": details.status,
            "percent": percent,
            "rag": rag.value,
            "suggested": suggested.value,
            "overridden": rag is not suggested,
        },
    )
    return update


def history(session: Session, action_id: int) -> list[ActionUpdate]:
    """Every update on an action, newest first."""
    return list(
        session.scalars(
            select(ActionUpdate)
            .where(ActionUpdate.action_id == action_id)
            .order_by(ActionUpdate.id.desc())
        )
    )


def latest_updates(
    session: Session, action_ids: list[int] | None = None
) -> dict[int, ActionUpdate]:
    """The newest update of every action (or of those given), in one query."""
    newest = select(func.max(ActionUpdate.id)).group_by(ActionUpdate.action_id)
    if action_ids is not None:
        newest = newest.where(ActionUpdate.action_id.in_(action_ids))
    return {
        u.action_id: u
        for u in session.scalars(
            select(ActionUpdate).where(ActionUpdate.id.in_(newest))
        )
    }
