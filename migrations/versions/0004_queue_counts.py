"""Index-only queue counts

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 06:33:07.621785
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


# SQLite rebuilds the table to alter it: keep it WITHOUT ROWID (no arrival order).
SUBMISSIONS_KWARGS = {"sqlite_with_rowid": False}


def upgrade() -> None:
    with op.batch_alter_table(
        "submissions", table_kwargs=SUBMISSIONS_KWARGS
    ) as batch_op:
        batch_op.add_column(
            sa.Column(
                "has_personal_data",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )
        batch_op.create_index(
            "ix_submissions_scope",
            ["status", "team_id", "kind", "area_id", "author_id", "has_personal_data"],
            unique=False,
        )
    # Rows written before may hold JSON null rather than SQL NULL.
    op.execute(
        "UPDATE submissions SET has_personal_data = "
        "(pii_flags IS NOT NULL AND CAST(pii_flags AS TEXT) <> 'null')"
    )


def downgrade() -> None:
    with op.batch_alter_table(
        "submissions", table_kwargs=SUBMISSIONS_KWARGS
    ) as batch_op:
        batch_op.drop_index("ix_submissions_scope")
        batch_op.drop_column("has_personal_data")
