"""Board monitoring: quarterly progress, evidence, two-phase sign-off, the risk
register, report requests and frozen quarterly snapshots

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 14:19:57.220998

Snapshots are what the board saw: like the audit trail (0003), the database refuses
UPDATE on them, and DELETE unless a purge is allowed in audit_maintenance.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


SQLITE_TRIGGERS = [
    """CREATE TRIGGER quarter_snapshots_no_update BEFORE UPDATE ON quarter_snapshots
    BEGIN SELECT RAISE(ABORT, 'quarter_snapshots are frozen'); END""",
    """CREATE TRIGGER quarter_snapshots_no_delete BEFORE DELETE ON quarter_snapshots
    WHEN NOT EXISTS (SELECT 1 FROM audit_maintenance WHERE purge_allowed)
    BEGIN SELECT RAISE(ABORT, 'quarter_snapshots are frozen'); END""",
]
POSTGRES_TRIGGERS = [
    """CREATE FUNCTION quarter_snapshots_frozen() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE'
           AND EXISTS (SELECT 1 FROM audit_maintenance WHERE purge_allowed) THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'quarter_snapshots are frozen';
    END $$""",
    """CREATE TRIGGER quarter_snapshots_frozen BEFORE UPDATE OR DELETE
    ON quarter_snapshots FOR EACH ROW EXECUTE FUNCTION quarter_snapshots_frozen()""",
    """CREATE TRIGGER quarter_snapshots_no_truncate BEFORE TRUNCATE ON quarter_snapshots
    FOR EACH STATEMENT EXECUTE FUNCTION quarter_snapshots_frozen()""",
]


def upgrade() -> None:
    op.create_table(
        "quarter_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.String(length=7), nullable=False),
        sa.Column("frozen_at", sa.DateTime(), nullable=False),
        sa.Column("frozen_by_id", sa.Integer(), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["frozen_by_id"],
            ["users.id"],
            name=op.f("fk_quarter_snapshots_frozen_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarter_snapshots")),
        sa.UniqueConstraint("quarter", name=op.f("uq_quarter_snapshots_quarter")),
    )
    op.create_table(
        "risks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=120), nullable=False),
        sa.Column("cause", sa.Text(), nullable=False),
        sa.Column("effect", sa.Text(), nullable=False),
        sa.Column("existing_controls", sa.Text(), nullable=False),
        sa.Column("mitigating_actions", sa.Text(), nullable=False),
        sa.Column("inherent_likelihood", sa.Integer(), nullable=False),
        sa.Column("inherent_impact", sa.Integer(), nullable=False),
        sa.Column("current_likelihood", sa.Integer(), nullable=False),
        sa.Column("current_impact", sa.Integer(), nullable=False),
        sa.Column("target_likelihood", sa.Integer(), nullable=False),
        sa.Column("target_impact", sa.Integer(), nullable=False),
        sa.Column("review_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closure_reason", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "current_impact BETWEEN 1 AND 5", name=op.f("ck_risks_current_impact_range")
        ),
        sa.CheckConstraint(
            "current_likelihood BETWEEN 1 AND 5",
            name=op.f("ck_risks_current_likelihood_range"),
        ),
        sa.CheckConstraint(
            "inherent_impact BETWEEN 1 AND 5",
            name=op.f("ck_risks_inherent_impact_range"),
        ),
        sa.CheckConstraint(
            "inherent_likelihood BETWEEN 1 AND 5",
            name=op.f("ck_risks_inherent_likelihood_range"),
        ),
        sa.CheckConstraint(
            "target_impact BETWEEN 1 AND 5", name=op.f("ck_risks_target_impact_range")
        ),
        sa.CheckConstraint(
            "target_likelihood BETWEEN 1 AND 5",
            name=op.f("ck_risks_target_likelihood_range"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_risks_created_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risks")),
    )
    op.create_table(
        "sign_offs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("phase", sa.Integer(), nullable=False),
        sa.Column("given_at", sa.DateTime(), nullable=False),
        sa.Column("given_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("practice_checked_by", sa.String(length=120), nullable=True),
        sa.Column("practice_checked_on", sa.Date(), nullable=True),
        sa.Column("practice_check", sa.Text(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.Column("withdrawal_reason", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "phase IN (1, 2)", name=op.f("ck_sign_offs_phase_one_or_two")
        ),
        sa.ForeignKeyConstraint(
            ["given_by_id"], ["users.id"], name=op.f("fk_sign_offs_given_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_sign_offs_recommendation_id_recommendations"),
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by_id"],
            ["users.id"],
            name=op.f("fk_sign_offs_withdrawn_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_offs")),
    )
    with op.batch_alter_table("sign_offs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sign_offs_recommendation_id"),
            ["recommendation_id"],
            unique=False,
        )
        batch_op.create_index(
            "uq_sign_offs_standing",
            ["recommendation_id", "phase"],
            unique=True,
            sqlite_where=sa.text("withdrawn_at IS NULL"),
            postgresql_where=sa.text("withdrawn_at IS NULL"),
        )

    op.create_table(
        "action_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.String(length=7), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("percent_complete", sa.Integer(), nullable=False),
        sa.Column("suggested_rag", sa.String(length=8), nullable=False),
        sa.Column("rag", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("commentary", sa.Text(), nullable=False),
        sa.Column("remedial_step", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "percent_complete BETWEEN 0 AND 100",
            name=op.f("ck_action_updates_percent_complete_range"),
        ),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["plan_actions.id"],
            name=op.f("fk_action_updates_action_id_plan_actions"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_action_updates_recorded_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_updates")),
    )
    with op.batch_alter_table("action_updates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_action_updates_action_id"), ["action_id"], unique=False
        )

    op.create_table(
        "board_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=2000), nullable=True),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("file_name", sa.String(length=200), nullable=True),
        sa.Column("stored_name", sa.String(length=64), nullable=True),
        sa.Column("content_type", sa.String(length=100), nullable=True),
        sa.Column("size_bytes", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["plan_actions.id"],
            name=op.f("fk_board_evidence_action_id_plan_actions"),
        ),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["users.id"],
            name=op.f("fk_board_evidence_added_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_board_evidence_recommendation_id_recommendations"),
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["engagement_rounds.id"],
            name=op.f("fk_board_evidence_round_id_engagement_rounds"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_board_evidence")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_board_evidence_stored_name")),
    )
    with op.batch_alter_table("board_evidence", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_board_evidence_recommendation_id"),
            ["recommendation_id"],
            unique=False,
        )

    op.create_table(
        "report_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=True),
        sa.Column("risk_id", sa.Integer(), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("asked_at", sa.DateTime(), nullable=False),
        sa.Column("asked_by_id", sa.Integer(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "(recommendation_id IS NULL) <> (risk_id IS NULL)",
            name=op.f("ck_report_requests_one_subject"),
        ),
        sa.ForeignKeyConstraint(
            ["answered_by_id"],
            ["users.id"],
            name=op.f("fk_report_requests_answered_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["asked_by_id"],
            ["users.id"],
            name=op.f("fk_report_requests_asked_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_report_requests_recommendation_id_recommendations"),
        ),
        sa.ForeignKeyConstraint(
            ["risk_id"], ["risks.id"], name=op.f("fk_report_requests_risk_id_risks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_requests")),
    )
    with op.batch_alter_table("report_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_report_requests_recommendation_id"),
            ["recommendation_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_report_requests_risk_id"), ["risk_id"], unique=False
        )

    op.create_table(
        "risk_actions",
        sa.Column("risk_id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["plan_actions.id"],
            name=op.f("fk_risk_actions_action_id_plan_actions"),
        ),
        sa.ForeignKeyConstraint(
            ["risk_id"], ["risks.id"], name=op.f("fk_risk_actions_risk_id_risks")
        ),
        sa.PrimaryKeyConstraint("risk_id", "action_id", name=op.f("pk_risk_actions")),
    )
    op.create_table(
        "risk_recommendations",
        sa.Column("risk_id", sa.Integer(), nullable=False),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recommendation_id"],
            ["recommendations.id"],
            name=op.f("fk_risk_recommendations_recommendation_id_recommendations"),
        ),
        sa.ForeignKeyConstraint(
            ["risk_id"],
            ["risks.id"],
            name=op.f("fk_risk_recommendations_risk_id_risks"),
        ),
        sa.PrimaryKeyConstraint(
            "risk_id", "recommendation_id", name=op.f("pk_risk_recommendations")
        ),
    )
    op.create_table(
        "risk_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("risk_id", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.String(length=7), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("likelihood", sa.Integer(), nullable=False),
        sa.Column("impact", sa.Integer(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"],
            ["users.id"],
            name=op.f("fk_risk_reviews_reviewed_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["risk_id"], ["risks.id"], name=op.f("fk_risk_reviews_risk_id_risks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_reviews")),
    )
    with op.batch_alter_table("risk_reviews", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_risk_reviews_risk_id"), ["risk_id"], unique=False
        )

    op.create_table(
        "sign_off_evidence",
        sa.Column("sign_off_id", sa.Integer(), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["evidence_id"],
            ["board_evidence.id"],
            name=op.f("fk_sign_off_evidence_evidence_id_board_evidence"),
        ),
        sa.ForeignKeyConstraint(
            ["sign_off_id"],
            ["sign_offs.id"],
            name=op.f("fk_sign_off_evidence_sign_off_id_sign_offs"),
        ),
        sa.PrimaryKeyConstraint(
            "sign_off_id", "evidence_id", name=op.f("pk_sign_off_evidence")
        ),
    )
    op.add_column("plan_actions", sa.Column("start_date", sa.Date(), nullable=True))
    op.add_column(
        "plan_actions",
        sa.Column("percent_complete", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column("plan_actions", sa.Column("rag", sa.String(length=8), nullable=True))
    triggers = (
        SQLITE_TRIGGERS if op.get_bind().dialect.name == "sqlite" else POSTGRES_TRIGGERS
    )
    for statement in triggers:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER quarter_snapshots_no_update")
        op.execute("DROP TRIGGER quarter_snapshots_no_delete")
    else:
        op.execute("DROP TRIGGER quarter_snapshots_no_truncate ON quarter_snapshots")
        op.execute("DROP TRIGGER quarter_snapshots_frozen ON quarter_snapshots")
        op.execute("DROP FUNCTION quarter_snapshots_frozen()")
    with op.batch_alter_table("plan_actions", schema=None) as batch_op:
        batch_op.drop_column("rag")
        batch_op.drop_column("percent_complete")
        batch_op.drop_column("start_date")

    op.drop_table("sign_off_evidence")
    with op.batch_alter_table("risk_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_reviews_risk_id"))

    op.drop_table("risk_reviews")
    op.drop_table("risk_recommendations")
    op.drop_table("risk_actions")
    with op.batch_alter_table("report_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_requests_risk_id"))
        batch_op.drop_index(batch_op.f("ix_report_requests_recommendation_id"))

    op.drop_table("report_requests")
    with op.batch_alter_table("board_evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_board_evidence_recommendation_id"))

    op.drop_table("board_evidence")
    with op.batch_alter_table("action_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_action_updates_action_id"))

    op.drop_table("action_updates")
    with op.batch_alter_table("sign_offs", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_sign_offs_standing",
            sqlite_where=sa.text("withdrawn_at IS NULL"),
            postgresql_where=sa.text("withdrawn_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_sign_offs_recommendation_id"))

    op.drop_table("sign_offs")
    op.drop_table("risks")
    op.drop_table("quarter_snapshots")
