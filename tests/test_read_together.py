"""``db.read_together``: several reads of one transaction, sent to PostgreSQL
together (one round trip) and run in turn on SQLite, with the same rows, the
same errors and the same engine events as ``session.execute``."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import (
    Date,
    Integer,
    String,
    TypeDecorator,
    bindparam,
    event,
    func,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from portal import db
from portal.models import EngagementRound, Submission
from tests.conftest import round_trips_counted
from tests.factories import make_submission, make_user


class _Shouted(TypeDecorator[str]):
    """A type whose values the driver gets changed (upper case), as SQLAlchemy
    converts an enum or a JSON value before the driver sees it."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else value.upper()


_BY_AREA = (
    select(func.count())
    .select_from(Submission)
    .where(
        Submission.area_id == bindparam("area", type_=Integer),
        Submission.submitted_on >= bindparam("since", type_=Date),
    )
)
_NOTHING = select(Submission.id).where(Submission.id == bindparam("no", type_=String))
_SHOUTED = select(bindparam("word", type_=_Shouted()))


def _no_rows_statement(session: Session) -> Any:
    """A statement that returns no rows at all (not an empty result)."""
    if session.get_bind().dialect.name == "postgresql":
        return text("SET LOCAL work_mem = '8MB'")
    return text("PRAGMA cache_size = -2000")


def test_each_read_gives_its_own_rows(
    session: Session, open_round: EngagementRound
) -> None:
    writer = make_user(session)
    for area_index in (0, 0, 1):
        make_submission(session, writer, open_round, area_index=area_index)
    session.commit()
    first, second = (area.id for area in open_round.areas[:2])
    long_ago = date(2000, 1, 1)

    found = db.read_together(
        session,
        [
            (_BY_AREA, {"area": first, "since": long_ago}),
            (_no_rows_statement(session), {}),
            (_BY_AREA, {"area": second, "since": long_ago}),
            (_NOTHING, {"no": "not an id"}),
            (_SHOUTED, {"word": "quiet"}),
        ],
    )

    counts = [tuple(row) for row in found[0]], [tuple(row) for row in found[2]]
    assert counts == ([(2,)], [(1,)])
    assert found[1] == [] and list(found[3]) == []
    assert [tuple(row) for row in found[4]] == [("QUIET",)], "converted as SQLAlchemy"


def test_the_reads_see_what_the_session_has_not_yet_written(
    session: Session, open_round: EngagementRound
) -> None:
    """As ``session.execute`` would, the pending changes are written first."""
    item = make_submission(session, make_user(session), open_round)
    session.commit()
    item.area_id = open_round.areas[1].id  # changed, not yet flushed
    long_ago = date(2000, 1, 1)
    found = db.read_together(
        session, [(_BY_AREA, {"area": open_round.areas[1].id, "since": long_ago})]
    )
    assert [tuple(row) for row in found[0]] == [(1,)]
    session.rollback()


def test_the_engine_hears_each_statement(app: Flask, session: Session) -> None:
    heard: list[str] = []

    def keep(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("SELECT"):  # not SQLite's BEGIN
            heard.append(statement)

    engine = db.get_engine(app)
    event.listen(engine, "before_cursor_execute", keep)
    try:
        db.read_together(session, [(_SHOUTED, {"word": "a"}), (_NOTHING, {"no": "b"})])
    finally:
        event.remove(engine, "before_cursor_execute", keep)

    assert len(heard) == 2 and "submissions" in heard[1]


def test_a_failing_read_raises_sqlalchemys_error_without_its_values(
    session: Session,
) -> None:
    secret = "Ask Jordan Smith, 07700 900123"
    broken = text("SELECT no_such_column FROM submissions WHERE id = :secret")
    with pytest.raises(DBAPIError) as raised:
        db.read_together(
            session, [(_SHOUTED, {"word": "a"}), (broken, {"secret": secret})]
        )
    assert "no_such_column" in str(raised.value)
    assert "Jordan" not in str(raised.value), "values hidden, as the engine hides them"
    session.rollback()


def test_a_list_of_values_is_refused_on_every_database(session: Session) -> None:
    """A statement is compiled once for every later use, so a list expanded into
    it at each execution cannot be (refused on SQLite too, so code that works
    there works on PostgreSQL)."""
    listed = select(Submission.id).where(
        Submission.id.in_(bindparam("ids", expanding=True))
    )
    with pytest.raises(ValueError, match="list of values"):
        db.read_together(session, [(listed, {"ids": ["a", "b"]})])


def test_postgresql_answers_every_read_in_one_round_trip(app: Flask) -> None:
    engine = db.get_engine(app)
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite answers in process")
    reads: list[db.Read] = [
        (_BY_AREA, {"area": 1, "since": date(2000, 1, 1)}),
        (text("SET LOCAL work_mem = '8MB'"), {}),
        (_SHOUTED, {"word": "x"}),
        (_NOTHING, {"no": "y"}),
    ]
    with round_trips_counted(engine) as counts:
        session = db.read_session(app)
        try:
            db.read_together(session, reads)
            session.commit()
        finally:
            session.close()
    # BEGIN, the four reads, COMMIT.
    assert counts == [3]
