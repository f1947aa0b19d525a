"""Key phrases of approved input, for recurring phrases in summaries

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 13:00:00

Existing approved items get their phrases from `flask portal rebuild-phrases`
(run by `portal init`): the extraction is the app's, which a migration must not
import.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "submission_phrases",
        sa.Column("submission_id", sa.String(length=36), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_submission_phrases_submission_id_submissions"),
        ),
        sa.PrimaryKeyConstraint(
            "submission_id", "key", name=op.f("pk_submission_phrases")
        ),
    )
    op.create_index(
        "ix_submission_phrases_key", "submission_phrases", ["key"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_submission_phrases_key", table_name="submission_phrases")
    op.drop_table("submission_phrases")
