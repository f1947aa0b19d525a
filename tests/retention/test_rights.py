"""Subject access (everything about the person, nothing about anyone else) and
erasure on request (the words gone everywhere, holds kept, the audit content-free,
nothing left in the SQLite file or its WAL)."""

from __future__ import annotations

import json
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import (
    AuditEvent,
    BoardEvidence,
    Draft,
    EngagementRound,
    ErasureRequest,
    Quote,
    Recommendation,
    RecommendationTag,
    Role,
    Submission,
    SummaryNote,
)
from portal.retention.purge import ERASED
from tests.conftest import database_file_bytes, reload, sign_in_as
from tests.factories import make_submission, make_user


def _setup(session: Session, engagement: EngagementRound) -> tuple[object, ...]:
    writer = make_user(session, Role.CONTRIBUTOR, email="writer@council.example")
    other = make_user(session, Role.CONTRIBUTOR)
    moderator = make_user(session, Role.MODERATOR, email="mod@council.example")
    mine = make_submission(session, writer, engagement,
                           text="Words of Peregrine Oddfellow")  # fmt: skip
    held = make_submission(session, writer, engagement, text="Held words Quillon")
    theirs = make_submission(session, other, engagement, text="Someone else's words")
    anonymous = make_submission(session, writer, engagement, anonymous=True,
                                text="Anonymous words Zephyrine")  # fmt: skip
    mine.status, mine.decided_by_id = "approved", moderator.id
    held.status, held.safeguarding_action = "safeguarding", "referred"
    rec = session.scalar(select(Recommendation))
    assert rec is not None
    session.add(RecommendationTag(submission_id=mine.id, recommendation_id=rec.id))
    session.add(
        Draft(
            user_id=writer.id,
            round_id=engagement.id,
            area_id=engagement.areas[1].id,
            answers={"obstacles": "Draft, Peregrine Oddfellow"},
        )
    )
    # fmt: skip
    session.add(Quote(submission_id=mine.id, field="obstacles",
                      text="Peregrine Oddfellow", created_by_id=None))  # fmt: skip
    session.add(SummaryNote(subject_type="area", subject_id=mine.area_id,
                            key_messages="As Words of Peregrine Oddfellow said",
                            questions=""))  # fmt: skip
    session.add(
        BoardEvidence(
            recommendation_id=rec.id,
            kind="activity",
            title="Audit",
            effective_on=mine.submitted_on,
            description="Quoting Peregrine Oddfellow",
        )
    )
    # fmt: skip
    session.commit()
    return writer, mine, held, theirs, anonymous


def test_subject_access_holds_everything_about_them_and_nothing_else(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    writer, mine, held, theirs, anonymous = _setup(session, open_round)
    sign_in_as(client, writer)  # type: ignore[arg-type]
    page = client.get("/account/my-data").text
    assert "Words of Peregrine Oddfellow" in page
    download = client.get("/account/my-data/download")
    assert download.headers["Content-Disposition"].startswith("attachment;")
    data = json.loads(download.data)
    text = json.dumps(data)
    assert data["account"]["email"] == "writer@council.example"
    assert len(data["named_input"]) == 2
    assert "Words of Peregrine Oddfellow" in text and "Held words Quillon" in text
    assert "Draft, Peregrine Oddfellow" in text
    tagged = [i for i in data["named_input"] if i["id"] == mine.id]  # type: ignore[attr-defined]
    assert tagged and tagged[0]["recommendations"], "with its tags"
    assert "Someone else's words" not in text, "nobody else's input"
    assert "mod@council.example" not in text, "nor who moderated it"
    assert "Zephyrine" not in text, "anonymous input cannot be found by person"
    assert "receipt code" in data["anonymous_input"]


def test_erasure_overwrites_every_copy_keeps_holds_and_leaves_no_trace(
    client: FlaskClient,
    session: Session,
    open_round: EngagementRound,
    database_url: str,
) -> None:
    writer, mine, held, theirs, anonymous = _setup(session, open_round)
    sign_in_as(client, writer)  # type: ignore[arg-type]
    assert client.post("/account/erasure").status_code == 302
    again = client.post("/account/erasure", follow_redirects=True)
    assert "already asked" in again.text
    reload(session)
    asked = session.scalar(select(ErasureRequest))
    assert asked is not None
    admin = make_user(session, Role.ADMIN)
    sign_in_as(client, admin)
    assert "writer@council.example" in client.get("/admin/erasure-requests").text
    done = client.post(f"/admin/erasure-requests/{asked.id}", follow_redirects=True)
    assert "Erased the words of 1 items; 1 kept under legal hold." in done.text
    reload(session)
    words = {s.id: s.obstacles for s in session.scalars(select(Submission))}
    assert words[mine.id] == ERASED  # type: ignore[attr-defined]
    assert words[held.id] == "Held words Quillon"  # type: ignore[attr-defined]
    assert words[theirs.id] == "Someone else's words"  # type: ignore[attr-defined]
    assert words[anonymous.id] == "Anonymous words Zephyrine"  # type: ignore[attr-defined]
    assert session.scalar(select(Draft)) is None
    assert session.scalar(select(Quote)) is None
    note = session.scalar(select(SummaryNote))
    evidence = session.scalar(select(BoardEvidence))
    assert note is not None and "Peregrine" not in note.key_messages
    assert evidence is not None and "Peregrine" not in evidence.description
    event = session.scalar(
        select(AuditEvent).where(AuditEvent.action == "erasure_carried_out")
    )
    assert event is not None
    assert event.details["after"] == {"erased": 1, "kept_on_hold": 1}
    assert "Peregrine" not in json.dumps(
        [e.details for e in session.scalars(select(AuditEvent))]
    )
    if database_url.startswith("sqlite"):
        path = Path(database_url.removeprefix("sqlite:///"))
        for part in (path, path.with_name(path.name + "-wal")):
            assert b"Peregrine" not in database_file_bytes(part), part
    twice = client.post(f"/admin/erasure-requests/{asked.id}", follow_redirects=True)
    assert "already been carried out" in twice.text
    sign_in_as(client, writer)  # type: ignore[arg-type]
    told = client.get("/account/my-data").text
    assert "the words of 1 item were erased, and 1 is kept" in told
