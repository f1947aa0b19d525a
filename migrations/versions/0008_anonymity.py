"""Anonymity: receipt hand-offs, the anonymous inbox, and retirement reasons off
the audit trail

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 09:39:54.145759
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "anonymous_inbox",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("receipt_hash", sa.String(length=64), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_anonymous_inbox")),
        sa.UniqueConstraint(
            "idempotency_key", name=op.f("uq_anonymous_inbox_idempotency_key")
        ),
        sa.UniqueConstraint(
            "receipt_hash", name=op.f("uq_anonymous_inbox_receipt_hash")
        ),
    )
    op.create_table(
        "receipt_handoffs",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("receipt", sa.String(length=32), nullable=True),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_receipt_handoffs")),
    )
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("retired_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.drop_column("retired_reason")

    op.drop_table("receipt_handoffs")
    op.drop_table("anonymous_inbox")
