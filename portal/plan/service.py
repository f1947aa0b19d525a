"""Plan rules: each action answers one recommendation, has a lead officer, a target
date and a measure of success, and may cite approved staff input tagged to that
recommendation as its evidence."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.audit.service import AuditAction, record
from portal.errors import InvalidInput, NotFound
from portal.models import (
    ActionStatus,
    ActionUpdate,
    PlanAction,
    Recommendation,
    RecommendationTag,
    Submission,
    User,
    utcnow,
)
from portal.sanitise import plain_text, single_line
from portal.submissions.lifecycle import counts_as_staff_input


@dataclass(frozen=True)
class ActionDetails:
    action: str
    lead_officer: str
    target_date: date
    success_measure: str
    status: str
    evidence_ids: list[str]
    start_date: date | None = None


def plan(session: Session) -> list[tuple[Recommendation, list[PlanAction]]]:
    """Every recommendation in use with its actions, in framework order."""
    recommendations = list(
        session.scalars(
            select(Recommendation)
            .where(Recommendation.retired_at.is_(None))
            .order_by(Recommendation.inspection_id, Recommendation.position)
        )
    )
    actions: dict[int, list[PlanAction]] = {}
    for action in session.scalars(
        select(PlanAction)
        .options(_counted_evidence())
        .order_by(PlanAction.target_date, PlanAction.id)
    ):
        actions.setdefault(action.recommendation_id, []).append(action)
    return [(rec, actions.get(rec.id, [])) for rec in recommendations]


def actions_for(session: Session, recommendation_id: int) -> list[PlanAction]:
    return list(
        session.scalars(
            select(PlanAction)
            .where(PlanAction.recommendation_id == recommendation_id)
            .order_by(PlanAction.id)
        )
    )


def evidence_choices(session: Session, recommendation_id: int) -> list[Submission]:
    """Approved input tagged to the recommendation: what an action may cite."""
    return list(
        session.scalars(
            select(Submission)
            .join(RecommendationTag, RecommendationTag.submission_id == Submission.id)
            .where(
                RecommendationTag.recommendation_id == recommendation_id,
                counts_as_staff_input(),
            )
            .order_by(Submission.submitted_on, Submission.id)
            .limit(200)
        )
    )


def _counted_evidence() -> Any:
    """Load an action's evidence as only what still counts as staff input: input
    withdrawn, escalated or rejected since it was cited drops out of the plan, its
    page and every export, by the same rule as the summaries."""
    return selectinload(PlanAction.evidence.and_(counts_as_staff_input()))


def get_action(session: Session, action_id: int) -> PlanAction:
    action = session.get(
        PlanAction, action_id, options=[_counted_evidence()], populate_existing=True
    )
    if action is None:
        raise NotFound("There is no such action")
    return action


def _evidence(
    session: Session, recommendation_id: int, ids: Iterable[str]
) -> list[Submission]:
    wanted = set(ids)
    if not wanted:
        return []
    allowed = {s.id: s for s in evidence_choices(session, recommendation_id)}
    if not wanted <= set(allowed):
        raise InvalidInput(
            "Choose evidence from approved input tagged to this recommendation",
            field="evidence_ids",
        )
    return [allowed[i] for i in sorted(wanted)]


def _check_status_change(
    session: Session, action: PlanAction | None, status: str
) -> None:
    """Completion, and any status once progress is reported, go through the
    board's quarterly update, which records the reason and the rating: the plan
    form must not be a way round it."""
    current = action.status if action is not None else None
    if status == current:
        return
    if status == ActionStatus.COMPLETE:
        raise InvalidInput(
            "Record the completion as a quarterly update on the board, with the "
            "evidence that it is complete",
            field="status",
        )
    if action is not None and session.scalar(
        select(ActionUpdate.id).where(ActionUpdate.action_id == action.id).limit(1)
    ):
        raise InvalidInput(
            "This action's status now comes from its quarterly updates: record an "
            "update on the board",
            field="status",
        )


def save_action(
    session: Session,
    actor: User,
    recommendation: Recommendation,
    details: ActionDetails,
    action: PlanAction | None = None,
) -> PlanAction:
    """Draft a new action for a recommendation, or change one."""
    text, measure = plain_text(details.action), plain_text(details.success_measure)
    lead = single_line(details.lead_officer)
    if not text:
        raise InvalidInput("Describe what will be done", field="action")
    if not lead:
        raise InvalidInput("Enter the lead officer", field="lead_officer")
    if not measure:
        raise InvalidInput(
            "Enter how success will be measured", field="success_measure"
        )
    if details.status not in {s.value for s in ActionStatus}:
        raise InvalidInput("Select a status", field="status")
    _check_status_change(session, action, details.status)
    if details.start_date is not None and details.start_date > details.target_date:
        raise InvalidInput(
            "The start date must be on or before the target date", field="start_date"
        )
    evidence = _evidence(session, recommendation.id, details.evidence_ids)
    if action is None:
        action = PlanAction(recommendation_id=recommendation.id, created_by_id=actor.id)
        session.add(action)
    action.action, action.lead_officer, action.success_measure = text, lead, measure
    action.target_date, action.status = details.target_date, details.status
    if details.start_date is not None:
        action.start_date = details.start_date
    action.evidence = evidence
    action.updated_at = utcnow()
    session.flush()
    record(
        session,
        actor,
        AuditAction.PLAN_ACTION_SAVED,
        "plan_action",
        action.id,
        after={
            "recommendation": recommendation.code,
            "status": details.status,
            "evidence": len(evidence),
        },
    )
    return action
