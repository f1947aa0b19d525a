"""summary facts split into counts (kind, priority) and contexts (team, role)

Revision ID: 0025
Revises: 0024

``subject_facts`` kept one row per subject, round, kind, priority, team and role
group: a summary summed thousands of them four times over (by kind, by priority,
by team, by role), and at a million submissions the combinations filled in, so
the page slowed as the data grew. The same triggers now keep two narrower tables
instead: ``subject_counts`` (kind and priority, with the people at sessions) and
``subject_contexts`` (team and role group, which the breakdowns and the data
export's small-group rule read). The coverage statements of the 0019 triggers
are carried over unchanged. Every statement here is built from the constants
below, never from input; the 0019 statements are copied, not imported, because
migrations stay as they were written.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

TAGS = {"recommendation": ("recommendation_tags", "recommendation_id"),
        "theme": ("theme_tags", "theme_id")}  # fmt: skip
CELL_UPSERT = (
    "ON CONFLICT (recommendation_id, area_id) "
    "DO UPDATE SET n = coverage_cells.n + excluded.n"
)
COUNT_KEY = "subject_type, subject_id, round_id, kind, priority"
COUNT_UPSERT = (
    f"ON CONFLICT ({COUNT_KEY}) DO UPDATE SET n = subject_counts.n + excluded.n, "
    "attendees = subject_counts.attendees + excluded.attendees"
)
CONTEXT_KEY = "subject_type, subject_id, round_id, team_key, role_key"
CONTEXT_UPSERT = (
    f"ON CONFLICT ({CONTEXT_KEY}) DO UPDATE SET n = subject_contexts.n + excluded.n"
)
# 0019's single table, for the downgrade.
FACT_KEY = "subject_type, subject_id, round_id, kind, priority, team_key, role_key"
FACT_UPSERT = (
    f"ON CONFLICT ({FACT_KEY}) DO UPDATE SET n = subject_facts.n + excluded.n, "
    "attendees = subject_facts.attendees + excluded.attendees"
)


def counts(r: str) -> str:
    return f"{r}.status = 'approved' AND {r}.withdrawn_on IS NULL"


def tag_total(s: str) -> str:
    return (
        f"(SELECT count(*) FROM recommendation_tags WHERE submission_id = {s}.id) + "
        f"(SELECT count(*) FROM theme_tags WHERE submission_id = {s}.id)"
    )


def split(subject: str, subject_id: str, s: str, sign: int, source: str) -> list[str]:
    """One item's rows, for one subject, added or taken: ``source`` ends the
    SELECT (a FROM and a WHERE, or a WHERE alone)."""
    return [
        f"INSERT INTO subject_counts ({COUNT_KEY}, n, attendees) SELECT "
        f"'{subject}', {subject_id}, {s}.round_id, {s}.kind, "
        f"COALESCE({s}.priority, 0), {sign}, {sign} * COALESCE({s}.attendees, 0) "
        f"{source} {COUNT_UPSERT}",
        f"INSERT INTO subject_contexts ({CONTEXT_KEY}, n) SELECT '{subject}', "
        f"{subject_id}, {s}.round_id, COALESCE({s}.team_id, 0), "
        f"COALESCE({s}.role_group_id, 0), {sign} {source} {CONTEXT_UPSERT}",
    ]


def single(subject: str, subject_id: str, s: str, sign: int, source: str) -> list[str]:
    """The same for 0019's ``subject_facts``."""
    return [
        f"INSERT INTO subject_facts ({FACT_KEY}, n, attendees) SELECT '{subject}', "
        f"{subject_id}, {s}.round_id, {s}.kind, COALESCE({s}.priority, 0), "
        f"COALESCE({s}.team_id, 0), COALESCE({s}.role_group_id, 0), {sign}, "
        f"{sign} * COALESCE({s}.attendees, 0) {source} {FACT_UPSERT}"
    ]


Facts = Callable[[str, str, str, int, str], list[str]]


def item(r: str, sign: int, facts: Facts) -> list[str]:
    """What one submission row contributes (while it counts), added or taken."""
    statements = [
        *facts("area", f"{r}.area_id", r, sign, f"WHERE {counts(r)}"),
        f"INSERT INTO coverage_cells (recommendation_id, area_id, n) "
        f"SELECT t.recommendation_id, {r}.area_id, {sign} FROM recommendation_tags t "
        f"WHERE t.submission_id = {r}.id AND {counts(r)} {CELL_UPSERT}",
        f"INSERT INTO coverage_cells (recommendation_id, area_id, n) "
        f"SELECT 0, 0, {sign} WHERE {counts(r)} AND {tag_total(r)} > 0 {CELL_UPSERT}",
    ]
    for subject, (table, column) in TAGS.items():
        statements += facts(
            subject, f"t.{column}", r, sign,
            f"FROM {table} t WHERE t.submission_id = {r}.id AND {counts(r)}",
        )  # fmt: skip
    return statements


def tag(
    subject: str, t: str, sign: int, first_or_last: bool, facts: Facts
) -> list[str]:
    """What one tag row contributes, for an item that counts."""
    _, column = TAGS[subject]
    found = f"FROM submissions s WHERE s.id = {t}.submission_id AND {counts('s')}"
    statements = facts(subject, f"{t}.{column}", "s", sign, found)
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


SQLITE_TRIGGERS = [
    f"facts_{table}_{event}"
    for table in ("item", *(table for table, _ in TAGS.values()))
    for event in ("insert", "delete", "update")
]


def sqlite_triggers(facts: Facts) -> list[str]:
    def trigger(name: str, when: str, body: list[str]) -> str:
        return f"CREATE TRIGGER {name} {when} BEGIN {'; '.join(body)}; END"

    made = [
        trigger("facts_item_insert", "AFTER INSERT ON submissions",
                item("NEW", 1, facts)),
        trigger("facts_item_delete", "AFTER DELETE ON submissions",
                item("OLD", -1, facts)),
        trigger("facts_item_update",
                f"AFTER UPDATE ON submissions WHEN {changed('IS NOT')}",
                item("OLD", -1, facts) + item("NEW", 1, facts)),
    ]  # fmt: skip
    for subject, (table, _) in TAGS.items():
        made += [
            trigger(f"facts_{table}_insert", f"AFTER INSERT ON {table}",
                    tag(subject, "NEW", 1, True, facts)),
            trigger(f"facts_{table}_delete", f"AFTER DELETE ON {table}",
                    tag(subject, "OLD", -1, True, facts)),
            trigger(f"facts_{table}_update", f"AFTER UPDATE ON {table}",
                    tag(subject, "OLD", -1, False, facts)
                    + tag(subject, "NEW", 1, False, facts)),
        ]  # fmt: skip
    return made


def postgres_functions(facts: Facts) -> list[str]:
    """The trigger functions of 0019, replaced in place: the triggers that call
    them stay as they are."""

    def function(name: str, insert: list[str], delete: list[str],
                 update: list[str]) -> str:  # fmt: skip
        return (
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql "
            f"AS $$ BEGIN IF TG_OP = 'INSERT' THEN {'; '.join(insert)}; "
            f"ELSIF TG_OP = 'DELETE' THEN {'; '.join(delete)}; "
            f"ELSE {'; '.join(update)}; END IF; RETURN NULL; END $$"
        )

    made = [
        function("facts_item", item("NEW", 1, facts), item("OLD", -1, facts),
                 item("OLD", -1, facts) + item("NEW", 1, facts)),
    ]  # fmt: skip
    for subject, (table, _) in TAGS.items():
        made.append(
            function(f"facts_{table}", tag(subject, "NEW", 1, True, facts),
                     tag(subject, "OLD", -1, True, facts),
                     tag(subject, "OLD", -1, False, facts)
                     + tag(subject, "NEW", 1, False, facts))
        )  # fmt: skip
    return made


def _use(facts: Facts) -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
        statements = sqlite_triggers(facts)
    else:
        statements = postgres_functions(facts)
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    def key() -> list[sa.Column[object]]:
        return [sa.Column("subject_type", sa.String(length=16), nullable=False),
                sa.Column("subject_id", sa.Integer(), nullable=False),
                sa.Column("round_id", sa.Integer(), nullable=False)]  # fmt: skip

    op.create_table(
        "subject_counts",
        *key(),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("attendees", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "subject_type", "subject_id", "round_id", "kind", "priority",
            name=op.f("pk_subject_counts"),
        ),
        sqlite_with_rowid=False,
    )  # fmt: skip
    op.create_table(
        "subject_contexts",
        *key(),
        sa.Column("team_key", sa.Integer(), nullable=False),
        sa.Column("role_key", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "subject_type", "subject_id", "round_id", "team_key", "role_key",
            name=op.f("pk_subject_contexts"),
        ),
        sqlite_with_rowid=False,
    )  # fmt: skip
    _use(split)
    # The facts kept so far are exact: each narrower table is a sum of them.
    op.execute(
        f"INSERT INTO subject_counts ({COUNT_KEY}, n, attendees) SELECT {COUNT_KEY}, "
        f"sum(n), sum(attendees) FROM subject_facts GROUP BY {COUNT_KEY} "
        "HAVING sum(n) <> 0 OR sum(attendees) <> 0"
    )
    op.execute(
        f"INSERT INTO subject_contexts ({CONTEXT_KEY}, n) SELECT {CONTEXT_KEY}, "
        f"sum(n) FROM subject_facts GROUP BY {CONTEXT_KEY} HAVING sum(n) <> 0"
    )
    op.drop_table("subject_facts")


def downgrade() -> None:
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
    _use(single)
    key = ("round_id, kind, COALESCE(priority, 0), COALESCE(team_id, 0), "
           "COALESCE(role_group_id, 0)")  # fmt: skip
    op.execute(
        f"INSERT INTO subject_facts ({FACT_KEY}, n, attendees) SELECT 'area', "
        f"area_id, {key}, count(*), COALESCE(sum(attendees), 0) FROM submissions "
        f"WHERE {counts('submissions')} GROUP BY area_id, {key}"
    )
    for subject, (table, column) in TAGS.items():
        op.execute(
            f"INSERT INTO subject_facts ({FACT_KEY}, n, attendees) SELECT "
            f"'{subject}', t.{column}, s.round_id, s.kind, COALESCE(s.priority, 0), "
            "COALESCE(s.team_id, 0), COALESCE(s.role_group_id, 0), count(*), "
            f"COALESCE(sum(s.attendees), 0) FROM {table} t JOIN submissions s ON "
            f"s.id = t.submission_id WHERE {counts('s')} GROUP BY t.{column}, "
            "s.round_id, s.kind, COALESCE(s.priority, 0), COALESCE(s.team_id, 0), "
            "COALESCE(s.role_group_id, 0)"
        )
    op.drop_table("subject_contexts")
    op.drop_table("subject_counts")
