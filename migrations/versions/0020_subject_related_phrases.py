"""related tags and recurring phrases per summary subject, kept by triggers

Revision ID: 0020
Revises: 0019

Every statement here is built from the constants below, never from input. An item counts while it is approved and not withdrawn.
Rows that fall to zero are deleted at once from subject_phrases: they hold staff
wording, which must not outlive a redaction.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

REL_UPSERT = (
    "ON CONFLICT (subject_type, subject_id, round_id, related_id) "
    "DO UPDATE SET n = subject_related.n + excluded.n"
)
PH_UPSERT = (
    "ON CONFLICT (subject_type, subject_id, round_id, key, text) "
    "DO UPDATE SET n = subject_phrases.n + excluded.n"
)
REL = "INSERT INTO subject_related (subject_type, subject_id, round_id, related_id, n)"
PH = "INSERT INTO subject_phrases (subject_type, subject_id, round_id, key, text, n)"


def counts(r: str) -> str:
    return f"{r}.status = 'approved' AND {r}.withdrawn_on IS NULL"


def _subjects_join(s: str) -> list[tuple[str, str, str]]:
    """(subject type, subject id expression, extra FROM) for an item ``s``."""
    return [
        ("area", f"{s}.area_id", ""),
        ("recommendation", "rt.recommendation_id",
         f"JOIN recommendation_tags rt ON rt.submission_id = {s}.id"),
        ("theme", "tt.theme_id", f"JOIN theme_tags tt ON tt.submission_id = {s}.id"),
    ]  # fmt: skip


def _prune(where: str) -> str:
    return f"DELETE FROM subject_phrases WHERE n <= 0 AND {where}"


def item(r: str, sign: int) -> list[str]:
    """An item's related pairs and phrases, for each of its subjects (NEW/OLD
    rows cannot be joined as tables, so each reads its tags and phrases)."""
    ok = counts(r)
    statements = [
        f"{REL} SELECT 'area', {r}.area_id, {r}.round_id, tt.theme_id, {sign} "
        f"FROM theme_tags tt WHERE tt.submission_id = {r}.id AND {ok} {REL_UPSERT}",
        f"{REL} SELECT 'recommendation', rt.recommendation_id, {r}.round_id, "
        f"tt.theme_id, {sign} FROM recommendation_tags rt JOIN theme_tags tt ON "
        f"tt.submission_id = rt.submission_id WHERE rt.submission_id = {r}.id AND "
        f"{ok} {REL_UPSERT}",
        f"{REL} SELECT 'theme', tt.theme_id, {r}.round_id, rt.recommendation_id, "
        f"{sign} FROM theme_tags tt JOIN recommendation_tags rt ON rt.submission_id "
        f"= tt.submission_id WHERE tt.submission_id = {r}.id AND {ok} {REL_UPSERT}",
        f"{PH} SELECT 'area', {r}.area_id, {r}.round_id, ph.key, ph.text, {sign} "
        f"FROM submission_phrases ph WHERE ph.submission_id = {r}.id AND {ok} "
        f"{PH_UPSERT}",
        f"{PH} SELECT 'recommendation', rt.recommendation_id, {r}.round_id, ph.key, "
        f"ph.text, {sign} FROM recommendation_tags rt JOIN submission_phrases ph ON "
        f"ph.submission_id = rt.submission_id WHERE rt.submission_id = {r}.id AND "
        f"{ok} {PH_UPSERT}",
        f"{PH} SELECT 'theme', tt.theme_id, {r}.round_id, ph.key, ph.text, {sign} "
        f"FROM theme_tags tt JOIN submission_phrases ph ON ph.submission_id = "
        f"tt.submission_id WHERE tt.submission_id = {r}.id AND {ok} {PH_UPSERT}",
    ]
    if sign < 0:
        statements.append(_prune(
            f"key IN (SELECT key FROM submission_phrases WHERE submission_id = {r}.id)"
        ))  # fmt: skip
    return statements


def recommendation_tag(t: str, sign: int) -> list[str]:
    item_ = (
        f"FROM submissions s {{join}} WHERE s.id = {t}.submission_id AND {counts('s')}"
    )
    themes = item_.format(join="JOIN theme_tags tt ON tt.submission_id = s.id")
    said = item_.format(join="JOIN submission_phrases ph ON ph.submission_id = s.id")
    statements = [
        f"{REL} SELECT 'recommendation', {t}.recommendation_id, s.round_id, "
        f"tt.theme_id, {sign} {themes} {REL_UPSERT}",
        f"{REL} SELECT 'theme', tt.theme_id, s.round_id, {t}.recommendation_id, "
        f"{sign} {themes} {REL_UPSERT}",
        f"{PH} SELECT 'recommendation', {t}.recommendation_id, s.round_id, ph.key, "
        f"ph.text, {sign} {said} {PH_UPSERT}",
    ]
    if sign < 0:
        statements.append(_prune(f"subject_type = 'recommendation' AND subject_id = "
                                 f"{t}.recommendation_id"))  # fmt: skip
    return statements


def theme_tag(t: str, sign: int) -> list[str]:
    item_ = (
        f"FROM submissions s {{join}} WHERE s.id = {t}.submission_id AND {counts('s')}"
    )
    alone = item_.format(join="")
    recs = item_.format(join="JOIN recommendation_tags rt ON rt.submission_id = s.id")
    said = item_.format(join="JOIN submission_phrases ph ON ph.submission_id = s.id")
    statements = [
        f"{REL} SELECT 'area', s.area_id, s.round_id, {t}.theme_id, {sign} {alone} "
        f"{REL_UPSERT}",
        f"{REL} SELECT 'recommendation', rt.recommendation_id, s.round_id, "
        f"{t}.theme_id, {sign} {recs} {REL_UPSERT}",
        f"{REL} SELECT 'theme', {t}.theme_id, s.round_id, rt.recommendation_id, "
        f"{sign} {recs} {REL_UPSERT}",
        f"{PH} SELECT 'theme', {t}.theme_id, s.round_id, ph.key, ph.text, {sign} "
        f"{said} {PH_UPSERT}",
    ]
    if sign < 0:
        statements.append(
            _prune(f"subject_type = 'theme' AND subject_id = {t}.theme_id")
        )
    return statements


def phrase(p: str, sign: int) -> list[str]:
    statements = []
    for subject, sid, join in _subjects_join("s"):
        statements.append(
            f"{PH} SELECT '{subject}', {sid}, s.round_id, {p}.key, {p}.text, {sign} "
            f"FROM submissions s {join} WHERE s.id = {p}.submission_id AND "
            f"{counts('s')} {PH_UPSERT}"
        )
    if sign < 0:
        statements.append(_prune(f"key = {p}.key AND text = {p}.text"))
    return statements


ITEM_COLUMNS = ("status", "withdrawn_on", "area_id", "round_id")
TABLES = {
    "recommendation_tags": recommendation_tag,
    "theme_tags": theme_tag,
    "submission_phrases": phrase,
}


def changed(distinct: str) -> str:
    return " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in ITEM_COLUMNS)


def sqlite_triggers() -> list[str]:
    def trigger(name: str, when: str, body: list[str]) -> str:
        return f"CREATE TRIGGER {name} {when} BEGIN {'; '.join(body)}; END"

    made = [trigger("links_item_update",
                    f"AFTER UPDATE ON submissions WHEN {changed('IS NOT')}",
                    item("OLD", -1) + item("NEW", 1))]  # fmt: skip
    for table, rows in TABLES.items():
        made += [
            trigger(f"links_{table}_insert", f"AFTER INSERT ON {table}", rows("NEW", 1)),
            trigger(f"links_{table}_delete", f"AFTER DELETE ON {table}", rows("OLD", -1)),
            trigger(f"links_{table}_update", f"AFTER UPDATE ON {table}",
                    rows("OLD", -1) + rows("NEW", 1)),
        ]  # fmt: skip
    return made


def postgres_triggers() -> list[str]:
    def function(name: str, insert: list[str], delete: list[str]) -> str:
        return (
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {'; '.join(delete)}; END IF; "
            f"IF TG_OP IN ('UPDATE', 'INSERT') THEN {'; '.join(insert)}; END IF; "
            "RETURN NULL; END $$"
        )

    made = [
        function("links_item", item("NEW", 1), item("OLD", -1)),
        f"CREATE TRIGGER links_item_update AFTER UPDATE ON submissions FOR EACH ROW "
        f"WHEN ({changed('IS DISTINCT FROM')}) EXECUTE FUNCTION links_item()",
    ]
    for table, rows in TABLES.items():
        made += [
            function(f"links_{table}", rows("NEW", 1), rows("OLD", -1)),
            f"CREATE TRIGGER links_{table} AFTER INSERT OR DELETE OR UPDATE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION links_{table}()",
        ]
    return made


def fill() -> list[str]:
    ok = counts("s")
    statements = []
    for subject, sid, join in _subjects_join("s"):
        statements.append(
            f"{PH} SELECT '{subject}', {sid}, s.round_id, ph.key, ph.text, count(*) "
            f"FROM submissions s {join} JOIN submission_phrases ph ON "
            f"ph.submission_id = s.id WHERE {ok} GROUP BY {sid}, s.round_id, ph.key, "
            "ph.text"
        )
    pairs = [
        ("area", "s.area_id", "tt.theme_id", "JOIN theme_tags tt ON tt.submission_id = s.id"),
        ("recommendation", "rt.recommendation_id", "tt.theme_id",
         "JOIN recommendation_tags rt ON rt.submission_id = s.id "
         "JOIN theme_tags tt ON tt.submission_id = s.id"),
        ("theme", "tt.theme_id", "rt.recommendation_id",
         "JOIN theme_tags tt ON tt.submission_id = s.id "
         "JOIN recommendation_tags rt ON rt.submission_id = s.id"),
    ]  # fmt: skip
    for subject, sid, related, join in pairs:
        statements.append(
            f"{REL} SELECT '{subject}', {sid}, s.round_id, {related}, count(*) FROM "
            f"submissions s {join} WHERE {ok} GROUP BY {sid}, s.round_id, {related}"
        )
    return statements


def upgrade() -> None:
    op.create_table(
        "subject_related",
        sa.Column("subject_type", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("related_id", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("subject_type", "subject_id", "round_id", "related_id",
                                name=op.f("pk_subject_related")),
    )  # fmt: skip
    op.create_table(
        "subject_phrases",
        sa.Column("subject_type", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("subject_type", "subject_id", "round_id", "key",
                                "text", name=op.f("pk_subject_phrases")),
    )  # fmt: skip
    with op.batch_alter_table("subject_phrases") as batch:
        batch.create_index("ix_subject_phrases_key", ["key", "text"])
    sqlite = op.get_bind().dialect.name == "sqlite"
    for statement in sqlite_triggers() if sqlite else postgres_triggers():
        op.execute(statement)
    for statement in fill():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER links_item_update")
        for table in TABLES:
            for name in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER links_{table}_{name}")
    else:
        op.execute("DROP TRIGGER links_item_update ON submissions")
        op.execute("DROP FUNCTION links_item()")
        for table in TABLES:
            op.execute(f"DROP TRIGGER links_{table} ON {table}")
            op.execute(f"DROP FUNCTION links_{table}()")
    op.drop_table("subject_phrases")
    op.drop_table("subject_related")
