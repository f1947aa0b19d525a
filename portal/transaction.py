"""Declared write transactions: the one way a view commits.

A view that writes is decorated with ``@writes`` (or ``@writes(prepare=...)``).
Before it runs, the request has only read: Flask-Login identified the user in a
plain deferred transaction, which the decorator ends. The decorator then opens the
write transaction itself (``BEGIN IMMEDIATE`` on SQLite, so the write lock is taken
up front and waited for within the busy timeout), runs the view, and commits. If
the database is locked or a PostgreSQL serialization failure occurs, the whole view
runs again, until ``WRITE_RETRY_SECONDS`` have passed; after that ``StorageBusy``
reaches the error handler, which hands the person their words back without writing
anything. An exception from the view rolls everything back.

Slow pure work (password hashing) must never hold the write lock, so it runs in
``prepare``, before the transaction opens and only once however often the body is
retried. A session flush outside a declared transaction is refused (see
``guard_undeclared_writes``): a view cannot write by accident.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import current_app, g, has_request_context, request
from flask import session as cookie
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from portal.db import StorageBusy, commit, get_session, is_transient, rollback

F = TypeVar("F", bound=Callable[..., Any])
_WRITING = "portal.writing"
_PREPARED = "portal_prepared"
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def writes(
    view: F | None = None,
    *,
    prepare: Callable[..., Any] | None = None,
    on_get: bool = False,
) -> Any:
    """Declare that a view writes: its POST (or, with ``on_get``, every request)
    runs in one write transaction, retried as a whole on a lock. ``prepare(**view
    args)`` runs first, outside any write transaction and only once; the view reads
    its result with ``prepared()``. GET requests of a form view only read."""

    def decorate(inner: F) -> F:
        @wraps(inner)
        def run(*args: Any, **kwargs: Any) -> Any:
            if request.method in _READ_METHODS and not on_get:
                return inner(*args, **kwargs)
            session = get_session()
            # End the read snapshot that identified the user; loaded objects stay.
            session.commit()
            if prepare is not None:
                setattr(g, _PREPARED, prepare(**kwargs))
                session.commit()
            return in_transaction(session, lambda: inner(*args, **kwargs))

        run.declares_transaction = True  # type: ignore[attr-defined]
        run.writes_on_get = on_get  # type: ignore[attr-defined]
        return cast(F, run)

    return decorate(view) if view is not None else decorate


def prepared() -> Any:
    """What this request's ``prepare`` returned."""
    return g.get(_PREPARED)


def in_transaction(session: Session, body: Callable[[], Any]) -> Any:
    """Open the write transaction, run ``body``, commit; retry on a lock."""
    config = current_app.config
    deadline = time.monotonic() + float(config["WRITE_RETRY_SECONDS"])
    # Flashes and cookie values set by an attempt that is rolled back must not
    # survive into the next attempt.
    cookie_before = dict(cookie)
    attempt = 0
    while True:
        session.info[_WRITING] = True
        try:
            session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
            result = body()
            commit(session)
            return result
        except OperationalError as error:
            rollback(session)
            if not is_transient(error):
                raise
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise StorageBusy() from error
            cookie.clear()
            cookie.update(cookie_before)
            time.sleep(min(0.05 * 2**attempt, remaining))
            attempt += 1
        except BaseException:
            rollback(session)
            raise
        finally:
            session.info[_WRITING] = False


def savepoint(change: Callable[[], Any]) -> Any:
    """Run one service call so that a refusal (a DomainError) leaves nothing of
    it behind, while the request's transaction goes on."""
    with get_session().begin_nested():
        return change()


def guard_undeclared_writes(maker: sessionmaker[Session]) -> None:
    """Refuse a flush from a request that did not declare its transaction, so a
    forgotten ``@writes`` fails loudly instead of losing the change at teardown."""

    @event.listens_for(maker, "before_flush")
    def _refuse_flush(session: Session, _context: Any, _instances: Any) -> None:
        if session.new or session.dirty or session.deleted:
            _refuse(session)

    @event.listens_for(maker, "do_orm_execute")
    def _refuse_dml(state: ORMExecuteState) -> None:
        if state.is_insert or state.is_update or state.is_delete:
            _refuse(state.session)


def _refuse(session: Session) -> None:
    if has_request_context() and not session.info.get(_WRITING):
        raise RuntimeError(
            "This view writes to the database but is not declared with @writes"
        )
