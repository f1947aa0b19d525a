"""Requests for a more detailed report: the board flags a recommendation or a
risk with a question and a due date; the lead officer answers in the portal.
Open requests are listed in the board pack until answered."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal import privacy
from portal.audit.service import AuditAction, record
from portal.board.quarters import today
from portal.errors import Conflict, InvalidInput, NotFound
from portal.models import Recommendation, ReportRequest, Risk, User, utcnow
from portal.sanitise import plain_text


def ask(
    session: Session,
    actor: User,
    subject: Recommendation | Risk,
    question: str,
    due_on: date | None,
    *,
    settings: privacy.PrivacySettings,
    confirmed: bool,
) -> ReportRequest:
    text = plain_text(question)
    if not text:
        raise InvalidInput("Enter what the report should cover", field="question")
    if due_on is None or due_on <= today():
        raise InvalidInput(
            "Enter a due date in the future, like 30 9 2016", field="due_on"
        )
    privacy.refuse_unconfirmed({"question": text}, settings, confirmed)
    asked = ReportRequest(question=text, due_on=due_on, asked_by_id=actor.id)
    if isinstance(subject, Recommendation):
        asked.recommendation_id = subject.id
    else:
        asked.risk_id = subject.id
    session.add(asked)
    session.flush()
    record(session, actor, AuditAction.REPORT_REQUESTED, "report_request", asked.id,
           after={"subject": "recommendation" if asked.recommendation_id else "risk",
                  "subject_id": asked.recommendation_id or asked.risk_id})  # fmt: skip
    return asked


def answer(
    session: Session,
    actor: User,
    asked: ReportRequest,
    text: str,
    *,
    settings: privacy.PrivacySettings,
    confirmed: bool,
) -> ReportRequest:
    if asked.answered_at is not None:
        raise Conflict("This request has already been answered")
    reply = plain_text(text)
    if not reply:
        raise InvalidInput("Enter the report", field="answer")
    privacy.refuse_unconfirmed({"answer": reply}, settings, confirmed)
    asked.answer, asked.answered_at, asked.answered_by_id = reply, utcnow(), actor.id
    session.flush()
    record(session, actor, AuditAction.REPORT_ANSWERED, "report_request", asked.id,
           after={"late": today() > asked.due_on})  # fmt: skip
    return asked


def get(session: Session, request_id: int) -> ReportRequest:
    found = session.get(ReportRequest, request_id)
    if found is None:
        raise NotFound("There is no such request")
    return found


def all_requests(session: Session) -> list[ReportRequest]:
    """Open ones first, by due date; then the answered, newest first."""
    found = list(session.scalars(select(ReportRequest).order_by(ReportRequest.id)))
    open_ = sorted((r for r in found if r.answered_at is None), key=lambda r: r.due_on)
    done = sorted(
        (r for r in found if r.answered_at is not None),
        key=lambda r: r.answered_at or utcnow(),
        reverse=True,
    )
    return open_ + done


def subject_label(asked: ReportRequest) -> str:
    if asked.recommendation is not None:
        return f"Recommendation {asked.recommendation.code}"
    if asked.risk is not None:
        return f"Risk R{asked.risk.id}: {asked.risk.title}"
    return "Request"  # the database's one_subject check makes this unreachable
