"""The theme codebook: two levels, merged or retired but never deleted, so input
tagged in the past keeps its meaning."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from portal.audit.service import AuditAction, record
from portal.errors import Conflict, InvalidInput, NotFound
from portal.models import Theme, ThemeTag, User, utcnow
from portal.sanitise import plain_text, single_line


def list_themes(session: Session, *, include_retired: bool = True) -> list[Theme]:
    """Top-level themes each followed by their children, by name."""
    themes = list(session.scalars(select(Theme).order_by(func.lower(Theme.name))))
    if not include_retired:
        themes = [t for t in themes if t.retired_at is None]
    ordered: list[Theme] = []
    for top in (t for t in themes if t.parent_id is None):
        ordered.append(top)
        ordered.extend(t for t in themes if t.parent_id == top.id)
    return ordered


def get_theme(session: Session, theme_id: int) -> Theme:
    theme = session.get(Theme, theme_id)
    if theme is None:
        raise NotFound("There is no such theme")
    return theme


def _check_parent(session: Session, theme: Theme | None, parent_id: int | None) -> None:
    if parent_id is None:
        return
    parent = session.get(Theme, parent_id)
    if parent is None or parent.retired_at is not None:
        raise InvalidInput("Select a parent theme that is in use", field="parent_id")
    if parent.parent_id is not None:
        raise InvalidInput(
            "Themes have two levels: choose a top-level parent", "parent_id"
        )
    if theme is not None:
        if parent.id == theme.id:
            raise InvalidInput("A theme cannot be its own parent", field="parent_id")
        has_children = session.scalar(
            select(Theme.id).where(Theme.parent_id == theme.id)
        )
        if has_children is not None:
            raise InvalidInput(
                "This theme has its own sub-themes, so it stays top-level", "parent_id"
            )


def save_theme(
    session: Session,
    actor: User,
    *,
    name: str,
    description: str,
    parent_id: int | None,
    theme: Theme | None = None,
) -> Theme:
    """Create a theme, or rename, redescribe or re-parent one."""
    clean = single_line(name)
    if not clean:
        raise InvalidInput("Enter a name", field="name")
    taken = select(Theme.id).where(func.lower(Theme.name) == clean.lower())
    if theme is not None:
        taken = taken.where(Theme.id != theme.id)
    if session.scalar(taken) is not None:
        raise Conflict("A theme with this name already exists", field="name")
    _check_parent(session, theme, parent_id)
    if theme is None:
        theme = Theme(
            name=clean, description=plain_text(description), parent_id=parent_id
        )
        session.add(theme)
        session.flush()
        record(
            session,
            actor,
            AuditAction.THEME_CREATED,
            "theme",
            theme.id,
            after={"name": clean, "parent_id": parent_id},
        )
        return theme
    before = {
        "name": theme.name,
        "description": theme.description,
        "parent_id": theme.parent_id,
    }
    theme.name, theme.description = clean, plain_text(description)
    theme.parent_id = parent_id
    after = {
        "name": theme.name,
        "description": theme.description,
        "parent_id": theme.parent_id,
    }
    if before != after:
        session.flush()
        record(
            session,
            actor,
            AuditAction.THEME_UPDATED,
            "theme",
            theme.id,
            before=before,
            after=after,
        )
    return theme


def set_retired(session: Session, actor: User, theme: Theme, retired: bool) -> None:
    """Retire (not offered for new tags; old tags kept) or bring back."""
    if retired == (theme.retired_at is not None):
        return
    if not retired and theme.merged_into_id is not None:
        raise Conflict("This theme was merged into another, so it stays retired")
    theme.retired_at = utcnow() if retired else None
    session.flush()
    record(
        session,
        actor,
        AuditAction.THEME_UPDATED,
        "theme",
        theme.id,
        after={"retired": retired},
    )


def merge(session: Session, actor: User, source: Theme, target: Theme) -> int:
    """Move every tag from ``source`` to ``target`` (once per item) and retire the
    source, pointing at the target. Returns the number of tags moved."""
    if source.id == target.id:
        raise InvalidInput("Choose a different theme to merge into", field="target_id")
    if target.retired_at is not None:
        raise InvalidInput("Merge into a theme that is in use", field="target_id")
    already = select(ThemeTag.submission_id).where(ThemeTag.theme_id == target.id)
    moved = session.execute(
        update(ThemeTag)
        .where(ThemeTag.theme_id == source.id, ThemeTag.submission_id.not_in(already))
        .values(theme_id=target.id)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    session.execute(
        ThemeTag.__table__.delete().where(ThemeTag.theme_id == source.id)  # type: ignore[attr-defined]
    )
    session.execute(
        update(Theme)
        .where(Theme.parent_id == source.id)
        .values(parent_id=target.parent_id or target.id)
    )
    source.merged_into_id = target.id
    source.retired_at = source.retired_at or utcnow()
    session.flush()
    record(
        session,
        actor,
        AuditAction.THEME_MERGED,
        "theme",
        source.id,
        after={"into": target.id, "tags_moved": int(moved or 0)},
    )
    return int(moved or 0)
