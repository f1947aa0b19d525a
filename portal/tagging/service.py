"""Tagging rules: only approved input is tagged, only to recommendations and themes
still in use; every tag records who applied it, when, and whether it was an accepted
suggestion; removals are audited. Quotes are exact excerpts of approved text."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, delete, exists, func, not_, select, tuple_
from sqlalchemy.orm import Session

from portal import privacy
from portal.audit.service import AuditAction, record
from portal.errors import Conflict, InvalidInput, NotFound
from portal.models import (
    ANSWER_FIELDS,
    Quote,
    Recommendation,
    RecommendationTag,
    Submission,
    Theme,
    ThemeTag,
    User,
)
from portal.sanitise import plain_text
from portal.submissions.lifecycle import counts_as_staff_input, is_staff_input

PAGE_SIZE = 25


def approved_item(session: Session, item_id: str) -> Submission:
    item = session.get(Submission, item_id)
    if item is None or not is_staff_input(item):
        raise NotFound("There is no such approved input")
    return item


@dataclass(frozen=True)
class Tags:
    recommendation_ids: frozenset[int]
    theme_ids: frozenset[int]


def current_tags(session: Session, item: Submission) -> Tags:
    recs = session.scalars(
        select(RecommendationTag.recommendation_id).where(
            RecommendationTag.submission_id == item.id
        )
    )
    themes = session.scalars(
        select(ThemeTag.theme_id).where(ThemeTag.submission_id == item.id)
    )
    return Tags(frozenset(recs), frozenset(themes))


def _check_in_use(session: Session, wanted: Tags, existing: Tags) -> None:
    """New tags must be to recommendations and themes still in use (existing tags
    to retired ones are kept as they are)."""
    new_recs = wanted.recommendation_ids - existing.recommendation_ids
    new_themes = wanted.theme_ids - existing.theme_ids
    if new_recs:
        usable = set(
            session.scalars(
                select(Recommendation.id).where(
                    Recommendation.id.in_(new_recs), Recommendation.retired_at.is_(None)
                )
            )
        )
        if usable != new_recs:
            raise InvalidInput(
                "Choose recommendations that are in use", "recommendation_ids"
            )
    if new_themes:
        usable = set(
            session.scalars(
                select(Theme.id).where(
                    Theme.id.in_(new_themes), Theme.retired_at.is_(None)
                )
            )
        )
        if usable != new_themes:
            raise InvalidInput("Choose themes that are in use", field="theme_ids")


def set_tags(
    session: Session,
    actor: User,
    item: Submission,
    wanted: Tags,
    *,
    from_suggestion: Iterable[str] = (),
) -> tuple[int, int]:
    """Make the item's tags exactly ``wanted``; returns (added, removed).
    ``from_suggestion`` names the tags ("rec:3", "theme:7") accepted from
    suggestions, so their provenance says so."""
    if not is_staff_input(item):
        raise Conflict("Only approved input can be tagged")
    existing = current_tags(session, item)
    _check_in_use(session, wanted, existing)
    suggested = set(from_suggestion)
    added = removed = 0
    for rec_id in sorted(wanted.recommendation_ids - existing.recommendation_ids):
        session.add(
            RecommendationTag(
                submission_id=item.id,
                recommendation_id=rec_id,
                applied_by_id=actor.id,
                from_suggestion=f"rec:{rec_id}" in suggested,
            )
        )
        added += _audit(session, actor, item, "recommendation", rec_id, True, suggested)
    for theme_id in sorted(wanted.theme_ids - existing.theme_ids):
        session.add(
            ThemeTag(
                submission_id=item.id,
                theme_id=theme_id,
                applied_by_id=actor.id,
                from_suggestion=f"theme:{theme_id}" in suggested,
            )
        )
        added += _audit(session, actor, item, "theme", theme_id, True, suggested)
    for rec_id in sorted(existing.recommendation_ids - wanted.recommendation_ids):
        session.execute(
            delete(RecommendationTag).where(
                RecommendationTag.submission_id == item.id,
                RecommendationTag.recommendation_id == rec_id,
            )
        )
        removed += _audit(
            session, actor, item, "recommendation", rec_id, False, suggested
        )
    for theme_id in sorted(existing.theme_ids - wanted.theme_ids):
        session.execute(
            delete(ThemeTag).where(
                ThemeTag.submission_id == item.id, ThemeTag.theme_id == theme_id
            )
        )
        removed += _audit(session, actor, item, "theme", theme_id, False, suggested)
    session.flush()
    return added, removed


def _audit(
    session: Session,
    actor: User,
    item: Submission,
    kind: str,
    tag_id: int,
    adding: bool,
    suggested: set[str],
) -> int:
    key = f"{'rec' if kind == 'recommendation' else 'theme'}:{tag_id}"
    record(
        session,
        actor,
        AuditAction.TAG_ADDED if adding else AuditAction.TAG_REMOVED,
        "submission",
        item.id,
        after={kind: tag_id, "from_suggestion": adding and key in suggested},
    )
    return 1


def add_to_many(
    session: Session,
    actor: User,
    item_ids: list[str],
    *,
    recommendation_id: int | None,
    theme_id: int | None,
) -> int:
    """Bulk: add one recommendation and/or one theme to a selection of approved
    items (already tagged items are left as they are). Returns tags added."""
    if not item_ids:
        raise InvalidInput("Select at least one item", field="item_ids")
    if recommendation_id is None and theme_id is None:
        raise InvalidInput(
            "Choose a recommendation or a theme to add", "recommendation_id"
        )
    added = 0
    for item_id in dict.fromkeys(item_ids):
        item = approved_item(session, item_id)
        now = current_tags(session, item)
        wanted = Tags(
            now.recommendation_ids
            | ({recommendation_id} if recommendation_id else set()),
            now.theme_ids | ({theme_id} if theme_id else set()),
        )
        added += set_tags(session, actor, item, wanted)[0]
    return added


def add_quote(
    session: Session,
    actor: User,
    item: Submission,
    field: str,
    text: str,
    *,
    settings: privacy.PrivacySettings,
    confirmed: bool,
) -> Quote:
    """Mark an exact excerpt of approved text as a quote for summaries. Quotes go
    in front of the seminar, so they get the personal-data check too."""
    if not is_staff_input(item):
        raise Conflict("Only approved input can be quoted")
    if field not in ANSWER_FIELDS:
        raise InvalidInput("Select the answer the quote is from", field="field")
    excerpt = plain_text(text)
    if len(excerpt) < 3:
        raise InvalidInput("Enter the words to quote", field="text")
    if excerpt not in getattr(item, field):
        raise InvalidInput("The quote must be words from the answer, exactly", "text")
    privacy.refuse_unconfirmed({"text": excerpt}, settings, confirmed)
    quote = Quote(
        submission_id=item.id, field=field, text=excerpt, created_by_id=actor.id
    )
    session.add(quote)
    session.flush()
    record(
        session,
        actor,
        AuditAction.QUOTE_ADDED,
        "submission",
        item.id,
        after={"quote": quote.id, "field": field, "characters": len(excerpt)},
    )
    return quote


def remove_quote(session: Session, actor: User, quote_id: int) -> None:
    quote = session.get(Quote, quote_id)
    if quote is None:
        raise NotFound("There is no such quote")
    session.delete(quote)
    session.flush()
    record(
        session,
        actor,
        AuditAction.QUOTE_REMOVED,
        "submission",
        quote.submission_id,
        after={"quote": quote_id},
    )


def drop_stale_quotes(session: Session, item: Submission) -> None:
    """After redaction: a quote whose words are no longer in the answer goes."""
    for quote in session.scalars(select(Quote).where(Quote.submission_id == item.id)):
        if quote.text not in (getattr(item, quote.field) or ""):
            session.delete(quote)
    session.flush()


@dataclass(frozen=True)
class TaggingFilters:
    round_id: int | None = None
    area_id: int | None = None
    recommendation_id: int | None = None
    theme_id: int | None = None
    untagged: bool = False


def _conditions(filters: TaggingFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [counts_as_staff_input()]
    if filters.round_id:
        conditions.append(Submission.round_id == filters.round_id)
    if filters.area_id:
        conditions.append(Submission.area_id == filters.area_id)
    rec_tag = exists().where(RecommendationTag.submission_id == Submission.id)
    theme_tag = exists().where(ThemeTag.submission_id == Submission.id)
    if filters.recommendation_id:
        conditions.append(
            exists().where(
                RecommendationTag.submission_id == Submission.id,
                RecommendationTag.recommendation_id == filters.recommendation_id,
            )
        )
    if filters.theme_id:
        conditions.append(
            exists().where(
                ThemeTag.submission_id == Submission.id,
                ThemeTag.theme_id == filters.theme_id,
            )
        )
    if filters.untagged:
        conditions.append(and_(not_(rec_tag), not_(theme_tag)))
    return conditions


def approved_page(
    session: Session, filters: TaggingFilters, after: str | None
) -> tuple[list[Submission], str | None, int]:
    """Approved input for tagging: keyset pages by (day, random id), plus a count."""
    query = (
        select(Submission)
        .where(*_conditions(filters))
        .order_by(Submission.submitted_on, Submission.id)
        .limit(PAGE_SIZE + 1)
    )
    if after and "_" in after:
        day, _, item_id = after.partition("_")
        try:
            query = query.where(
                tuple_(Submission.submitted_on, Submission.id)
                > (date.fromisoformat(day), item_id[:36])
            )
        except ValueError:
            pass
    items = list(session.scalars(query))
    cursor = None
    if len(items) > PAGE_SIZE:
        items = items[:PAGE_SIZE]
        cursor = f"{items[-1].submitted_on.isoformat()}_{items[-1].id}"
    total = session.scalar(
        select(func.count()).select_from(Submission).where(*_conditions(filters))
    )
    return items, cursor, int(total or 0)


def tags_for(session: Session, items: list[Submission]) -> dict[str, Tags]:
    """Each item's tags, in two queries for the whole page."""
    ids = [i.id for i in items]
    recs: dict[str, set[int]] = {i: set() for i in ids}
    themes: dict[str, set[int]] = {i: set() for i in ids}
    rec_rows = select(
        RecommendationTag.submission_id, RecommendationTag.recommendation_id
    ).where(RecommendationTag.submission_id.in_(ids))
    for sid, rid in session.execute(rec_rows):
        recs[sid].add(rid)
    theme_rows = select(ThemeTag.submission_id, ThemeTag.theme_id).where(
        ThemeTag.submission_id.in_(ids)
    )
    for sid, tid in session.execute(theme_rows):
        themes[sid].add(tid)
    return {i: Tags(frozenset(recs[i]), frozenset(themes[i])) for i in ids}
