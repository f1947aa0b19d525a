"""Board demo data for `make run`: two plan actions with quarterly updates (one on
track, one slipping), evidence, and one risk above the board threshold, so the
board pages, freezing a quarter and the pack can be tried. Invented, like the
rest of the demo."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.board.quarters import Quarter
from portal.models import (
    ActionUpdate,
    BoardEvidence,
    PlanAction,
    Rag,
    Recommendation,
    Risk,
    RiskReview,
    User,
)


def seed_board(session: Session, planner: User, lead: User, on: date) -> None:
    """Idempotent: does nothing once the plan has any action. ``on`` is today (the
    demo runs outside a request, so it is given rather than looked up)."""
    if session.scalar(select(PlanAction.id).limit(1)) is not None:
        return
    recommendations = list(
        session.scalars(
            select(Recommendation)
            .where(Recommendation.retired_at.is_(None))
            .order_by(Recommendation.inspection_id, Recommendation.position)
            .limit(2)
        )
    )
    if len(recommendations) < 2:
        return
    quarter = Quarter.containing(on).key
    plans = [
        (recommendations[0], "Monthly audit of supervision records, reported to "
         "the board.", 55, Rag.GREEN, "", "Audits run in all four teams."),
        (recommendations[1], "Refresh the threshold guidance with partners and "
         "train every team.", 30, Rag.AMBER, "Two partner agencies have not yet "
         "agreed the draft.", "Draft agreed by police and health; schools next."),
    ]  # fmt: skip
    actions = []
    for rec, text, percent, rag, reason, commentary in plans:
        action = PlanAction(
            recommendation_id=rec.id, action=text,
            lead_officer="Head of Service, Children in Need",
            start_date=on - timedelta(days=120), target_date=on + timedelta(days=120),
            success_measure="Audits show the change in 9 of 10 cases.",
            status="in_progress", percent_complete=percent, rag=rag,
            created_by_id=planner.id,
        )  # fmt: skip
        session.add(action)
        session.flush()
        session.add(
            ActionUpdate(
                action_id=action.id,
                quarter=quarter,
                recorded_by_id=lead.id,
                status="in_progress",
                percent_complete=percent,
                suggested_rag=rag,
                rag=rag,
                reason=reason,
                commentary=commentary,
            )  # fmt: skip
        )
        actions.append(action)
    session.add(
        BoardEvidence(
            recommendation_id=recommendations[0].id,
            action_id=actions[0].id,
            kind="activity",
            title="Supervision audit schedule",
            description="The audit timetable agreed by the four team managers.",
            effective_on=on - timedelta(days=30),
            added_by_id=lead.id,
        )  # fmt: skip
    )
    risk = Risk(
        title="Team manager vacancies",
        description="Vacant manager posts leave supervision to agency cover.",
        owner="Director of Children's Services",
        cause="Regional shortage of experienced managers.",
        effect="Supervision lapses and children's plans drift.",
        existing_controls="Agency cover; weekly vacancy panel.",
        mitigating_actions="Recruitment campaign; market supplement from April.",
        inherent_likelihood=5, inherent_impact=4, current_likelihood=4,
        current_impact=4, target_likelihood=2, target_impact=3,
        review_on=on + timedelta(days=60), created_by_id=lead.id,
    )  # fmt: skip
    risk.recommendations = [recommendations[0]]
    session.add(risk)
    session.flush()
    session.add(
        RiskReview(
            risk_id=risk.id,
            quarter=quarter,
            reviewed_by_id=lead.id,
            likelihood=4,
            impact=4,
            rationale="Three of eight manager posts are vacant.",
        )  # fmt: skip
    )
    session.flush()
