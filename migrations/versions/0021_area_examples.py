"""Example comments per area, which seed the tag suggestions before anything is
tagged

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01 20:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "areas",
        sa.Column("examples", sa.Text(), server_default="", nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("areas", schema=None) as batch_op:
        batch_op.drop_column("examples")
