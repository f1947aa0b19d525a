"""Rules for staff input: submitting named, anonymous and facilitated input, the
personal-data check, receipts, editing and withdrawing.

Anonymity is structural. An anonymous row is written with no author, no recorder, no
exact time and a random id; no audit row, draft or counter refers to it; the person's
draft for that area is deleted in the same transaction. Its receipt code is derived
from the form's one-time token with the app's secret, so a resent form shows the same
code, and only a hash of the code and of the token is stored.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from portal import privacy
from portal.audit.service import AuditAction, record
from portal.errors import Conflict, InvalidInput, NotFound
from portal.feedback import drafts, receipts
from portal.models import (
    ANSWER_FIELDS,
    AnonymousInbox,
    Area,
    EngagementRound,
    RoleGroup,
    RoundStatus,
    Submission,
    SubmissionKind,
    Team,
    User,
)
from portal.sanitise import plain_text
from portal.submissions import lifecycle, release

SESSION_TYPES = {
    "team_meeting": "Team meeting",
    "workshop": "Workshop",
    "focus_group": "Focus group",
    "practice_forum": "Practice forum",
    "other": "Other",
}


@dataclass(frozen=True)
class Answers:
    obstacles: str = ""
    biggest_difference: str = ""
    practice_example: str = ""
    priority: int | None = None

    def cleaned(self) -> Answers:
        return Answers(
            plain_text(self.obstacles),
            plain_text(self.biggest_difference),
            plain_text(self.practice_example),
            self.priority,
        )

    def texts(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in ANSWER_FIELDS}


@dataclass(frozen=True)
class Context:
    team_id: int | None = None
    role_group_id: int | None = None


@dataclass(frozen=True)
class Outcome:
    kind: str
    receipt: str | None
    duplicate: bool


class NeedsConfirmation(Exception):
    """Personal data was found and the writer has not chosen to submit anyway."""

    def __init__(self, report: privacy.Report) -> None:
        super().__init__("personal data found")
        self.report = report


class RoundClosed(Conflict):
    pass


class AlreadySent(Exception):
    """A named writer is sending, on the same area in the same round, exactly the
    answers they already sent (Back, then Send again): ask before a second copy."""


def _sent_before(
    session: Session, actor: User, item: EngagementRound, area: Area, answers: Answers
) -> bool:
    return (
        session.scalar(
            select(Submission.id).where(
                Submission.author_id == actor.id,
                Submission.round_id == item.id,
                Submission.area_id == area.id,
                Submission.withdrawn_on.is_(None),
                *(getattr(Submission, k) == v for k, v in answers.texts().items()),
            )
        )
        is not None
    )


def token_key(form_token: str) -> str:
    return hashlib.sha256(form_token.encode()).hexdigest()


def round_and_area(
    session: Session, round_id: int, area_id: int, now: datetime
) -> tuple[EngagementRound, Area]:
    """The round and area a form is for; refuses rounds that are not open."""
    item = session.get(EngagementRound, round_id)
    if item is None or item.status == RoundStatus.DRAFT:
        raise NotFound("There is no such engagement round")
    area = next((a for a in item.areas if a.id == area_id), None)
    if area is None:
        raise NotFound("This area is not part of the engagement round")
    if not item.accepts_input(now):
        raise RoundClosed(
            f"“{item.title}” is closed, so it cannot accept input. "
            "Nothing you typed has been lost: copy it if you want to keep it."
        )
    return item, area


def check_context(session: Session, context: Context) -> None:
    team = session.get(Team, context.team_id) if context.team_id else None
    group = (
        session.get(RoleGroup, context.role_group_id) if context.role_group_id else None
    )
    checks: list[tuple[Team | RoleGroup | None, int | None, str]] = [
        (team, context.team_id, "team_id"),
        (group, context.role_group_id, "role_group_id"),
    ]
    for row, value, field in checks:
        if value is not None and (row is None or row.retired_at is not None):
            raise InvalidInput("Select an option from the list", field=field)


def check_answers(
    answers: Answers,
    settings: privacy.PrivacySettings,
    confirmed: bool,
    priority_required: bool,
) -> privacy.Report:
    if not any(answers.texts().values()):
        raise InvalidInput("Answer at least one of the three questions", "obstacles")
    if answers.priority is None and priority_required:
        raise InvalidInput("Select how much improving this would help", "priority")
    if answers.priority is not None and not 1 <= answers.priority <= 5:
        raise InvalidInput("Select a number from 1 to 5", field="priority")
    report = privacy.check(answers.texts(), settings)
    if report.has_personal_data and not confirmed:
        raise NeedsConfirmation(report)
    return report


class NotSaved(Conflict):
    """The database refused the row for a reason other than a resent form."""


NOT_SAVED = (
    "Your input could not be saved. Nothing has been lost: your answers are below. "
    "Check them and send again; if it happens again, copy them and tell the "
    "service desk."
)


def _existing(session: Session, form_token: str) -> bool:
    """Has this form (its one-time token) been stored, held or released?"""
    key = token_key(form_token)
    return (
        session.scalar(select(Submission.id).where(Submission.idempotency_key == key))
        is not None
        or session.scalar(
            select(AnonymousInbox.id).where(AnonymousInbox.idempotency_key == key)
        )
        is not None
    )


def _store(session: Session, submission: Submission, form_token: str) -> bool:
    """Insert (anonymous input into the inbox); False if the same form was stored
    meanwhile (a double click). Any other refusal is not a duplicate: the writer
    gets their words back."""
    try:
        with session.begin_nested():
            if submission.kind == SubmissionKind.ANONYMOUS:
                release.hold(session, submission)
            else:
                session.add(submission)
                session.flush()
    except IntegrityError:
        if _existing(session, form_token):
            return False
        raise NotSaved(NOT_SAVED) from None
    return True


def answer_values(answers: Answers, report: privacy.Report) -> dict[str, Any]:
    """The columns an answer and its checks fill."""
    flags = report.as_json() or None
    return {
        **answers.texts(),
        "priority": answers.priority,
        "pii_flags": flags,
        "has_personal_data": flags is not None,
        "safeguarding_flag": bool(report.safeguarding),
        "safeguarding_reasons": report.safeguarding or None,
    }


def _fill(submission: Submission, answers: Answers, report: privacy.Report) -> None:
    for name, value in answer_values(answers, report).items():
        setattr(submission, name, value)


def submit(
    session: Session,
    actor: User,
    *,
    item: EngagementRound,
    area: Area,
    anonymous: bool,
    answers: Answers,
    context: Context,
    form_token: str,
    secret: str,
    settings: privacy.PrivacySettings,
    confirmed: bool,
    now: datetime,
    send_again: bool = False,
) -> Outcome:
    """Store one person's input once, however often the same form is sent. A
    named writer re-sending answers they already sent is asked first
    (``AlreadySent``); ``send_again`` is their yes (and they have seen any
    personal-data warning on the way)."""
    kind = SubmissionKind.ANONYMOUS if anonymous else SubmissionKind.NAMED
    receipt = receipts.receipt_for(secret, form_token) if anonymous else None
    if len(form_token) < 32:
        raise InvalidInput("This form is out of date. Reload the page and try again.")
    if _existing(session, form_token):
        return Outcome(kind, receipt, duplicate=True)
    answers = answers.cleaned()
    check_context(session, context)
    report = check_answers(
        answers, settings, confirmed or send_again, priority_required=True
    )
    if (
        not anonymous
        and not send_again
        and _sent_before(session, actor, item, area, answers)
    ):
        raise AlreadySent()
    submission = Submission(
        id=str(uuid.uuid4()),
        round_id=item.id,
        area_id=area.id,
        kind=kind,
        status=lifecycle.arrival_status(bool(report.safeguarding)),
        # Day only for everyone's arrival date; exact time only when named.
        submitted_on=now.date(),
        submitted_at=None if anonymous else now,
        author_id=None if anonymous else actor.id,
        team_id=context.team_id,
        role_group_id=context.role_group_id,
        idempotency_key=token_key(form_token),
        receipt_hash=receipts.receipt_key(receipt) if receipt else None,
    )
    _fill(submission, answers, report)
    if not _store(session, submission, form_token):
        return Outcome(kind, receipt, duplicate=True)
    drafts.discard_draft(session, actor, item.id, area.id)
    if not anonymous:
        record(session, actor, AuditAction.SUBMISSION_RECEIVED, "submission",
               submission.id, after={"kind": kind})  # fmt: skip
    return Outcome(kind, receipt, duplicate=False)


@dataclass(frozen=True)
class SessionDetails:
    held_on: date
    session_type: str
    attendees: int


def record_session_input(
    session: Session,
    actor: User,
    *,
    item: EngagementRound,
    area_id: int | None,
    details: SessionDetails,
    answers: Answers,
    form_token: str,
    settings: privacy.PrivacySettings,
    confirmed: bool,
    now: datetime,
) -> Outcome:
    """What a group said at a staff engagement session, recorded by its facilitator
    and never attributed to anyone who attended."""
    area = next((a for a in item.areas if a.id == area_id), None)
    if area is None:
        raise InvalidInput("Select the area discussed", field="area_id")
    round_and_area(session, item.id, area.id, now)  # refuses a closed round
    if len(form_token) < 32:
        raise InvalidInput("This form is out of date. Reload the page and try again.")
    if _existing(session, form_token):
        return Outcome(SubmissionKind.FACILITATED, None, duplicate=True)
    if details.session_type not in SESSION_TYPES:
        raise InvalidInput("Select the type of session", field="session_type")
    if not 2 <= details.attendees <= 500:
        raise InvalidInput("Enter the number of attendees, from 2 to 500", "attendees")
    if details.held_on > now.date():
        raise InvalidInput("The session date must be today or in the past", "held_on")
    answers = answers.cleaned()
    report = check_answers(answers, settings, confirmed, priority_required=False)
    submission = Submission(
        id=str(uuid.uuid4()),
        round_id=item.id,
        area_id=area.id,
        kind=SubmissionKind.FACILITATED,
        status=lifecycle.arrival_status(bool(report.safeguarding)),
        submitted_on=details.held_on,
        submitted_at=now,
        recorded_by_id=actor.id,
        session_type=details.session_type,
        attendees=details.attendees,
        idempotency_key=token_key(form_token),
    )
    _fill(submission, answers, report)
    if not _store(session, submission, form_token):
        return Outcome(SubmissionKind.FACILITATED, None, duplicate=True)
    record(session, actor, AuditAction.SUBMISSION_RECEIVED, "submission",
           submission.id, after={"kind": SubmissionKind.FACILITATED,
                                 "attendees": details.attendees})  # fmt: skip
    return Outcome(SubmissionKind.FACILITATED, None, duplicate=False)
