"""The data export on PostgreSQL, made by the database with ``COPY``.

Row by row in Python the CSV cost about 3.7 s per 100,000 rows at 1M
submissions (issue 16); PostgreSQL's ``COPY (query) TO STDOUT`` writes the same
CSV in C, in its own process, and Python only passes its rows on. The XLSX
writer reads its rows from the same COPY (``sheet_rows``). The query gives every cell as
``exports.rows`` and ``export_formats.csv_field`` make it, so the two files are
the same bytes (``tests/summaries/test_export_copy.py`` compares them):

- formulas neutralised with a leading apostrophe (``safe_cell``; PostgreSQL
  text cannot hold the NUL byte it also removes);
- an empty value written bare (COPY quotes an empty string, not a NULL);
- tag names as the triggers keep them on the item, sorted by code point
  (``COLLATE "C"``, as Python sorts; migration 0026);
- team and role through the same small-group rule (``exports.context_rule``),
  its visible combinations passed as arrays;
- lines ended with CRLF (COPY ends them with LF; each row arrives on its own).

Quoting is COPY's: a field is quoted when it holds a comma, a quote or a line
break, as ``csv_field`` does (COPY also quotes a field that is exactly ``\\.``).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from sqlalchemy import (
    ARRAY,
    Integer,
    String,
    and_,
    bindparam,
    case,
    func,
    literal,
    text,
)
from sqlalchemy.orm import Session

from portal.export_formats import FORMULA_STARTS, csv_line
from portal.models import (
    Area,
    EngagementRound,
    RoleGroup,
    Submission,
    Team,
    User,
)
from portal.summaries import exports

BATCH_BYTES = 1 << 20  # rows are passed on about a megabyte at a time
_STARTS = [s for s in FORMULA_STARTS if s != "\0"]  # no NUL in PostgreSQL text


def csv_bytes(
    session: Session,
    request: exports.ExportRequest,
    progress: Callable[[int], None] | None = None,
    header: bool = True,
) -> Iterator[bytes]:
    """The CSV file, byte-order mark and header first (unless not ``header``),
    in chunks of rows; ``progress`` hears how many rows each chunk holds."""
    if header:
        yield ("\ufeff" + csv_line(exports.HEADER)).encode()
    statement, values = _statement(session, request)
    with _copied(session, statement, values) as lines:
        pending: list[bytes] = []
        size = 0
        for line in lines:
            pending.append(line[:-1] + b"\r\n")  # LF to CRLF, as csv_line
            size += len(line)
            if size >= BATCH_BYTES:
                if progress:
                    progress(len(pending))
                yield b"".join(pending)
                pending.clear()
                size = 0
        if pending:
            if progress:
                progress(len(pending))
            yield b"".join(pending)


def sheet_rows(session: Session, request: exports.ExportRequest) -> Iterator[list[Any]]:
    """The rows ``exports.rows`` gives, read from the same COPY (PostgreSQL
    builds them in its own process while this one writes the sheet): CSV parsed
    by the csv module, the day back to a date, numbers back to numbers."""
    statement, values = _statement(session, request, guard=False)
    days: dict[str, date] = {}
    with _copied(session, statement, values) as lines:
        for cells in csv.reader(line.decode() for line in lines):
            row: list[Any] = cells
            day = cells[_DAY]
            row[_DAY] = days.get(day) or days.setdefault(day, date.fromisoformat(day))
            for n in _NUMBERS:
                row[n] = int(cells[n]) if cells[n] else None
            yield row


_DAY = exports.HEADER.index("Received on")
_NUMBERS = [
    n for n, h in enumerate(exports.HEADER) if h.startswith(("How much", "People"))
]


@contextmanager
def _copied(
    session: Session, statement: str, values: dict[str, Any]
) -> Iterator[Iterator[bytes]]:
    """The COPY's rows, one ``bytes`` each, ending in LF."""
    # For this transaction only: with the visible combinations as a merge join,
    # PostgreSQL rescanned them for every row of a combination (55 million rows
    # read for 550,000 at 1M); as a hash join it reads them once.
    session.execute(text("SET LOCAL enable_mergejoin = off"))
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(statement, values) as copy:
            yield (bytes(row) for row in copy)
    finally:
        cursor.close()


def _statement(
    session: Session, request: exports.ExportRequest, guard: bool = True
) -> tuple[str, dict[str, Any]]:
    """The COPY statement and its values. ``guard``: cells as the CSV writes
    them; without, as ``exports.rows`` gives them (the XLSX writer guards and
    escapes each cell itself)."""

    def _cell(value: Any) -> Any:
        return _safe_cell(value) if guard else func.nullif(value, "")

    visible = _visible_contexts(session, request)
    shown = (
        func.unnest(
            bindparam("v_round", visible["v_round"], ARRAY(Integer)),
            bindparam("v_area", visible["v_area"], ARRAY(Integer)),
            bindparam("v_team", visible["v_team"], ARRAY(Integer)),
            bindparam("v_role", visible["v_role"], ARRAY(Integer)),
            bindparam("v_level", visible["v_level"], ARRAY(Integer)),
        )
        .table_valued("round_id", "area_id", "team_key", "role_key", "level")
        .render_derived(name="shown")
    )
    level = shown.c.level
    hidden = literal(exports.SMALL_GROUP, String)
    author: Any = literal(None, String)
    if request.with_authors:
        author = case((Submission.author_id.is_not(None), User.display_name))
    query = (
        exports.source(
            request,
            _cell(EngagementRound.title),
            _cell(Area.code),
            _cell(Submission.recommendation_codes),
            _cell(Submission.theme_names),
            _cell(case(exports.GIVEN, value=Submission.kind, else_=Submission.kind)),
            func.to_char(Submission.submitted_on, "YYYY-MM-DD"),
            Submission.priority,
            _cell(Submission.obstacles),
            _cell(Submission.biggest_difference),
            _cell(Submission.practice_example),
            case((level <= 1, _cell(Team.name)), else_=hidden),
            case((level == 0, _cell(RoleGroup.name)), else_=hidden),
            Submission.attendees,
            _cell(author),
        )
        # Combinations the rule does not know show nothing: the rule's default.
        .outerjoin(
            shown,
            and_(
                shown.c.round_id == Submission.round_id,
                shown.c.area_id == Submission.area_id,
                shown.c.team_key == func.coalesce(Submission.team_id, 0),
                shown.c.role_key == func.coalesce(Submission.role_group_id, 0),
            ),
        )
        .order_by(Submission.submitted_on, Submission.id)
    )
    compiled = query.compile(
        dialect=session.get_bind().dialect,
        compile_kwargs={"render_postcompile": True},
    )
    sql = f"COPY ({compiled}) TO STDOUT WITH (FORMAT csv)"
    return sql, compiled.params


def _visible_contexts(
    session: Session, request: exports.ExportRequest
) -> dict[str, list[int]]:
    """The combinations whose team (level 0 or 1) or role too (level 0) may
    show, as the arrays the query unnests (0 for no team or role)."""
    rule = exports.context_rule(session, request)
    arrays: dict[str, list[int]] = {
        "v_round": [],
        "v_area": [],
        "v_team": [],
        "v_role": [],
        "v_level": [],
    }
    for (round_id, area_id, team, role), level in rule.levels.items():
        if level >= 2:
            continue
        arrays["v_round"].append(int(round_id))  # type: ignore[call-overload]
        arrays["v_area"].append(int(area_id))  # type: ignore[call-overload]
        arrays["v_team"].append(int(team or 0))  # type: ignore[call-overload]
        arrays["v_role"].append(int(role or 0))  # type: ignore[call-overload]
        arrays["v_level"].append(level)
    return arrays


def _safe_cell(value: Any) -> Any:
    """``safe_cell`` in SQL: a value a spreadsheet would run as a formula gets a
    leading apostrophe; an empty one becomes NULL, which COPY writes bare."""
    text = func.nullif(value, "")
    starts = func.left(text, 1).in_(_STARTS)
    return case((starts, literal("'", String) + text), else_=text)
