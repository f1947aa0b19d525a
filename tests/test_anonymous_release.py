"""Anonymous rows carry no arrival order at rest: held in the inbox, released once a
day in one transaction in random order (PostgreSQL xmin and ctid, the SQLite WAL),
with nothing lost if the release is killed half-way."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from portal import db
from portal.models import (
    AnonymousInbox,
    AuditEvent,
    EngagementRound,
    Role,
    Submission,
    utcnow,
)
from portal.submissions.release import release
from tests.conftest import database_file_bytes, reload, sign_in_as
from tests.factories import make_user
from tests.feedback.conftest import answers, form_url, fresh_token

ROOT = Path(__file__).resolve().parent.parent


def _send(client: FlaskClient, item: EngagementRound, mode: str, words: str) -> None:
    url = form_url(item)
    response = client.post(
        url,
        data=answers(mode=mode, obstacles=words, form_token=fresh_token(client, url)),
    )
    assert response.status_code == 302


def _count(session: Session, model: type) -> int:
    reload(session)
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_anonymous_input_waits_in_the_inbox_and_is_released_once(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    sign_in_as(client, make_user(session, Role.CONTRIBUTOR))
    for n in range(3):
        _send(client, open_round, "anonymous", f"Held {n}")
    assert (_count(session, AnonymousInbox), _count(session, Submission)) == (3, 0)
    moderator = make_user(session, Role.MODERATOR)
    sign_in_as(client, moderator)
    assert (
        "3 anonymous items are held for the overnight release"
        in client.get("/moderation").text
    )
    reload(session)
    # The nightly run releases what came before today; today's input waits.
    assert release(session, utcnow().date()).items == 0
    done = release(session, utcnow().date() + timedelta(days=1))
    db.commit(session)
    assert (done.items, done.days) == (3, 1)
    assert (_count(session, AnonymousInbox), _count(session, Submission)) == (3 - 3, 3)
    assert release(session, utcnow().date() + timedelta(days=1)).items == 0


def test_postgresql_rows_say_nothing_of_their_order(
    make_app: Callable[..., Flask],
    app: Flask,
    session: Session,
    open_round: EngagementRound,
) -> None:
    engine = db.get_engine(app)
    if engine.dialect.name != "postgresql":
        pytest.skip("xmin and ctid are PostgreSQL's")
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        # Start from a compact table, so new rows append in the order written.
        conn.execute(text("VACUUM FULL submissions"))
    contributor = make_user(session, Role.CONTRIBUTOR, email="c@council.example")
    others = [make_user(session, Role.CONTRIBUTOR) for _ in range(2)]
    clients = {}
    for person in (contributor, *others):
        clients[person.id] = make_app().test_client()
        sign_in_as(clients[person.id], person)
    mine = clients[contributor.id]
    _send(mine, open_round, "named", "Named before")
    _send(clients[others[0].id], open_round, "anonymous", "Other anonymous")
    _send(mine, open_round, "anonymous", "My anonymous words")
    _send(clients[others[1].id], open_round, "named", "Someone named")
    _send(mine, open_round, "named", "Named after")
    _send(clients[others[1].id], open_round, "anonymous", "Later anonymous")
    reload(session)
    release(session, utcnow().date(), include_today=True)
    db.commit(session)
    reload(session)
    rows = session.execute(
        text("SELECT kind, author_id, xmin::text::bigint, ctid::text FROM submissions")
    ).all()
    anonymous = [r for r in rows if r[0] == "anonymous"]
    named_mine = [r for r in rows if r[1] == contributor.id]
    assert len(anonymous) == 3 and len(named_mine) == 2
    assert len({r[2] for r in anonymous}) == 1, "a day's rows share one xmin"
    audited = (
        session.execute(
            text("SELECT xmin::text::bigint FROM audit_events WHERE actor_id = :id"),
            {"id": contributor.id},
        )
        .scalars()
        .all()
    )
    last_event = max([*audited, *(r[2] for r in named_mine)])
    assert all(r[2] > last_event for r in anonymous), "after all of their events"

    def place(ctid: str) -> tuple[int, int]:
        page, offset = ctid.strip("()").split(",")
        return int(page), int(offset)

    first, last = sorted(place(r[3]) for r in named_mine)
    assert not any(first < place(r[3]) < last for r in anonymous)
    # Nothing in the audit trail refers to anonymous input's arrival.
    assert (
        session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.subject_id.in_([str(r[1]) for r in anonymous]))
        )
        == 0
    )


def test_sqlite_wal_keeps_no_frame_of_the_inbox_after_release(
    client: FlaskClient, session: Session, open_round: EngagementRound, app: Flask
) -> None:
    if db.get_engine(app).dialect.name != "sqlite":
        pytest.skip("the SQLite write-ahead log")
    sign_in_as(client, make_user(session, Role.CONTRIBUTOR))
    _send(client, open_round, "anonymous", "Inbox words WALMARK")
    database = Path(app.config["DATABASE_URL"].removeprefix("sqlite:///"))
    reload(session)
    assert b'"obstacles"' in database_file_bytes(database) + database_file_bytes(
        Path(f"{database}-wal")
    ), "held: the inbox row is on disk (the residual risk docs/deployment.md names)"
    release(session, utcnow().date(), include_today=True)
    db.commit(session)
    reload(session)
    wal = database_file_bytes(Path(f"{database}-wal"))
    assert wal == b"", "checkpointed and truncated"
    # The inbox stores the row as JSON ("obstacles": ...); the released row is a
    # plain column. No copy of the JSON is left in the file (secure_delete).
    assert b'"obstacles"' not in database_file_bytes(database)


CRASHING_RELEASE = r"""
import os, sys, time
from sqlalchemy.orm import Session
from portal import create_app, db
from portal.models import utcnow
from portal.submissions import release

app = create_app({"SECRET_KEY": "crash", "DATABASE_URL": sys.argv[1]})
real_flush = Session.flush
seen = {"n": 0}

def flush(self, *args, **kwargs):
    real_flush(self, *args, **kwargs)
    seen["n"] += 1
    if seen["n"] == 3:
        print("half-way", flush=True)
        time.sleep(600)

Session.flush = flush
with app.app_context():
    session = db.get_session()
    release.release(session, utcnow().date(), include_today=True)
    db.commit(session)
"""


def test_a_release_killed_half_way_loses_and_doubles_nothing(
    client: FlaskClient,
    session: Session,
    open_round: EngagementRound,
    app: Flask,
    tmp_path: Path,
) -> None:
    sign_in_as(client, make_user(session, Role.CONTRIBUTOR))
    for n in range(6):
        _send(client, open_round, "anonymous", f"Crash test {n}")
    reload(session)
    keys = set(session.scalars(select(AnonymousInbox.idempotency_key)))
    assert len(keys) == 6
    reload(session)
    worker = subprocess.Popen(
        [sys.executable, "-c", CRASHING_RELEASE, app.config["DATABASE_URL"]],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
        env={**os.environ, "PORTAL_INSTANCE_PATH": str(tmp_path)},
    )  # fmt: skip
    assert worker.stdout is not None
    assert worker.stdout.readline().strip() == "half-way"
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    worker.stdout.close()
    reload(session)
    held = list(session.scalars(select(AnonymousInbox.idempotency_key)))
    released = list(session.scalars(select(Submission.idempotency_key)))
    assert sorted(held + released) == sorted(keys), "each exactly once"
    release(session, utcnow().date(), include_today=True)
    db.commit(session)
    reload(session)
    assert set(session.scalars(select(Submission.idempotency_key))) == keys
