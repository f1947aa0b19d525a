"""summary and coverage facts kept by triggers

Revision ID: 0019
Revises: 0018

Every statement here is built from the constants below, never from input.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

FACT_KEY = "subject_type, subject_id, round_id, kind, priority, team_key, role_key"
FACT_COLUMNS = FACT_KEY + ", n, attendees"
FACT_UPSERT = (
    f"ON CONFLICT ({FACT_KEY}) DO UPDATE SET n = subject_facts.n + excluded.n, "
    "attendees = subject_facts.attendees + excluded.attendees"
)
CELL_UPSERT = (
    "ON CONFLICT (recommendation_id, area_id) "
    "DO UPDATE SET n = coverage_cells.n + excluded.n"
)
TAGS = {"recommendation": ("recommendation_tags", "recommendation_id"),
        "theme": ("theme_tags", "theme_id")}  # fmt: skip


def counts(r: str) -> str:
    return f"{r}.status = 'approved' AND {r}.withdrawn_on IS NULL"


def dims(s: str, sign: int) -> str:
    return (
        f"{s}.round_id, {s}.kind, COALESCE({s}.priority, 0), COALESCE({s}.team_id, 0), "
        f"COALESCE({s}.role_group_id, 0), {sign}, {sign} * COALESCE({s}.attendees, 0)"
    )


def tag_total(s: str) -> str:
    return (
        f"(SELECT count(*) FROM recommendation_tags WHERE submission_id = {s}.id) + "
        f"(SELECT count(*) FROM theme_tags WHERE submission_id = {s}.id)"
    )


def item(r: str, sign: int) -> list[str]:
    """What one submission row contributes (while it counts), added or taken."""
    statements = [
        f"INSERT INTO subject_facts ({FACT_COLUMNS}) SELECT 'area', {r}.area_id, "
        f"{dims(r, sign)} WHERE {counts(r)} {FACT_UPSERT}",
        f"INSERT INTO coverage_cells (recommendation_id, area_id, n) "
        f"SELECT t.recommendation_id, {r}.area_id, {sign} FROM recommendation_tags t "
        f"WHERE t.submission_id = {r}.id AND {counts(r)} {CELL_UPSERT}",
        f"INSERT INTO coverage_cells (recommendation_id, area_id, n) "
        f"SELECT 0, 0, {sign} WHERE {counts(r)} AND {tag_total(r)} > 0 {CELL_UPSERT}",
    ]
    for subject, (table, column) in TAGS.items():
        statements.append(
            f"INSERT INTO subject_facts ({FACT_COLUMNS}) SELECT '{subject}', "
            f"t.{column}, {dims(r, sign)} FROM {table} t WHERE t.submission_id = "
            f"{r}.id AND {counts(r)} {FACT_UPSERT}"
        )
    return statements


def tag(subject: str, t: str, sign: int, first_or_last: bool) -> list[str]:
    """What one tag row contributes, for an item that counts."""
    _, column = TAGS[subject]
    found = f"FROM submissions s WHERE s.id = {t}.submission_id AND {counts('s')}"
    statements = [
        f"INSERT INTO subject_facts ({FACT_COLUMNS}) SELECT '{subject}', "
        f"{t}.{column}, {dims('s', sign)} {found} {FACT_UPSERT}"
    ]
    if subject == "recommendation":
        statements.append(
            f"INSERT INTO coverage_cells (recommendation_id, area_id, n) SELECT "
            f"{t}.recommendation_id, s.area_id, {sign} {found} {CELL_UPSERT}"
        )
    if first_or_last:
        # The item's first tag makes it analysed; its last one, no longer.
        now = 1 if sign > 0 else 0
        statements.append(
            f"INSERT INTO coverage_cells (recommendation_id, area_id, n) SELECT 0, 0, "
            f"{sign} {found} AND {tag_total('s')} = {now} {CELL_UPSERT}"
        )
    return statements


ITEM_COLUMNS = ("status", "withdrawn_on", "area_id", "round_id", "kind",
                "priority", "team_id", "role_group_id", "attendees")  # fmt: skip


def changed(distinct: str) -> str:
    return " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in ITEM_COLUMNS)


def sqlite_triggers() -> list[str]:
    def trigger(name: str, when: str, body: list[str]) -> str:
        return f"CREATE TRIGGER {name} {when} BEGIN {'; '.join(body)}; END"

    made = [
        trigger("facts_item_insert", "AFTER INSERT ON submissions", item("NEW", 1)),
        trigger("facts_item_delete", "AFTER DELETE ON submissions", item("OLD", -1)),
        trigger("facts_item_update",
                f"AFTER UPDATE ON submissions WHEN {changed('IS NOT')}",
                item("OLD", -1) + item("NEW", 1)),
    ]  # fmt: skip
    for subject, (table, _) in TAGS.items():
        made += [
            trigger(f"facts_{table}_insert", f"AFTER INSERT ON {table}",
                    tag(subject, "NEW", 1, True)),
            trigger(f"facts_{table}_delete", f"AFTER DELETE ON {table}",
                    tag(subject, "OLD", -1, True)),
            trigger(f"facts_{table}_update", f"AFTER UPDATE ON {table}",
                    tag(subject, "OLD", -1, False) + tag(subject, "NEW", 1, False)),
        ]  # fmt: skip
    return made


def postgres_triggers() -> list[str]:
    def function(name: str, insert: list[str], delete: list[str],
                 update: list[str]) -> str:  # fmt: skip
        return (
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP = 'INSERT' THEN {'; '.join(insert)}; "
            f"ELSIF TG_OP = 'DELETE' THEN {'; '.join(delete)}; "
            f"ELSE {'; '.join(update)}; END IF; RETURN NULL; END $$"
        )

    made = [
        function("facts_item", item("NEW", 1), item("OLD", -1),
                 item("OLD", -1) + item("NEW", 1)),
        "CREATE TRIGGER facts_item_insert_delete AFTER INSERT OR DELETE ON submissions "
        "FOR EACH ROW EXECUTE FUNCTION facts_item()",
        f"CREATE TRIGGER facts_item_update AFTER UPDATE ON submissions FOR EACH ROW "
        f"WHEN ({changed('IS DISTINCT FROM')}) EXECUTE FUNCTION facts_item()",
    ]  # fmt: skip
    for subject, (table, _) in TAGS.items():
        made += [
            function(f"facts_{table}", tag(subject, "NEW", 1, True),
                     tag(subject, "OLD", -1, True),
                     tag(subject, "OLD", -1, False) + tag(subject, "NEW", 1, False)),
            f"CREATE TRIGGER facts_{table} AFTER INSERT OR DELETE OR UPDATE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION facts_{table}()",
        ]  # fmt: skip
    return made


def fill() -> list[str]:
    key = ("round_id, kind, COALESCE(priority, 0), COALESCE(team_id, 0), "
           "COALESCE(role_group_id, 0)")  # fmt: skip
    statements = [
        f"INSERT INTO subject_facts ({FACT_COLUMNS}) SELECT 'area', area_id, {key}, "
        f"count(*), COALESCE(sum(attendees), 0) FROM submissions WHERE "
        f"{counts('submissions')} GROUP BY area_id, {key}",
        "INSERT INTO coverage_cells (recommendation_id, area_id, n) "
        "SELECT t.recommendation_id, s.area_id, count(*) FROM recommendation_tags t "
        f"JOIN submissions s ON s.id = t.submission_id WHERE {counts('s')} "
        "GROUP BY t.recommendation_id, s.area_id",
        "INSERT INTO coverage_cells (recommendation_id, area_id, n) SELECT 0, 0, "
        f"count(*) FROM submissions s WHERE {counts('s')} AND {tag_total('s')} > 0",
    ]
    for subject, (table, column) in TAGS.items():
        statements.append(
            f"INSERT INTO subject_facts ({FACT_COLUMNS}) SELECT '{subject}', "
            f"t.{column}, s.round_id, s.kind, COALESCE(s.priority, 0), "
            f"COALESCE(s.team_id, 0), COALESCE(s.role_group_id, 0), count(*), "
            f"COALESCE(sum(s.attendees), 0) FROM {table} t JOIN submissions s ON "
            f"s.id = t.submission_id WHERE {counts('s')} GROUP BY t.{column}, "
            "s.round_id, s.kind, COALESCE(s.priority, 0), COALESCE(s.team_id, 0), "
            "COALESCE(s.role_group_id, 0)"
        )
    return statements


def upgrade() -> None:
    op.create_table(
        "subject_facts",
        sa.Column("subject_type", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("team_key", sa.Integer(), nullable=False),
        sa.Column("role_key", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("attendees", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "subject_type", "subject_id", "round_id", "kind", "priority", "team_key",
            "role_key", name=op.f("pk_subject_facts"),
        ),
    )  # fmt: skip
    op.create_table(
        "coverage_cells",
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "recommendation_id", "area_id", name=op.f("pk_coverage_cells")
        ),
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in sqlite_triggers() if sqlite else postgres_triggers():
        op.execute(statement)
    for statement in fill():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER facts_item_{name}")
            for table in ("recommendation_tags", "theme_tags"):
                op.execute(f"DROP TRIGGER facts_{table}_{name}")
    else:
        op.execute("DROP TRIGGER facts_item_update ON submissions")
        op.execute("DROP TRIGGER facts_item_insert_delete ON submissions")
        op.execute("DROP FUNCTION facts_item()")
        for table in ("recommendation_tags", "theme_tags"):
            op.execute(f"DROP TRIGGER facts_{table} ON {table}")
            op.execute(f"DROP FUNCTION facts_{table}()")
    op.drop_table("coverage_cells")
    op.drop_table("subject_facts")
