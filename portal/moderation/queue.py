"""The moderation queue: keyset pages and the counts beside them, fast at a
million submissions.

Pages are read in (day, random id) order straight from an index: the
independent moderator's from ``ix_submissions_queue`` with no join; a team
moderator's as two keyset ranges of ``ix_submissions_team_queue`` (input with no
team, and their team's), each at most a page long, combined with UNION ALL. An
``OR`` of the two would read all of a team's waiting rows to show 26.

Counts read ``queue_counts`` (kept by triggers: a team moderator's two teams'
rows; the independent moderator's rows summed over every team), less the
moderator's own input, which they never moderate (a look-up by author and
recorder, both indexed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    func,
    not_,
    select,
    tuple_,
    union,
    union_all,
)
from sqlalchemy.orm import Session

from portal.models import (
    EVERY_TEAM,
    Area,
    QueueCount,
    Submission,
    SubmissionKind,
    SubmissionStatus,
    User,
)
from portal.moderation.service import not_own, reach, team_keys

PAGE_SIZE = 25
S = SubmissionStatus


@dataclass(frozen=True)
class QueueFilters:
    status: str = S.PENDING
    round_id: int | None = None
    area_id: int | None = None
    flag: str | None = None  # "personal_data" or "facilitated"


@dataclass(frozen=True, slots=True)
class QueueRow:
    """What the queue shows of one item: read as plain columns, not as an ORM
    object with its JSON flags and relationships (a quarter of the page's cost)."""

    id: str
    submitted_on: date
    kind: str
    has_personal_data: bool
    area_code: str
    area_title: str
    opening: str  # the first answer given


@dataclass(frozen=True)
class QueuePage:
    items: list[QueueRow]
    next_cursor: str | None
    counts: dict[str, int]


def _filtered(filters: QueueFilters) -> list[ColumnElement[bool]]:
    conditions = [Submission.status == filters.status]
    if filters.round_id:
        conditions.append(Submission.round_id == filters.round_id)
    if filters.area_id:
        conditions.append(Submission.area_id == filters.area_id)
    if filters.flag == "personal_data":
        conditions.append(Submission.has_personal_data.is_(True))
    elif filters.flag == "facilitated":
        conditions.append(Submission.kind == SubmissionKind.FACILITATED)
    return conditions


def queue(
    session: Session, moderator: User, filters: QueueFilters, after: str | None
) -> QueuePage:
    """One page of the queue, oldest day first and in random order within a day
    (ids are random), so arrival order and time are never shown. Keyset pages."""
    conditions = [*_filtered(filters), not_own(moderator), reach(moderator)]
    cursor = _parse_cursor(after)
    if cursor is not None:
        conditions.append(tuple_(Submission.submitted_on, Submission.id) > cursor)
    order = (Submission.submitted_on, Submission.id)
    if moderator.independent_moderator:
        ids = select(Submission.id).where(*conditions).order_by(*order)
    else:
        ranges = [
            select(Submission.id, Submission.submitted_on)
            .join(Area, Area.id == Submission.area_id)
            .where(*conditions, _team_is(key))
            .order_by(*order)
            .limit(PAGE_SIZE + 1)
            .subquery()
            .select()
            for key in team_keys(moderator)
        ]
        both = union_all(*ranges).subquery()
        ids = select(both.c.id).order_by(both.c.submitted_on, both.c.id)
    wanted = list(session.scalars(ids.limit(PAGE_SIZE + 1)))
    items = _load_in_order(session, wanted)
    next_cursor = None
    if len(items) > PAGE_SIZE:
        items = items[:PAGE_SIZE]
        last = items[-1]
        next_cursor = f"{last.submitted_on.isoformat()}_{last.id}"
    return QueuePage(items, next_cursor, counts(session, moderator, filters))


def _team_is(key: int | None) -> ColumnElement[bool]:
    return Submission.team_id.is_(None) if key is None else Submission.team_id == key


def _load_in_order(session: Session, ids: list[str]) -> list[QueueRow]:
    if not ids:
        return []
    s = Submission
    rows = session.execute(
        select(s.id, s.submitted_on, s.kind, s.has_personal_data, Area.code,
               Area.title, s.obstacles, s.biggest_difference, s.practice_example)
        .join(Area, Area.id == s.area_id)
        .where(s.id.in_(ids))
    )  # fmt: skip
    by_id = {
        row[0]: QueueRow(*row[:6], opening=row[6] or row[7] or row[8] or "")
        for row in rows
    }
    return [by_id[i] for i in ids if i in by_id]


def _parse_cursor(after: str | None) -> tuple[date, str] | None:
    if not after or "_" not in after:
        return None
    day, _, item_id = after.partition("_")
    try:
        return date.fromisoformat(day), item_id[:36]
    except ValueError:
        return None


def _sums(count: Any, personal_data: Any, kind: Any) -> list[Any]:
    return [
        func.coalesce(func.sum(count), 0),
        func.coalesce(func.sum(case((personal_data.is_(True), count), else_=0)), 0),
        func.coalesce(
            func.sum(case((kind == SubmissionKind.FACILITATED, count), else_=0)), 0
        ),
    ]


def counts(session: Session, moderator: User, filters: QueueFilters) -> dict[str, int]:
    """Counts for the filter links, over the moderator's scope and the status being
    viewed: the maintained figures, less the moderator's own input."""
    q = QueueCount
    kept = select(*_sums(q.n, q.personal_data, q.kind)).where(
        q.status == filters.status, q.status != S.SAFEGUARDING
    )
    if filters.round_id:
        kept = kept.where(q.round_id == filters.round_id)
    if filters.area_id:
        kept = kept.where(q.area_id == filters.area_id)
    if moderator.independent_moderator:
        kept = kept.where(q.team_key == EVERY_TEAM)  # every team, already summed
    else:
        kept = kept.join(Area, Area.id == q.area_id).where(
            q.team_key.in_([key or 0 for key in team_keys(moderator)]),
            not_(and_(q.kind == SubmissionKind.ANONYMOUS, Area.about_management)),
        )
    # Their own input, found by author and by recorder (each from its own
    # index, as plain look-ups: given the status too, SQLite's planner would
    # read the whole status instead), then counted by primary key.
    mine = list(session.scalars(union(
        select(Submission.id).where(Submission.author_id == moderator.id),
        select(Submission.id).where(Submission.recorded_by_id == moderator.id),
    )))  # fmt: skip
    base = QueueFilters(filters.status, filters.round_id, filters.area_id)
    own = (
        select(*_sums(1, Submission.has_personal_data, Submission.kind))
        .select_from(Submission)
        .join(Area, Area.id == Submission.area_id)
        .where(Submission.id.in_(mine), *_filtered(base), reach(moderator))
    )
    total = session.execute(kept).one()
    own_row = session.execute(own).one() if mine else (0, 0, 0)
    return {
        name: int(total[n]) - int(own_row[n])
        for n, name in enumerate(("all", "personal_data", "facilitated"))
    }
