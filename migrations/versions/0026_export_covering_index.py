"""each item's tag names kept on it, and the data export's covering index on SQLite

Revision ID: 0026
Revises: 0025

The data export printed each item's recommendation codes and theme names from
the tag tables: two correlated aggregates per row, 2.8 s of SQLite's read and
2.4 s of PostgreSQL's ``COPY`` at 1,000,000 submissions. They are now kept on
the item, in ``recommendation_codes`` and ``theme_names`` ("; "-separated; on
PostgreSQL sorted by code point, as the export prints them; SQLite's
``group_concat`` has no order and the export sorts), by triggers on the tag
tables and on renames of codes and themes, in the same transaction as the
change. On PostgreSQL a trigger first locks the item, so two moderators
tagging one item at once cannot each write a list without the other's tag, nor
each count it as newly analysed (``postgres_triggers`` says how).

On SQLite the submissions table is stored in random-id order (it has no rowid,
so the storage order cannot tell when anything arrived), and the export reads
approved input in (day, id) order, so each row was a search of the whole table:
at 1M submissions the read alone took 4.4 s for 550,000 rows. A partial index
holding every column the export reads, for approved input only, in the export's
order, lets it read the index from end to end without the table: 1.6 s, for
about a fifth more file. SQLite keeps it as it keeps the table: a redaction
overwrites it in the same statement, and ``secure_delete`` zeroes what it
replaced. PostgreSQL gets no such index: its entries must fit a third of a
page, which long answers do not, and its export is a ``COPY``.

Every statement here is built from the constants below, never from input.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

# column on submissions -> (tag table, its key, named table, the name column)
KEPT = {"recommendation_codes": ("recommendation_tags", "recommendation_id",
                                 "recommendations", "code"),
        "theme_names": ("theme_tags", "theme_id", "themes", "name")}  # fmt: skip
EXPORT_COLUMNS = ["submitted_on", "id", "status", "withdrawn_on", "round_id",
                  "area_id", "kind", "priority", "team_id", "role_group_id",
                  "attendees", "author_id", "obstacles", "biggest_difference",
                  "practice_example", "recommendation_codes",
                  "theme_names"]  # fmt: skip
APPROVED = "status = 'approved' AND withdrawn_on IS NULL"


def names(column: str, item: str, postgres: bool) -> str:
    """The names of ``item``'s tags (an SQL expression for a submission id)."""
    tags, key, named, name = KEPT[column]
    joined = (
        f"string_agg(n.{name}, '; ' ORDER BY n.{name} COLLATE \"C\")"
        if postgres
        else f"group_concat(n.{name}, '; ')"
    )
    return (
        f"(SELECT {joined} FROM {tags} t JOIN {named} n ON n.id = t.{key} "
        f"WHERE t.submission_id = {item})"
    )


def keep(column: str, item: str, postgres: bool, also: str = "") -> str:
    """Rewrite ``item``'s names (``also``: a further condition on the row)."""
    return (
        f"UPDATE submissions SET {column} = {names(column, item, postgres)} "
        f"WHERE id = {item}{also}"
    )


# A tag changed in place (a theme merge moves tags between themes) leaves its
# item where it was: the item the tag left is rewritten only if it is another.
LEFT = " AND OLD.submission_id IS NOT NEW.submission_id"


def renamed(column: str, postgres: bool) -> str:
    tags, key, _, _ = KEPT[column]
    return (
        f"UPDATE submissions SET {column} = "
        f"{names(column, 'submissions.id', postgres)} "
        f"WHERE id IN (SELECT submission_id FROM {tags} WHERE {key} = NEW.id)"
    )


def sqlite_triggers() -> list[str]:
    made = []
    for column, (tags, _, named, name) in KEPT.items():
        made += [
            f"CREATE TRIGGER {column}_insert AFTER INSERT ON {tags} "
            f"BEGIN {keep(column, 'NEW.submission_id', False)}; END",
            f"CREATE TRIGGER {column}_delete AFTER DELETE ON {tags} "
            f"BEGIN {keep(column, 'OLD.submission_id', False)}; END",
            f"CREATE TRIGGER {column}_update AFTER UPDATE ON {tags} "
            f"BEGIN {keep(column, 'OLD.submission_id', False, LEFT)}; "
            f"{keep(column, 'NEW.submission_id', False)}; END",
            f"CREATE TRIGGER {column}_renamed AFTER UPDATE OF {name} ON {named} "
            f"WHEN OLD.{name} IS NOT NEW.{name} "
            f"BEGIN {renamed(column, False)}; END",
        ]
    return made


LOCKED = (
    "CREATE FUNCTION tagged_item_locked() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN "
    "IF TG_OP <> 'INSERT' THEN "
    "PERFORM 1 FROM submissions WHERE id = OLD.submission_id FOR UPDATE; END IF; "
    "IF TG_OP <> 'DELETE' THEN "
    "PERFORM 1 FROM submissions WHERE id = NEW.submission_id FOR UPDATE; END IF; "
    "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$"
)


def postgres_triggers() -> list[str]:
    """Before a tag changes, its item is locked: a second change to the same
    item's tags waits for the first to commit, and the statements of the
    triggers after it (each with a fresh snapshot) then see the first's tags.
    Without it, two first tags at once each counted the item as newly analysed
    (0019's coverage cell) and each wrote a list without the other's tag."""
    made = [LOCKED]
    for column, (tags, _, named, name) in KEPT.items():
        made += [
            f"CREATE TRIGGER {tags}_item_locked BEFORE INSERT OR DELETE OR UPDATE "
            f"ON {tags} FOR EACH ROW EXECUTE FUNCTION tagged_item_locked()",
            f"CREATE FUNCTION {column}_kept() RETURNS trigger LANGUAGE plpgsql "
            "AS $$ BEGIN "
            "IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND "
            "OLD.submission_id IS DISTINCT FROM NEW.submission_id) THEN "
            f"{keep(column, 'OLD.submission_id', True)}; END IF; "
            f"IF TG_OP <> 'DELETE' THEN {keep(column, 'NEW.submission_id', True)}; "
            "END IF; RETURN NULL; END $$",
            f"CREATE TRIGGER {column}_kept AFTER INSERT OR DELETE OR UPDATE "
            f"ON {tags} FOR EACH ROW EXECUTE FUNCTION {column}_kept()",
            f"CREATE FUNCTION {column}_renamed() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN {renamed(column, True)}; "
            "RETURN NULL; END $$",
            f"CREATE TRIGGER {column}_renamed AFTER UPDATE OF {name} ON {named} "
            f"FOR EACH ROW WHEN (OLD.{name} IS DISTINCT FROM NEW.{name}) "
            f"EXECUTE FUNCTION {column}_renamed()",
        ]
    return made


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for column, (tags, _, _, _) in KEPT.items():
        op.add_column("submissions", sa.Column(column, sa.Text(), nullable=True))
        op.execute(
            f"UPDATE submissions SET {column} = "
            f"{names(column, 'submissions.id', postgres)} "
            f"WHERE id IN (SELECT submission_id FROM {tags})"
        )
    for statement in postgres_triggers() if postgres else sqlite_triggers():
        op.execute(statement)
    if not postgres:
        op.create_index(
            "ix_submissions_export",
            "submissions",
            EXPORT_COLUMNS,
            sqlite_where=sa.text(APPROVED),
        )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if not postgres:
        op.drop_index("ix_submissions_export", table_name="submissions")
    for column, (tags, _, named, _) in KEPT.items():
        if postgres:
            op.execute(f"DROP TRIGGER {tags}_item_locked ON {tags}")
            op.execute(f"DROP TRIGGER {column}_kept ON {tags}")
            op.execute(f"DROP TRIGGER {column}_renamed ON {named}")
            op.execute(f"DROP FUNCTION {column}_kept()")
            op.execute(f"DROP FUNCTION {column}_renamed()")
        else:
            for event in ("insert", "delete", "update", "renamed"):
                op.execute(f"DROP TRIGGER {column}_{event}")
        # Not batch mode: on SQLite it copies the table, and its triggers (the
        # maintained aggregates) would go with the old one.
        op.execute(f"ALTER TABLE submissions DROP COLUMN {column}")
    if postgres:
        op.execute("DROP FUNCTION tagged_item_locked()")
