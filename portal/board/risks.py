"""The risk register: risks linked to recommendations and actions, scored on a
5x5 likelihood-by-impact matrix (inherent, current and target), with the
rationale for the current score each quarter and a review date. Risks at or above
the board threshold go to the board pack by themselves. A closed risk leaves
every current view; the snapshots of earlier quarters keep it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal import privacy
from portal.audit.service import AuditAction, record
from portal.board.quarters import Quarter, today
from portal.errors import Conflict, InvalidInput, NotFound
from portal.models import (
    PlanAction,
    Recommendation,
    Risk,
    RiskReview,
    RiskStatus,
    User,
    utcnow,
)
from portal.sanitise import plain_text, single_line

SCORES = {
    "inherent": "Inherent (before any controls)",
    "current": "Current (with the existing controls)",
    "target": "Target (once the mitigating actions are done)",
}
TEXTS = {
    "description": "Describe the risk",
    "cause": "Enter the cause",
    "effect": "Enter the effect",
    "existing_controls": "Enter the existing controls, or 'None'",
    "mitigating_actions": "Enter the mitigating actions, or 'None'",
}


@dataclass(frozen=True)
class Matrix:
    """The council's 5x5 matrix: labels for each level, and the score from which a
    risk goes to the board."""

    likelihood: tuple[str, ...]
    impact: tuple[str, ...]
    threshold: int

    @classmethod
    def from_config(cls, config: Any) -> Matrix:
        likelihood = tuple(config["RISK_LIKELIHOOD_LABELS"])
        impact = tuple(config["RISK_IMPACT_LABELS"])
        if len(likelihood) != 5 or len(impact) != 5:
            raise RuntimeError("RISK_*_LABELS must each name five levels")
        return cls(likelihood, impact, int(config["RISK_BOARD_THRESHOLD"]))

    def to_board(self, risk: Risk) -> bool:
        return risk.score("current") >= self.threshold


@dataclass(frozen=True)
class RiskDetails:
    title: str
    owner: str
    texts: dict[str, str]
    scores: dict[str, tuple[int | None, int | None]]
    review_on: date | None
    rationale: str
    recommendation_ids: list[int] = field(default_factory=list)
    action_ids: list[int] = field(default_factory=list)


def open_risks(session: Session) -> list[Risk]:
    """Open risks, highest current score first."""
    risks = list(
        session.scalars(
            select(Risk)
            .where(Risk.status == RiskStatus.OPEN)
            .options(
                selectinload(Risk.recommendations),
                selectinload(Risk.actions),
                selectinload(Risk.reviews),
            )
            .order_by(Risk.id)
        )
    )
    return sorted(risks, key=lambda r: (-r.score("current"), r.id))


def get(session: Session, risk_id: int) -> Risk:
    risk = session.get(Risk, risk_id)
    if risk is None:
        raise NotFound("There is no such risk")
    return risk


def review_overdue(risk: Risk, on: date | None = None) -> bool:
    return risk.status == RiskStatus.OPEN and risk.review_on < (on or today())


def _level(value: int | None, which: str, axis: str) -> int:
    if value is None or not 1 <= value <= 5:
        raise InvalidInput(
            f"Choose the {which} {axis}, from 1 to 5", field=f"{which}_{axis}"
        )
    return value


def _scores(details: RiskDetails) -> dict[str, tuple[int, int]]:
    checked = {}
    for which in SCORES:
        likelihood, impact = details.scores.get(which, (None, None))
        checked[which] = (
            _level(likelihood, which, "likelihood"),
            _level(impact, which, "impact"),
        )
    return checked


def _texts(details: RiskDetails) -> dict[str, str]:
    texts = {name: plain_text(details.texts.get(name, "")) for name in TEXTS}
    for name, message in TEXTS.items():
        if not texts[name]:
            raise InvalidInput(message, field=name)
    return texts


def _needs_review(risk: Risk | None, current: tuple[int, int], quarter: str) -> bool:
    """A new risk, a moved current score, or the first change in a quarter."""
    if risk is None:
        return True
    moved = (risk.current_likelihood, risk.current_impact) != current
    return moved or not any(r.quarter == quarter for r in risk.reviews)


def _links(
    session: Session, details: RiskDetails
) -> tuple[list[Recommendation], list[PlanAction]]:
    recommendations = list(
        session.scalars(
            select(Recommendation).where(
                Recommendation.id.in_(details.recommendation_ids)
            )
        )
    )
    actions = list(
        session.scalars(select(PlanAction).where(PlanAction.id.in_(details.action_ids)))
    )
    if len(recommendations) != len(set(details.recommendation_ids)):
        raise InvalidInput("Choose recommendations from the list", "recommendation_ids")
    if len(actions) != len(set(details.action_ids)):
        raise InvalidInput("Choose actions from the list", field="action_ids")
    if not recommendations and not actions:
        raise InvalidInput(
            "Link the risk to at least one recommendation or action",
            field="recommendation_ids",
        )
    return recommendations, actions


def save_risk(
    session: Session,
    actor: User,
    details: RiskDetails,
    risk: Risk | None = None,
    *,
    settings: privacy.PrivacySettings,
    confirmed: bool,
) -> Risk:
    """Add a risk, or change one. A new current score, or the first change in a
    quarter, records a review with its rationale."""
    if risk is not None and risk.status != RiskStatus.OPEN:
        raise Conflict("This risk is closed: it can no longer be changed")
    title, owner = single_line(details.title), single_line(details.owner)
    if not title:
        raise InvalidInput("Enter a short title for the risk", field="title")
    if not owner:
        raise InvalidInput("Enter the risk owner", field="owner")
    texts = _texts(details)
    scores = _scores(details)
    if details.review_on is None:
        raise InvalidInput("Enter the next review date, like 30 9 2016", "review_on")
    recommendations, actions = _links(session, details)
    rationale = plain_text(details.rationale)
    quarter = Quarter.containing(today()).key
    reviewed_this_quarter = risk is not None and any(
        r.quarter == quarter for r in risk.reviews
    )
    moved = (
        risk is None
        or (risk.current_likelihood, risk.current_impact) != scores["current"]
    )
    if (moved or not reviewed_this_quarter) and not rationale:
        raise InvalidInput(
            "Give the rationale for the current score this quarter", field="rationale"
        )
    privacy.refuse_unconfirmed(
        {"title": title, "rationale": rationale, **texts}, settings, confirmed
    )
    if risk is None:
        risk = Risk(created_by_id=actor.id, status=RiskStatus.OPEN)
        session.add(risk)
    risk.title, risk.owner, risk.review_on = title, owner, details.review_on
    for name, value in texts.items():
        setattr(risk, name, value)
    for which, (likelihood, impact) in scores.items():
        setattr(risk, f"{which}_likelihood", likelihood)
        setattr(risk, f"{which}_impact", impact)
    risk.recommendations, risk.actions = recommendations, actions
    risk.updated_at = utcnow()
    session.flush()
    if rationale:
        session.add(
            RiskReview(
                risk_id=risk.id,
                quarter=quarter,
                reviewed_by_id=actor.id,
                likelihood=scores["current"][0],
                impact=scores["current"][1],
                rationale=rationale,
            )
        )
        session.flush()
        session.expire(risk, ["reviews"])
    record(
        session,
        actor,
        AuditAction.RISK_SAVED,
        "risk",
        risk.id,
        after={
            "current": risk.score("current"),
            "inherent": risk.score("inherent"),
            "target": risk.score("target"),
            "reviewed": bool(rationale),
        },
    )
    return risk


def close_risk(
    session: Session,
    actor: User,
    risk: Risk,
    reason: str,
    *,
    settings: privacy.PrivacySettings,
    confirmed: bool,
) -> Risk:
    if risk.status != RiskStatus.OPEN:
        raise Conflict("This risk is already closed")
    why = plain_text(reason)
    if not why:
        raise InvalidInput("Enter why the risk is closed", field="reason")
    privacy.refuse_unconfirmed({"reason": why}, settings, confirmed)
    risk.status, risk.closed_at, risk.closure_reason = RiskStatus.CLOSED, utcnow(), why
    session.flush()
    record(session, actor, AuditAction.RISK_CLOSED, "risk", risk.id,
           after={"current": risk.score("current")})  # fmt: skip
    return risk


def matrix_counts(risks: list[Risk]) -> dict[tuple[int, int], int]:
    """Open risks per (likelihood, impact) cell of the current scores."""
    counts: dict[tuple[int, int], int] = {}
    for risk in risks:
        cell = (risk.current_likelihood, risk.current_impact)
        counts[cell] = counts.get(cell, 0) + 1
    return counts
