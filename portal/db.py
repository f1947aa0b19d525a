"""Engine, sessions and migrations.

One SQLAlchemy session per request (or CLI command), created lazily and closed at
teardown. A request reads in a plain (deferred) transaction; a view that writes
declares it with ``portal.transaction.writes``, which opens the write transaction,
commits and retries. CLI commands commit themselves; services only flush.

SQLite: WAL, foreign keys, a busy timeout, and we issue BEGIN ourselves so that the
write transaction takes the lock up front (``BEGIN IMMEDIATE``). A deferred
transaction that reads then writes fails at once with "database is locked" instead
of waiting. The database file is created owner-only, and SQLite gives its -wal and
-shm files the same mode.

Engines hide bound parameters from error messages: a failed INSERT would otherwise
put an anonymous answer and its id into the error log.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app, g, has_request_context
from sqlalchemy import Connection, Dialect, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    DBAPIError,
    OperationalError,
    ResourceClosedError,
    SQLAlchemyError,
)
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql import Executable
from sqlalchemy.sql.compiler import SQLCompiler

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
_AFTER_COMMIT = "portal.after_commit"
READ_ONLY = "portal.read_session"
CHECKPOINT_WAIT_MS = 200


def make_engine(
    url: str, busy_timeout: float = 5, pool_size: int = 2, max_overflow: int = 2
) -> Engine:
    """Create an engine with the pragmas and transaction handling our rules need."""
    if not url.startswith("sqlite"):
        # A row or table lock held elsewhere fails after the same wait as SQLite's
        # busy timeout (SQLSTATE 55P03), so the request's retry bound applies.
        # JIT compilation costs more than the short queries it would speed up.
        # A sync worker uses one connection at a time: a small pool per worker
        # keeps the total under max_connections (docs/deployment.md).
        options = f"-c lock_timeout={int(busy_timeout * 1000)} -c jit=off"
        return create_engine(
            url,
            pool_pre_ping=True,
            pool_size=pool_size,
            max_overflow=max_overflow,
            hide_parameters=True,
            connect_args={"options": options},
        )
    create_owner_only(make_url(url).database)
    engine = create_engine(
        url, connect_args={"timeout": busy_timeout}, hide_parameters=True
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Hand transaction control to SQLAlchemy (pysqlite's implicit BEGIN runs
        # SELECTs outside the transaction, which hides read-then-write races).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if url not in ("sqlite://", "sqlite:///:memory:"):
            # Asking (rather than setting) needs no lock: a new connection made
            # while another process holds the write lock must not fail here.
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
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


def indexed_by(statement: str, table: str, index: str) -> str:
    """``statement`` (SQL for SQLite) reading ``table`` through ``index``:
    SQLite's ``INDEXED BY``, which SQLAlchemy cannot write. For a partial index
    SQLite's planner cannot weigh (the data export's, migration 0026): its
    statistics gave a status a sixth of the rows, not the half approved input
    is, and it read the table instead. Raises unless ``table`` is read exactly
    once, so a changed statement cannot quietly lose the index."""
    clause = f"FROM {table} "
    if statement.count(clause) != 1:
        raise ValueError(f"cannot name the index for {table}: not read exactly once")
    return statement.replace(clause, f"FROM {table} INDEXED BY {index} ")


def create_owner_only(path: str | None) -> None:
    """Create the SQLite file readable by its owner only (SQLite copies the mode
    to the -wal and -shm files it makes beside it)."""
    if not path or path == ":memory:":
        return
    if not os.path.exists(path):
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.chmod(path + suffix, 0o600)


def writer(engine: Engine) -> Engine:
    """The same engine, but transactions take SQLite's write lock when they begin."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(sqlite_begin="IMMEDIATE")
    return engine


def init_app(app: Flask) -> None:
    """Create the engine for this app and close the request session at teardown."""
    engine = make_engine(
        app.config["DATABASE_URL"],
        app.config["SQLITE_BUSY_TIMEOUT_SECONDS"],
        int(app.config["DB_POOL_SIZE"]),
        int(app.config["DB_MAX_OVERFLOW"]),
    )
    from portal.transaction import guard_undeclared_writes

    app.extensions["portal.engine"] = engine
    # The audit chain's key travels with every session (services record audit
    # rows with nothing but a session), never in the database.
    info = {"portal.audit_key": audit_key(app)}
    read = sessionmaker(
        bind=engine, expire_on_commit=False, info={**info, READ_ONLY: True}
    )
    write = sessionmaker(bind=writer(engine), expire_on_commit=False, info=info)
    guard_undeclared_writes(read)
    app.extensions["portal.sessions"] = {"read": read, "write": write}
    app.teardown_appcontext(close_session)


def audit_key(app: Flask) -> bytes:
    """``AUDIT_KEY`` (instance/config.py or PORTAL_AUDIT_KEY; `make run` writes
    one), else derived from SECRET_KEY, which is kept outside the database too."""
    configured = app.config.get("AUDIT_KEY")
    if configured:
        return str(configured).encode()
    secret = str(app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, b"frontline-voice audit chain", hashlib.sha256).digest()


def get_session() -> Session:
    """This request's session (it reads until a declared write transaction opens),
    or a write session for a CLI command."""
    if "db_session" not in g:
        makers = current_app.extensions["portal.sessions"]
        g.db_session = makers["read" if has_request_context() else "write"]()
    session: Session = g.db_session
    return session


def close_session(exc: BaseException | None = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        end_read(session, exc)


def end_read(session: Session, exc: BaseException | None = None) -> None:
    """Close a session, ending a transaction that only read with COMMIT.

    On PostgreSQL a ROLLBACK makes psycopg forget every statement it has prepared
    on the connection (it cannot tell what the rolled-back transaction did), so
    ending each request's reads with one made PostgreSQL parse and plan every
    statement of every page again. A read session cannot write (the guard in
    portal/transaction.py refuses it), so its COMMIT changes nothing; after an
    error the session rolls back as before.
    """
    try:
        if (
            exc is None
            and session.info.get(READ_ONLY)
            and session.in_transaction()
            and not (session.new or session.dirty or session.deleted)
        ):
            session.commit()
    except SQLAlchemyError:
        pass  # the close below rolls back whatever could not end cleanly
    finally:
        session.close()


def get_engine(app: Flask | None = None) -> Engine:
    engine: Engine = (app or current_app).extensions["portal.engine"]
    return engine


def alembic_config(url: str) -> AlembicConfig:
    """Alembic configured in code: no alembic.ini to drift from the app's settings."""
    # Imported here, not at the top: only migrating needs Alembic, and loading
    # it was a fifth of every start (0.23 s of about 1 s), the export's too.
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(app: Flask, revision: str = "head") -> None:
    """Migrate the app's database to ``revision`` (idempotent)."""
    from alembic import command

    config = alembic_config(app.config["DATABASE_URL"])
    with writer(get_engine(app)).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


class StorageBusy(Exception):
    """The database stayed locked or busy through every retry."""


def is_transient(error: OperationalError) -> bool:
    text = str(error.orig).lower() if error.orig is not None else str(error).lower()
    code = getattr(error.orig, "sqlstate", None)
    # SQLite lock contention; PostgreSQL serialization failure, deadlock and a
    # lock not granted within lock_timeout.
    return "locked" in text or "busy" in text or code in {"40001", "40P01", "55P03"}


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run ``callback`` once this session's transaction has committed (such as a
    WAL checkpoint, which cannot move pages a live transaction still holds)."""
    session.info.setdefault(_AFTER_COMMIT, []).append(callback)


def commit(session: Session) -> None:
    """Commit, then run what was waiting for it (``after_commit``). Used by the
    declared transaction and the CLI; savepoints do not count as a commit."""
    session.commit()
    for callback in session.info.pop(_AFTER_COMMIT, []):
        callback()


def rollback(session: Session) -> None:
    session.rollback()
    session.info.pop(_AFTER_COMMIT, None)


def checkpoint_after_commit(session: Session) -> None:
    """After overwriting or deleting text: once committed, checkpoint the WAL."""
    after_commit(session, lambda: purge_freed_space(session))


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
        # Wait only briefly for readers to finish: this runs in the request, and
        # a checkpoint that cannot finish now is completed by the next one.
        timeout = cursor.execute("PRAGMA busy_timeout").fetchone()[0]
        cursor.execute(f"PRAGMA busy_timeout={CHECKPOINT_WAIT_MS}")
        try:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            cursor.execute(f"PRAGMA busy_timeout={int(timeout)}")
            cursor.close()
    finally:
        raw.close()


def read_session(app: Flask | None = None, bind: Connection | None = None) -> Session:
    """A separate read-only session (for streaming exports after the request's
    own transaction has committed), on its own connection or on ``bind`` (one
    whose transaction has begun); the caller closes it."""
    maker = (app or current_app).extensions["portal.sessions"]["read"]
    session: Session = maker() if bind is None else maker(bind=bind)
    return session


Read = tuple[Executable, Mapping[str, Any]]


def read_together(session: Session, reads: Sequence[Read]) -> list[Sequence[Any]]:
    """The rows of several statements of this session's transaction (an empty
    list for one that returns none), in one round trip on PostgreSQL.

    Through ``session.execute`` each statement is a round trip, and SQLAlchemy's
    own work on it (about 50 us) cost more than PostgreSQL took to answer the
    queue's statements. Here psycopg's pipeline sends them all before reading
    any result. The engine's ``before_cursor_execute`` listeners still hear each
    statement (with no execution context, and nothing after it); errors come as
    SQLAlchemy's, values hidden as the engine hides them. Rows are plain tuples
    of the driver's values, so only for columns the driver returns as the
    model's types (numbers, text, dates, booleans).
    SQLite answers in process: there each statement simply runs in turn.
    """
    if session.autoflush:
        session.flush()  # as session.execute would: the reads see pending changes
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        found: list[Sequence[Any]] = []
        for statement, values in reads:
            _compiled(statement, connection.dialect)  # the same refusals
            result = session.execute(statement, values)
            try:
                found.append(result.all())
            except ResourceClosedError:  # a statement that returns no rows
                found.append([])
        return found
    driver = connection.connection.driver_connection
    assert driver is not None  # noqa: S101 - the session's live connection
    cursors = []
    sent: list[str] = []
    try:
        with driver.pipeline():
            for statement, values in reads:
                sql, compiled = _compiled(statement, connection.dialect)
                params = _params(compiled, values)
                cursor = driver.cursor()
                connection.dispatch.before_cursor_execute(
                    connection, cursor, sql, params, None, False
                )
                cursor.execute(sql, params)
                cursors.append(cursor)
                sent.append(sql)
        return [c.fetchall() if c.description else [] for c in cursors]
    except connection.dialect.loaded_dbapi.Error as error:
        raise DBAPIError.instance(
            ";\n".join(sent), None, error, connection.dialect.loaded_dbapi.Error,
            hide_parameters=True, dialect=connection.dialect,
        ) from error  # fmt: skip
    finally:
        for cursor in cursors:
            cursor.close()


@lru_cache(maxsize=256)
def _compiled(statement: Executable, dialect: Dialect) -> tuple[str, SQLCompiler]:
    """A statement's SQL for the driver, compiled once (``read_together``'s
    statements are built once per shape and reused for every request). So no
    list of values may expand into it at execution (``IN`` of a bound list)."""
    compiled = statement.compile(dialect=dialect)  # type: ignore[attr-defined]
    if any(b.expanding or b.type._is_tuple_type for b in compiled.binds.values()):
        raise ValueError("read_together: a list of values cannot be compiled once")
    return str(compiled), compiled


def _params(compiled: SQLCompiler, values: Mapping[str, Any]) -> dict[str, Any] | None:
    """The statement's values as the driver takes them, through the column
    types' converters as SQLAlchemy's own execution applies them."""
    if not compiled.binds:
        return None
    params = dict(compiled.construct_params(dict(values)) or {})
    convert = compiled._bind_processors  # no public equivalent
    for name, to_driver in convert.items():
        if callable(to_driver) and name in params:  # no tuple types: _compiled
            params[name] = to_driver(params[name])
    return params
