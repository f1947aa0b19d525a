"""Each item's tag names, kept on the item for the data export.

Triggers keep ``submissions.recommendation_codes`` and ``theme_names`` in the
same transaction as every change to the tags or to a code or theme name
(migration 0026 says why and how). This module recounts them from the tags,
for ``portal rebuild-aggregates`` and for the tests that check the triggers.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, literal_column, or_, select, update
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session

from portal.models import Recommendation, RecommendationTag, Submission, Theme, ThemeTag


def _names(postgres: bool, column: Any, link: Any, key: Any) -> Any:
    """One item's names, "; "-separated: sorted by code point on PostgreSQL, as
    the export prints them (SQLite's group_concat has no order; the export
    sorts)."""
    if postgres:
        ordered: Any = aggregate_order_by(literal_column("'; '"), column.collate("C"))
        names = func.string_agg(column, ordered)
    else:
        names = func.group_concat(column, "; ")
    return (
        select(names)
        .select_from(link)
        .join(column.table, key)
        .where(link.c.submission_id == Submission.id)
        .scalar_subquery()
    )


def recounted(session: Session) -> tuple[Any, Any]:
    """The recommendation codes and theme names of each item, from its tags."""
    postgres = session.get_bind().dialect.name == "postgresql"
    codes = _names(
        postgres,
        Recommendation.code,
        RecommendationTag.__table__,
        Recommendation.id == RecommendationTag.recommendation_id,
    )
    themes = _names(
        postgres, Theme.name, ThemeTag.__table__, Theme.id == ThemeTag.theme_id
    )
    return codes, themes


def rebuild(session: Session) -> int:
    """Write every item's names where they differ from its tags (a bulk load
    with triggers off leaves them empty); returns how many items changed."""
    codes, themes = recounted(session)
    result = session.execute(
        update(Submission)
        .where(
            or_(
                Submission.recommendation_codes.is_distinct_from(codes),
                Submission.theme_names.is_distinct_from(themes),
            )
        )
        .values(recommendation_codes=codes, theme_names=themes)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


Names = dict[str, tuple[list[str], list[str]]]


def _sorted(rows: Any) -> Names:
    def split(value: str | None) -> list[str]:
        return sorted(value.split("; ")) if value else []

    return {item: (split(codes), split(themes)) for item, codes, themes in rows}


def kept(session: Session) -> Names:
    """Every item's names as the triggers left them, each list sorted."""
    return _sorted(
        session.execute(
            select(
                Submission.id, Submission.recommendation_codes, Submission.theme_names
            )
        )
    )


def counted(session: Session) -> Names:
    """Every item's names from its tags, each list sorted."""
    codes, themes = recounted(session)
    return _sorted(session.execute(select(Submission.id, codes, themes)))
