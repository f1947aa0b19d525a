"""A named contributor's rights over their own data: everything the portal holds
about them and their named input (subject access, as JSON and a page), and a
request to erase the words of their named input, which an administrator carries
out. Anonymous input cannot be found by person: nothing links it to anyone, so
it can be reached only with its receipt code (withdraw it there)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.audit.service import AuditAction, record
from portal.db import checkpoint_after_commit
from portal.errors import Conflict, NotFound
from portal.feedback.changes import named_by
from portal.models import (
    ANSWER_FIELDS,
    ANSWER_LABELS,
    AuditEvent,
    Draft,
    ErasureRequest,
    Submission,
    User,
    UserIdentity,
    utcnow,
)
from portal.moderation.service import REJECT_REASONS
from portal.outcomes.service import tags_of
from portal.retention.purge import ERASED, not_held, overwrite_words, words_remain
from portal.submissions.lifecycle import status_label
from portal.timefmt import local_timestamp


def my_data(session: Session, user: User) -> dict[str, Any]:
    """Everything held about ``user`` and their named input, and nothing about
    anyone else (not who moderated it, nor other people's words)."""
    items = list(
        session.scalars(
            select(Submission).where(*named_by(user)).order_by(Submission.submitted_on)
        )
    )
    tags = tags_of(session, [i.id for i in items])
    return {
        "account": {
            "email": user.email,
            "name": user.display_name,
            "roles": sorted(r.label for r in user.roles),
            "team": user.team.name if user.team else None,
            "created": local_timestamp(user.created_at),
            "last_signed_in": local_timestamp(user.last_sign_in_at),
            "quarterly_digest": user.digest_opt_in,
            "directory_identity": session.scalar(
                select(UserIdentity.subject).where(UserIdentity.user_id == user.id)
            ),
        },
        "named_input": [
            {
                "id": item.id,
                "round": item.round.title,
                "area": item.area.title,
                "sent_on": item.submitted_on.isoformat(),
                "status": status_label(item),
                "answers": {ANSWER_LABELS[f]: getattr(item, f) for f in ANSWER_FIELDS},
                "how_much_it_would_help": item.priority,
                "team": item.team.name if item.team else None,
                "role": item.role_group.name if item.role_group else None,
                "reason_not_used": REJECT_REASONS.get(item.reject_reason or ""),
                "moderators_note_to_you": item.decision_note,
                "recommendations": [
                    code for code, _ in tags.recommendations.get(item.id, [])
                ],
                "themes": tags.themes.get(item.id, []),
            }
            for item in items
        ],
        "drafts": [
            {"answers": d.answers, "saved": local_timestamp(d.updated_at)}
            for d in session.scalars(select(Draft).where(Draft.user_id == user.id))
        ],
        "your_actions_in_the_audit_trail": [
            {
                "what": e.action,
                "when": local_timestamp(e.occurred_at),
                "about": e.subject_type,
            }
            for e in session.scalars(
                select(AuditEvent)
                .where(AuditEvent.actor_id == user.id)
                .order_by(AuditEvent.id)
            )
        ],  # fmt: skip
        "anonymous_input": (
            "Not included, and it cannot be: anonymous input holds nothing that "
            "links it to you. Use its receipt code to check or withdraw it."
        ),
    }


def open_request(session: Session, user: User) -> ErasureRequest | None:
    return session.scalar(
        select(ErasureRequest).where(
            ErasureRequest.user_id == user.id, ErasureRequest.done_at.is_(None)
        )
    )


def latest_request(session: Session, user: User) -> ErasureRequest | None:
    """The person's newest request, open or done: what their page tells them."""
    return session.scalar(
        select(ErasureRequest)
        .where(ErasureRequest.user_id == user.id)
        .order_by(ErasureRequest.id.desc())
        .limit(1)
    )


def request_erasure(session: Session, actor: User) -> ErasureRequest:
    if open_request(session, actor) is not None:
        raise Conflict("You have already asked: an administrator will carry it out")
    asked = ErasureRequest(user_id=actor.id)
    session.add(asked)
    session.flush()
    record(session, actor, AuditAction.ERASURE_REQUESTED, "erasure_request", asked.id)
    return asked


def waiting(session: Session) -> list[ErasureRequest]:
    return list(
        session.scalars(
            select(ErasureRequest)
            .where(ErasureRequest.done_at.is_(None))
            .order_by(ErasureRequest.id)
        )
    )


def carry_out(session: Session, actor: User, request_id: int) -> ErasureRequest:
    """Erase the words of the person's named input everywhere, and their drafts.
    Items under legal hold (safeguarding escalations, holds) are kept and
    counted. The audit keeps the fact and the counts, never the words."""
    asked = session.get(ErasureRequest, request_id)
    if asked is None:
        raise NotFound("There is no such request")
    if asked.done_at is not None:
        raise Conflict("This request has already been carried out")
    user = asked.user
    erased = 0
    for item in session.scalars(
        select(Submission).where(*named_by(user), not_held(), words_remain())
    ).all():
        overwrite_words(session, item, ERASED)
        erased += 1
    session.flush()
    # What still has words after the erasure is what the holds kept.
    held = len(
        session.scalars(
            select(Submission.id).where(*named_by(user), words_remain())
        ).all()
    )
    for draft in session.scalars(select(Draft).where(Draft.user_id == user.id)):
        session.delete(draft)
    asked.done_at, asked.done_by_id = utcnow(), actor.id
    asked.erased, asked.kept_on_hold = erased, held
    session.flush()
    record(session, actor, AuditAction.ERASURE_CARRIED_OUT, "erasure_request",
           asked.id, after={"erased": erased, "kept_on_hold": held})  # fmt: skip
    checkpoint_after_commit(session)
    return asked
