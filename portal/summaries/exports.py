"""The data export: approved input with its tags, as CSV or XLSX, streamed
(the workbook: ``export_sheet``).

Rows stream from the database in batches (``rows``; on PostgreSQL the CSV and
the sheet's rows come from one ``COPY``, ``csv_copy``, to the same cells), so
memory does not grow with the number of rows. Team and role go through small-group
suppression judged on the combination each row shows (round, area, team, role),
with the text minimum: these rows carry what people wrote. The author is
included only for named input and only for people allowed to see authors. Every
cell is made safe for spreadsheets (no formulas, no control characters).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import Select, bindparam, func, null, select, tuple_
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

from portal import db
from portal.audit.service import AuditAction, record
from portal.export_formats import csv_rows
from portal.models import (
    Area,
    EngagementRound,
    RoleGroup,
    SubjectContext,
    Submission,
    Team,
    User,
)
from portal.submissions.lifecycle import counts_as_staff_input
from portal.summaries.suppression import HIDDEN, RowRule, suppress_combinations

HEADER = [
    "Round",
    "Area",
    "Recommendations",
    "Themes",
    "Given as",
    "Received on",
    "How much it would help (1 to 5)",
    "What gets in the way",
    "What would make the biggest difference",
    "Example from practice",
    "Team or service",
    "Role",
    "People at the session",
    "Written by",
]
SMALL_GROUP = "Not shown (small group)"
# How each kind of input reads in a file, in the words the pages use.
GIVEN = {"named": "Named", "anonymous": "Anonymous", "facilitated": "Staff session"}
BATCH = 2000


# A row's place in the export's order: its day and id as the driver gives them
# (SQLite: the day as ISO text; PostgreSQL: a date).
Key = tuple[Any, str]


@dataclass(frozen=True)
class ExportRequest:
    round_ids: list[int]
    with_authors: bool
    text_minimum: int
    # A part of the export (``export_parts``): its rows after the key ``after``,
    # up to and including ``until``; None: from the start, to the end.
    after: Key | None = None
    until: Key | None = None


def _conditions(request: ExportRequest, lower: bool = True) -> list[Any]:
    """Which rows the export holds; ``lower``: with its part's lower bound (the
    keyset read starts its first batch there instead)."""
    conditions: list[Any] = [counts_as_staff_input(inline=True)]
    if request.round_ids:
        conditions.append(Submission.round_id.in_(request.round_ids))
    key = tuple_(Submission.submitted_on, Submission.id)
    if lower and request.after is not None:
        day, item = request.after
        conditions.append(
            key
            > tuple_(bindparam("part_after_day", day), bindparam("part_after_id", item))
        )
    if request.until is not None:
        day, item = request.until
        conditions.append(
            key
            <= tuple_(
                bindparam("part_until_day", day), bindparam("part_until_id", item)
            )
        )
    return conditions


def count_flagged(session: Session, round_ids: list[int]) -> int:
    """How many items included (in these rounds) may still hold personal data:
    approved as they are, with a reason, by a moderator. Shown before any export
    so nothing flagged leaves unnoticed."""
    request = ExportRequest(round_ids, False, 0)
    count = session.scalar(
        select(func.count())
        .select_from(Submission)
        .where(*_conditions(request), Submission.has_personal_data.is_(True))
    )
    return int(count or 0)


def count_rows(session: Session, request: ExportRequest) -> int:
    """How many rows the export holds, from the maintained area contexts (every
    approved item counts once under its area): a count over the items read
    every approved row, 3.8 s on SQLite at 1M submissions."""
    x = SubjectContext
    total = session.scalar(
        select(func.coalesce(func.sum(x.n), 0)).where(*_area_contexts(request))
    )
    return int(total or 0)


def _area_contexts(request: ExportRequest) -> list[Any]:
    x = SubjectContext
    facts: list[Any] = [x.subject_type == "area"]
    if request.round_ids:
        facts.append(x.round_id.in_(request.round_ids))
    return facts


def context_rule(session: Session, request: ExportRequest) -> RowRule:
    """Which team and role each row may show: judged on the combination a row
    prints together (round, area, team, role), with the text minimum, because
    these rows carry what people wrote beside the day they wrote it."""
    # From the maintained contexts: every approved item counts once under its
    # area, with its round, team and role (0: none), so no pass over the items.
    x = SubjectContext
    counts: dict[tuple[object, ...], int] = {}
    for round_id, area_id, team_key, role_key, n in session.execute(
        select(x.round_id, x.subject_id, x.team_key, x.role_key, x.n).where(
            *_area_contexts(request)
        )
    ):
        if n:
            key = (round_id, area_id, team_key or None, role_key or None)
            counts[key] = int(n)
    return suppress_combinations(counts, fixed=2, minimum=request.text_minimum)


def _sorted_names(value: str | None) -> str:
    """The same order on both databases (SQLite's group_concat has none)."""
    if not value:
        return ""
    return "; ".join(sorted(value.split("; "))) if "; " in value else value


def source(request: ExportRequest, *columns: Any) -> Select[Any]:
    """The export's rows with their round, area, team, role and author joined:
    what PostgreSQL's ``COPY`` reads (``rows`` names the few rounds, areas,
    teams and roles itself)."""
    return (
        select(*columns)
        .join(EngagementRound, EngagementRound.id == Submission.round_id)
        .join(Area, Area.id == Submission.area_id)
        .outerjoin(Team, Team.id == Submission.team_id)
        .outerjoin(RoleGroup, RoleGroup.id == Submission.role_group_id)
        .outerjoin(User, User.id == Submission.author_id)
        .where(*_conditions(request))
    )


def rows(session: Session, request: ExportRequest) -> Iterator[list[Any]]:
    """The export's rows, batch by batch, by day then random id (so rows never
    reveal arrival order within a day)."""
    rule = context_rule(session, request)
    batches = _batches(session, request)
    # Rounds, areas, teams and role groups are few: named here, not joined to
    # every row (the joins were a third of SQLite's read at 1M).
    titles, area_codes, teams, roles = (
        dict(session.execute(select(model.id, name)).all())
        for model, name in (
            (EngagementRound, EngagementRound.title),
            (Area, Area.code),
            (Team, Team.name),
            (RoleGroup, RoleGroup.name),
        )
    )
    # The team and role each combination shows: at most one entry per maintained
    # fact, however many rows. Days and tag lists repeat row after row too.
    context: dict[tuple[Any, ...], tuple[str, str]] = {}
    days: dict[Any, date] = {}
    names: dict[Any, str] = {}
    for batch in batches:
        for (
            round_id,
            area_id,
            kind,
            day,
            priority,
            obstacles,
            difference,
            example,
            team_id,
            role_id,
            attendees,
            author_id,
            author,
            rec_codes,
            theme_names,
            _item_id,
        ) in batch:
            key = (round_id, area_id, team_id, role_id)
            shown = context.get(key)
            if shown is None:  # once per combination, not once per row
                _, _, team_shown, role_shown = rule.shown(key)
                shown = (
                    _context(teams.get(team_id), team_shown),
                    _context(roles.get(role_id), role_shown),
                )
                context[key] = shown
            recs = names.get(rec_codes)
            if recs is None:
                recs = names[rec_codes] = _sorted_names(rec_codes)
            themes = names.get(theme_names)
            if themes is None:
                themes = names[theme_names] = _sorted_names(theme_names)
            when = days.get(day)
            if when is None:
                when = days[day] = (
                    day if isinstance(day, date) else date.fromisoformat(day)
                )
            yield [
                titles[round_id],
                area_codes[area_id],
                recs,
                themes,
                GIVEN.get(kind, kind),
                when,
                priority,
                obstacles,
                difference,
                example,
                shown[0],
                shown[1],
                attendees,
                author if request.with_authors and author_id else "",
            ]
        if len(names) > 4096:  # tag lists are few; bounded all the same
            names.clear()
        del batch  # not held while the next one loads


def _batches(session: Session, request: ExportRequest) -> Iterator[Sequence[Any]]:
    """The rows as the driver gives them, ``BATCH`` at a time, keyset on (day,
    id): a range of an index in that order, so each batch costs the same however
    far into the export it is. The statement is built once and run through the
    driver: SQLAlchemy's result processing (SQLite's dates parsed from text)
    cost more than the read itself at 1M rows."""
    sql, values, order = keyset_statement(session, request)
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        while True:
            batch = cursor.execute(sql, _driver_params(values, order)).fetchall()
            if not batch:
                return
            values["after_day"], values["after_id"] = batch[-1][3], batch[-1][-1]
            yield batch
            del batch  # one batch in memory at a time, not two while the next loads
    finally:
        cursor.close()


def keyset_statement(
    session: Session, request: ExportRequest
) -> tuple[str, dict[str, Any], Sequence[str] | None]:
    """The batch statement as the driver runs it, its values (the first batch's:
    before every day) and, for a positional driver, their order. On SQLite it
    names the export's covering index (migration 0026, ``db.indexed_by``)."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    author: Any = User.display_name if request.with_authors else null()
    statement = (
        select(
            Submission.round_id,
            Submission.area_id,
            Submission.kind,
            Submission.submitted_on,
            Submission.priority,
            Submission.obstacles,
            Submission.biggest_difference,
            Submission.practice_example,
            Submission.team_id,
            Submission.role_group_id,
            Submission.attendees,
            Submission.author_id,
            author,
            Submission.recommendation_codes,
            Submission.theme_names,
            Submission.id,
        )
        .where(
            *_conditions(request, lower=False),
            tuple_(Submission.submitted_on, Submission.id)
            > tuple_(bindparam("after_day", None), bindparam("after_id", None)),
        )
        .order_by(Submission.submitted_on, Submission.id)
        .limit(BATCH)
    )
    if request.with_authors:  # the one name not read from a small table
        statement = statement.outerjoin(User, User.id == Submission.author_id)
    sql, values, order = _for_driver(session, statement)
    # Before every day (SQLite keeps days as ISO text, PostgreSQL as dates), or
    # where the part starts.
    start = request.after or (("" if sqlite else date.min), "")
    values["after_day"], values["after_id"] = start
    return sql, values, order


def _for_driver(
    session: Session, statement: ClauseElement
) -> tuple[str, dict[str, Any], Sequence[str] | None]:
    """``statement`` as the driver runs it: its SQL (on SQLite reading the
    export's covering index, migration 0026, ``db.indexed_by``), its values and,
    for a positional driver, their order (``_driver_params``)."""
    compiled = cast(
        SQLCompiler,
        statement.compile(
            dialect=session.get_bind().dialect,
            compile_kwargs={"render_postcompile": True},
        ),
    )
    sql = str(compiled)
    if session.get_bind().dialect.name == "sqlite":
        sql = db.indexed_by(sql, "submissions", "ix_submissions_export")
    return sql, dict(compiled.params), compiled.positiontup


def _driver_params(
    values: dict[str, Any], order: Sequence[str] | None
) -> tuple[Any, ...] | dict[str, Any]:
    return tuple(values[name] for name in order) if order else values


def key_at(session: Session, request: ExportRequest, offset: int) -> Key | None:
    """The key (``Key``) of the row ``offset`` rows into the export (0: its
    first), None past its end: where a part of the export ends
    (``export_parts``). On SQLite it skips along the export's covering index."""
    statement = (
        select(Submission.submitted_on, Submission.id)
        .where(*_conditions(request))
        .order_by(Submission.submitted_on, Submission.id)
        .limit(1)
        .offset(bindparam("skip", offset))
    )
    sql, values, order = _for_driver(session, statement)
    # Through the driver, as ``_batches`` reads: the key in the form it compares.
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        found = cursor.execute(sql, _driver_params(values, order)).fetchone()
    finally:
        cursor.close()
    return (found[0], found[1]) if found else None


def _context(name: str | None, shown: object) -> str:
    # Hidden is hidden whether or not a value was given: a blank would tell.
    if shown is HIDDEN:
        return SMALL_GROUP
    return name or ""


def csv_bytes(
    session: Session,
    request: ExportRequest,
    progress: Callable[[int], None] | None = None,
    header: bool = True,
) -> Iterator[bytes]:
    """The CSV file in UTF-8 chunks: made by PostgreSQL's COPY on PostgreSQL
    (``csv_copy``), else row by row here; the two give the same bytes.
    ``progress`` hears how many rows each chunk holds; without ``header``, the
    rows only (a later part of the file)."""
    if session.get_bind().dialect.name == "postgresql":
        from portal.summaries import csv_copy  # it builds on this module

        return csv_copy.csv_bytes(session, request, progress, header)
    data = rows(session, request)
    if progress:
        data = counted(data, progress)
    chunks = csv_rows(HEADER if header else None, data)
    return (chunk.encode() for chunk in chunks)


def counted(
    data: Iterator[list[Any]], progress: Callable[[int], None], every: int = 1000
) -> Iterator[list[Any]]:
    """The same rows, telling ``progress`` how many have passed, ``every`` at a
    time (a progress bar: told of each row, it cost 0.3 s of a 550,000-row
    export)."""
    passed = 0
    for row in data:
        passed += 1
        if passed == every:
            progress(passed)
            passed = 0
        yield row
    if passed:
        progress(passed)


def sheet_rows(session: Session, request: ExportRequest) -> Iterator[list[Any]]:
    """The rows for the XLSX writer: on PostgreSQL read from a COPY
    (``csv_copy.sheet_rows``: the same rows, built by the database in its own
    process while this one writes), else ``rows``."""
    if session.get_bind().dialect.name == "postgresql":
        from portal.summaries import csv_copy  # it builds on this module

        return csv_copy.sheet_rows(session, request)
    return rows(session, request)


def record_export(
    session: Session, actor: User | None, request: ExportRequest, fmt: str, rows: int
) -> None:
    """Who exported what, with which filters and how many rows."""
    record(
        session,
        actor,
        AuditAction.DATA_EXPORTED,
        "export",
        fmt,
        after={
            "rounds": request.round_ids,
            "rows": rows,
            "authors": request.with_authors,
        },
    )
