"""'Not this one' on a suggested tag: stored, shared between planners (one
planner's dismissal hides it from all), audited, and learned from by the
suggestion engine (portal/tagging/suggestions.py)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.audit.service import AuditAction, record
from portal.errors import InvalidInput, NotFound
from portal.models import (
    Recommendation,
    Submission,
    SuggestionDismissal,
    Theme,
    User,
    utcnow,
)

KINDS = {"rec": Recommendation, "theme": Theme}


def dismissed_keys(session: Session, item_id: str) -> set[str]:
    rows = session.execute(
        select(SuggestionDismissal.candidate_kind, SuggestionDismissal.candidate_id)
        .where(SuggestionDismissal.submission_id == item_id)
    )  # fmt: skip
    return {f"{kind}:{candidate}" for kind, candidate in rows}


def dismiss(
    session: Session, actor: User, item: Submission, kind: str, candidate_id: int
) -> None:
    """Idempotent: a second "Not this one" (a double click) changes nothing."""
    model = KINDS.get(kind)
    if model is None:
        raise InvalidInput("That suggestion is not a recommendation or a theme")
    if session.get(model, candidate_id) is None:
        raise NotFound("That recommendation or theme no longer exists")
    key = (item.id, kind, candidate_id)
    if session.get(SuggestionDismissal, key) is not None:
        return
    session.add(
        SuggestionDismissal(
            submission_id=item.id,
            candidate_kind=kind,
            candidate_id=candidate_id,
            dismissed_by_id=actor.id,
            dismissed_at=utcnow(),
        )
    )
    session.flush()
    record(
        session, actor, AuditAction.SUGGESTION_DISMISSED, "submission", item.id,
        after={"kind": kind, "id": candidate_id},
    )  # fmt: skip
