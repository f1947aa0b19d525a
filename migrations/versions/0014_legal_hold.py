"""Legal hold on an item of staff input: kept whatever the retention rules say

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 15:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "submissions",
        sa.Column(
            "legal_hold", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
    )


def downgrade() -> None:
    # SQLite rebuilds the table to drop a column: keep it WITHOUT ROWID (0003).
    with op.batch_alter_table(
        "submissions",
        schema=None,
        recreate="always",
        table_kwargs={"sqlite_with_rowid": False},
    ) as batch_op:
        batch_op.drop_column("legal_hold")
