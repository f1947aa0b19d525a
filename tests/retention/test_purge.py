"""Retention, with the date under the test's control: the boundary of each rule,
legal hold, every copy overwritten, the words gone from the SQLite file and its
WAL after the checkpoint, and a second run changing nothing."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import time_machine
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import db
from portal.models import (
    AuditEvent,
    BoardEvidence,
    Draft,
    EngagementRound,
    LoginFailure,
    PlanAction,
    Quote,
    Recommendation,
    Role,
    Submission,
    SummaryNote,
)
from portal.retention.purge import REMOVED, Policy, Purged, purge
from portal.timefmt import to_utc
from tests.conftest import database_file_bytes, reload
from tests.factories import make_submission, make_user

POLICY = Policy(unused_days=30, input_months=36, draft_days=30,
                login_failure_days=30, evidence_months=72)  # fmt: skip
DAY = date(2027, 6, 1)


def _item(session: Session, engagement: EngagementRound, words: str) -> Submission:
    return make_submission(session, make_user(session, Role.CONTRIBUTOR), engagement,
                           text=words)  # fmt: skip


def _run(app: Flask, session: Session, on: date) -> Purged:
    with app.app_context():  # the council's time zone, from the config
        done = purge(session, POLICY, on, app.instance_path)
    db.commit(session)  # as the command does: then what waits for the commit runs
    return done


def _utc(app: Flask, day: date) -> datetime:
    with app.app_context():
        return to_utc(day, time(12))


def test_unused_words_go_at_the_boundary_with_every_copy_and_holds_are_kept(
    app: Flask, session: Session, open_round: EngagementRound
) -> None:
    withdrawn = _item(session, open_round, "Withdrawn words about Kestrel Close")
    withdrawn.status, withdrawn.withdrawn_on = "withdrawn", DAY - timedelta(days=30)
    recent = _item(session, open_round, "Recently withdrawn words")
    recent.status, recent.withdrawn_on = "withdrawn", DAY - timedelta(days=29)
    rejected = _item(session, open_round, "Rejected words")
    rejected.status = "rejected"
    rejected.decided_at = _utc(app, DAY - timedelta(days=30))
    held = _item(session, open_round, "Held words")
    held.status, held.withdrawn_on = "withdrawn", DAY - timedelta(days=90)
    held.legal_hold = True
    escalated = _item(session, open_round, "Escalated words")
    escalated.status, escalated.safeguarding_action = "rejected", "referred"
    escalated.decided_at = _utc(app, DAY - timedelta(days=90))
    # Copies of the withdrawn words elsewhere.
    session.add(Quote(submission_id=withdrawn.id, field="obstacles",
                      text="Kestrel Close", created_by_id=None))  # fmt: skip
    session.add(SummaryNote(subject_type="area", subject_id=withdrawn.area_id,
                            key_messages="Withdrawn words about Kestrel Close",
                            questions=""))  # fmt: skip
    session.commit()
    done = _run(app, session, DAY)
    assert done.unused_input == 2 and done.held == 2
    reload(session)
    words = {s.id: s.obstacles for s in session.scalars(select(Submission))}
    assert words[withdrawn.id] == REMOVED and words[rejected.id] == REMOVED
    assert words[recent.id] == "Recently withdrawn words", "29 days: not yet"
    assert words[held.id] == "Held words" and words[escalated.id] == "Escalated words"
    assert session.scalar(select(func.count()).select_from(Quote)) == 0
    note = session.scalar(select(SummaryNote))
    assert note is not None and "Kestrel" not in note.key_messages
    event = session.scalar(
        select(AuditEvent).where(AuditEvent.action == "retention_purge")
    )
    assert event is not None and event.details["after"]["unused_input"] == 2
    assert "Kestrel" not in str(event.details)
    # The next day nothing more is due from the first run: it is idempotent.
    again = _run(app, session, DAY)
    assert again.unused_input == 0 and again.old_input == 0


def test_input_words_go_36_months_after_the_round_closed(
    app: Flask, session: Session, open_round: EngagementRound
) -> None:
    item = _item(session, open_round, "Approved words")
    item.status = "approved"
    session.commit()
    closed = open_round.closes_at.date()
    just_before = date(closed.year + 3, closed.month, 1)
    assert _run(app, session, just_before).old_input == 0
    later = date(closed.year + 3, closed.month, 28) + timedelta(days=5)
    # While the plan runs, plus the period, its evidence keeps its words.
    rec = session.scalar(select(Recommendation))
    assert rec is not None
    action = PlanAction(
        recommendation_id=rec.id,
        action="Audit",
        lead_officer="Lead",
        success_measure="Audits",
        target_date=later - timedelta(days=30),
    )
    session.add(action)
    session.commit()
    assert _run(app, session, later).old_input == 0, "the plan ended a month ago"
    action.target_date = date(later.year - 3, later.month, 1) - timedelta(days=31)
    session.commit()
    assert _run(app, session, later).old_input == 1
    reload(session)
    kept = session.get(Submission, item.id)
    assert kept is not None and kept.obstacles == REMOVED
    assert kept.status == "approved" and kept.priority, "counts and ratings stay"


def test_drafts_failed_sign_ins_and_evidence_files_expire(
    app: Flask, session: Session, open_round: EngagementRound, planner: object
) -> None:
    writer = make_user(session, Role.CONTRIBUTOR)
    at = datetime.combine(DAY, time(9)).astimezone()
    session.add_all([
        Draft(user_id=writer.id, round_id=open_round.id,
              area_id=open_round.areas[0].id, answers={"obstacles": "old draft"},
              updated_at=at - timedelta(days=31)),
        Draft(user_id=writer.id, round_id=open_round.id,
              area_id=open_round.areas[1].id, answers={"obstacles": "new draft"},
              updated_at=at - timedelta(days=2)),
        LoginFailure(account_key="k", failed_at=at - timedelta(days=31)),
        LoginFailure(account_key="k", failed_at=at - timedelta(days=1)),
    ])  # fmt: skip
    folder = Path(app.instance_path) / "evidence"
    folder.mkdir(exist_ok=True)
    stored = "A" * 32
    (folder / stored).write_bytes(b"%PDF-1.4 old audit")
    rec = session.scalar(select(Recommendation))
    assert rec is not None
    session.add(
        BoardEvidence(
            recommendation_id=rec.id,
            kind="activity",
            title="Old audit",
            description="Detail",
            link=None,
            stored_name=stored,
            file_name="audit.pdf",
            effective_on=date(DAY.year - 6, DAY.month - 1, 1),
        )
    )
    # fmt: skip
    session.commit()
    # A purge that does not commit leaves the file where its row points.
    with app.app_context():
        purge(session, POLICY, DAY, app.instance_path)
    db.rollback(session)
    assert (folder / stored).exists()
    done = _run(app, session, DAY)
    assert (done.drafts, done.login_failures, done.evidence_files) == (1, 1, 1)
    reload(session)
    assert [d.answers["obstacles"] for d in session.scalars(select(Draft))] == [
        "new draft"
    ]
    assert session.scalar(select(func.count()).select_from(LoginFailure)) == 1
    evidence = session.scalar(select(BoardEvidence))
    assert evidence is not None and evidence.stored_name is None
    assert evidence.title == "Old audit", "the record of the evidence stays"
    assert not (folder / stored).exists()


def test_the_purge_command_leaves_no_copy_in_the_database_file_or_wal(
    app: Flask, session: Session, open_round: EngagementRound, database_url: str
) -> None:
    item = _item(session, open_round, "Words of Marigold Featherstonehaugh")
    item.status, item.withdrawn_on = "withdrawn", date(2026, 1, 5)
    session.commit()
    runner = app.test_cli_runner()
    with time_machine.travel(datetime(2026, 3, 1, 9, tzinfo=None), tick=False):
        result = runner.invoke(args=["portal", "purge"])
    assert result.exit_code == 0, result.output
    assert "Words overwritten: 1 unused" in result.output
    reload(session)
    stored = session.get(Submission, item.id)
    assert stored is not None and stored.obstacles == REMOVED
    if database_url.startswith("sqlite"):
        path = Path(database_url.removeprefix("sqlite:///"))
        for part in (path, path.with_name(path.name + "-wal")):
            assert b"Featherstonehaugh" not in database_file_bytes(part), part
    again = runner.invoke(args=["portal", "purge"])
    assert "Words overwritten: 0 unused, 0 past" in again.output


def test_words_that_never_came_back_from_single_sign_on_go(
    app: Flask, session: Session
) -> None:
    from portal.models import SignInCarry

    with app.app_context():
        start = to_utc(DAY, time.min)  # the council's midnight
    session.add_all([
        SignInCarry(token_hash="a" * 64, ciphertext=b"x",
                    created_hour=start - timedelta(minutes=1)),
        SignInCarry(token_hash="b" * 64, ciphertext=b"y",
                    created_hour=start + timedelta(hours=1)),
    ])  # fmt: skip
    session.commit()
    done = _run(app, session, DAY)
    assert done.carries == 1
    reload(session)
    assert session.scalars(select(SignInCarry.token_hash)).all() == ["b" * 64]
