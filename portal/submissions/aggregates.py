"""The maintained figures (``queue_counts``, ``subject_counts``,
``subject_contexts``, ``coverage_cells``, ``subject_related`` and
``subject_phrases``, kept by triggers: migrations 0018-0020, 0022, 0024 and
0025) and how to recount them: ``portal rebuild-aggregates`` after a restore from
an old backup or a manual repair, and the tests that prove the triggers right."""

from __future__ import annotations

from typing import Any

import click
from flask.cli import with_appcontext
from sqlalchemy import (
    CompoundSelect,
    Integer,
    Select,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from portal import db
from portal.models import (
    EVERY_TEAM,
    CoverageCell,
    QueueCount,
    RecommendationTag,
    SubjectContext,
    SubjectCount,
    SubjectPhrase,
    SubjectRelated,
    Submission,
    SubmissionPhrase,
    ThemeTag,
)
from portal.submissions import tag_names
from portal.submissions.lifecycle import counts_as_staff_input

# (status, team_key, round_id, area_id, kind, personal_data)
Key = tuple[str, int, int, int, str, bool]


def _recount_query() -> CompoundSelect[str, int, int, int, str, bool, int]:
    """Each combination per team (0: no team), and summed over every team."""
    team_key = func.coalesce(Submission.team_id, 0)
    combination = (
        Submission.status,
        Submission.round_id,
        Submission.area_id,
        Submission.kind,
        Submission.has_personal_data,
    )
    s, r, a, k, p = combination
    per_team = select(s, team_key, r, a, k, p, func.count()).group_by(
        team_key, *combination
    )
    every_team = select(
        s, literal(EVERY_TEAM, Integer), r, a, k, p, func.count()
    ).group_by(*combination)
    return union_all(per_team, every_team)


def recounted(session: Session) -> dict[Key, int]:
    """The queue counts as a full count of ``submissions`` finds them now."""
    rows: Any = session.execute(_recount_query())
    return {(s, int(t), r, a, k, bool(p)): int(n) for s, t, r, a, k, p, n in rows}


def maintained(session: Session) -> dict[Key, int]:
    """The queue counts as kept, leaving out combinations that fell to zero."""
    q = QueueCount
    rows: Any = session.execute(
        select(
            q.status, q.team_key, q.round_id, q.area_id, q.kind, q.personal_data, q.n
        ).where(q.n != 0)
    )
    return {(s, t, r, a, k, bool(p)): n for s, t, r, a, k, p, n in rows}


# What each summary table breaks the counted items down by (0: not given).
_COUNT_DIMS = (
    Submission.round_id,
    Submission.kind,
    func.coalesce(Submission.priority, 0),
)
_CONTEXT_DIMS = (
    Submission.round_id,
    func.coalesce(Submission.team_id, 0),
    func.coalesce(Submission.role_group_id, 0),
)


def _subject_sources() -> list[tuple[str, Any, Any]]:
    """(subject type, its id column, the link table an item reaches it through)."""
    return [
        ("area", Submission.area_id, None),
        ("recommendation", RecommendationTag.recommendation_id, RecommendationTag),
        ("theme", ThemeTag.theme_id, ThemeTag),
    ]


def _facts_queries(dims: tuple[Any, ...], totals: list[Any]) -> list[Select[Any]]:
    """What every counted item contributes to one summary table, recounted."""
    made = []
    for name, column, link in _subject_sources():
        query = select(literal(name), column, *dims, *totals)
        if link is not None:
            query = query.join(Submission, Submission.id == link.submission_id)
        made.append(query.where(counts_as_staff_input()).group_by(column, *dims))
    return made


def _counts_queries() -> list[Select[Any]]:
    totals = [func.count(), func.coalesce(func.sum(Submission.attendees), 0)]
    return _facts_queries(_COUNT_DIMS, totals)


def _contexts_queries() -> list[Select[Any]]:
    return _facts_queries(_CONTEXT_DIMS, [func.count()])


def _cells_queries() -> list[Select[int, int, int]]:
    counted = counts_as_staff_input()
    cells = (
        select(RecommendationTag.recommendation_id, Submission.area_id, func.count())
        .join(Submission, Submission.id == RecommendationTag.submission_id)
        .where(counted)
        .group_by(RecommendationTag.recommendation_id, Submission.area_id)
    )
    any_tag = or_(
        exists().where(RecommendationTag.submission_id == Submission.id),
        exists().where(ThemeTag.submission_id == Submission.id),
    )
    analysed = select(literal(0), literal(0), func.count()).where(counted, any_tag)
    approved = (
        select(literal(0), Submission.area_id, func.count())
        .where(counted)
        .group_by(Submission.area_id)
    )
    return [cells, analysed, approved]


def facts_recounted(session: Session) -> dict[tuple[Any, ...], tuple[int, ...]]:
    """``subject_counts`` and ``subject_contexts`` as a full count finds them,
    each key led by its table's name."""
    found: dict[tuple[Any, ...], tuple[int, ...]] = {}
    for table, queries in (
        ("counts", _counts_queries()),
        ("contexts", _contexts_queries()),
    ):
        for query in queries:
            for row in session.execute(query):
                key, figures = row[:5], row[5:]
                found[(table, *key)] = tuple(int(f) for f in figures)
    return found


def facts_maintained(session: Session) -> dict[tuple[Any, ...], tuple[int, ...]]:
    """The same, as the triggers keep them (rows that fell to zero left out)."""
    c, x = SubjectCount, SubjectContext
    found: dict[tuple[Any, ...], tuple[int, ...]] = {}
    for table, query in (
        ("counts", select(c.subject_type, c.subject_id, c.round_id, c.kind,
                          c.priority, c.n, c.attendees).where(c.n != 0)),
        ("contexts", select(x.subject_type, x.subject_id, x.round_id, x.team_key,
                            x.role_key, x.n).where(x.n != 0)),
    ):  # fmt: skip
        for row in session.execute(query):
            found[(table, *row[:5])] = tuple(row[5:])
    return found


def cells_recounted(session: Session) -> dict[tuple[int, int], int]:
    found: dict[tuple[int, int], int] = {}
    for query in _cells_queries():
        for rec, area, n in session.execute(query):
            if n:
                found[(int(rec), int(area))] = int(n)
    return found


def cells_maintained(session: Session) -> dict[tuple[int, int], int]:
    c = CoverageCell
    rows: Any = session.execute(
        select(c.recommendation_id, c.area_id, c.n).where(c.n != 0)
    )
    return {(rec, area): n for rec, area, n in rows}


def _phrases_queries() -> list[Select[Any]]:
    made = []
    for name, column, link in _subject_sources():
        query = select(
            literal(name),
            column,
            Submission.round_id,
            SubmissionPhrase.key,
            SubmissionPhrase.text,
            func.count(),
        )
        query = query.select_from(Submission)
        if link is not None:
            query = query.join(link, link.submission_id == Submission.id)
        made.append(
            query.join(
                SubmissionPhrase, SubmissionPhrase.submission_id == Submission.id
            )
            .where(counts_as_staff_input())
            .group_by(
                column, Submission.round_id, SubmissionPhrase.key, SubmissionPhrase.text
            )
        )
    return made


def _related_queries() -> list[Select[Any]]:
    rec, theme = RecommendationTag, ThemeTag
    counted = counts_as_staff_input()
    by_theme = (
        select(
            literal("area"),
            Submission.area_id,
            Submission.round_id,
            theme.theme_id,
            func.count(),
        )
        .join(theme, theme.submission_id == Submission.id)
        .where(counted)
        .group_by(Submission.area_id, Submission.round_id, theme.theme_id)
    )
    pairs = (
        select(Submission.round_id, rec.recommendation_id, theme.theme_id)
        .join(rec, rec.submission_id == Submission.id)
        .join(theme, theme.submission_id == Submission.id)
        .where(counted)
        .subquery()
    )
    rec_themes = select(
        literal("recommendation"),
        pairs.c.recommendation_id,
        pairs.c.round_id,
        pairs.c.theme_id,
        func.count(),
    ).group_by(pairs.c.recommendation_id, pairs.c.round_id, pairs.c.theme_id)
    theme_recs = select(
        literal("theme"),
        pairs.c.theme_id,
        pairs.c.round_id,
        pairs.c.recommendation_id,
        func.count(),
    ).group_by(pairs.c.theme_id, pairs.c.round_id, pairs.c.recommendation_id)
    return [by_theme, rec_themes, theme_recs]


def links_recounted(session: Session) -> dict[tuple[Any, ...], int]:
    """Related pairs (4-part keys) and phrases (5-part keys), recounted."""
    found: dict[tuple[Any, ...], int] = {}
    for query in [*_related_queries(), *_phrases_queries()]:
        for *key, n in session.execute(query):
            found[tuple(key)] = int(n)
    return found


def links_maintained(session: Session) -> dict[tuple[Any, ...], int]:
    r, p = SubjectRelated, SubjectPhrase
    found: dict[tuple[Any, ...], int] = {}
    for query in (
        select(r.subject_type, r.subject_id, r.round_id, r.related_id, r.n).where(
            r.n != 0
        ),
        select(p.subject_type, p.subject_id, p.round_id, p.key, p.text, p.n).where(
            p.n != 0
        ),
    ):
        for *key, n in session.execute(query):
            found[tuple(key)] = int(n)
    return found


def phrase_rows_at_zero(session: Session) -> int:
    """Wording left behind at a count of zero (there must be none)."""
    return int(
        session.scalar(
            select(func.count()).select_from(SubjectPhrase).where(SubjectPhrase.n <= 0)
        )
        or 0
    )


def rebuild(session: Session) -> int:
    """Recount from scratch (in the caller's transaction); returns the rows."""
    every = (QueueCount, SubjectCount, SubjectContext, CoverageCell, SubjectRelated,
             SubjectPhrase)  # fmt: skip
    for model in every:
        session.execute(delete(model))
    columns = [
        "status",
        "team_key",
        "round_id",
        "area_id",
        "kind",
        "personal_data",
        "n",
    ]
    session.execute(insert(QueueCount).from_select(columns, _recount_query()))
    key = ["subject_type", "subject_id", "round_id"]
    for query in _counts_queries():
        columns = [*key, "kind", "priority", "n", "attendees"]
        session.execute(insert(SubjectCount).from_select(columns, query))
    for query in _contexts_queries():
        columns = [*key, "team_key", "role_key", "n"]
        session.execute(insert(SubjectContext).from_select(columns, query))
    for cells in _cells_queries():
        session.execute(
            insert(CoverageCell).from_select(
                ["recommendation_id", "area_id", "n"], cells
            )
        )
    for related in _related_queries():
        session.execute(
            insert(SubjectRelated).from_select(
                ["subject_type", "subject_id", "round_id", "related_id", "n"], related
            )
        )
    for said in _phrases_queries():
        session.execute(
            insert(SubjectPhrase).from_select(
                ["subject_type", "subject_id", "round_id", "key", "text", "n"], said
            )
        )
    # The tag names kept on each item for the export (tag_names.py).
    tag_names.rebuild(session)
    return sum(
        int(session.scalar(select(func.count()).select_from(model)) or 0)
        for model in every
    )


@click.command("rebuild-aggregates")
@with_appcontext
def rebuild_aggregates_command() -> None:
    """Recount the maintained queue counts, summary facts and coverage cells
    from the submissions and tags themselves."""
    session = db.get_session()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    rows = rebuild(session)
    db.commit(session)
    click.echo(f"Aggregates rebuilt: {rows} rows.")
