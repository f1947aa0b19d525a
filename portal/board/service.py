"""What the board sees: the plan's state as plain data (the same shape live and
frozen), and freezing it as a quarter's snapshot. A snapshot is JSON written once;
the database refuses to change or delete it, so later edits never change what the
board saw."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from portal.audit.service import AuditAction, record
from portal.board import progress, requests, risks, signoff
from portal.board.quarters import Quarter, in_order, today
from portal.errors import Conflict, InvalidInput, NotFound
from portal.models import (
    BoardEvidence,
    EvidenceKind,
    PlanAction,
    QuarterSnapshot,
    Recommendation,
    RecommendationTag,
    SignOff,
    Submission,
    User,
    YouSaidPublication,
)
from portal.submissions.lifecycle import counts_as_staff_input
from portal.timefmt import to_local

State = dict[str, Any]


def _day(value: date | datetime | None) -> str | None:
    """A date as frozen: a datetime becomes its local day (a datetime is also a
    date, so it is tested first)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return to_local(value).date().isoformat()
    return value.isoformat()


def _staff_input_counts(session: Session) -> dict[tuple[int, int], int]:
    """Approved input per (recommendation, round), counted in SQL."""
    rows = session.execute(
        select(
            RecommendationTag.recommendation_id,
            Submission.round_id,
            func.count(func.distinct(RecommendationTag.submission_id)),
        )
        .join(Submission, Submission.id == RecommendationTag.submission_id)
        .where(counts_as_staff_input())
        .group_by(RecommendationTag.recommendation_id, Submission.round_id)
    )
    return {(int(rec), int(round_)): int(count) for rec, round_, count in rows}


def _action(action: PlanAction, latest: Any, on: date) -> dict[str, Any]:
    return {
        "id": action.id,
        "action": action.action,
        "lead_officer": action.lead_officer,
        "start_date": progress.start_of(action).isoformat(),
        "target_date": action.target_date.isoformat(),
        "status": action.status,
        "percent_complete": action.percent_complete,
        "rag": action.rag,
        "suggested_rag": latest.suggested_rag if latest else None,
        "reason": latest.reason if latest else "",
        "commentary": latest.commentary if latest else "",
        "remedial_step": latest.remedial_step if latest else "",
        "updated_on": _day(latest.recorded_at) if latest else None,
        "update_quarter": latest.quarter if latest else None,
        "overdue": progress.is_overdue(action, on),
    }


def _sign_off(given: SignOff) -> dict[str, Any]:
    return {
        "id": given.id,
        "phase": given.phase,
        "given_on": _day(given.given_at),
        "given_by": given.given_by.display_name if given.given_by else None,
        "reason": given.reason,
        "evidence": [e.title for e in given.evidence],
        "practice_checked_by": given.practice_checked_by,
        "practice_checked_on": _day(given.practice_checked_on),
        "practice_check": given.practice_check,
        "withdrawn_on": _day(given.withdrawn_at),
        "withdrawal_reason": given.withdrawal_reason,
    }


def _evidence(
    item: BoardEvidence, counts: dict[tuple[int, int], int]
) -> dict[str, Any]:
    return {
        "id": item.id,
        "kind": item.kind,
        "kind_label": EvidenceKind(item.kind).label,
        "title": item.title,
        "effective_on": item.effective_on.isoformat(),
        "action_id": item.action_id,
        "has_file": bool(item.stored_name),
        "link": item.link,
        "round": item.round.title if item.round else None,
        "round_id": item.round_id,
        # Staff voice: how much approved input from that round the summary holds.
        "round_input": (
            counts.get((item.recommendation_id, item.round_id), 0)
            if item.round_id
            else None
        ),
    }


def current_state(session: Session, matrix: risks.Matrix) -> State:
    """The plan as the board would see it today."""
    on = today()
    counts = _staff_input_counts(session)
    latest = progress.latest_updates(session)
    actions: dict[int, list[PlanAction]] = {}
    for action in session.scalars(select(PlanAction).order_by(PlanAction.id)):
        actions.setdefault(action.recommendation_id, []).append(action)
    sign_offs: dict[int, list[SignOff]] = {}
    for given in session.scalars(
        select(SignOff).options(selectinload(SignOff.evidence)).order_by(SignOff.id)
    ):
        sign_offs.setdefault(given.recommendation_id, []).append(given)
    evidence: dict[int, list[BoardEvidence]] = {}
    for item in session.scalars(
        select(BoardEvidence).order_by(BoardEvidence.effective_on, BoardEvidence.id)
    ):
        evidence.setdefault(item.recommendation_id, []).append(item)
    recommendations = []
    for rec in session.scalars(
        select(Recommendation)
        .where(Recommendation.retired_at.is_(None))
        .order_by(Recommendation.inspection_id, Recommendation.position)
    ):
        signed = sign_offs.get(rec.id, [])
        recommendations.append(
            {
                "id": rec.id,
                "code": rec.code,
                "text": rec.text,
                "phase": signoff.phase_reached(
                    {g.phase for g in signed if g.withdrawn_at is None}
                ),
                "staff_input": sum(n for (r, _), n in counts.items() if r == rec.id),
                "actions": [
                    _action(a, latest.get(a.id), on) for a in actions.get(rec.id, [])
                ],
                "sign_offs": [_sign_off(g) for g in signed],
                "evidence": [_evidence(e, counts) for e in evidence.get(rec.id, [])],
            }
        )
    return {
        "as_of": on.isoformat(),
        "threshold": matrix.threshold,
        "recommendations": recommendations,
        "risks": [_risk(r, matrix, on) for r in risks.open_risks(session)],
        "requests": [_request(r) for r in requests.all_requests(session)],
    }


def _risk(risk: Any, matrix: risks.Matrix, on: date) -> dict[str, Any]:
    latest = risk.reviews[0] if risk.reviews else None
    return {
        "id": risk.id,
        "title": risk.title,
        "owner": risk.owner,
        "description": risk.description,
        "cause": risk.cause,
        "effect": risk.effect,
        "existing_controls": risk.existing_controls,
        "mitigating_actions": risk.mitigating_actions,
        **{
            which: {
                "likelihood": getattr(risk, f"{which}_likelihood"),
                "impact": getattr(risk, f"{which}_impact"),
                "score": risk.score(which),
            }
            for which in risks.SCORES
        },
        "rationale": latest.rationale if latest else "",
        "rationale_quarter": latest.quarter if latest else None,
        "review_on": risk.review_on.isoformat(),
        "review_overdue": risks.review_overdue(risk, on),
        "to_board": matrix.to_board(risk),
        "recommendations": [r.code for r in risk.recommendations],
        "actions": [a.id for a in risk.actions],
    }


def _request(asked: Any) -> dict[str, Any]:
    return {
        "id": asked.id,
        "subject": requests.subject_label(asked),
        "question": asked.question,
        "due_on": asked.due_on.isoformat(),
        "asked_on": _day(asked.asked_at),
        "answered_on": _day(asked.answered_at),
        "answer": asked.answer,
    }


def recommendation_view(
    session: Session, matrix: risks.Matrix, recommendation: Recommendation
) -> dict[str, Any]:
    """One recommendation as the board sees it today, with its histories: each
    action's updates, every sign-off (withdrawn ones too), requests and risks."""
    state = current_state(session, matrix)
    rec = next(r for r in state["recommendations"] if r["id"] == recommendation.id)
    return {
        "rec": rec,
        "updates": {
            a["id"]: progress.history(session, a["id"]) for a in rec["actions"]
        },
        "sign_offs": signoff.history(session, recommendation.id),
        "standing": signoff.standing(session, recommendation.id),
        "requests": [
            r
            for r in requests.all_requests(session)
            if r.recommendation_id == recommendation.id
        ],
        "risks": [r for r in state["risks"] if rec["code"] in r["recommendations"]],
    }


def freezable(session: Session) -> list[Quarter]:
    """The quarters that may be frozen now: the current one and the one just
    ended, if neither is frozen and both come after the latest frozen quarter
    (freezing an older quarter would pass today's figures off as then)."""
    this = Quarter.containing(today())
    frozen = set(session.scalars(select(QuarterSnapshot.quarter)))
    latest = max((Quarter.parse(k) for k in frozen), default=None)
    return [
        q
        for q in (this.previous(), this)
        if q.key not in frozen and (latest is None or q > latest)
    ]


def freeze(
    session: Session, actor: User, quarter_key: str, matrix: risks.Matrix
) -> QuarterSnapshot:
    quarter = Quarter.parse(quarter_key)
    if session.scalar(
        select(QuarterSnapshot.id).where(QuarterSnapshot.quarter == quarter.key)
    ):
        raise Conflict(f"{quarter.label} is already frozen")
    if quarter not in freezable(session):
        raise InvalidInput(
            "Only the current quarter or the one just ended can be frozen, and not "
            "before a quarter already frozen",
            field="quarter",
        )
    state = current_state(session, matrix)
    state["quarter"] = quarter.key
    content = json.dumps(state, sort_keys=True, ensure_ascii=False)
    snapshot = QuarterSnapshot(
        quarter=quarter.key,
        frozen_by_id=actor.id,
        content=content,
        content_hash=hashlib.sha256(content.encode()).hexdigest(),
    )
    session.add(snapshot)
    session.flush()
    record(session, actor, AuditAction.QUARTER_FROZEN, "quarter", snapshot.id,
           after={"quarter": quarter.key,
                  "recommendations": len(state["recommendations"]),
                  "risks": len(state["risks"]),
                  "sha256": snapshot.content_hash[:16]})  # fmt: skip
    return snapshot


def snapshots(session: Session) -> list[QuarterSnapshot]:
    """Every frozen quarter, oldest first."""
    return in_order(session.scalars(select(QuarterSnapshot)))


def get_snapshot(session: Session, snapshot_id: int) -> QuarterSnapshot:
    found = session.get(QuarterSnapshot, snapshot_id)
    if found is None:
        raise NotFound("There is no such quarter")
    return found


def content_of(frozen: QuarterSnapshot | YouSaidPublication) -> State:
    """What was frozen: a board snapshot's state, or a publication's content."""
    state: State = json.loads(frozen.content)
    return state


def history_up_to(session: Session, snapshot: QuarterSnapshot | None) -> list[State]:
    """The frozen states up to (and including) ``snapshot``, oldest first."""
    frozen = snapshots(session)
    if snapshot is not None:
        frozen = [
            s
            for s in frozen
            if Quarter.parse(s.quarter) <= Quarter.parse(snapshot.quarter)
        ]
    return [content_of(s) for s in frozen]
