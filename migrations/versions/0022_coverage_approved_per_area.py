"""approved items per area kept in coverage_cells, so coverage reads a bounded
number of rows

Revision ID: 0022
Revises: 0021

The coverage page summed the area facts for its "share analysed", and those rows
grow with the data (one per round, area, kind, priority, team and role). Rows
(0, area) now hold each area's approved items, kept by their own triggers; (0, 0)
still holds the items with any tag (migration 0019). Every statement here is built
from the constants below, never from input.
"""

from __future__ import annotations

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

CELL_UPSERT = (
    "ON CONFLICT (recommendation_id, area_id) "
    "DO UPDATE SET n = coverage_cells.n + excluded.n"
)
COLUMNS = ("status", "withdrawn_on", "area_id")


def counts(r: str) -> str:
    return f"{r}.status = 'approved' AND {r}.withdrawn_on IS NULL"


def item(r: str, sign: int) -> str:
    return (
        f"INSERT INTO coverage_cells (recommendation_id, area_id, n) "
        f"SELECT 0, {r}.area_id, {sign} WHERE {counts(r)} {CELL_UPSERT}"
    )


def changed(distinct: str) -> str:
    return " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in COLUMNS)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION coverage_area_item() RETURNS trigger LANGUAGE plpgsql "
            f"AS $$ BEGIN IF TG_OP = 'INSERT' THEN {item('NEW', 1)}; "
            f"ELSIF TG_OP = 'DELETE' THEN {item('OLD', -1)}; "
            f"ELSE {item('OLD', -1)}; {item('NEW', 1)}; END IF; RETURN NULL; END $$"
        )
        op.execute(
            "CREATE TRIGGER coverage_area_insert_delete AFTER INSERT OR DELETE ON "
            "submissions FOR EACH ROW EXECUTE FUNCTION coverage_area_item()"
        )
        op.execute(
            "CREATE TRIGGER coverage_area_update AFTER UPDATE ON submissions FOR "
            f"EACH ROW WHEN ({changed('IS DISTINCT FROM')}) "
            "EXECUTE FUNCTION coverage_area_item()"
        )
    else:
        op.execute(
            "CREATE TRIGGER coverage_area_insert AFTER INSERT ON submissions "
            f"BEGIN {item('NEW', 1)}; END"
        )
        op.execute(
            "CREATE TRIGGER coverage_area_delete AFTER DELETE ON submissions "
            f"BEGIN {item('OLD', -1)}; END"
        )
        op.execute(
            "CREATE TRIGGER coverage_area_update AFTER UPDATE ON submissions "
            f"WHEN {changed('IS NOT')} BEGIN {item('OLD', -1)}; {item('NEW', 1)}; END"
        )
    op.execute(
        "INSERT INTO coverage_cells (recommendation_id, area_id, n) SELECT 0, "
        f"area_id, count(*) FROM submissions WHERE {counts('submissions')} "
        "GROUP BY area_id"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER coverage_area_insert_delete ON submissions")
        op.execute("DROP TRIGGER coverage_area_update ON submissions")
        op.execute("DROP FUNCTION coverage_area_item()")
    else:
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER coverage_area_{name}")
    op.execute(
        "DELETE FROM coverage_cells WHERE recommendation_id = 0 AND area_id <> 0"
    )
