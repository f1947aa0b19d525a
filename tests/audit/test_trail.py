"""The audit trail: written with the change or not at all, append-only in the
database itself, and hash-chained so tampering is found."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from portal.accounts.teams import save_team
from portal.audit.service import verify_chain
from portal.models import AuditEvent, Role, Team
from tests.conftest import reload
from tests.factories import make_team, make_user

MIGRATION = (
    Path(__file__).resolve().parents[2] / "migrations/versions/0003_moderation.py"
)


def _migration() -> object:
    spec = importlib.util.spec_from_file_location("m0003", MIGRATION)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_change_and_audit_row_commit_together_or_not_at_all(session: Session) -> None:
    admin = make_user(session, Role.ADMIN)
    before = session.scalar(select(func.count()).select_from(AuditEvent))
    save_team(session, admin, name="Rolled back team", kind="team")
    session.rollback()
    assert session.scalar(select(Team).where(Team.name == "Rolled back team")) is None
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == before
    save_team(session, admin, name="Kept team", kind="team")
    session.commit()
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == before + 1


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET reason = 'rewritten'",
        "DELETE FROM audit_events",
    ],
)
def test_database_refuses_update_and_delete(session: Session, statement: str) -> None:
    make_team(session)  # writes an audit row
    with pytest.raises(DatabaseError, match="append-only"):
        session.execute(text(statement))
    session.rollback()
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == 1


def test_postgresql_refuses_truncate(session: Session) -> None:
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("TRUNCATE exists on PostgreSQL only")
    make_team(session)
    with pytest.raises(DatabaseError, match="append-only"):
        session.execute(text("TRUNCATE audit_events CASCADE"))
    session.rollback()


def _tamper(session: Session, statement: str) -> None:
    """What a person with raw database access could do: lift the guard, edit."""
    bind = session.get_bind()
    with bind.begin() as connection:
        if bind.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
            connection.execute(text(statement))
            connection.execute(text("ALTER TABLE audit_events ENABLE TRIGGER USER"))
        else:
            connection.execute(text("DROP TRIGGER audit_events_no_update"))
            connection.execute(text("DROP TRIGGER audit_events_no_delete"))
            connection.execute(text(statement))
            for trigger in _migration().SQLITE_TRIGGERS:  # type: ignore[attr-defined]
                connection.execute(text(trigger))


@pytest.mark.parametrize(
    ("statement", "problem"),
    [
        ("UPDATE audit_events SET reason = 'nothing to see' WHERE id = {middle}",
         "its content has changed"),
        ("DELETE FROM audit_events WHERE id = {middle}", "does not follow"),
    ],
)  # fmt: skip
def test_tampering_is_detected_by_verify_audit(
    app: Flask, session: Session, statement: str, problem: str
) -> None:
    for n in range(5):
        make_team(session, f"Team {n}")
    runner = app.test_cli_runner()
    clean = runner.invoke(args=["portal", "verify-audit"])
    assert clean.exit_code == 0 and "intact: 5 rows" in clean.output
    ids = list(session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))
    session.rollback()
    _tamper(session, statement.format(middle=ids[2]))
    reload(session)
    found = list(verify_chain(session))
    assert found and problem in found[0].problem
    broken = runner.invoke(args=["portal", "verify-audit"])
    assert broken.exit_code == 1
    assert "tampered with" in broken.output


def test_chain_links_every_row(session: Session) -> None:
    for n in range(3):
        make_team(session, f"Chain {n}")
    rows = list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    assert rows[0].prev_hash is None
    assert [r.prev_hash for r in rows[1:]] == [r.row_hash for r in rows[:-1]]
    assert list(verify_chain(session)) == []
