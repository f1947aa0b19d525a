"""The chain links of audit rows deleted by the retention purge

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 15:45:00

Append-only like the audit trail (0003): UPDATE is refused, and DELETE unless a
purge is allowed in audit_maintenance.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = [
    """CREATE TRIGGER audit_gaps_no_update BEFORE UPDATE ON audit_gaps
    BEGIN SELECT RAISE(ABORT, 'audit_gaps is append-only'); END""",
    """CREATE TRIGGER audit_gaps_no_delete BEFORE DELETE ON audit_gaps
    WHEN NOT EXISTS (SELECT 1 FROM audit_maintenance WHERE purge_allowed)
    BEGIN SELECT RAISE(ABORT, 'audit_gaps is append-only'); END""",
]
POSTGRES_TRIGGERS = [
    """CREATE FUNCTION audit_gaps_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE'
           AND EXISTS (SELECT 1 FROM audit_maintenance WHERE purge_allowed) THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit_gaps is append-only';
    END $$""",
    """CREATE TRIGGER audit_gaps_append_only BEFORE UPDATE OR DELETE ON audit_gaps
    FOR EACH ROW EXECUTE FUNCTION audit_gaps_append_only()""",
]


def upgrade() -> None:
    op.create_table(
        "audit_gaps",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=True),
        sa.Column("row_hash", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_gaps")),
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_TRIGGERS if sqlite else POSTGRES_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP TRIGGER audit_gaps_append_only ON audit_gaps")
        op.execute("DROP FUNCTION audit_gaps_append_only()")
    op.drop_table("audit_gaps")
