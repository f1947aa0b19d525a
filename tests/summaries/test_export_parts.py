"""The command line's export written in parts, one process each
(portal/summaries/export_parts.py): the file (CSV or XLSX) must be the one a
single process writes, read from one snapshot of the database however writes
fall, and a failing part must leave no file behind."""

from __future__ import annotations

import csv
import io
import random
import subprocess
import threading
import uuid
import zipfile
import zlib
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from portal import sheet_stream
from portal.documents import Letterhead
from portal.models import (
    EngagementRound,
    Recommendation,
    RecommendationTag,
    Role,
    RoleGroup,
    Submission,
)
from portal.summaries import export_parts, export_sheet, exports
from portal.summaries.exports import HEADER, ExportRequest
from tests.factories import make_team, make_user

FIRST_DAY = date(2015, 11, 2)
DAYS = 7
TEXTS = ["=1+2", 'says "hello", then', "line one\r\nline two", "Crèche £5", "", "x"]


def _item(round_: EngagementRound, n: int, day: date, **values: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "round_id": round_.id,
        "area_id": round_.areas[n % 2].id,
        "kind": ("named", "anonymous", "facilitated")[n % 3],
        "status": "approved",
        "submitted_on": day,
        "obstacles": f"Obstacle {n}: {TEXTS[n % len(TEXTS)]}",
        "biggest_difference": TEXTS[(n + 1) % len(TEXTS)],
        "practice_example": "",
        "priority": 1 + n % 5,
        "attendees": 9 if n % 3 == 2 else None,
        "idempotency_key": uuid.uuid4().hex * 2,
        "has_personal_data": False,
        "safeguarding_flag": False,
        "redactions": 0,
        **values,
    }


@pytest.fixture
def items(session: Session, open_round: EngagementRound) -> list[dict[str, Any]]:
    """70 approved items over a week (ten a day, in random id order within it),
    with teams, roles, authors and tags; and input the export leaves out."""
    team, group = make_team(session, "Duty, team"), RoleGroup(name="Social worker")
    session.add(group)
    author = make_user(session, Role.CONTRIBUTOR, name="Named Writer")
    session.commit()
    approved = [
        _item(
            open_round,
            n,
            FIRST_DAY + timedelta(days=n % DAYS),
            team_id=team.id if n % 2 else None,
            role_group_id=group.id if n % 3 else None,
            author_id=author.id if n % 3 == 0 else None,
        )
        for n in range(10 * DAYS)
    ]
    left_out = [
        _item(open_round, 100, FIRST_DAY, status="pending"),
        _item(open_round, 101, FIRST_DAY, withdrawn_on=FIRST_DAY),
    ]
    session.execute(insert(Submission), approved + left_out)
    recommendation = session.query(Recommendation).first()
    assert recommendation is not None
    for item in approved[::4]:
        session.add(
            RecommendationTag(
                submission_id=item["id"], recommendation_id=recommendation.id
            )
        )
    session.commit()
    return approved


def _in_one_process(session: Session, request: ExportRequest) -> bytes:
    return b"".join(exports.csv_bytes(session, request))


def _in_parts(
    app: Flask,
    request: ExportRequest,
    folder: Path,
    parts: int,
    total: int,
    pause: Callable[[str], None] | None = None,
) -> tuple[bytes, int]:
    output = folder / "export.csv"
    output.touch(mode=0o600)
    heard: list[int] = []
    with app.app_context():
        export_parts.write_csv(
            app, request, output, total, parts, heard.append, pause=pause
        )
    assert [p.name for p in folder.iterdir()] == ["export.csv"]  # parts removed
    return output.read_bytes(), sum(heard)


def _obstacles(data: bytes) -> list[str]:
    table = list(csv.reader(io.StringIO(data.decode().lstrip("\ufeff"), newline="")))
    assert table[0] == HEADER
    return [row[HEADER.index("What gets in the way")] for row in table[1:]]


@pytest.mark.parametrize("parts", [2, 3, 7])
@pytest.mark.parametrize("with_authors", [False, True])
def test_parts_write_the_bytes_of_one_process(
    app: Flask,
    session: Session,
    items: list[dict[str, Any]],
    tmp_path: Path,
    parts: int,
    with_authors: bool,
) -> None:
    request = ExportRequest([], with_authors, 5)
    expected = _in_one_process(session, request)
    session.close()  # no connection may be open when the parts are forked
    written, heard = _in_parts(app, request, tmp_path, parts, len(items))
    assert written == expected
    assert heard == len(items)
    assert sorted(_obstacles(written)) == sorted(i["obstacles"] for i in items)


def test_a_split_past_the_last_row_still_writes_every_row(
    app: Flask, session: Session, items: list[dict[str, Any]], tmp_path: Path
) -> None:
    """Fewer rows than counted (the count is read before the export): the parts
    past the end write nothing, the others everything."""
    request = ExportRequest([], False, 0)
    expected = _in_one_process(session, request)
    session.close()
    written, _ = _in_parts(app, request, tmp_path, 4, total=3 * len(items))
    assert written == expected


def _last_day_changes(app: Flask, items: list[dict[str, Any]], round_: Any) -> None:
    """On the export's last day (a later part's range): a new approved item,
    and an approved one withdrawn."""
    last = max(items, key=lambda i: (i["submitted_on"], i["id"]))
    writer = app.extensions["portal.sessions"]["write"]()
    try:
        late = _item(round_, 200, last["submitted_on"], obstacles="Approved late")
        writer.execute(insert(Submission), [late])
        writer.execute(
            update(Submission)
            .where(Submission.id == last["id"])
            .values(withdrawn_on=last["submitted_on"])
        )
        writer.commit()
    finally:
        writer.close()


def test_a_commit_while_the_parts_start_is_in_no_part(
    app: Flask,
    session: Session,
    items: list[dict[str, Any]],
    open_round: EngagementRound,
    tmp_path: Path,
) -> None:
    """A writer commits after the first part's snapshot began and before the
    others begin theirs. PostgreSQL: they adopt the first one's snapshot;
    SQLite: the writer waits for the lock the first part holds until all read."""
    request = ExportRequest([], False, 0)
    expected = _in_one_process(session, request)
    round_ = session.get(EngagementRound, open_round.id)
    session.close()
    writer = threading.Thread(target=_last_day_changes, args=(app, items, round_))

    def pause(moment: str) -> None:
        if moment == "split":
            writer.start()
            writer.join(timeout=1.0)  # done at once unless the lock holds it

    written, _ = _in_parts(app, request, tmp_path, 3, len(items), pause)
    writer.join()
    assert written == expected
    assert "Approved late" in _obstacles(_in_one_process(session, request))


def test_a_commit_once_the_parts_read_is_in_no_part(
    app: Flask,
    session: Session,
    items: list[dict[str, Any]],
    open_round: EngagementRound,
    tmp_path: Path,
) -> None:
    request = ExportRequest([], False, 0)
    expected = _in_one_process(session, request)
    round_ = session.get(EngagementRound, open_round.id)
    session.close()

    def pause(moment: str) -> None:
        if moment == "reading":
            _last_day_changes(app, items, round_)

    written, _ = _in_parts(app, request, tmp_path, 3, len(items), pause)
    assert written == expected
    assert "Approved late" in _obstacles(_in_one_process(session, request))


def _cli(app: Flask, output: Path, jobs: int) -> Any:
    return app.test_cli_runner().invoke(
        args=["portal", "export", "--jobs", str(jobs), "-o", str(output)]
    )


def test_the_command_writes_in_parts(
    app: Flask,
    session: Session,
    items: list[dict[str, Any]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    session.close()
    monkeypatch.setattr(export_parts, "MIN_PART_ROWS", 10)
    forked: list[int] = []
    write_csv = export_parts.write_csv

    def counting(*args: Any, **kwargs: Any) -> None:
        forked.append(args[4])
        write_csv(*args, **kwargs)

    monkeypatch.setattr(export_parts, "write_csv", counting)
    one, three = tmp_path / "one.csv", tmp_path / "three.csv"
    assert _cli(app, one, 1).exit_code == 0
    result = _cli(app, three, 3)
    assert result.exit_code == 0, result.output
    assert f"Wrote {len(items)} rows" in result.output
    assert forked == [1, 3]  # parts written: --jobs 1, then --jobs 3
    assert three.read_bytes() == one.read_bytes()
    assert three.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.csv", "three.csv"]


def test_a_failing_part_leaves_no_file(
    app: Flask,
    session: Session,
    items: list[dict[str, Any]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    session.close()
    monkeypatch.setattr(export_parts, "MIN_PART_ROWS", 10)
    csv_bytes = exports.csv_bytes

    def failing_later_parts(*args: Any, header: bool = True, **kwargs: Any) -> Any:
        if not header:  # the forked parts
            raise OSError("disk full")
        return csv_bytes(*args, header=header, **kwargs)

    monkeypatch.setattr(exports, "csv_bytes", failing_later_parts)
    output = tmp_path / "export.csv"
    result = _cli(app, output, 2)
    assert result.exit_code != 0
    assert "a part of the export failed" in result.output
    assert list(tmp_path.iterdir()) == []


def test_how_many_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export_parts.os, "cpu_count", lambda: 8)
    assert export_parts.parts_for(550_000, None, "sqlite") == 2
    assert export_parts.parts_for(550_000, None, "postgresql") == 1
    assert export_parts.parts_for(550_000, None, "postgresql", "xlsx") == 2
    assert export_parts.parts_for(550_000, None, "sqlite", "xlsx") == 2
    assert export_parts.parts_for(550_000, 4, "postgresql") == 4
    assert export_parts.parts_for(30_000, 4, "sqlite") == 1  # too few rows to split
    assert export_parts.parts_for(0, None, "sqlite") == 1
    monkeypatch.setattr(export_parts.os, "cpu_count", lambda: 1)
    assert export_parts.parts_for(550_000, None, "sqlite") == 1


def test_a_failing_part_names_the_error_not_its_message(
    app: Flask,
    session: Session,
    items: list[dict[str, Any]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
) -> None:
    """An error's message can quote a cell (what someone wrote): the forked part
    reports the error's type only, not its traceback."""
    session.close()
    csv_bytes = exports.csv_bytes

    def failing_later_parts(*args: Any, header: bool = True, **kwargs: Any) -> Any:
        if not header:
            raise ValueError("cannot encode 'Jayden Smith, 7, at 4 Elm Road'")
        return csv_bytes(*args, header=header, **kwargs)

    monkeypatch.setattr(exports, "csv_bytes", failing_later_parts)
    with pytest.raises(export_parts.PartFailed):
        _in_parts(app, ExportRequest([], False, 0), tmp_path, 2, len(items))
    errors = capfd.readouterr().err
    assert "A part of the export failed: ValueError" in errors
    assert "Jayden" not in errors and "Traceback" not in errors


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_failing_export_leaves_no_file_and_quotes_no_cell(
    app: Flask,
    session: Session,
    items: list[dict[str, Any]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    jobs: int,
) -> None:
    session.close()
    monkeypatch.setattr(export_parts, "MIN_PART_ROWS", 10)

    def failing(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("cannot encode 'Jayden Smith, 7, at 4 Elm Road'")

    monkeypatch.setattr(exports, "csv_bytes", failing)
    result = _cli(app, tmp_path / "export.csv", jobs)
    assert result.exit_code == 1
    assert "The export failed (ValueError)" in result.output
    assert "Jayden" not in result.output
    assert list(tmp_path.iterdir()) == []


LETTERHEAD = Letterhead("Council", "OFFICIAL-SENSITIVE", "Approved input", "Data")


def _sheet(path: Path) -> bytes:
    with zipfile.ZipFile(path) as workbook:
        assert workbook.testzip() is None  # every entry's CRC checks
        return workbook.read(export_sheet.SHEET)


@pytest.mark.parametrize("parts", [2, 3, 7])
def test_a_sheet_in_parts_is_the_sheet_of_one_process(
    app: Flask,
    session: Session,
    items: list[dict[str, Any]],
    tmp_path: Path,
    parts: int,
) -> None:
    """Each part's rows are compressed apart and joined into the one sheet:
    the sheet's XML (rows numbered on across the parts) is the same bytes."""
    request = ExportRequest([], True, 5)
    one = tmp_path / "one.xlsx"
    export_sheet.write_xlsx(session, request, str(one), LETTERHEAD)
    session.close()
    many = tmp_path / "many.xlsx"
    many.touch(mode=0o600)
    heard: list[int] = []
    with app.app_context():
        export_parts.write_xlsx(
            app, request, many, len(items), parts, heard.append, LETTERHEAD
        )
    assert _sheet(many) == _sheet(one)
    assert sum(heard) == len(items)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["many.xlsx", "one.xlsx"]


def test_pieces_compressed_apart_join_into_one_stream() -> None:
    """What the sheet's pieces rely on: raw deflate pieces that end on a full
    flush join into one stream, and their CRCs combine as zlib's own."""
    rng = random.Random(5)
    texts = ["".join(rng.choice("ab<>& \n") for _ in range(rng.randint(0, 9000)))
             for _ in range(6)]  # fmt: skip
    joined, crc, size = io.BytesIO(), 0, 0
    for text_ in texts:
        piece_crc, piece_size = sheet_stream.deflate_rows([text_], joined)
        crc = sheet_stream.crc32_combine(crc, piece_crc, piece_size)
        size += piece_size
    whole = "".join(texts).encode()
    ending = zlib.compressobj(1, zlib.DEFLATED, -15).flush()  # an empty final block
    assert zlib.decompress(joined.getvalue() + ending, -15) == whole
    assert (crc, size) == (zlib.crc32(whole), len(whole))


@pytest.mark.office
def test_libreoffice_reads_every_row_of_a_sheet_in_parts(
    app: Flask, session: Session, items: list[dict[str, Any]], tmp_path: Path
) -> None:
    from tests.test_documents import _office_ready

    _office_ready()
    session.close()
    many = tmp_path / "many.xlsx"
    many.touch(mode=0o600)
    with app.app_context():
        export_parts.write_xlsx(
            app, ExportRequest([], False, 0), many, len(items), 3, lambda _: None,
            LETTERHEAD,
        )  # fmt: skip
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}",
         "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76",
         "--outdir", str(tmp_path), str(many)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    text_ = (tmp_path / "many.csv").read_text(encoding="utf-8")  # 76: UTF-8
    table = list(csv.reader(io.StringIO(text_, newline="")))
    assert table[0] == HEADER
    obstacles = [row[HEADER.index("What gets in the way")] for row in table[1:]]
    assert sorted(obstacles) == sorted(
        i["obstacles"].replace("\r\n", "\n") for i in items
    )


def test_the_command_writes_a_sheet_in_parts(
    app: Flask,
    session: Session,
    items: list[dict[str, Any]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    session.close()
    monkeypatch.setattr(export_parts, "MIN_PART_ROWS", 10)
    one, three = tmp_path / "one.xlsx", tmp_path / "three.xlsx"
    for path, jobs in ((one, 1), (three, 3)):
        result = app.test_cli_runner().invoke(
            args=["portal", "export", "--format", "xlsx", "--jobs", str(jobs),
                  "-o", str(path)]
        )  # fmt: skip
        assert result.exit_code == 0, result.output
    assert _sheet(three) == _sheet(one)
    assert three.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.xlsx", "three.xlsx"]
