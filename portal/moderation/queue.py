"""The moderation queue: keyset pages and the counts beside them, fast at a
million submissions.

Pages are read in (day, random id) order straight from an index, with the
columns the page shows: the independent moderator's from ``ix_submissions_queue``;
a team moderator's as two keyset ranges of ``ix_submissions_team_queue`` (input
with no team, and their team's; on PostgreSQL the no-team range from its own
partial index, migration 0027), each at most a page long, combined with UNION
ALL. An ``OR`` of the two would read all of a team's waiting rows to show 26.

Counts read ``queue_counts`` (kept by triggers: a team moderator's two teams'
rows; the independent moderator's rows summed over every team), less the
moderator's own input, which they never moderate (a look-up by author and
recorder, both indexed).

The page's rows, its counts and the filters' rounds and areas are read together
(``db.read_together``): one round trip on PostgreSQL, where each statement on
its own was a round trip plus SQLAlchemy's work on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    String,
    and_,
    bindparam,
    case,
    func,
    not_,
    select,
    text,
    true,
    tuple_,
    union,
    union_all,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable, Select

from portal import db
from portal.models import (
    EVERY_TEAM,
    Area,
    QueueCount,
    Submission,
    SubmissionKind,
    SubmissionStatus,
    User,
)
from portal.moderation.service import not_own, reach, reach_beside_team, team_keys
from portal.rounds.service import ROUNDS_AND_AREAS, FilterChoices, filter_choices
from portal.submissions.release import HELD_COUNT

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
    held: int  # anonymous input waiting for the overnight release
    choices: FilterChoices  # what the filters offer


@dataclass(frozen=True)
class _Shape:
    """What decides a queue statement's structure. Each shape's statements are
    built once per process (SQLAlchemy took several times longer to build them
    than the database took to answer) and every value is a bound parameter."""

    independent: bool
    has_team: bool
    postgres: bool
    by_round: bool
    by_area: bool
    flag: str | None
    after: bool


class _BoundModerator(NamedTuple):
    """The moderator, as ``service.not_own`` and ``service.reach`` read one, with
    their id and team as bound parameters."""

    id: Any
    independent_moderator: bool
    team_id: Any


def _shape(
    session: Session, moderator: User, filters: QueueFilters, after: bool
) -> _Shape:
    flag = filters.flag if filters.flag in ("personal_data", "facilitated") else None
    return _Shape(
        independent=moderator.independent_moderator,
        has_team=moderator.team_id is not None,
        postgres=session.get_bind().dialect.name == "postgresql",
        by_round=bool(filters.round_id),
        by_area=bool(filters.area_id),
        flag=flag,
        after=after,
    )


def _values(
    moderator: User, filters: QueueFilters, cursor: tuple[date, str] | None
) -> dict[str, Any]:
    return {
        "status": filters.status,
        "round_id": filters.round_id,
        "area_id": filters.area_id,
        "me": moderator.id,
        "team": moderator.team_id,
        "after_day": cursor[0] if cursor else None,
        "after_id": cursor[1] if cursor else None,
        "rows": PAGE_SIZE + 1,  # one more than a page: is there a next page?
    }


def _bound(shape: _Shape) -> _BoundModerator:
    team = bindparam("team", type_=Integer) if shape.has_team else None
    return _BoundModerator(bindparam("me", type_=Integer), shape.independent, team)


def _filtered(shape: _Shape, flag: bool = True) -> list[ColumnElement[bool]]:
    conditions = [Submission.status == bindparam("status", type_=String)]
    if shape.by_round:
        conditions.append(Submission.round_id == bindparam("round_id", type_=Integer))
    if shape.by_area:
        conditions.append(Submission.area_id == bindparam("area_id", type_=Integer))
    if flag and shape.flag == "personal_data":
        conditions.append(Submission.has_personal_data.is_(True))
    elif flag and shape.flag == "facilitated":
        conditions.append(Submission.kind == SubmissionKind.FACILITATED)
    return conditions


def queue(
    session: Session, moderator: User, filters: QueueFilters, after: str | None
) -> QueuePage:
    """One page of the queue, oldest day first and in random order within a day
    (ids are random), so arrival order and time are never shown. Keyset pages."""
    cursor = _parse_cursor(after)
    shape = _shape(session, moderator, filters, cursor is not None)
    values = _values(moderator, filters, cursor)
    reads: list[db.Read] = [(_GENERIC_PLANS, {})] if _generic_plans(shape) else []
    reads += [
        (_page_statement(shape), values),
        (_counts_statement(shape), values),
        (ROUNDS_AND_AREAS, {}),
    ]
    *_, rows, (kept_and_own,), choices = db.read_together(session, reads)
    items = [
        QueueRow(item_id, day, kind, flagged, code, title, a or b or c or "")
        for item_id, day, kind, flagged, code, title, a, b, c in rows
    ]
    next_cursor = None
    if len(items) > PAGE_SIZE:
        items = items[:PAGE_SIZE]
        last = items[-1]
        next_cursor = f"{last.submitted_on.isoformat()}_{last.id}"
    counted = _counted(kept_and_own)
    held = counted.pop("held")
    return QueuePage(items, next_cursor, counted, held, filter_choices(choices))


_ROW = (
    Submission.id, Submission.submitted_on, Submission.kind,
    Submission.has_personal_data, Area.code, Area.title, Submission.obstacles,
    Submission.biggest_difference, Submission.practice_example,
)  # fmt: skip


@lru_cache(maxsize=256)
def _page_statement(shape: _Shape) -> Executable:
    """The page's rows, in (day, id) order, one more than a page. The independent
    moderator's from ``ix_submissions_queue``; a team moderator's as two keyset
    ranges of ``ix_submissions_team_queue`` (no team, and their team), each at
    most a page long, combined with UNION ALL."""
    moderator = _bound(shape)
    conditions = [*_filtered(shape), not_own(moderator)]
    if shape.after:
        conditions.append(
            tuple_(Submission.submitted_on, Submission.id)
            > tuple_(
                bindparam("after_day", type_=Date), bindparam("after_id", type_=String)
            )
        )
    order = (Submission.submitted_on, Submission.id)
    if shape.independent:
        return (
            select(*_ROW)
            .join(Area, Area.id == Submission.area_id)
            .where(*conditions, reach(moderator))
            .order_by(*order)
            .limit(bindparam("rows", type_=Integer))
        )
    ranges = [
        select(*_ROW)
        .join(Area, Area.id == Submission.area_id)
        .where(*conditions, reach_beside_team(moderator), _team_is(key))
        .order_by(*order)
        .limit(bindparam("rows", type_=Integer))
        .subquery()
        .select()
        for key in team_keys(moderator)
    ]
    both = union_all(*ranges).subquery()
    return (
        select(both)
        .order_by(both.c.submitted_on, both.c.id)
        .limit(bindparam("rows", type_=Integer))
    )


def _team_is(key: Any) -> ColumnElement[bool]:
    return Submission.team_id.is_(None) if key is None else Submission.team_id == key


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
    shape = _shape(session, moderator, filters, after=False)
    values = _values(moderator, filters, None)
    found = _counted(session.execute(_counts_statement(shape), values).one())
    del found["held"]
    return found


# PostgreSQL plans a prepared statement again for each set of values (a custom
# plan) unless it judges a plan made once without them (a generic plan) no
# worse. For these statements it kept choosing custom plans, and planning was
# most of their cost: at 1M submissions the page took 0.9-1.6 ms and the counts
# 1.0-1.2 ms with custom plans, 0.2-0.5 ms each with generic ones. Every
# part of them is an index range or a look-up by key whatever the values, so
# the generic plan is as good whatever the status, round and cursor (``_own``
# says how its one trap was removed). Not with an area or flag filter: which
# index is best then depends on the value (the independent moderator's area
# filter took 44 ms on the generic plan, 0.6 ms on a custom one), so those
# shapes keep custom plans. For the rest of the page's transaction only (its
# filters and held count are as simple); ``counts`` alone, for other pages,
# leaves their plans alone.
_GENERIC_PLANS = text("SET LOCAL plan_cache_mode = force_generic_plan")


def _generic_plans(shape: _Shape) -> bool:
    return shape.postgres and not shape.by_area and shape.flag is None


def _counted(kept_and_own: Sequence[Any]) -> dict[str, int]:
    """The counts statement's row as counts: the scope's less the moderator's
    own, and the held count."""
    found = {
        name: int(kept_and_own[n]) - int(kept_and_own[n + 3])
        for n, name in enumerate(("all", "personal_data", "facilitated"))
    }
    found["held"] = int(kept_and_own[6])
    return found


@lru_cache(maxsize=64)
def _counts_statement(shape: _Shape) -> Select[Any]:
    """One row: the maintained counts of the moderator's scope, then the same
    counts over their own input, to subtract, then how much anonymous input is
    held for release (one statement: on PostgreSQL each is a round trip)."""
    kept, own = _kept(shape).subquery(), _own(shape).subquery()
    held = HELD_COUNT.scalar_subquery()
    return select(kept, own, held).select_from(kept.join(own, true()))  # a row each


def _kept(shape: _Shape) -> Select[Any]:
    """The maintained counts of the moderator's scope: their two teams' rows, or
    the independent moderator's rows already summed over every team."""
    q = QueueCount
    kept = select(*_sums(q.n, q.personal_data, q.kind)).where(
        q.status == bindparam("status", type_=String), q.status != S.SAFEGUARDING
    )
    if shape.by_round:
        kept = kept.where(q.round_id == bindparam("round_id", type_=Integer))
    if shape.by_area:
        kept = kept.where(q.area_id == bindparam("area_id", type_=Integer))
    if shape.independent:
        return kept.where(q.team_key == EVERY_TEAM)  # every team, already summed
    keys = [0 if key is None else key for key in team_keys(_bound(shape))]
    # One key compared, not a list of one: a list of plain values is expanded
    # into the statement at each execution (``db.read_together`` compiles once).
    team = q.team_key.in_(keys) if len(keys) > 1 else q.team_key == keys[0]
    return kept.join(Area, Area.id == q.area_id).where(
        team,
        not_(and_(q.kind == SubmissionKind.ANONYMOUS, Area.about_management)),
    )


def _own(shape: _Shape) -> Select[Any]:
    """The same counts over the moderator's own input: found by author and by
    recorder, each from its own index, then read by primary key (so neither
    database walks every item of the status for a few of the moderator's)."""
    me = bindparam("me", type_=Integer)
    mine = union(
        select(Submission.id.label("id")).where(Submission.author_id == me),
        select(Submission.id).where(Submission.recorded_by_id == me),
    )
    conditions = [*_filtered(shape, flag=False), reach(_bound(shape))]
    if not shape.postgres:
        return (
            select(*_sums(1, Submission.has_personal_data, Submission.kind))
            .select_from(Submission)
            .join(Area, Area.id == Submission.area_id)
            .where(Submission.id.in_(mine), *conditions)
        )
    # PostgreSQL's generic plan (see _GENERIC_PLANS) cannot know how many items
    # the moderator recorded, guessed tens of thousands (a few people record
    # every session), and so hashed them and walked the whole status: 12 ms at
    # 1M. A lateral look-up per item of the moderator's own cannot be turned
    # into that walk (OFFSET 0 keeps PostgreSQL from flattening it into a join).
    found = mine.subquery("mine")
    own = (
        select(Submission.has_personal_data, Submission.kind)
        .join(Area, Area.id == Submission.area_id)
        .where(Submission.id == found.c.id, *conditions)
        .offset(0)
        .lateral("own")
    )
    return select(*_sums(1, own.c.has_personal_data, own.c.kind)).select_from(
        found.join(own, true())
    )
