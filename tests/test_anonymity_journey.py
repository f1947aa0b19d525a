"""The whole journey of one anonymous item holding a child's name, then an
insider's look at everything it left behind: every table, the SQLite file and its
WAL, every log record (tracebacks included), and every export (CSV, XLSX, the
seminar pack in Word and Markdown, the plan in Word and Excel)."""

from __future__ import annotations

import io
import logging
import re
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import (
    AuditEvent,
    Base,
    EngagementRound,
    Recommendation,
    Role,
    Submission,
)
from tests.conftest import database_file_bytes, reload, sign_in_as
from tests.factories import make_team, make_user, release_held
from tests.feedback.conftest import answers, form_url, fresh_token

CHILD = "Tobias Wrenfield"
WORDS = f"Nobody visited {CHILD} for months and his plan drifted (journey-marker)."


def _text_of(body: bytes) -> str:
    """The text of a download: CSV or Markdown as is, Word and Excel unzipped."""
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return " ".join(
                archive.read(name).decode("utf-8", "replace")
                for name in archive.namelist()
                if name.endswith(".xml") or name.endswith(".rels")
            )
    return body.decode("utf-8", "replace")


def _rows_mentioning(session: Session, needles: list[str]) -> list[str]:
    reload(session)
    found = []
    with session.get_bind().connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in connection.execute(table.select()):
                flat = " ".join(str(v) for v in row)
                found += [f"{table.name}: {n}" for n in needles if n in flat]
    return found


def test_an_anonymous_item_leaves_no_trace_of_its_writer_or_the_child(
    app: Flask,
    client: FlaskClient,
    session: Session,
    open_round: EngagementRound,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    team = make_team(session, "Children in Care East")
    writer = make_user(
        session,
        Role.CONTRIBUTOR,
        team=team,
        name="Wilhelmina Writerson",
        email="wilhelmina@council.example",
    )
    # 1. The writer sends it anonymously, confirming past the personal-data check.
    sign_in_as(client, writer)
    url = form_url(open_round)
    sent = client.post(url, data=answers(
        mode="anonymous", obstacles=WORDS, team_id=str(team.id),
        form_token=fresh_token(client, url), action="submit_anyway"))  # fmt: skip
    assert sent.status_code == 302, sent.text
    receipt = re.search(
        r'id="receipt-code">([^<]+)<', client.get("/feedback/thank-you").text
    )
    assert receipt is not None
    release_held(session)  # the overnight release
    reload(session)
    item = session.scalar(select(Submission))
    assert item is not None and item.kind == "anonymous"
    # 2. A moderator redacts the child's name and approves it.
    moderator = make_user(session, Role.MODERATOR, Role.PLANNER, name="Morgan Mod")
    moderator.independent_moderator = True
    session.commit()
    sign_in_as(client, moderator)
    redacted = client.post(f"/moderation/items/{item.id}/redact", data={
        "redact-text_field": "obstacles", "redact-text": CHILD,
        "redact-reason": "child"})  # fmt: skip
    assert redacted.status_code == 302
    reload(session)
    item = session.get(Submission, item.id)
    assert item is not None and CHILD not in item.obstacles
    decision = {"decide-decision": "approve", "decide-seen_status": "pending"}
    if item.has_personal_data:
        decision["decide-personal_data_reason"] = "not_identifying"
    assert client.post(f"/moderation/items/{item.id}", data=decision).status_code == 302
    # 3. A planner tags it, quotes it, writes a narrative and builds the plan.
    rec = session.scalars(select(Recommendation)).first()
    assert rec is not None
    client.post(f"/tagging/items/{item.id}", data={"recommendation_ids": [str(rec.id)]})
    quote = {"quote-field": "obstacles", "quote-text": "his plan drifted"}
    client.post(f"/tagging/items/{item.id}/quotes", data=quote)
    narrative = {"key_messages": "<p>Visits lapse.</p>", "questions": ""}
    client.post(f"/summaries/recommendations/{rec.id}/narrative", data=narrative)
    summary = client.get(f"/summaries/recommendations/{rec.id}")
    assert summary.status_code == 200 and "his plan drifted" in summary.text
    plan = client.post(f"/plan/recommendations/{rec.id}/actions/new", data={
        "action": "Visit every child in care monthly.", "lead_officer": "Head of CiC",
        "start_date": ["1", "1", "2027"], "target_date": ["31", "3", "2027"],
        "success_measure": "Audits show visits.",
        "status": "not_started", "evidence_ids": [item.id]})  # fmt: skip
    assert plan.status_code == 302
    # 4. Everything that leaves the portal.
    downloads = {
        "csv": ("/summaries/export", "csv"),
        "xlsx": ("/summaries/export", "xlsx"),
        "pack.docx": ("/summaries/pack", "docx"),
        "pack.md": ("/summaries/pack", "md"),
        "plan.docx": ("/plan/export", "docx"),
        "plan.xlsx": ("/plan/export", "xlsx"),
    }
    texts = {}
    for name, (path, fmt) in downloads.items():
        response = client.post(path, data={"format": fmt})
        assert response.status_code == 200, name
        texts[name] = _text_of(response.get_data())
    assert "his plan drifted" in texts["csv"] and "journey-marker" in texts["xlsx"]
    assert "1" in texts["plan.xlsx"], "the plan cites it"

    # The insider's look. Nothing names the child, the writer, or the item's id
    # outside the item itself, and nothing gives it a time of day.
    secrets = [CHILD, "Tobias", "Wrenfield", writer.display_name, writer.email]
    # The writer's own account holds their name, and nothing else does.
    assert _rows_mentioning(session, secrets) == [
        f"users: {writer.display_name}",
        f"users: {writer.email}",
    ]
    for name, body in texts.items():
        for needle in [*secrets, item.id, receipt.group(1)]:
            assert needle not in body, f"{name} holds {needle}"
    reload(session)
    item = session.get(Submission, item.id)
    assert item is not None
    assert item.author_id is None and item.submitted_at is None
    assert item.updated_at is None
    assert item.decided_at is not None and (
        item.decided_at.hour,
        item.decided_at.minute,
    ) == (0, 0)
    # The audit names the moderator and planner for their acts, never the writer,
    # and holds no free text.
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.subject_id == item.id)
    ).all()
    assert events and all(e.actor_id in (moderator.id,) for e in events)
    assert all(
        e.reason is None or re.fullmatch(r"[a-z0-9_]+", e.reason) for e in events
    )
    # Logs: every record formatted with its traceback, and whatever reached the
    # terminal.
    formatter = logging.Formatter()
    logged = "\n".join(formatter.format(r) for r in caplog.records)
    out, err = capfd.readouterr()
    for place in (logged, out, err):
        for needle in [*secrets, item.id, "journey-marker", receipt.group(1)]:
            assert needle not in place
    # The SQLite file and its write-ahead log hold the child's name nowhere.
    bind = session.get_bind()
    if bind.dialect.name == "sqlite":
        database = Path(app.config["DATABASE_URL"].removeprefix("sqlite:///"))
        for suffix in ("", "-wal"):
            on_disk = database_file_bytes(Path(f"{database}{suffix}"))
            for needle in (CHILD, "Wrenfield"):
                assert needle.encode() not in on_disk, f"{suffix or 'file'}: {needle}"
