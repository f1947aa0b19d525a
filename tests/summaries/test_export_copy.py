"""On PostgreSQL the CSV export is made by COPY (portal/summaries/csv_copy.py):
it must give the same bytes as the rows written in Python, cell by cell, for
the cells that are hard to get right (formulas, quotes, line breaks, empty
answers, small groups, authors, tag order)."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date

import pytest
from sqlalchemy import insert
from sqlalchemy.orm import Session

from portal.export_formats import csv_rows
from portal.models import (
    EngagementRound,
    Recommendation,
    RecommendationTag,
    Role,
    RoleGroup,
    Submission,
    Theme,
    ThemeTag,
)
from portal.summaries import csv_copy
from portal.summaries.exports import HEADER, ExportRequest, csv_bytes, rows, sheet_rows
from tests.factories import make_team, make_user

# Raw cells, stored as they are (not through the form, which cleans them).
AWKWARD = [
    "=1+2",
    "+44 7700 900000",
    "-minus",
    "@mention",
    "\tleading tab",
    "\r\nleading line break",
    'says "hello", then leaves',
    "line one\r\nline two",
    "line one\nline two",
    "Crèche — £5 😀",
    "plain",
    "",
]


@pytest.fixture
def awkward_items(session: Session, open_round: EngagementRound) -> None:
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("COPY is PostgreSQL's; SQLite writes the rows in Python")
    big, small = make_team(session, "Big, team"), make_team(session, "=Tiny")
    worker, manager = RoleGroup(name="Social worker"), RoleGroup(name="Manager")
    themes = [Theme(name=n) for n in ("beta", "Alpha", "alpha", "Émile")]
    session.add_all([worker, manager, *themes])
    author = make_user(session, Role.CONTRIBUTOR, name="+Author, O'Neil")
    session.commit()
    recommendations = session.query(Recommendation).limit(3).all()
    values = []
    for n, text in enumerate(AWKWARD * 3):
        team = big if n % 4 else small
        values.append(
            {
                "id": str(uuid.UUID(int=n + 1)),
                "round_id": open_round.id,
                "area_id": open_round.areas[n % 2].id,
                "kind": ("named", "anonymous", "facilitated")[n % 3],
                "status": "approved",
                "author_id": author.id if n % 3 == 0 else None,
                "submitted_on": date(2015, 11, 1 + n % 5),
                "obstacles": text,
                "biggest_difference": AWKWARD[(n + 3) % len(AWKWARD)],
                "practice_example": "" if n % 2 else text,
                "priority": None if n % 5 == 0 else 1 + n % 5,
                "team_id": None if n % 7 == 0 else team.id,
                "role_group_id": (None, worker.id, manager.id)[n % 3],
                "attendees": 12 if n % 3 == 2 else None,
                "idempotency_key": uuid.uuid4().hex * 2,
                "has_personal_data": False,
                "safeguarding_flag": False,
                "redactions": 0,
            }
        )
    session.execute(insert(Submission), values)
    for n, item in enumerate(values):
        for theme in themes[: n % 5]:
            session.add(ThemeTag(submission_id=item["id"], theme_id=theme.id))
        for rec in recommendations[: n % 4]:
            session.add(
                RecommendationTag(submission_id=item["id"], recommendation_id=rec.id)
            )
    session.commit()


@pytest.mark.parametrize("with_authors", [False, True])
@pytest.mark.parametrize("minimum", [1, 5, 100])
def test_copy_gives_the_same_bytes_as_the_rows_written_in_python(
    session: Session, awkward_items: None, with_authors: bool, minimum: int
) -> None:
    request = ExportRequest([], with_authors, minimum)
    in_python = "".join(csv_rows(HEADER, rows(session, request))).encode()
    copied = b"".join(csv_copy.csv_bytes(session, request))
    assert copied.splitlines() == in_python.splitlines()
    assert copied == in_python


def test_the_copied_csv_reads_back_as_written(
    session: Session, awkward_items: None
) -> None:
    counted: list[int] = []
    data = b"".join(csv_bytes(session, ExportRequest([], True, 5), counted.append))
    text = data.decode("utf-8")
    assert text.startswith("\ufeff") and "\r\n" in text
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    header, body = table[0], table[1:]
    assert header == HEADER and len(body) == 36 and sum(counted) == 36
    column = {name: header.index(name) for name in header}
    obstacles = [row[column["What gets in the way"]] for row in body]
    assert obstacles.count("'=1+2") == 3 and obstacles.count("'+44 7700 900000") == 3
    assert obstacles.count("'\tleading tab") == 3
    assert obstacles.count("'\r\nleading line break") == 3
    assert obstacles.count('says "hello", then leaves') == 3
    assert obstacles.count("line one\r\nline two") == 3
    assert obstacles.count("Crèche — £5 😀") == 3
    assert obstacles.count("") == 3
    authors = {row[column["Written by"]] for row in body}
    assert authors == {"", "'+Author, O'Neil"}
    themes = {row[column["Themes"]] for row in body}
    assert "Alpha; alpha; beta; Émile" in themes  # by code point, as Python sorts
    teams = {row[column["Team or service"]] for row in body}
    assert "Big, team" in teams and "'=Tiny" not in teams  # 9 rows: too few
    assert [row[column["Received on"]] for row in body][:1] == ["2015-11-01"]


@pytest.mark.parametrize("minimum", [1, 5])
def test_the_sheet_reads_the_same_rows_from_copy(
    session: Session, awkward_items: None, minimum: int
) -> None:
    """The XLSX writer's rows on PostgreSQL come from the same COPY: the same
    values and types as ``exports.rows`` (dates, numbers, empty cells)."""
    request = ExportRequest([], True, minimum)
    copied = list(sheet_rows(session, request))
    assert copied == list(rows(session, request))
    assert copied[0][HEADER.index("Received on")] == date(2015, 11, 1)
    assert {row[HEADER.index("How much it would help (1 to 5)")] for row in copied} == {
        None, 2, 3, 4, 5
    }  # fmt: skip
