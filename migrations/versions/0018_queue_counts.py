"""queue counts kept by triggers, and the queue's keyset index per team

Revision ID: 0018
Revises: 0017
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

KEY = "status, team_key, round_id, area_id, kind, personal_data"
# What a submission row contributes to, as NEW or OLD.
VALUES = (
    "{r}.status, COALESCE({r}.team_id, 0), {r}.round_id, {r}.area_id, {r}.kind, "
    "{r}.has_personal_data"
)
MATCH = (
    "status = {r}.status AND round_id = {r}.round_id AND area_id = {r}.area_id "
    "AND team_key = COALESCE({r}.team_id, 0) AND kind = {r}.kind "
    "AND personal_data = {r}.has_personal_data"
)
# Built from the constants above, never from input.
ADD = (
    f"INSERT INTO queue_counts ({KEY}, n) VALUES ({VALUES.format(r='NEW')}, 1) "
    f"ON CONFLICT ({KEY}) DO UPDATE SET n = queue_counts.n + 1"
)
TAKE = f"UPDATE queue_counts SET n = n - 1 WHERE {MATCH.format(r='OLD')}"
CHANGED = (
    "OLD.status IS NOT NEW.status OR OLD.round_id IS NOT NEW.round_id "
    "OR OLD.area_id IS NOT NEW.area_id OR OLD.team_id IS NOT NEW.team_id "
    "OR OLD.kind IS NOT NEW.kind OR OLD.has_personal_data IS NOT NEW.has_personal_data"
)

SQLITE_TRIGGERS = [
    f"CREATE TRIGGER queue_counts_insert AFTER INSERT ON submissions BEGIN {ADD}; END",
    f"CREATE TRIGGER queue_counts_delete AFTER DELETE ON submissions BEGIN {TAKE}; END",
    f"CREATE TRIGGER queue_counts_update AFTER UPDATE ON submissions WHEN {CHANGED} "
    f"BEGIN {TAKE}; {ADD}; END",
]
POSTGRES_TRIGGERS = [
    f"""CREATE FUNCTION queue_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') THEN {TAKE}; END IF;
      IF TG_OP IN ('UPDATE', 'INSERT') THEN {ADD}; END IF;
      RETURN NULL;
    END $$""",
    "CREATE TRIGGER queue_counts_insert_delete AFTER INSERT OR DELETE ON submissions "
    "FOR EACH ROW EXECUTE FUNCTION queue_counts_keep()",
    "CREATE TRIGGER queue_counts_update AFTER UPDATE ON submissions FOR EACH ROW "
    f"WHEN ({CHANGED.replace('IS NOT', 'IS DISTINCT FROM')}) "
    "EXECUTE FUNCTION queue_counts_keep()",
]
FILL = (
    f"INSERT INTO queue_counts ({KEY}, n) SELECT status, COALESCE(team_id, 0), "
    "round_id, area_id, kind, has_personal_data, count(*) FROM submissions "
    "GROUP BY status, COALESCE(team_id, 0), round_id, area_id, kind, has_personal_data"
)


def upgrade() -> None:
    op.create_table(
        "queue_counts",
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("team_key", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("personal_data", sa.Boolean(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "status", "team_key", "round_id", "area_id", "kind", "personal_data",
            name=op.f("pk_queue_counts"),
        ),
    )  # fmt: skip
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in SQLITE_TRIGGERS if sqlite else POSTGRES_TRIGGERS:
        op.execute(statement)
    op.execute(FILL)
    # A team moderator's queue: two keyset ranges (no team; their team), each
    # read in order from this index, instead of an OR that reads every row.
    with op.batch_alter_table("submissions") as batch:
        batch.create_index(
            "ix_submissions_team_queue", ["status", "team_id", "submitted_on", "id"]
        )
        # A moderator's own input, left out of their counts.
        batch.create_index("ix_submissions_recorded_by_id", ["recorded_by_id"])


def downgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.drop_index("ix_submissions_recorded_by_id")
        batch.drop_index("ix_submissions_team_queue")
    if op.get_bind().dialect.name == "sqlite":
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER queue_counts_{name}")
    else:
        op.execute("DROP TRIGGER queue_counts_update ON submissions")
        op.execute("DROP TRIGGER queue_counts_insert_delete ON submissions")
        op.execute("DROP FUNCTION queue_counts_keep()")
    op.drop_table("queue_counts")
