"""Frozen quarters: immutable, also to the database itself; the board sees what
changed since the previous quarter, correct after later edits; closed risks leave
current views and stay in snapshots; the board pack as Word and print page."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from docx import Document
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from portal import db
from portal.board.quarters import Quarter
from portal.models import (
    AuditEvent,
    PlanAction,
    QuarterSnapshot,
    Risk,
    SignOff,
    utcnow,
)
from tests.board.conftest import Board, local_today
from tests.conftest import reload, sign_in_as
from tests.test_documents import _as_pdf, _office_ready


def _risk(session: Session, board: Board, title: str, score: tuple[int, int]) -> Risk:
    risk = Risk(
        title=title,
        description="Managers leave and supervision lapses.",
        owner="Director of Children's Services",
        cause="Vacancies.",
        effect="Drift in children's plans.",
        existing_controls="Agency cover.",
        mitigating_actions="Recruitment campaign.",
        inherent_likelihood=5, inherent_impact=5,
        current_likelihood=score[0], current_impact=score[1],
        target_likelihood=2, target_impact=3,
        review_on=utcnow().date() + timedelta(days=30),
        created_by_id=board.planner.id,
    )  # fmt: skip
    risk.recommendations = [board.rec]
    session.add(risk)
    session.commit()
    return risk


def _rate(session: Session, board: Board, rag: str) -> None:
    action = session.get(PlanAction, board.action.id)
    assert action is not None
    action.rag, action.percent_complete = rag, 50
    session.commit()


def _freeze(client: FlaskClient, quarter: Quarter) -> int:
    response = client.post("/board/quarters/freeze", data={"quarter": quarter.key})
    assert response.status_code == 302, response.text
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_changes_since_the_previous_quarter_survive_later_edits(
    app: Flask, client: FlaskClient, session: Session, board: Board
) -> None:
    this = Quarter.containing(local_today(app))
    kept = _risk(session, board, "Workforce instability", (4, 4))
    closing = _risk(session, board, "Case system outage", (3, 5))
    _rate(session, board, "green")
    session.add(SignOff(recommendation_id=board.rec.id, phase=1,
                        given_by_id=board.member.id, reason="Agreed."))  # fmt: skip
    session.commit()
    sign_in_as(client, board.planner)
    first = _freeze(client, this.previous())
    # The next quarter: the rating falls, one risk closes, one is new, and the
    # Phase 1 sign-off is withdrawn.
    _rate(session, board, "red")
    closed = session.get(Risk, closing.id)
    assert closed is not None
    closed.status = "closed"
    session.commit()
    new = _risk(session, board, "Court delays", (5, 4))
    given = session.scalar(select(SignOff))
    assert given is not None
    given.withdrawn_at, given.withdrawal_reason = utcnow(), "Audit found drift."
    session.commit()
    live = client.get("/board").text
    assert "Green: on track to Red: off track" in live
    assert f"New: R{new.id}: Court delays" in live
    assert f"Closed: R{closing.id}: Case system outage" in live
    assert "Audit found drift." in live
    second = _freeze(client, this)
    # Later edits change neither quarter.
    _rate(session, board, "amber")
    reload(session)
    page_one = client.get(f"/board/quarters/{first}").text
    assert "Case system outage" in page_one, "a closed risk stays in its snapshot"
    assert "Green: on track" in page_one and "Court delays" not in page_one
    page_two = client.get(f"/board/quarters/{second}").text
    assert "Green: on track to Red: off track" in page_two
    assert f"New: R{new.id}: Court delays" in page_two
    assert f"Closed: R{closing.id}: Case system outage" in page_two
    assert "withdrawn" in page_two and "Audit found drift." in page_two
    assert "Amber" not in page_two.split('id="exceptions"')[1].split('id="changes"')[0]
    # The closed risk has left every current view.
    for url in ("/board", "/board/risks", f"/board/recommendations/{board.rec.id}"):
        current = client.get(url).text
        assert "Case system outage" not in current.split('id="changes"')[0], url
        assert "Workforce instability" in client.get("/board/risks").text
    assert kept.id


def test_snapshots_cannot_be_changed_or_deleted_even_in_sql(
    app: Flask, client: FlaskClient, session: Session, board: Board
) -> None:
    sign_in_as(client, board.planner)
    snapshot_id = _freeze(client, Quarter.containing(local_today(app)))
    reload(session)
    snapshot = session.get(QuarterSnapshot, snapshot_id)
    assert snapshot is not None
    frozen = json.loads(snapshot.content)
    assert frozen["recommendations"] and frozen["quarter"] == snapshot.quarter
    engine = db.writer(db.get_engine(app))
    for statement in (
        "UPDATE quarter_snapshots SET content = '{}'",
        "DELETE FROM quarter_snapshots",
    ):
        with pytest.raises(DatabaseError, match="frozen"):
            with engine.begin() as connection:
                connection.execute(text(statement))
    reload(session)
    assert session.get(QuarterSnapshot, snapshot_id) is not None
    event = session.scalar(
        select(AuditEvent).where(AuditEvent.action == "quarter_frozen")
    )
    assert event is not None and event.details["after"]["quarter"] == snapshot.quarter


def test_a_quarter_is_frozen_once_in_order_and_only_now_or_just_ended(
    app: Flask, client: FlaskClient, session: Session, board: Board
) -> None:
    this = Quarter.containing(local_today(app))
    sign_in_as(client, board.planner)
    for wrong in (this.next().key, this.previous().previous().key, "2016-Q9", ""):
        response = client.post("/board/quarters/freeze", data={"quarter": wrong})
        assert response.status_code == 400, wrong
    _freeze(client, this)
    earlier = client.post(
        "/board/quarters/freeze", data={"quarter": this.previous().key}
    )
    assert earlier.status_code == 400
    again = client.post("/board/quarters/freeze", data={"quarter": this.key})
    assert again.status_code in (400, 409)
    reload(session)
    assert len(session.scalars(select(QuarterSnapshot)).all()) == 1
    sign_in_as(client, board.lead)
    assert (
        client.post("/board/quarters/freeze", data={"quarter": this.key}).status_code
        == 403
    )


def test_the_board_pack_in_word_and_on_the_print_page(
    app: Flask, client: FlaskClient, session: Session, board: Board
) -> None:
    _risk(session, board, "Workforce instability", (4, 4))
    _risk(session, board, "Minor printing delays", (1, 2))
    _rate(session, board, "red")
    sign_in_as(client, board.planner)
    snapshot_id = _freeze(client, Quarter.containing(local_today(app)))
    sign_in_as(client, board.member)
    page = client.get(f"/board/quarters/{snapshot_id}").text
    sections = ["Overview", "Progress over quarters", "Exceptions",
                "What changed since the previous quarter",
                "Requests for detailed reports", "Risks for the board"]  # fmt: skip
    for section in sections:
        assert f">{section}</h2>" in page, section
    assert (
        page.index('id="overview"')
        < page.index('id="exceptions"')
        < page.index('id="recommendations"')
    )
    svg = re.search(r"<svg[^>]*>.*?</svg>", page, re.S)
    assert svg and 'role="img"' in svg.group(0) and "<title" in svg.group(0)
    assert "<desc" in svg.group(0)
    assert "Progress over quarters (frozen figures)" in page  # the data table
    risks_part = page.split('id="risks"')[1]
    assert "Workforce instability" in risks_part, "16 is over the threshold of 15"
    assert "Minor printing delays" not in risks_part
    download = client.get(f"/board/quarters/{snapshot_id}/pack")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment;")
    document = Document(io.BytesIO(download.data))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings[:4] == [
        "Contents",
        "Overview",
        "Exceptions",
        "What changed since the previous quarter",
    ]
    assert headings[-1] == "Risks for the board"
    body = "\n".join(p.text for p in document.paragraphs)
    assert "Red actions" in body and "Phase 1, the activity is complete" in body
    pictures = document.inline_shapes
    assert len(pictures) == 1
    alt = pictures[0]._inline.docPr.get("descr")
    assert "Phase 1 and at Phase 2" in alt
    tables = ["\n".join(c.text for c in t.rows[0].cells) for t in document.tables]
    assert any("Phase 2 signed off" in t for t in tables), "the chart's data table"
    assert any("Workforce instability" in c.text for t in document.tables
               for row in t.rows for c in row.cells)  # fmt: skip


@pytest.mark.office
def test_the_board_pack_reads_right_when_opened_in_libreoffice(
    app: Flask, client: FlaskClient, session: Session, board: Board, tmp_path: Path
) -> None:
    _office_ready()
    _risk(session, board, "Workforce instability", (4, 4))
    _rate(session, board, "red")
    sign_in_as(client, board.planner)
    this = Quarter.containing(local_today(app))
    _freeze(client, this.previous())
    _rate(session, board, "amber")
    snapshot_id = _freeze(client, this)
    data = client.get(f"/board/quarters/{snapshot_id}/pack").data
    info, pages = _as_pdf(data, "board-pack.docx", tmp_path)
    assert "(A4)" in info
    count = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    assert len(pages) == count
    for number, page in enumerate(pages, 1):
        words = " ".join(page.split())
        assert "OFFICIAL" in words, f"page {number} has the marking"
        assert f"Page {number} of {count}" in words, f"page {number} numbered"
    overview = next(p for p in pages if "Recommendations by sign-off" in p)
    # One page: the counts by RAG and by phase, and the chart's own table.
    assert "Actions by progress" in overview and "Phase 2" in overview
    assert "Exceptions" not in " ".join(overview.split()).split("Contents")[-1]
    joined = " ".join(" ".join(pages).split())
    assert "moved from Red: off track to Amber: some slippage" in joined
    assert "performance management framework" in joined, "headings cut at a word"
    assert "Workforce instability" in joined.split("Risks for the board")[-1]
