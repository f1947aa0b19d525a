"""Redaction overwrites: afterwards the original text is nowhere, not in the row, the
database file or its WAL (SQLite), any other table, the audit trail or the logs."""

from __future__ import annotations

import logging
import random
import string
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from portal.models import AuditEvent, Base, EngagementRound, Role, Submission
from tests.conftest import database_file_bytes, reload, sign_in_as
from tests.factories import make_submission, make_team, make_user


def _unique_name() -> str:
    return "Zeb" + "".join(random.choices(string.ascii_lowercase, k=10))


def _everywhere(session: Session, needle: str) -> list[str]:
    """Every table and column value in the database that contains needle."""
    found = []
    with session.get_bind().connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in connection.execute(table.select()).mappings():
                for column, value in row.items():
                    if value is not None and needle in str(value):
                        found.append(f"{table.name}.{column}")
    return found


def test_redacting_a_flagged_span_leaves_no_trace(
    app: Flask,
    client: FlaskClient,
    session: Session,
    open_round: EngagementRound,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    team = make_team(session, "Team R")
    name = _unique_name().capitalize()
    item = make_submission(
        session,
        make_user(session, Role.CONTRIBUTOR, team=team),
        open_round,
        team=team,
        text=f"We met baby {name} at home and the plan had drifted.",
    )
    assert _everywhere(session, name) == ["submissions.obstacles"]
    span = next(f for f in item.pii_flags or [] if f["kind"] == "name")
    moderator = make_user(session, Role.MODERATOR, team=team)
    session.close()
    sign_in_as(client, moderator)
    page = client.get(f"/moderation/items/{item.id}").text
    assert f'<mark class="app-flag">{name}' in page
    value = f"obstacles:{span['start']}:{span['end']}"
    assert f'value="{value}"' in page
    response = client.post(
        f"/moderation/items/{item.id}/redact",
        data={"redact-spans": [value], "redact-reason": "child"},
    )
    assert response.status_code == 302
    reload(session)
    stored = session.get(Submission, item.id)
    assert stored is not None
    assert stored.obstacles == (
        "We met baby [redacted: a child's details] at home and the plan had drifted."
    )
    assert stored.redactions == 1 and stored.pii_flags is None
    assert _everywhere(session, name) == []
    event = session.scalar(
        select(AuditEvent).where(AuditEvent.action == "input_redacted")
    )
    assert event is not None and event.actor_id == moderator.id
    assert event.details == {
        "after": {"answers": ["obstacles"], "characters": len(name), "places": 1}
    }
    assert all(name not in record.getMessage() for record in caplog.records)
    session.close()
    bind = session.get_bind()
    if bind.dialect.name == "sqlite":
        with bind.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        database = Path(app.config["DATABASE_URL"].removeprefix("sqlite:///"))
        for path in (database, Path(f"{database}-wal")):
            assert name.encode() not in database_file_bytes(path), (
                f"{path.name} keeps it"
            )


def test_redacting_typed_text_replaces_every_occurrence(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    team = make_team(session, "Team T")
    item = make_submission(
        session,
        make_user(session, Role.CONTRIBUTOR, team=team),
        open_round,
        team=team,
        text="Westfield estate again: the Westfield estate needs a hub.",
    )
    sign_in_as(client, make_user(session, Role.MODERATOR, team=team))
    missing = client.post(
        f"/moderation/items/{item.id}/redact",
        data={
            "redact-text_field": "obstacles",
            "redact-text": "Eastfield",
            "redact-reason": "other",
        },
    )
    assert (
        missing.status_code == 400 and "That text is not in the answer" in missing.text
    )
    no_reason = client.post(
        f"/moderation/items/{item.id}/redact",
        data={"redact-text_field": "obstacles", "redact-text": "Westfield"},
    )
    assert no_reason.status_code == 400
    client.post(
        f"/moderation/items/{item.id}/redact",
        data={
            "redact-text_field": "obstacles",
            "redact-text": "Westfield",
            "redact-reason": "other",
        },
    )
    reload(session)
    stored = session.get(Submission, item.id)
    assert stored is not None and "Westfield" not in stored.obstacles
    assert stored.obstacles.count("[redacted: personal data]") == 2


def test_postgresql_keeps_no_copy_in_any_table(
    session: Session, open_round: EngagementRound
) -> None:
    # Old row versions on PostgreSQL live until VACUUM (docs/deployment.md); what
    # any query can read must already be clean.
    from portal.moderation.redaction import Redaction, redact
    from portal.privacy import PrivacySettings

    team = make_team(session, "Team P")
    name = _unique_name().capitalize()
    item = make_submission(
        session,
        make_user(session, Role.CONTRIBUTOR, team=team),
        open_round,
        team=team,
        text=f"Mrs {name} rang.",
    )
    moderator = make_user(session, Role.MODERATOR, team=team)
    redact(
        session,
        moderator,
        item,
        Redaction("family", [], "obstacles", name),
        PrivacySettings(),
    )
    session.commit()
    assert _everywhere(session, name) == []
    assert session.execute(text("SELECT 1")).scalar() == 1
