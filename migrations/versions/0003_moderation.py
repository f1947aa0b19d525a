"""Moderation, safeguarding and a tamper-evident audit trail

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 06:15:41.138463
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


# SQLite rebuilds the table to alter it: keep it WITHOUT ROWID (no arrival order).
SUBMISSIONS_KWARGS = {"sqlite_with_rowid": False}

SQLITE_TRIGGERS = [
    """CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
    BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END""",
    """CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
    WHEN NOT EXISTS (SELECT 1 FROM audit_maintenance WHERE purge_allowed)
    BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END""",
]
POSTGRES_TRIGGERS = [
    """CREATE FUNCTION audit_events_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE'
           AND EXISTS (SELECT 1 FROM audit_maintenance WHERE purge_allowed) THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit_events is append-only';
    END $$""",
    """CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()""",
    """CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()""",
]


def _backfill_hashes() -> None:
    """Chain the rows written before this migration. A frozen copy of
    portal.audit.service.canonical: migrations must not change with app code."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(
            "SELECT id, occurred_at, actor_id, action, subject_type, subject_id, "
            "reason, details FROM audit_events ORDER BY id"
        )
    ).mappings()
    previous = None
    for row in rows.all():
        occurred = row["occurred_at"]
        if isinstance(occurred, str):
            occurred = datetime.fromisoformat(occurred)
        details = row["details"]
        if isinstance(details, str):
            details = json.loads(details)
        payload = {
            "occurred_at": occurred.replace(tzinfo=None).isoformat(
                timespec="microseconds"
            ),
            "actor_id": row["actor_id"],
            "action": row["action"],
            "subject_type": row["subject_type"],
            "subject_id": row["subject_id"],
            "reason": row["reason"],
            "details": details,
        }
        content = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
        row_hash = hashlib.sha256(
            (previous or "").encode() + b"|" + content
        ).hexdigest()
        connection.execute(
            sa.text(
                "UPDATE audit_events SET prev_hash = :p, row_hash = :h WHERE id = :i"
            ),
            {"p": previous, "h": row_hash, "i": row["id"]},
        )
        previous = row_hash


def upgrade() -> None:
    op.create_table(
        "audit_maintenance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purge_allowed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_maintenance")),
    )
    with op.batch_alter_table("areas", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "about_management",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )

    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("row_hash", sa.String(length=64), nullable=True))

    with op.batch_alter_table(
        "submissions", table_kwargs=SUBMISSIONS_KWARGS
    ) as batch_op:
        batch_op.add_column(sa.Column("decided_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("decided_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("reject_reason", sa.String(length=32), nullable=True)
        )
        batch_op.add_column(sa.Column("decision_note", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("duplicate_of_id", sa.String(length=36), nullable=True)
        )
        batch_op.add_column(
            sa.Column("redactions", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("safeguarding_action", sa.String(length=32), nullable=True)
        )
        batch_op.add_column(sa.Column("safeguarding_note", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("safeguarding_actioned_at", sa.DateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("safeguarding_actioned_by_id", sa.Integer(), nullable=True)
        )
        batch_op.create_index(
            "ix_submissions_queue", ["status", "submitted_on", "id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_submissions_decided_by_id_users"),
            "users",
            ["decided_by_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_submissions_safeguarding_actioned_by_id_users"),
            "users",
            ["safeguarding_actioned_by_id"],
            ["id"],
        )

    _backfill_hashes()
    triggers = POSTGRES_TRIGGERS if op.get_bind().dialect.name == "postgresql" else []
    if op.get_bind().dialect.name == "sqlite":
        triggers = SQLITE_TRIGGERS
    for statement in triggers:
        op.execute(statement)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "independent_moderator",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_events_no_truncate ON audit_events")
        op.execute("DROP TRIGGER audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION audit_events_append_only()")
    else:
        op.execute("DROP TRIGGER audit_events_no_update")
        op.execute("DROP TRIGGER audit_events_no_delete")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("independent_moderator")

    with op.batch_alter_table(
        "submissions", table_kwargs=SUBMISSIONS_KWARGS
    ) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_submissions_safeguarding_actioned_by_id_users"),
            type_="foreignkey",
        )
        batch_op.drop_constraint(
            batch_op.f("fk_submissions_decided_by_id_users"), type_="foreignkey"
        )
        batch_op.drop_index("ix_submissions_queue")
        batch_op.drop_column("safeguarding_actioned_by_id")
        batch_op.drop_column("safeguarding_actioned_at")
        batch_op.drop_column("safeguarding_note")
        batch_op.drop_column("safeguarding_action")
        batch_op.drop_column("redactions")
        batch_op.drop_column("duplicate_of_id")
        batch_op.drop_column("decision_note")
        batch_op.drop_column("reject_reason")
        batch_op.drop_column("decided_by_id")
        batch_op.drop_column("decided_at")

    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("row_hash")
        batch_op.drop_column("prev_hash")

    with op.batch_alter_table("areas", schema=None) as batch_op:
        batch_op.drop_column("about_management")

    op.drop_table("audit_maintenance")
