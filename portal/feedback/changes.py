"""Changing one's own input after sending it: "My input" (named), editing while
it waits, and withdrawing (named, or anonymous by receipt code, held or
released). Every status change goes through the lifecycle's conditional update."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from portal import privacy
from portal.errors import Conflict, NotFound
from portal.feedback import receipts
from portal.feedback.service import (
    Answers,
    Context,
    answer_values,
    check_answers,
    check_context,
)
from portal.models import (
    AnonymousInbox,
    Submission,
    SubmissionKind,
    SubmissionStatus,
    User,
)
from portal.outcomes.service import Outcome, outcomes_of
from portal.submissions import lifecycle, release


def named_by(user: User) -> tuple[ColumnElement[bool], ...]:
    """What a person gave with their name: the only input linked to them
    (anonymous input is not theirs to list, count or erase: nothing links it)."""
    return (Submission.author_id == user.id, Submission.kind == SubmissionKind.NAMED)


def list_mine(session: Session, actor: User) -> list[Submission]:
    """The person's named input, newest first."""
    return list(
        session.scalars(
            select(Submission)
            .where(*named_by(actor))
            .order_by(Submission.submitted_at.desc())
        )
    )


def mine_with_outcomes(
    session: Session, actor: User, minimum: int
) -> tuple[list[Submission], dict[str, Outcome]]:
    """My input: the person's named items, each with what became of it."""
    items = list_mine(session, actor)
    return items, outcomes_of(session, items, minimum)


def own_submission(session: Session, actor: User, submission_id: str) -> Submission:
    """The person's own named item; anyone else's looks the same as a missing one."""
    item = session.get(Submission, submission_id)
    if item is None or item.author_id != actor.id:
        raise NotFound("There is no such input")
    return item


def edit(
    session: Session,
    actor: User,
    submission: Submission,
    *,
    answers: Answers,
    context: Context,
    settings: privacy.PrivacySettings,
    confirmed: bool,
    now: datetime,
) -> None:
    """Change named input while it waits for moderation or was returned for
    changes; it then waits for moderation again. Conditional on the status the
    writer saw, so a moderator's decision made meanwhile is never overwritten."""
    if submission.author_id != actor.id:
        raise NotFound("There is no such input")
    if submission.status not in (SubmissionStatus.PENDING, SubmissionStatus.RETURNED):
        raise Conflict("This input is being reviewed, so it cannot be changed")
    answers = answers.cleaned()
    check_context(session, context)
    report = check_answers(answers, settings, confirmed, priority_required=True)
    lifecycle.apply(
        session,
        actor,
        submission,
        lifecycle.Event.EDIT_RAISING_CONCERN
        if report.safeguarding
        else lifecycle.Event.EDIT,
        values={
            **answer_values(answers, report),
            "team_id": context.team_id,
            "role_group_id": context.role_group_id,
            "updated_at": now,
        },
    )


def withdraw(
    session: Session, actor: User, submission: Submission, today: date
) -> None:
    if submission.author_id != actor.id:
        raise NotFound("There is no such input")
    _withdraw(session, actor, submission, today, audited=True)


def _withdraw(
    session: Session,
    actor: User | None,
    submission: Submission,
    today: date,
    *,
    audited: bool,
) -> None:
    """Withdrawn input is never used. A safeguarding item stays with the lead all
    the same; its writer is not told it was escalated, so it shows as withdrawn."""
    if submission.withdrawn_on is not None:
        raise Conflict("This input has already been withdrawn")
    lifecycle.apply(
        session,
        actor,
        submission,
        lifecycle.Event.WITHDRAW,
        values={"withdrawn_on": today},
        audited=audited,
    )


def withdraw_by_receipt(session: Session, code: str, today: date) -> None:
    """Withdraw anonymous input with its receipt code, held or released.
    Deliberately not audited: an audit row would carry the exact time and the
    signed-in person."""
    item = receipts.by_receipt(session, code)
    if item.withdrawn_on is not None:
        raise Conflict("This input has already been withdrawn")
    if isinstance(item, AnonymousInbox):
        release.withdraw_held(item, today)
        session.flush()
        return
    _withdraw(session, None, item, today, audited=False)
