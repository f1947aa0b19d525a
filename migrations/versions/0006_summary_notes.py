"""Summary narratives

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 06:57:32.650075
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "summary_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_type", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("key_messages", sa.Text(), nullable=False),
        sa.Column("questions", sa.Text(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_summary_notes_updated_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_summary_notes")),
        sa.UniqueConstraint(
            "subject_type", "subject_id", name=op.f("uq_summary_notes_subject_type")
        ),
    )


def downgrade() -> None:
    op.drop_table("summary_notes")
