"""Shared fixtures.

The database is migrated once per run with Alembic (so every test also exercises the
migrations) and emptied after each test. SQLite runs on a file in WAL mode, like
production; set PORTAL_TEST_DATABASE_URL=postgresql+psycopg://... to run everything
on PostgreSQL instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from psycopg import pq
from sqlalchemy import Engine, create_engine, delete, event, insert, text
from sqlalchemy.orm import Session

from portal import create_app, db
from portal.demo import load_bundled_framework
from portal.models import (
    AuditEvent,
    AuditGap,
    AuditMaintenance,
    Base,
    EngagementRound,
    GlossaryTerm,
    Role,
    User,
    utcnow,
)
from portal.tagging.glossary import DEFAULT_TERMS

FAST_HASH = "pbkdf2:sha256:1000"  # production uses scrypt; tests need speed


def base_config(database_url: str) -> dict[str, object]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "DATABASE_URL": database_url,
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": FAST_HASH,
        # A fast hash needs no rest between checks (accounts/password_slots.py;
        # tests/accounts/test_password_slots.py tests the rest itself).
        "PASSWORD_CHECK_SHARE": 1.0,
        # Off by default: tests share an address; tests/test_throttle.py turns it on.
        "RATELIMIT_ENABLED": False,
        # Threaded test servers and bursts share one app: SQLAlchemy's usual
        # pool, not a sync worker's small one.
        "DB_POOL_SIZE": 5,
        "DB_MAX_OVERFLOW": 10,
    }


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("PORTAL_TEST_DATABASE_URL")
    if url:
        engine = create_engine(url)
        with engine.begin() as connection:
            # Start from nothing so a leftover schema cannot hide a migration bug.
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "portal.sqlite3")


@pytest.fixture
def empty_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty database of the suite's kind (SQLite, or PostgreSQL when
    the suite runs on it), dropped afterwards: to restore or migrate into."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    from tests.servers import fresh_postgres

    with fresh_postgres("portal_empty", database_url.rsplit("/", 1)[0]) as url:
        yield url


@pytest.fixture(scope="session")
def instance_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("instance")
    os.environ["PORTAL_INSTANCE_PATH"] = str(path)
    return path


@pytest.fixture(scope="session")
def app(database_url: str, instance_dir: Path) -> Iterator[Flask]:
    application = create_app(base_config(database_url))
    db.upgrade(application)
    yield application
    db.get_engine(application).dispose()


@pytest.fixture
def make_app(database_url: str, instance_dir: Path) -> Iterator[Callable[..., Flask]]:
    """Another app on the same database (a second worker, CSRF on, ...); its
    connections are closed at the end of the test."""
    created: list[Flask] = []

    def factory(**overrides: object) -> Flask:
        application = create_app({**base_config(database_url), **overrides})
        created.append(application)
        return application

    yield factory
    for application in created:
        db.get_engine(application).dispose()


@pytest.fixture(autouse=True)
def _empty_database(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "app" not in request.fixturenames:
        return
    application: Flask = request.getfixturevalue("app")
    with db.writer(db.get_engine(application)).begin() as connection:
        # The audit table refuses deletes unless a purge is allowed (migration 0003).
        connection.execute(insert(AuditMaintenance).values(purge_allowed=True))
        connection.execute(delete(AuditEvent))
        connection.execute(delete(AuditGap))  # guarded by the same flag (0016)
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(delete(table))
        # What migration 0010 seeds, so every test starts from a fresh install.
        connection.execute(
            insert(GlossaryTerm),
            [{"abbreviation": a, "expansion": e, "updated_at": utcnow()}
             for a, e in DEFAULT_TERMS.items()],
        )  # fmt: skip


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A session for arranging and checking data directly.

    It is not tied to an app context: Flask 3.1 would let requests share it. Commit
    after arranging; call ``reload(session)`` before checking what a request did,
    to end the read snapshot and reload objects."""
    maker = app.extensions["portal.sessions"]["read"]
    test_session: Session = maker()
    yield test_session
    test_session.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def framework(session: Session) -> None:
    load_bundled_framework(session)
    session.commit()


def sign_in_as(client: FlaskClient, user: User) -> None:
    """Put a signed-in session in the client's cookie, as the sign-in page would."""
    now = int(time.time())
    with client.session_transaction() as cookie_session:
        cookie_session["_user_id"] = user.get_id()
        cookie_session["_fresh"] = True
        cookie_session["t0"] = now
        cookie_session["seen"] = now


def database_file_bytes(path: Path) -> bytes:
    """Read a SQLite file (or its -wal) from another process. Opening and closing
    it in this process would drop every POSIX lock SQLite holds on it here, and the
    next process to close the database would then wrongly think it was the last
    one and tear the WAL down under our open connections."""
    if not path.exists():
        return b""
    done = subprocess.run(
        [sys.executable, "-c", _CAT, str(path)], capture_output=True, check=True
    )
    return done.stdout


_CAT = "import sys; sys.stdout.buffer.write(open(sys.argv[1], 'rb').read())"


def prepared_statements(engine: Engine) -> list[Any]:
    """What PostgreSQL holds prepared on each idle connection of the pool (rows
    of statement, generic_plans, custom_plans): every connection is held at once,
    so the one that served the requests is among them."""
    held = [engine.connect() for _ in range(engine.pool.checkedin())]  # type: ignore[attr-defined]
    try:
        return [
            row
            for connection in held
            for row in connection.exec_driver_sql(
                "SELECT statement, generic_plans, custom_plans"
                " FROM pg_prepared_statements"
            )
        ]
    finally:
        for connection in held:
            connection.close()


@contextmanager
def round_trips_counted(engine: Engine) -> Iterator[list[int]]:
    """How many times each connection checked out in the block waited for
    PostgreSQL's answer (its ReadyForQuery messages, from libpq's own trace of
    the protocol), one count per checkout. The pool's ping comes before the
    checkout is handed over, so it is not counted."""
    counts: list[int] = []
    traces: dict[int, Any] = {}

    def traced(dbapi_connection: Any, *_args: Any) -> None:
        trace = tempfile.TemporaryFile()
        traces[id(dbapi_connection)] = trace
        dbapi_connection.pgconn.trace(trace.fileno())
        dbapi_connection.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)

    def counted(dbapi_connection: Any, *_args: Any) -> None:
        trace = traces.pop(id(dbapi_connection), None)
        if trace is None:
            return
        dbapi_connection.pgconn.untrace()
        trace.seek(0)
        lines = trace.read().decode(errors="replace").splitlines()
        counts.append(sum(1 for line in lines if "\tReadyForQuery" in line))
        trace.close()

    event.listen(engine, "checkout", traced)
    event.listen(engine, "checkin", counted)
    try:
        yield counts
    finally:
        event.remove(engine, "checkout", traced)
        event.remove(engine, "checkin", counted)


def reload(session: Session) -> None:
    """See what requests committed: end the read snapshot, forget loaded objects."""
    session.rollback()
    session.expire_all()


@pytest.fixture
def planner(session: Session) -> User:
    from tests.factories import make_user

    return make_user(session, Role.PLANNER, name="Priya Planner")


@pytest.fixture
def open_round(session: Session, framework: None, planner: User) -> EngagementRound:
    from tests.factories import make_open_round

    return make_open_round(session, planner)
