"""Evidence uploads: only the six formats, judged from the content; refused with
a clear message and nothing kept when the name, the size, the declared type or a
hidden second format is wrong; kept under instance/ with random names; served as
an attachment, never cached, only to people who may see the board."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import xlsxwriter
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from portal import charts, documents
from portal.models import AuditEvent, BoardEvidence, RecommendationTag, Role
from tests.board.conftest import Board, local_today
from tests.conftest import reload, sign_in_as
from tests.factories import make_approved, make_open_round, make_user
from tests.test_transactions import SHORT, held_lock

PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
CSV = b"Month,Supervisions\nApril,41\nMay,44\n"


def _png() -> bytes:
    return charts.bar_chart([("April", 41), ("May", 44)])


def _docx() -> bytes:
    letterhead = documents.Letterhead("Council", "OFFICIAL", "Audit", "Audit")
    return documents.word_bytes(documents.word_document(letterhead))


def _xlsx() -> bytes:
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    book.add_worksheet().write(0, 0, "Supervisions")
    book.close()
    return output.getvalue()


def _with_macro(document: bytes) -> bytes:
    output = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(document)) as source,
        zipfile.ZipFile(output, "w") as target,
    ):
        for entry in source.infolist():
            target.writestr(entry, source.read(entry))
        target.writestr("word/vbaProject.bin", b"Attribute VB_Name")
    return output.getvalue()


def _zip() -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("notes.txt", "A second file hidden after the image.")
    return output.getvalue()


@pytest.fixture
def stored(app: Flask) -> Iterator[Path]:
    """The test instance's evidence folder, empty (other tests, such as the
    browser journey, upload files too), and emptied again afterwards."""
    folder = Path(app.instance_path) / "evidence"
    folder.mkdir(exist_ok=True)
    for path in folder.iterdir():
        path.unlink()
    yield folder
    for path in folder.iterdir():
        path.unlink()


def _form(app: Flask, upload: tuple[bytes, str, str] | None) -> dict[str, object]:
    on = local_today(app)
    data: dict[str, object] = {
        "kind": "quality_assurance",
        "title": "Case file audit, September",
        "effective_on": [str(on.day), str(on.month), str(on.year)],
        "description": "",
        "link": "",
        "action_id": "",
        "round_id": "",
    }
    if upload is not None:
        body, name, declared = upload
        data["file"] = (io.BytesIO(body), name, declared)
    return data


def _upload(
    app: Flask, client: FlaskClient, board: Board, body: bytes, name: str,
    declared: str = "application/octet-stream",
) -> TestResponse:  # fmt: skip
    return client.post(
        f"/board/recommendations/{board.rec.id}/evidence/new",
        data=_form(app, (body, name, declared)),
        content_type="multipart/form-data",
    )


GOOD = [
    (PDF, "audit.pdf", "application/pdf"),
    (_docx(), "audit.docx", "application/octet-stream"),
    (_xlsx(), "figures.xlsx",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (CSV, "figures.csv", "text/csv"),
    (_png(), "chart.png", "image/png"),
    (JPEG, "photo.JPEG", "image/jpeg"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "name", "declared"), GOOD)
def test_each_allowed_format_is_kept_privately_and_served_as_an_attachment(
    app: Flask,
    client: FlaskClient,
    session: Session,
    board: Board,
    stored: Path,
    body: bytes,
    name: str,
    declared: str,
) -> None:
    sign_in_as(client, board.lead)
    response = _upload(app, client, board, body, name, declared)
    assert response.status_code == 302, response.text
    reload(session)
    item = session.scalar(select(BoardEvidence))
    assert item is not None and item.file_name == name and item.stored_name
    kept = stored / item.stored_name
    assert kept.read_bytes() == body
    assert name not in item.stored_name and "." not in item.stored_name
    assert kept.stat().st_mode & 0o077 == 0, "owner-only"
    assert "static" not in kept.resolve().parts
    sign_in_as(client, board.member)
    download = client.get(f"/board/evidence/{item.id}/file")
    assert download.status_code == 200 and download.data == body
    disposition = download.headers["Content-Disposition"]
    assert (
        disposition.startswith("attachment;") and f"evidence-{item.id}." in disposition
    )
    assert download.headers["Cache-Control"] == "no-store"
    assert download.headers["X-Content-Type-Options"] == "nosniff"


REFUSED = [
    (_png(), "chart.exe", "image/png", "must be a PDF, DOCX, XLSX, CSV, PNG or JPEG"),
    (b"MZ\x90\x00binary", "tool.pdf", "application/pdf", "is not a PDF, DOCX"),
    (_png(), "report.pdf", "application/pdf",
     "named as a PDF but its content is a PNG image"),
    (PDF, "report.pdf", "image/png", "was sent as image/png but its content is a PDF"),
    (PDF, "../../static/report.pdf", "application/pdf", "must not contain slashes"),
    (PDF, "..\\report.pdf", "application/pdf", "must not contain slashes"),
    (_png() + _zip(), "chart.png", "image/png", "ZIP archive hidden inside it"),
    (_png() + b"<html>", "chart.png", "image/png", "web page or script code"),
    (_png() + b"trailing", "chart.png", "image/png", "data after its end"),
    (JPEG[:-2] + b"<script>alert(1)</script>\xff\xd9", "photo.jpg", "image/jpeg",
     "web page or script code"),
    (JPEG + b"extra", "photo.jpg", "image/jpeg", "data after the end of the image"),
    (PDF.replace(b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript >>"),
     "audit.pdf", "application/pdf", "scripts, embedded files or launch actions"),
    (PDF.replace(b"/Type /Catalog", b"/Type /Catalog /#4Aava#53cript"),
     "audit.pdf", "application/pdf", "scripts, embedded files or launch actions"),
    (_with_macro(_docx()), "audit.docx", "application/octet-stream",
     "macros or ActiveX"),
    (b"junk" + _docx(), "audit.docx", "application/octet-stream", "is not a PDF"),
    (_docx() + b"tail", "audit.docx", "application/octet-stream", "data after its end"),
    (b"<html><body>hi</body></html>", "figures.csv", "text/csv", "is not a PDF"),
    (b"", "empty.csv", "text/csv", "is empty"),
]  # fmt: skip


@pytest.mark.parametrize(("body", "name", "declared", "message"), REFUSED)
def test_unsafe_or_mislabelled_files_are_refused_and_nothing_is_kept(
    app: Flask,
    client: FlaskClient,
    session: Session,
    board: Board,
    stored: Path,
    body: bytes,
    name: str,
    declared: str,
    message: str,
) -> None:
    sign_in_as(client, board.lead)
    response = _upload(app, client, board, body, name, declared)
    assert response.status_code == 400
    assert message in response.text
    assert "Case file audit, September" in response.text, "the words come back"
    assert "select it again" in response.text
    reload(session)
    assert session.scalar(select(func.count()).select_from(BoardEvidence)) == 0
    assert list(stored.iterdir()) == []


def test_an_oversized_file_is_refused_with_its_limit(
    app: Flask, client: FlaskClient, session: Session, board: Board, stored: Path
) -> None:
    sign_in_as(client, board.lead)
    limit = app.config["EVIDENCE_MAX_BYTES"]
    app.config["EVIDENCE_MAX_BYTES"] = 1024
    try:
        over = _upload(app, client, board, CSV * 60, "big.csv", "text/csv")
        assert over.status_code == 400
        assert "must be smaller than 0.001 MB" not in over.text
        assert "must be smaller than" in over.text
        too_big = CSV * (1 + 2 * app.config["MAX_CONTENT_LENGTH"] // len(CSV))
        # Built by hand as bytes: the test client would spool a large body to a
        # temporary file that a refused request never closes.
        body = (
            b'--b\r\nContent-Disposition: form-data; name="file"; filename="h.csv"'
            b"\r\nContent-Type: text/csv\r\n\r\n" + too_big + b"\r\n--b--\r\n"
        )
        far_over = client.post(
            f"/board/recommendations/{board.rec.id}/evidence/new",
            data=body,
            content_type="multipart/form-data; boundary=b",
        )
        assert far_over.status_code == 413
        assert "The file must be smaller than" in far_over.text
        assert "Nothing was saved" in far_over.text
    finally:
        app.config["EVIDENCE_MAX_BYTES"] = limit
    reload(session)
    assert session.scalar(select(func.count()).select_from(BoardEvidence)) == 0
    assert list(stored.iterdir()) == []


def test_other_forms_still_refuse_files(
    client: FlaskClient, session: Session, board: Board
) -> None:
    sign_in_as(client, board.lead)
    response = client.post(
        f"/board/actions/{board.action.id}/update",
        data={"commentary": "x", "file": (io.BytesIO(PDF), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "This form does not accept files" in response.text


def test_files_are_only_for_people_who_may_see_the_board(
    app: Flask, client: FlaskClient, session: Session, board: Board, stored: Path
) -> None:
    sign_in_as(client, board.lead)
    assert _upload(app, client, board, PDF, "audit.pdf").status_code == 302
    reload(session)
    item = session.scalar(select(BoardEvidence))
    assert item is not None
    url = f"/board/evidence/{item.id}/file"
    for role in (Role.CONTRIBUTOR, Role.MODERATOR, Role.ADMIN, Role.SAFEGUARDING_LEAD):
        sign_in_as(client, make_user(session, role))
        refused = client.get(url)
        assert refused.status_code == 403, role
        assert "You do not have access to this page" in refused.text
        assert PDF not in refused.data
    client.post("/sign-out")
    with client.session_transaction() as cookie:
        cookie.clear()
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/sign-in" in anonymous.headers["Location"]
    missing = client.get("/board/evidence/999999/file")
    assert missing.status_code in (302, 404)


def test_evidence_text_link_and_staff_voice_rules(
    app: Flask, client: FlaskClient, session: Session, board: Board
) -> None:
    sign_in_as(client, board.lead)
    url = f"/board/recommendations/{board.rec.id}/evidence/new"
    empty = client.post(url, data=_form(app, None))
    assert "Describe the evidence, give a link to it or attach a file" in empty.text
    bad_link = client.post(
        url, data={**_form(app, None), "link": "javascript:alert(1)"}
    )
    assert "Enter a link starting with https://" in bad_link.text
    voice = client.post(url, data={**_form(app, None), "kind": "staff_voice"})
    assert "Choose the engagement round" in voice.text
    future = _form(app, None)
    future["effective_on"] = ["1", "1", "2099"]
    future["description"] = "Planned audit."
    assert "today or in the past" in client.post(url, data=future).text
    good = client.post(
        url, data={**_form(app, None), "link": "https://intranet.example/audit"}
    )
    assert good.status_code == 302
    page = client.get(f"/board/recommendations/{board.rec.id}").text
    assert 'href="https://intranet.example/audit"' in page
    reload(session)
    event = session.scalar(
        select(AuditEvent).where(AuditEvent.action == "evidence_added")
    )
    assert event is not None and event.details["after"]["kind"] == "quality_assurance"


def test_staff_voice_counts_the_rounds_approved_input(
    app: Flask, client: FlaskClient, session: Session, board: Board
) -> None:
    engagement = make_open_round(session, board.planner)
    for n in range(3):
        item = make_approved(session, engagement, f"Supervision point {n}")
        session.add(RecommendationTag(submission_id=item.id,
                                      recommendation_id=board.rec.id))  # fmt: skip
    session.commit()
    sign_in_as(client, board.lead)
    added = client.post(
        f"/board/recommendations/{board.rec.id}/evidence/new",
        data={**_form(app, None), "kind": "staff_voice",
              "round_id": str(engagement.id)},
    )  # fmt: skip
    assert added.status_code == 302
    for who, link in ((board.planner, True), (board.member, False)):
        sign_in_as(client, who)
        page = client.get(f"/board/recommendations/{board.rec.id}").text
        assert "3 approved items of staff input from Autumn staff engagement" in page
        summary = f"/summaries/recommendations/{board.rec.id}?round={engagement.id}"
        assert (summary in page) is link, "the summary link only where it opens"


def test_a_held_lock_keeps_neither_row_nor_file_and_gives_the_words_back(
    app: Flask,
    make_app: Callable[..., Flask],
    database_url: str,
    session: Session,
    board: Board,
    stored: Path,
) -> None:
    """A second process holds the write lock while evidence is uploaded. On
    PostgreSQL the file is already written when the insert waits: it must go
    again when the transaction gives up."""
    client = make_app(**SHORT).test_client()
    sign_in_as(client, board.lead)
    with held_lock(database_url, "board_evidence, audit_events"):
        busy = _upload(app, client, board, PDF, "audit.pdf", "application/pdf")
    assert busy.status_code == 503
    assert "Case file audit, September" in busy.text, "the words come back"
    reload(session)
    assert session.scalar(select(func.count()).select_from(BoardEvidence)) == 0
    assert list(stored.iterdir()) == [], "no file without its row"
    sent = _upload(app, client, board, PDF, "audit.pdf", "application/pdf")
    assert sent.status_code == 302
    assert len(list(stored.iterdir())) == 1
