"""Engagement rounds, submissions, drafts, role groups and settings

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 05:52:54.864072
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "role_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("retired_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_groups")),
        sa.UniqueConstraint("name", name=op.f("uq_role_groups_name")),
    )
    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )
    op.create_table(
        "engagement_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("opens_at", sa.DateTime(), nullable=False),
        sa.Column("closes_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_engagement_rounds_created_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_rounds")),
    )
    op.create_table(
        "drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_drafts_area_id_areas")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["engagement_rounds.id"],
            name=op.f("fk_drafts_round_id_engagement_rounds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_drafts_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_drafts")),
        sa.UniqueConstraint(
            "user_id", "round_id", "area_id", name=op.f("uq_drafts_user_id")
        ),
    )
    op.create_table(
        "round_areas",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_round_areas_area_id_areas")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["engagement_rounds.id"],
            name=op.f("fk_round_areas_round_id_engagement_rounds"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("round_id", "area_id", name=op.f("pk_round_areas")),
    )
    op.create_table(
        "submissions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=True),
        sa.Column("obstacles", sa.Text(), nullable=False),
        sa.Column("biggest_difference", sa.Text(), nullable=False),
        sa.Column("practice_example", sa.Text(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("role_group_id", sa.Integer(), nullable=True),
        sa.Column("session_type", sa.String(length=32), nullable=True),
        sa.Column("attendees", sa.Integer(), nullable=True),
        sa.Column("pii_flags", sa.JSON(), nullable=True),
        sa.Column("safeguarding_flag", sa.Boolean(), nullable=False),
        sa.Column("safeguarding_reasons", sa.JSON(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("receipt_hash", sa.String(length=64), nullable=True),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("fk_submissions_area_id_areas")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_submissions_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_submissions_recorded_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["role_group_id"],
            ["role_groups.id"],
            name=op.f("fk_submissions_role_group_id_role_groups"),
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["engagement_rounds.id"],
            name=op.f("fk_submissions_round_id_engagement_rounds"),
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_submissions_team_id_teams")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
        sa.UniqueConstraint(
            "idempotency_key", name=op.f("uq_submissions_idempotency_key")
        ),
        sa.UniqueConstraint("receipt_hash", name=op.f("uq_submissions_receipt_hash")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_submissions_author_id"), ["author_id"], unique=False
        )
        batch_op.create_index(
            "ix_submissions_round_area", ["round_id", "area_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("submissions", schema=None) as batch_op:
        batch_op.drop_index("ix_submissions_round_area")
        batch_op.drop_index(batch_op.f("ix_submissions_author_id"))

    op.drop_table("submissions")
    op.drop_table("round_areas")
    op.drop_table("drafts")
    op.drop_table("engagement_rounds")
    op.drop_table("settings")
    op.drop_table("role_groups")
