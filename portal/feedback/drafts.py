"""Server-side drafts of named input (never browser storage: council PCs are
shared; never anonymous input: a draft is linked to its writer)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from portal.db import checkpoint_after_commit
from portal.models import Area, Draft, EngagementRound, User, utcnow
from portal.sanitise import plain_text

DRAFT_FIELDS = (
    "obstacles",
    "biggest_difference",
    "practice_example",
    "priority",
    "team_id",
    "role_group_id",
)


def load_draft(
    session: Session, actor: User, round_id: int, area_id: int
) -> Draft | None:
    return session.scalar(
        select(Draft).where(
            Draft.user_id == actor.id,
            Draft.round_id == round_id,
            Draft.area_id == area_id,
        )
    )


def save_draft(
    session: Session,
    actor: User,
    item: EngagementRound,
    area: Area,
    answers: dict[str, str],
) -> Draft:
    """Autosave of named input in progress (server-side: council PCs are shared)."""
    kept = {
        name: plain_text(str(answers.get(name, "")))[:20_000] for name in DRAFT_FIELDS
    }
    draft = load_draft(session, actor, item.id, area.id)
    if draft is None:
        draft = Draft(user_id=actor.id, round_id=item.id, area_id=area.id, answers=kept)
        session.add(draft)
    else:
        draft.answers = kept
        draft.updated_at = utcnow()
    session.flush()
    return draft


def discard_draft(session: Session, actor: User, round_id: int, area_id: int) -> None:
    """Delete the draft; once that commits, checkpoint the WAL so no old page of
    it stays readable (the deleted cells are zeroed by secure_delete)."""
    deleted = session.execute(
        delete(Draft).where(
            Draft.user_id == actor.id,
            Draft.round_id == round_id,
            Draft.area_id == area_id,
        )
    )
    if deleted.rowcount:  # type: ignore[attr-defined]
        checkpoint_after_commit(session)
