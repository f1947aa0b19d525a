"""The seminar pack: the same content as the screen, in Word, Markdown and a page;
user text escaped for each format; small groups suppressed."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import (
    EngagementRound,
    Quote,
    Recommendation,
    RecommendationTag,
    Role,
)
from portal.summaries.pack import blocks, to_markdown
from tests.conftest import sign_in_as
from tests.factories import make_submission, make_team, make_user

XSS = '<script>alert(1)</script> "><img src=x onerror=alert(1)> {{7*7}} *bold* #1'


def _tagged(
    session: Session, item_round: EngagementRound, code: str, team: object
) -> None:
    rec = session.scalar(select(Recommendation).where(Recommendation.code == code))
    assert rec is not None
    item = make_submission(
        session,
        make_user(session, Role.CONTRIBUTOR),
        item_round,
        team=team,
        text=f"Board scrutiny is weak. {XSS}",
    )  # type: ignore[arg-type]
    item.status = "approved"
    session.add(RecommendationTag(submission_id=item.id, recommendation_id=rec.id))
    session.add(Quote(submission_id=item.id, field="obstacles", text=XSS))
    session.commit()


def _docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as document:
        return document.read("word/document.xml").decode()


def test_pack_in_every_format(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    team = make_team(session, "Tiny team")
    for _ in range(2):
        _tagged(session, open_round, "LSCB-R2", team)
    planner = make_user(session, Role.PLANNER)
    sign_in_as(client, planner)
    rec = session.scalar(select(Recommendation).where(Recommendation.code == "LSCB-R2"))
    assert rec is not None
    client.post(
        f"/summaries/recommendations/{rec.id}/narrative",
        data={"key_messages": "- Scrutiny of **care**"},
    )
    page = client.get("/summaries/pack")
    assert page.status_code == 200
    assert "LSCB-R2: Increase scrutiny of services for cared for children" in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>alert(1)</script>" not in page.text and "{{7*7}}" in page.text
    assert "Fewer than 5 items in all, so no breakdown is shown." in page.text

    docx = client.post("/summaries/pack", data={"format": "docx"})
    assert docx.status_code == 200
    assert docx.headers["Content-Disposition"].startswith(
        'attachment; filename="seminar-pack-'
    )
    xml = _docx_text(docx.data)
    assert "Increase scrutiny of services for cared for children" in xml
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in xml and "<script>" not in xml
    assert "Scrutiny of care" in xml, "the narrative's list item"
    assert "Fewer than 5 items in all" in xml and "Tiny team" not in xml

    markdown = client.post("/summaries/pack", data={"format": "md"}).get_data(
        as_text=True
    )
    # Escaped only where CommonMark would read markup: it reads as plain text.
    assert "## LSCB-R2: Increase scrutiny" in markdown
    assert "\\<script>alert(1)\\</script>" in markdown
    assert "\\*bold\\*" in markdown and "#1" in markdown and "\\#1" not in markdown
    assert "- Scrutiny of care" in markdown


def test_narrative_blocks() -> None:
    assert blocks(
        "<p>One <strong>two</strong></p><ul><li>Three</li><li>Four</li></ul>"
    ) == [("p", "One two"), ("li", "Three"), ("li", "Four")]
    assert blocks("") == []


def test_markdown_escapes_everything_special() -> None:
    from datetime import date

    from portal.summaries.pack import Pack

    text = to_markdown(Pack("T", "C [x](javascript:y)", date(2015, 12, 1), [], [], 5))
    assert "\\[x\\](javascript:y)" in text, "no link can form"


def test_pack_downloads_need_export_permission(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    sign_in_as(client, make_user(session, Role.CONTRIBUTOR))
    assert client.get("/summaries/pack").status_code == 403
    assert client.post("/summaries/pack", data={"format": "docx"}).status_code == 403


def test_cli_writes_the_pack(
    app: Flask, session: Session, open_round: EngagementRound, tmp_path: Path
) -> None:
    target = tmp_path / "pack.docx"
    result = app.test_cli_runner().invoke(
        args=["portal", "export", "--format", "docx", "-o", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert "8 sections" in result.output and zipfile.is_zipfile(target)
    md = tmp_path / "pack.md"
    result = app.test_cli_runner().invoke(
        args=["portal", "export", "--format", "md", "-o", str(md)]
    )
    assert result.exit_code == 0 and md.read_text().startswith("# What frontline staff")


def test_word_exports_survive_characters_word_cannot_hold() -> None:
    # Input is cleaned on the way in; this guards the exports on their own, so one
    # bad row written some other way cannot break every pack and plan.
    from datetime import date

    from portal.summaries import service
    from portal.summaries.pack import Pack, to_docx

    section = service.Summary(
        service.Subject("recommendation", 1, "R1: bad\x00\x0b\x0c")
    )
    section.quotes = ["quote\x1f with \ud800 surrogate"]
    section.named = 1
    data = to_docx(
        Pack("Pack\x0b", "C", date(2015, 12, 1), [], [section], 5), "OFFICIAL"
    )
    xml = _docx_text(data)
    assert "R1: bad" in xml and "quote with  surrogate" in xml
