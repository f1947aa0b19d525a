"""The audit trail's own retention: sign-in records after a year, the export log
after two, everything after six, with the dates under the test's control. The
chain still verifies across what the purge removed, and a row removed any other
way still shows."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine
from flask import Flask
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from portal import db
from portal.audit.service import AuditAction, record, verify_chain
from portal.models import AuditEvent, AuditGap, AuditMaintenance, Role, User
from portal.retention.purge import Policy, purge
from tests.conftest import reload
from tests.factories import make_user

POLICY = Policy(unused_days=30, input_months=36, draft_days=30,
                login_failure_days=30, evidence_months=72, sign_in_days=365,
                export_log_days=730, audit_years=6)  # fmt: skip
TODAY = date(2026, 6, 1)


def _at(session: Session, when: datetime, user: User, action: AuditAction) -> int:
    with time_machine.travel(when, tick=False):
        event = record(session, user, action, "user", user.id)
        session.commit()
    return event.id


def test_each_audit_class_expires_and_the_chain_still_verifies(
    app: Flask, session: Session
) -> None:
    with time_machine.travel(datetime(2019, 1, 1, 9, tzinfo=UTC), tick=False):
        user = make_user(session, Role.CONTRIBUTOR)  # user_created, 2019
    old_sign_in = _at(session, datetime(2025, 1, 1, tzinfo=UTC), user,
                      AuditAction.SIGNED_IN)  # fmt: skip
    new_sign_in = _at(session, datetime(2025, 11, 1, tzinfo=UTC), user,
                      AuditAction.SIGNED_IN)  # fmt: skip
    old_export = _at(session, datetime(2024, 1, 1, tzinfo=UTC), user,
                     AuditAction.DATA_EXPORTED)  # fmt: skip
    new_export = _at(session, datetime(2025, 1, 1, tzinfo=UTC), user,
                     AuditAction.DATA_EXPORTED)  # fmt: skip
    created = session.scalar(
        select(AuditEvent.id).where(AuditEvent.action == "user_created")
    )
    with app.app_context():
        done = purge(session, POLICY, TODAY, app.instance_path)
    session.commit()
    assert done.audit_rows == 3
    reload(session)
    left = set(session.scalars(select(AuditEvent.id)))
    assert {created, old_sign_in, old_export}.isdisjoint(left)
    assert {new_sign_in, new_export} <= left
    assert set(session.scalars(select(AuditGap.id))) == {
        created,
        old_sign_in,
        old_export,
    }
    assert session.scalar(select(AuditMaintenance)) is None, "the guard is back"
    assert list(verify_chain(session)) == [], "the chain holds across the purge"
    with app.app_context():
        again = purge(session, POLICY, TODAY, app.instance_path)
    session.commit()
    assert again.audit_rows == 0, "idempotent"
    # A row removed behind the purge's back still breaks the chain.
    with db.writer(db.get_engine(app)).begin() as connection:
        connection.execute(insert(AuditMaintenance).values(purge_allowed=True))
        connection.execute(delete(AuditEvent).where(AuditEvent.id == new_sign_in))
        connection.execute(delete(AuditMaintenance))
    reload(session)
    problems = list(verify_chain(session))
    assert problems, "the missing row is found"
    assert "does not follow the row before it" in problems[0].problem
