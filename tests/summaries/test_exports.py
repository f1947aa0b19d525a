"""The data export: CSV and XLSX, streamed, safe cells, small groups not named,
authors only when allowed, every export audited."""

from __future__ import annotations

import csv
import io
import re
import tracemalloc
import uuid
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from portal.models import (
    AuditEvent,
    EngagementRound,
    Recommendation,
    RecommendationTag,
    Role,
    Submission,
    Team,
    User,
)
from portal.summaries import exports
from portal.summaries.exports import HEADER, ExportRequest, count_rows, rows
from tests.conftest import reload, sign_in_as
from tests.factories import make_open_round, make_submission, make_team, make_user

HOSTILE = ['=HYPERLINK("http://x","y")', "+SUM(1,1)", "-2+3", "@cmd", "\tTabbed",
           "<script>alert(1)</script>", "ctrl\x0bchars"]  # fmt: skip


def _approved(
    session: Session,
    item_round: EngagementRound,
    text: str,
    team: Team | None = None,
    named_by: str | None = None,
) -> Submission:
    author = make_user(session, Role.CONTRIBUTOR, name=named_by or "Somebody Else")
    item = make_submission(session, author, item_round, team=team, text=text)
    item.status = "approved"
    session.commit()
    return item


def _csv(response_text: str) -> list[list[str]]:
    assert response_text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(response_text.lstrip("\ufeff"))))


def test_csv_export_is_safe_suppressed_and_audited(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    big, small = make_team(session, "Big team"), make_team(session, "Tiny team")
    for n in range(10):
        _approved(session, open_round, f"Point {n}", team=big)
    for text in HOSTILE:
        _approved(session, open_round, text, team=small, named_by="Nadia Named")
    pending = make_submission(
        session, make_user(session, Role.CONTRIBUTOR), open_round, text="NOT-APPROVED"
    )
    planner = make_user(session, Role.PLANNER)
    sign_in_as(client, planner)
    assert client.get("/summaries/export").status_code == 200
    response = client.post("/summaries/export", data={"format": "csv"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert re.fullmatch(
        r'attachment; filename="frontline-voice-input-\d{8}-\d{4}\.csv"',
        response.headers["Content-Disposition"],
    )
    table = _csv(response.get_data(as_text=True))
    header, body = table[0], table[1:]
    assert len(body) == 17 and pending.obstacles not in response.get_data(as_text=True)
    column = {name: header.index(name) for name in header}
    obstacles = {row[column["What gets in the way"]] for row in body}
    assert '\'=HYPERLINK("http://x","y")' in obstacles and "'+SUM(1,1)" in obstacles
    assert "'-2+3" in obstacles and "'@cmd" in obstacles
    assert "Tabbed" in obstacles, "a leading tab is stripped when text comes in"
    assert "ctrlchars" in obstacles, "control characters removed on the way in"
    # Tiny team (7) is too small to name; with only one other team, naming Big team
    # would give Tiny team away by elimination, so neither is named.
    teams = {row[column["Team or service"]] for row in body}
    assert teams == {"Not shown (small group)"}
    authors = {row[column["Written by"]] for row in body}
    assert authors == {""}, "planners see no authors"
    reload(session)
    event = session.scalar(
        select(AuditEvent).where(AuditEvent.action == "data_exported")
    )
    assert event is not None and event.actor_id == planner.id
    assert event.details == {"after": {"rounds": [], "rows": 17, "authors": False}}


def test_large_teams_are_named_when_small_ones_cannot_be_inferred(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    for name, count in (("Alpha", 10), ("Beta", 11), ("Gamma", 12), ("Delta", 3)):
        team = make_team(session, name)
        for n in range(count):
            _approved(session, open_round, f"{name} {n}", team=team)
    sign_in_as(client, make_user(session, Role.PLANNER))
    table = _csv(
        client.post("/summaries/export", data={"format": "csv"}).get_data(as_text=True)
    )
    column = table[0].index("Team or service")
    named = {row[column] for row in table[1:]}
    # Delta (3) is hidden, and Alpha (the next smallest) with it.
    assert named == {"Beta", "Gamma", "Not shown (small group)"}


def test_xlsx_export_has_text_cells_only(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    for text in HOSTILE:
        _approved(session, open_round, text)
    sign_in_as(client, make_user(session, Role.PLANNER, Role.MODERATOR))
    response = client.post("/summaries/export", data={"format": "xlsx"})
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as workbook:
        sheet = workbook.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet, "no formulas"
    assert "&apos;=HYPERLINK" in sheet or "'=HYPERLINK" in sheet
    assert "&lt;script&gt;" in sheet
    assert "Somebody Else" in sheet, "moderators may see authors of named input"


def test_cli_export_with_rounds(
    app: Flask, session: Session, open_round: EngagementRound, tmp_path: Path
) -> None:
    _approved(session, open_round, "Through the CLI")
    target = tmp_path / "export.csv"
    result = app.test_cli_runner().invoke(
        args=[
            "portal",
            "export",
            "--format",
            "csv",
            "--round",
            str(open_round.id),
            "-o",
            str(target),
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Wrote 1 rows" in result.output
    table = _csv(target.read_text(encoding="utf-8"))
    assert table[1][table[0].index("What gets in the way")] == "Through the CLI"
    xlsx = tmp_path / "export.xlsx"
    result = app.test_cli_runner().invoke(
        args=["portal", "export", "--format", "xlsx", "-o", str(xlsx)]
    )
    assert result.exit_code == 0 and zipfile.is_zipfile(xlsx)


def test_the_row_count_is_the_rows_written(
    session: Session, open_round: EngagementRound, planner: User
) -> None:
    """The count the audit and the progress bar show comes from the maintained
    contexts: it must be the number of rows written, whatever the round filter,
    with input withdrawn, rejected or waiting left out."""
    other_round = make_open_round(session, planner)
    for n in range(4):
        counted = _approved(session, open_round, f"Counted {n}")
    tag = session.scalars(select(Recommendation.id)).first()
    session.add(RecommendationTag(submission_id=counted.id, recommendation_id=tag))
    for n in range(3):
        _approved(session, other_round, f"Elsewhere {n}")
    withdrawn = _approved(session, open_round, "Withdrawn later")
    withdrawn.withdrawn_on = date(2015, 11, 2)
    rejected = _approved(session, other_round, "Rejected later")
    rejected.status = "rejected"
    make_submission(session, make_user(session, Role.CONTRIBUTOR), open_round)
    session.commit()
    for round_ids, expected in (([], 7), ([open_round.id], 4), ([other_round.id], 3)):
        request = ExportRequest(round_ids, False, 0)
        assert len(list(rows(session, request))) == expected
        assert count_rows(session, request) == expected


def _bulk_approved(session: Session, item_round: EngagementRound, count: int) -> None:
    session.execute(
        insert(Submission),
        [
            {
                "id": str(uuid.uuid4()),
                "round_id": item_round.id,
                "area_id": item_round.areas[0].id,
                "kind": "named",
                "status": "approved",
                "submitted_on": date(2015, 11, 1),
                "obstacles": "x" * 200,
                "biggest_difference": "y",
                "practice_example": "",
                "priority": 3,
                "safeguarding_flag": False,
                "idempotency_key": uuid.uuid4().hex * 2,
                "redactions": 0,
                "has_personal_data": False,
            }
            for _ in range(count)
        ],
    )
    session.commit()


def _peak(session: Session) -> int:
    tracemalloc.start()
    for _ in rows(session, ExportRequest([], False, 10)):
        pass
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_export_memory_does_not_grow_with_rows(
    session: Session, open_round: EngagementRound
) -> None:
    # A coarse guard; the measured figures are in docs/benchmarks.md.
    _bulk_approved(session, open_round, 1500)
    small = _peak(session)
    _bulk_approved(session, open_round, 13500)
    large = _peak(session)
    assert large < small * 2, (small, large)


def _xlsx_peak(count: int, folder: Path) -> int:
    from portal.documents import Letterhead
    from portal.summaries.export_sheet import write_xlsx_rows
    from portal.summaries.exports import HEADER

    row = ["Round", "A1", "R1", "T1", "Named", date(2026, 1, 1), 3,
           "x" * 300, "y" * 80, "", "Team", "Role", None, ""]  # fmt: skip
    assert len(row) == len(HEADER)
    letterhead = Letterhead("Council", "OFFICIAL", "Title", "Subject")
    tracemalloc.start()
    write_xlsx_rows((list(row) for _ in range(count)),
                    str(folder / f"{count}.xlsx"), letterhead)  # fmt: skip
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_xlsx_memory_does_not_grow_with_rows(tmp_path: Path) -> None:
    """XlsxWriter keeps each row's height until it closes, even in
    constant-memory mode; the export forgets rows already written."""
    small, large = _xlsx_peak(2_000, tmp_path), _xlsx_peak(12_000, tmp_path)
    assert large < small * 1.5, (small, large)


def test_rows_come_in_day_order_across_batches(
    session: Session, open_round: EngagementRound, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each batch starts after the last row of the one before (day, then id):
    nothing is skipped or repeated where batches meet, on either database."""
    monkeypatch.setattr(exports, "BATCH", 4)  # batches that end mid-day
    for n in range(11):
        item = _approved(session, open_round, f"Item {n}")
        item.submitted_on = date(2015, 11, 1 + n % 4)
    session.commit()
    written = list(rows(session, ExportRequest([], False, 0)))
    texts = [row[HEADER.index("What gets in the way")] for row in written]
    assert sorted(texts) == sorted(f"Item {n}" for n in range(11))
    days = [row[HEADER.index("Received on")] for row in written]
    assert days == sorted(days) and days[0] == date(2015, 11, 1)


def test_sqlite_reads_the_export_from_its_covering_index(
    session: Session, open_round: EngagementRound
) -> None:
    """On SQLite the rows come from ix_submissions_export alone (migration
    0026), not from the table: a search of the whole table per row at 1M."""
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("the covering index is SQLite's")
    _approved(session, open_round, "Read from the index")
    request = ExportRequest([], False, 0)
    sql, values, order = exports.keyset_statement(session, request)
    params = [values[name] for name in order or ()]
    raw: Any = session.connection().connection.driver_connection
    plans = [r[3] for r in raw.execute("EXPLAIN QUERY PLAN " + sql, params)]
    read = [
        p for p in plans if p.startswith(("SCAN submissions", "SEARCH submissions"))
    ]
    assert read and all("COVERING INDEX ix_submissions_export" in p for p in read), (
        plans
    )
    assert len(list(rows(session, request))) == 1, "the statement rows() runs"


def test_progress_hears_every_row_a_thousand_at_a_time() -> None:
    heard: list[int] = []
    data = [[n] for n in range(2500)]
    assert list(exports.counted(iter(data), heard.append)) == data
    assert heard == [1000, 1000, 500]
