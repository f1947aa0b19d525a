"""Themes, tags and quotes

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 06:39:15.262826
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "themes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("merged_into_id", sa.Integer(), nullable=True),
        sa.Column("retired_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["themes.id"],
            name=op.f("fk_themes_merged_into_id_themes"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["themes.id"], name=op.f("fk_themes_parent_id_themes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_themes")),
        sa.UniqueConstraint("name", name=op.f("uq_themes_name")),
    )
    op.create_table(
        "quotes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.String(length=36), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_quotes_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_quotes_submission_id_submissions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quotes")),
    )
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quotes_submission_id"), ["submission_id"], unique=False
        )

    op.create_table(
        "recommendation_tags",
        sa.Column("submission_id", sa.String(length=36), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("applied_by_id", sa.Integer(), nullable=True),
        sa.Column("applied_at", sa.DateTime(), nullable=False),
        sa.Column("from_suggestion", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["applied_by_id"],
            ["users.id"],
            name=op.f("fk_recommendation_tags_applied_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_recommendation_tags_recommendation_id_recommendations"),
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_recommendation_tags_submission_id_submissions"),
        ),
        sa.PrimaryKeyConstraint(
            "submission_id", "recommendation_id", name=op.f("pk_recommendation_tags")
        ),
    )
    with op.batch_alter_table("recommendation_tags", schema=None) as batch_op:
        batch_op.create_index(
            "ix_recommendation_tags_rec", ["recommendation_id"], unique=False
        )

    op.create_table(
        "theme_tags",
        sa.Column("submission_id", sa.String(length=36), nullable=False),
        sa.Column("theme_id", sa.Integer(), nullable=False),
        sa.Column("applied_by_id", sa.Integer(), nullable=True),
        sa.Column("applied_at", sa.DateTime(), nullable=False),
        sa.Column("from_suggestion", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["applied_by_id"],
            ["users.id"],
            name=op.f("fk_theme_tags_applied_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_theme_tags_submission_id_submissions"),
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"], ["themes.id"], name=op.f("fk_theme_tags_theme_id_themes")
        ),
        sa.PrimaryKeyConstraint(
            "submission_id", "theme_id", name=op.f("pk_theme_tags")
        ),
    )
    with op.batch_alter_table("theme_tags", schema=None) as batch_op:
        batch_op.create_index("ix_theme_tags_theme", ["theme_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("theme_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_theme_tags_theme")

    op.drop_table("theme_tags")
    with op.batch_alter_table("recommendation_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_recommendation_tags_rec")

    op.drop_table("recommendation_tags")
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quotes_submission_id"))

    op.drop_table("quotes")
    op.drop_table("themes")
