"""The two-phase sign-off of each recommendation, with separate keys: Phase 1,
the activity is complete; Phase 2, quantitative and qualitative information shows
practice has improved (inspection report, paragraphs 5.14 to 5.18). Each records
who, when, the evidence relied on and the reason, and may be withdrawn with a
reason when practice drifts. Withdrawn sign-offs are kept, never deleted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import privacy
from portal.audit.service import AuditAction, record
from portal.board.quarters import today
from portal.errors import Conflict, InvalidInput, NotFound
from portal.models import (
    ActionStatus,
    BoardEvidence,
    EvidenceKind,
    PlanAction,
    Recommendation,
    SignOff,
    User,
    utcnow,
)
from portal.sanitise import plain_text, single_line
from portal.timefmt import to_local

PHASES = {
    1: "Phase 1: activity complete",
    2: "Phase 2: practice improved",
}
NOT_SIGNED_OFF = "Not signed off"
IMPROVEMENT_KINDS = {EvidenceKind.PERFORMANCE, EvidenceKind.QUALITY_ASSURANCE}


@dataclass(frozen=True)
class SignOffDetails:
    reason: str
    evidence_ids: list[int]
    practice_checked_by: str = ""
    practice_checked_on: date | None = None
    practice_check: str = ""


def standing(session: Session, recommendation_id: int) -> dict[int, SignOff]:
    """The sign-offs in force for a recommendation, by phase."""
    return {
        s.phase: s
        for s in session.scalars(
            select(SignOff).where(
                SignOff.recommendation_id == recommendation_id,
                SignOff.withdrawn_at.is_(None),
            )
        )
    }


def history(session: Session, recommendation_id: int) -> list[SignOff]:
    return list(
        session.scalars(
            select(SignOff)
            .where(SignOff.recommendation_id == recommendation_id)
            .order_by(SignOff.id.desc())
        )
    )


def phase_reached(phases: set[int] | dict[int, SignOff]) -> int:
    return 2 if 2 in phases else 1 if 1 in phases else 0


def get(session: Session, sign_off_id: int) -> SignOff:
    found = session.get(SignOff, sign_off_id)
    if found is None:
        raise NotFound("There is no such sign-off")
    return found


def _relied_on(
    session: Session, recommendation: Recommendation, ids: list[int]
) -> list[BoardEvidence]:
    if not ids:
        raise InvalidInput("Choose the evidence the sign-off relies on", "evidence_ids")
    found = list(
        session.scalars(
            select(BoardEvidence).where(
                BoardEvidence.id.in_(ids),
                BoardEvidence.recommendation_id == recommendation.id,
            )
        )
    )
    if len(found) != len(set(ids)):
        raise InvalidInput(
            "Choose evidence recorded for this recommendation", field="evidence_ids"
        )
    return found


def _check_phase_one(session: Session, recommendation: Recommendation) -> None:
    statuses = list(
        session.scalars(
            select(PlanAction.status).where(
                PlanAction.recommendation_id == recommendation.id
            )
        )
    )
    if not statuses:
        raise InvalidInput(
            "Phase 1 needs the plan's actions for this recommendation: it has none",
            field="reason",
        )
    open_ = sum(1 for s in statuses if s != ActionStatus.COMPLETE)
    if open_:
        raise InvalidInput(
            f"Phase 1 needs every action complete: {open_} of {len(statuses)} "
            f"{'is' if open_ == 1 else 'are'} not",
            field="reason",
        )


def _check_phase_two(
    phase_one: SignOff | None, evidence: list[BoardEvidence], details: SignOffDetails
) -> None:
    if phase_one is None:
        raise InvalidInput(
            "Phase 2 comes after Phase 1: sign off Phase 1 first", field="reason"
        )
    since = to_local(phase_one.given_at).date()
    if not any(
        e.kind in IMPROVEMENT_KINDS and e.effective_on >= since for e in evidence
    ):
        raise InvalidInput(
            "Phase 2 needs performance data or quality assurance evidence dated on "
            f"or after the Phase 1 sign-off ({since:%-d %B %Y})",
            field="evidence_ids",
        )
    if not any(
        e.kind == EvidenceKind.STAFF_VOICE
        and e.round is not None
        and e.round.opens_at >= phase_one.given_at
        for e in evidence
    ):
        raise InvalidInput(
            "Phase 2 needs staff voice from an engagement round that opened after "
            "the Phase 1 sign-off",
            field="evidence_ids",
        )
    if not single_line(details.practice_checked_by):
        raise InvalidInput(
            "Enter who independently checked practice", field="practice_checked_by"
        )
    checked_on = details.practice_checked_on
    if checked_on is None or checked_on > today() or checked_on < since:
        raise InvalidInput(
            "Enter when practice was checked, on or after the Phase 1 sign-off and "
            "not in the future",
            field="practice_checked_on",
        )
    if not plain_text(details.practice_check):
        raise InvalidInput("Enter what the practice check tested", "practice_check")


def sign_off(
    session: Session,
    actor: User,
    recommendation: Recommendation,
    phase: int,
    details: SignOffDetails,
    *,
    settings: privacy.PrivacySettings,
    confirmed: bool,
) -> SignOff:
    if phase not in PHASES:
        raise NotFound("There is no such phase")
    current = standing(session, recommendation.id)
    if phase in current:
        raise Conflict(f"{PHASES[phase]} is already signed off for this recommendation")
    reason = plain_text(details.reason)
    if not reason:
        raise InvalidInput("Enter the reason for the sign-off", field="reason")
    evidence = _relied_on(session, recommendation, details.evidence_ids)
    if phase == 1:
        _check_phase_one(session, recommendation)
    else:
        _check_phase_two(current.get(1), evidence, details)
    practice = plain_text(details.practice_check) if phase == 2 else ""
    privacy.refuse_unconfirmed(
        {"reason": reason, "practice_check": practice}, settings, confirmed
    )
    given = SignOff(
        recommendation_id=recommendation.id,
        phase=phase,
        given_by_id=actor.id,
        reason=reason,
        evidence=evidence,
    )
    if phase == 2:
        given.practice_checked_by = single_line(details.practice_checked_by)
        given.practice_checked_on = details.practice_checked_on
        given.practice_check = practice
    session.add(given)
    session.flush()
    record(
        session,
        actor,
        AuditAction.SIGNED_OFF,
        "sign_off",
        given.id,
        after={
            "recommendation": recommendation.code,
            "phase": phase,
            "evidence": [e.id for e in evidence],
        },
    )
    return given


def withdraw(
    session: Session,
    actor: User,
    given: SignOff,
    reason: str,
    *,
    settings: privacy.PrivacySettings,
    confirmed: bool,
) -> SignOff:
    if given.withdrawn_at is not None:
        raise Conflict("This sign-off has already been withdrawn")
    if given.phase == 1 and 2 in standing(session, given.recommendation_id):
        raise InvalidInput(
            "Phase 2 rests on Phase 1: withdraw the Phase 2 sign-off first",
            field="reason",
        )
    why = plain_text(reason)
    if not why:
        raise InvalidInput("Enter why the sign-off is withdrawn", field="reason")
    privacy.refuse_unconfirmed({"reason": why}, settings, confirmed)
    given.withdrawn_at, given.withdrawn_by_id = utcnow(), actor.id
    given.withdrawal_reason = why
    session.flush()
    record(
        session,
        actor,
        AuditAction.SIGN_OFF_WITHDRAWN,
        "sign_off",
        given.id,
        after={"recommendation": given.recommendation.code, "phase": given.phase},
    )
    return given
