"""Closing the loop: "You said, we did" publications and the quarterly digest

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 14:51:30.969992

Publications are what staff were told: like the board's snapshots (0012), the
database refuses UPDATE on them, and DELETE unless a purge is allowed in
audit_maintenance.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

TABLE = "you_said_publications"
SQLITE_TRIGGERS = [
    """CREATE TRIGGER you_said_publications_no_update BEFORE UPDATE ON you_said_publications
    BEGIN SELECT RAISE(ABORT, 'you_said_publications are frozen'); END""",
    """CREATE TRIGGER you_said_publications_no_delete BEFORE DELETE ON you_said_publications
    WHEN NOT EXISTS (SELECT 1 FROM audit_maintenance WHERE purge_allowed)
    BEGIN SELECT RAISE(ABORT, 'you_said_publications are frozen'); END""",
]
POSTGRES_TRIGGERS = [
    """CREATE FUNCTION you_said_publications_frozen() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE'
           AND EXISTS (SELECT 1 FROM audit_maintenance WHERE purge_allowed) THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'you_said_publications are frozen';
    END $$""",
    """CREATE TRIGGER you_said_publications_frozen BEFORE UPDATE OR DELETE
    ON you_said_publications FOR EACH ROW EXECUTE FUNCTION you_said_publications_frozen()""",
    """CREATE TRIGGER you_said_publications_no_truncate BEFORE TRUNCATE ON you_said_publications
    FOR EACH STATEMENT EXECUTE FUNCTION you_said_publications_frozen()""",
]


def upgrade() -> None:
    op.create_table(
        "digests_sent",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.String(length=7), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_digests_sent_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "quarter", name=op.f("pk_digests_sent")),
    )
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.String(length=7), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("next_update_on", sa.Date(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["users.id"],
            name=op.f("fk_you_said_publications_published_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_you_said_publications")),
        sa.UniqueConstraint("quarter", name=op.f("uq_you_said_publications_quarter")),
    )
    op.add_column(
        "users",
        sa.Column(
            "digest_opt_in", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_TRIGGERS if sqlite else POSTGRES_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"DROP TRIGGER {TABLE}_no_update")
        op.execute(f"DROP TRIGGER {TABLE}_no_delete")
    else:
        op.execute(f"DROP TRIGGER {TABLE}_no_truncate ON {TABLE}")
        op.execute(f"DROP TRIGGER {TABLE}_frozen ON {TABLE}")
        op.execute(f"DROP FUNCTION {TABLE}_frozen()")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("digest_opt_in")
    op.drop_table(TABLE)
    op.drop_table("digests_sent")
