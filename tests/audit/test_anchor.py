"""The audit trail against an insider with database access: the chain is keyed
with a key outside the database, and anchored outside it, so deleting the newest
rows, editing a row and recomputing the chain, or lifting the purge guard are all
reported by verify-audit."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from portal.audit.service import allow_purge, canonical
from portal.models import AuditEvent, AuditMaintenance
from tests.audit.test_trail import _tamper
from tests.conftest import reload
from tests.factories import make_team


@pytest.fixture
def anchored(app: Flask, session: Session, tmp_path: Path) -> Path:
    path = tmp_path / "anchors.jsonl"
    app.config["AUDIT_ANCHOR_FILE"] = str(path)
    for n in range(6):
        make_team(session, f"Anchored {n}")
    result = app.test_cli_runner().invoke(args=["portal", "audit-anchor"])
    assert result.exit_code == 0 and "6 rows" in result.output
    yield path
    app.config.pop("AUDIT_ANCHOR_FILE")


def _verify(app: Flask) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["portal", "verify-audit"])
    return result.exit_code, result.output


def test_an_intact_trail_names_its_last_anchor(
    app: Flask, session: Session, anchored: Path
) -> None:
    make_team(session, "After the anchor")
    code, output = _verify(app)
    assert code == 0, output
    assert "Last anchored row" in output and "1 row written since" in output


def test_deleting_the_newest_rows_is_reported(
    app: Flask, session: Session, anchored: Path
) -> None:
    ids = list(session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))
    session.rollback()
    # The insider lifts the guard the way a purge would and cuts the chain short:
    # what is left is a perfectly valid chain, one only the anchor contradicts.
    bind = session.get_bind()
    with bind.begin() as connection:
        connection.execute(insert(AuditMaintenance).values(purge_allowed=True))
        cut = text("DELETE FROM audit_events WHERE id >= :first")
        connection.execute(cut, {"first": ids[-2]})
        connection.execute(text("DELETE FROM audit_maintenance"))
    reload(session)
    code, output = _verify(app)
    assert code == 1
    assert f"row {ids[-1]}, anchored at" in output and "is gone" in output


def test_an_edit_with_the_chain_recomputed_is_reported(
    app: Flask, session: Session, anchored: Path
) -> None:
    rows = list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    middle = rows[2]
    session.rollback()
    # Without the key the insider can only recompute with a plain hash.
    edit = "UPDATE audit_events SET reason = 'edited' WHERE id = {id}"
    _tamper(session, edit.format(id=middle.id))
    reload(session)
    previous = None
    for row in session.scalars(select(AuditEvent).order_by(AuditEvent.id)):
        new = hashlib.sha256(
            (previous or "").encode() + b"|" + canonical(row)
        ).hexdigest()
        rechain = (
            "UPDATE audit_events SET prev_hash = {p}, row_hash = '{h}' WHERE id = {i}"
        )
        _tamper(session, rechain.format(p=_q(previous), h=new, i=row.id))
        previous = new
    reload(session)
    code, output = _verify(app)
    assert code == 1
    assert f"Audit row {middle.id}: its content has changed" in output
    assert "differs from its anchor" in output


def _q(value: str | None) -> str:
    return "NULL" if value is None else f"'{value}'"


def test_lifting_the_purge_guard_is_audited_and_reported(
    app: Flask, session: Session, anchored: Path
) -> None:
    row = allow_purge(session, None)
    session.commit()
    assert session.scalar(
        select(AuditEvent).where(AuditEvent.action == "audit_purge_allowed")
    )
    code, output = _verify(app)
    assert code == 1 and "A purge of audit rows is allowed right now" in output
    session.delete(row)
    session.commit()
    assert _verify(app)[0] == 0


def test_a_forged_anchor_line_is_not_believed(
    app: Flask, session: Session, anchored: Path
) -> None:
    with anchored.open("a") as handle:
        handle.write(
            '{"at": "x", "last_id": 1, "row_hash": "y", "rows": 1, "mac": "z"}\n'
        )
    code, output = _verify(app)
    assert code == 1 and "not written with the audit key" in output
