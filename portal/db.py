"""Engine, sessions and migrations.

One SQLAlchemy session per request (or CLI command), created lazily and closed at
teardown. Routes and CLI commands commit; services only flush.

SQLite: WAL, foreign keys, a busy timeout, and we issue BEGIN ourselves so that write
requests take the write lock up front (``BEGIN IMMEDIATE``). A deferred transaction
that reads then writes fails at once with "database is locked" instead of waiting.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config as AlembicConfig
from flask import Flask, current_app, g, request
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
T = TypeVar("T")


def make_engine(url: str, busy_timeout: float = 15) -> Engine:
    """Create an engine with the pragmas and transaction handling our rules need."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": busy_timeout})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy (pysqlite's implicit BEGIN runs
        # SELECTs outside the transaction, which hides read-then-write races).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if url not in ("sqlite://", "sqlite:///:memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Deleted rows (a discarded draft, later a redacted text) are overwritten
        # with zeros rather than left readable in free pages of the file.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def writer(engine: Engine) -> Engine:
    """The same engine, but transactions take SQLite's write lock when they begin."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(sqlite_begin="IMMEDIATE")
    return engine


def init_app(app: Flask) -> None:
    """Create the engine for this app and close the request session at teardown."""
    engine = make_engine(
        app.config["DATABASE_URL"], app.config["SQLITE_BUSY_TIMEOUT_SECONDS"]
    )
    app.extensions["portal.engine"] = engine
    app.extensions["portal.sessions"] = {
        "read": sessionmaker(bind=engine, expire_on_commit=False),
        "write": sessionmaker(bind=writer(engine), expire_on_commit=False),
    }
    app.teardown_appcontext(close_session)


def get_session() -> Session:
    """This request's session: a write session for POST and for CLI commands."""
    if "db_session" not in g:
        makers = current_app.extensions["portal.sessions"]
        is_read = _in_read_request()
        g.db_session = makers["read" if is_read else "write"]()
    session: Session = g.db_session
    return session


def _in_read_request() -> bool:
    from flask import has_request_context

    return has_request_context() and request.method not in WRITE_METHODS


def close_session(_exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def get_engine(app: Flask | None = None) -> Engine:
    engine: Engine = (app or current_app).extensions["portal.engine"]
    return engine


def alembic_config(url: str) -> AlembicConfig:
    """Alembic configured in code: no alembic.ini to drift from the app's settings."""
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(app: Flask, revision: str = "head") -> None:
    """Migrate the app's database to ``revision`` (idempotent)."""
    config = alembic_config(app.config["DATABASE_URL"])
    with writer(get_engine(app)).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


class StorageBusy(Exception):
    """The database stayed locked or busy through every retry."""


def _is_transient(error: OperationalError) -> bool:
    text = str(error.orig).lower() if error.orig is not None else str(error).lower()
    code = getattr(error.orig, "sqlstate", None)
    # SQLite lock contention; PostgreSQL serialization failure and deadlock.
    return "locked" in text or "busy" in text or code in {"40001", "40P01"}


def commit_with_retry(work: Callable[[Session], T], attempts: int = 3) -> T:
    """Run ``work`` in this request's session and commit, retrying the whole unit a
    few times if the database is momentarily locked. Raises StorageBusy after that,
    so the caller can give the user their text back."""
    for attempt in range(attempts):
        session = get_session()
        try:
            result = work(session)
            session.commit()
            return result
        except OperationalError as error:
            session.rollback()
            if not _is_transient(error):
                raise
            if attempt == attempts - 1:
                raise StorageBusy() from error
            time.sleep(0.05 * 2**attempt)
    raise AssertionError("unreachable")  # pragma: no cover


def purge_freed_space(session: Session) -> None:
    """After overwriting personal data: on SQLite, move the WAL into the database
    file and truncate it, so no old copy of a page stays in the log (freed cells are
    already zeroed by secure_delete). Best effort: a busy database is left for the
    next checkpoint. PostgreSQL keeps old row versions until VACUUM (see
    docs/deployment.md)."""
    engine = session.get_bind()
    if engine.dialect.name != "sqlite":
        return
    raw = engine.raw_connection()  # type: ignore[union-attr]
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()
    finally:
        raw.close()


def read_session(app: Flask | None = None) -> Session:
    """A separate read-only session (for streaming exports after the request's
    own transaction has committed); the caller closes it."""
    maker = (app or current_app).extensions["portal.sessions"]["read"]
    session: Session = maker()
    return session
