"""Declared transactions under a real lock: a second process holds the database's
write lock for longer than the whole retry bound while a writer submits or signs in.
Nothing partial is written, the words come back, and once the lock is gone the same
form goes through. Runs on SQLite (BEGIN EXCLUSIVE) and PostgreSQL (LOCK TABLE)."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from portal.db import get_engine
from portal.models import AuditEvent, EngagementRound, LoginFailure, Role, Submission
from portal.transaction import writes
from tests.conftest import prepared_statements, reload, sign_in_as
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.feedback.conftest import answers, form_url, fresh_token

ROOT = Path(__file__).resolve().parent.parent
# Short waits so the test is quick; the lock is held until the test lets go, so
# nothing here depends on how fast the machine is.
SHORT = {"SQLITE_BUSY_TIMEOUT_SECONDS": 0.2, "WRITE_RETRY_SECONDS": 0.6}

HOLD_SQLITE = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()
db.execute("ROLLBACK")
"""
HOLD_POSTGRES = """
import sys, psycopg
with psycopg.connect(sys.argv[1]) as db:
    db.execute("LOCK TABLE {tables} IN EXCLUSIVE MODE")
    print("locked", flush=True)
    sys.stdin.read()
    db.rollback()
"""


@contextmanager
def held_lock(database_url: str, tables: str) -> Iterator[None]:
    """Another process holds the write lock until the block ends."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        args = [HOLD_SQLITE, str(url.database)]
    else:
        plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
        args = [HOLD_POSTGRES.format(tables=tables), plain]
    holder = subprocess.Popen(
        [sys.executable, "-c", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdin is not None
    try:
        assert holder.stdout.readline().strip() == "locked"
        yield
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
        holder.stdout.close()


def count(session: Session, model: type) -> int:
    reload(session)
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_writer_gets_their_words_back_while_another_process_holds_the_lock(
    make_app: Callable[..., Flask],
    database_url: str,
    session: Session,
    open_round: EngagementRound,
) -> None:
    client = make_app(**SHORT).test_client()
    sign_in_as(client, make_user(session, Role.CONTRIBUTOR))
    url = form_url(open_round)
    token = fresh_token(client, url)
    data = answers(obstacles="Words that must not be lost", form_token=token)
    audit_before = count(session, AuditEvent)
    with held_lock(database_url, "submissions, audit_events"):
        busy = client.post(url, data=data)
    assert busy.status_code == 503
    assert busy.headers["Retry-After"]
    assert "Words that must not be lost" in busy.text
    assert "could not be saved just now" in busy.text
    assert count(session, Submission) == 0, "nothing partial"
    assert count(session, AuditEvent) == audit_before
    # The lock has gone: the very same form (same one-time token) now goes through.
    sent = client.post(url, data=data)
    assert sent.headers["Location"].startswith("/feedback/thank-you")
    assert count(session, Submission) == 1


def test_sign_in_waits_for_the_lock_then_gives_way_without_losing_the_attempt(
    make_app: Callable[..., Flask], database_url: str, session: Session
) -> None:
    client = make_app(**SHORT).test_client()
    user = make_user(session, Role.CONTRIBUTOR, email="lock@council.example")
    form = {"email": user.email, "password": DEFAULT_PASSWORD}
    audit_before = count(session, AuditEvent)
    with held_lock(database_url, "login_failures, audit_events, users"):
        busy = client.post("/sign-in", data=form)
        wrong = client.post("/sign-in", data={**form, "password": "not it at all"})
    assert busy.status_code == 503 and wrong.status_code == 503
    assert user.email in busy.text and DEFAULT_PASSWORD not in busy.text
    assert count(session, LoginFailure) == 0
    assert count(session, AuditEvent) == audit_before
    signed_in = client.post("/sign-in", data=form)
    assert signed_in.headers["Location"] == "/"
    assert count(session, AuditEvent) == audit_before + 1


def test_a_view_that_writes_without_declaring_it_is_refused(app: Flask) -> None:
    """The guard behind "a view that writes declares its transaction"."""
    from portal.db import get_session
    from portal.models import Setting

    with app.test_request_context("/", method="POST"):
        db = get_session()
        db.add(Setting(key="undeclared", value="x"))
        with pytest.raises(RuntimeError, match="not declared with @writes"):
            db.flush()
        db.rollback()

    @writes
    def declared() -> str:
        get_session().add(Setting(key="declared", value="x"))
        get_session().flush()
        return "ok"

    with app.test_request_context("/", method="POST"):
        assert declared() == "ok"
    with app.test_request_context("/"):
        setting = get_session().get(Setting, "declared")
        assert setting is not None
        get_session().commit()


def test_routes_have_exactly_one_way_to_commit() -> None:
    """No route module commits or retries by hand: @writes does both."""
    offenders = []
    for path in sorted((ROOT / "portal").rglob("*routes.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in {"commit", "commit_with_retry"}
            ) or (isinstance(node, ast.Name) and node.id == "commit_with_retry"):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_every_view_that_accepts_post_declares_its_transaction(app: Flask) -> None:
    # Views that accept POST but write nothing, and say why.
    reads_only = {
        "accounts.keep_alive": "resets a cookie clock only",
        "feedback.receipt": "looks a receipt code up",
    }
    missing = []
    for rule in app.url_map.iter_rules():
        if "POST" not in (rule.methods or set()) or rule.endpoint in reads_only:
            continue
        view = app.view_functions[rule.endpoint]
        while view is not None and not getattr(view, "declares_transaction", False):
            view = getattr(view, "__wrapped__", None)
        if view is None:
            missing.append(rule.endpoint)
    assert missing == []


def test_a_page_that_only_reads_ends_its_transaction_with_commit(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    """A read request's transaction ends with COMMIT, not ROLLBACK: on PostgreSQL
    a ROLLBACK makes psycopg drop the statements it prepared (portal.db.end_read)."""
    user = make_user(session, Role.PLANNER)
    session.commit()
    sign_in_as(client, user)
    ended: list[str] = []
    engine = get_engine(app)
    listeners = {
        "commit": lambda _connection: ended.append("commit"),
        "rollback": lambda _connection: ended.append("rollback"),
    }
    for name, listener in listeners.items():
        event.listen(engine, name, listener)
    try:
        assert client.get("/").status_code == 200
    finally:
        for name, listener in listeners.items():
            event.remove(engine, name, listener)
    assert ended == ["commit"]


def test_postgresql_keeps_a_pages_statements_prepared(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    """psycopg prepares a statement on its fifth use on a connection; a ROLLBACK
    at the end of each request dropped them all, so none ever was."""
    engine = get_engine(app)
    if engine.dialect.name != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    user = make_user(session, Role.PLANNER)
    session.commit()
    sign_in_as(client, user)
    # Requests one after another then share one fresh connection (the suite's
    # pool may hold several from earlier tests, handed out in turn).
    engine.dispose()
    for _ in range(8):
        assert client.get("/").status_code == 200
    assert prepared_statements(engine)
