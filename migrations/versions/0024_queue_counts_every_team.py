"""queue counts summed over every team, kept by the same triggers

Revision ID: 0024
Revises: 0023

An independent moderator's counts summed one maintained row per team for each
round, area, kind and flag (about 10,000 rows at 100,000 submissions). Each
combination now also has a row whose team_key is -1 (EVERY_TEAM in
portal/models/aggregates.py): the sum over every team, kept in the same trigger
statement as the team's own row, so their counts read a few hundred rows. Every
statement here is built from the constants below, never from input.
"""

from __future__ import annotations

from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

EVERY_TEAM = "-1"
KEY = "status, team_key, round_id, area_id, kind, personal_data"
TEAM_KEY = "COALESCE({r}.team_id, 0)"


def _values(r: str, team: str) -> str:
    return f"{r}.status, {team}, {r}.round_id, {r}.area_id, {r}.kind, {r}.has_personal_data"


def _match(r: str, team: str) -> str:
    return (
        f"status = {r}.status AND round_id = {r}.round_id AND area_id = {r}.area_id "
        f"AND team_key = {team} AND kind = {r}.kind "
        f"AND personal_data = {r}.has_personal_data"
    )


def _add(team: str) -> str:
    return (
        f"INSERT INTO queue_counts ({KEY}, n) VALUES ({_values('NEW', team)}, 1) "
        f"ON CONFLICT ({KEY}) DO UPDATE SET n = queue_counts.n + 1"
    )


def _take(team: str) -> str:
    return f"UPDATE queue_counts SET n = n - 1 WHERE {_match('OLD', team)}"


CHANGED = (
    "OLD.status IS NOT NEW.status OR OLD.round_id IS NOT NEW.round_id "
    "OR OLD.area_id IS NOT NEW.area_id OR OLD.team_id IS NOT NEW.team_id "
    "OR OLD.kind IS NOT NEW.kind OR OLD.has_personal_data IS NOT NEW.has_personal_data"
)


def _statements(every_team: bool) -> tuple[str, str]:
    """(ADD; TAKE) for a row's own team, and for every team when asked."""
    own_add, own_take = _add(TEAM_KEY.format(r="NEW")), _take(TEAM_KEY.format(r="OLD"))
    if not every_team:
        return own_add, own_take
    return (
        f"{own_add}; {_add(EVERY_TEAM)}",
        f"{own_take}; {_take(EVERY_TEAM)}",
    )


def _sqlite_triggers(every_team: bool) -> list[str]:
    add, take = _statements(every_team)
    return [
        f"CREATE TRIGGER queue_counts_insert AFTER INSERT ON submissions "
        f"BEGIN {add}; END",
        f"CREATE TRIGGER queue_counts_delete AFTER DELETE ON submissions "
        f"BEGIN {take}; END",
        f"CREATE TRIGGER queue_counts_update AFTER UPDATE ON submissions "
        f"WHEN {CHANGED} BEGIN {take}; {add}; END",
    ]


def _postgres_function(every_team: bool) -> str:
    add, take = _statements(every_team)
    return f"""CREATE OR REPLACE FUNCTION queue_counts_keep() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') THEN {take}; END IF;
      IF TG_OP IN ('UPDATE', 'INSERT') THEN {add}; END IF;
      RETURN NULL;
    END $$"""


FILL = (
    f"INSERT INTO queue_counts ({KEY}, n) SELECT status, {EVERY_TEAM}, round_id, "
    "area_id, kind, personal_data, SUM(n) FROM queue_counts "
    f"WHERE team_key <> {EVERY_TEAM} "
    "GROUP BY status, round_id, area_id, kind, personal_data"
)


def _replace_triggers(every_team: bool) -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER queue_counts_{name}")
        for statement in _sqlite_triggers(every_team):
            op.execute(statement)
    else:
        # The triggers call the function by name: replacing it is enough.
        op.execute(_postgres_function(every_team))


def upgrade() -> None:
    _replace_triggers(every_team=True)
    op.execute(FILL)


def downgrade() -> None:
    _replace_triggers(every_team=False)
    op.execute(f"DELETE FROM queue_counts WHERE team_key = {EVERY_TEAM}")
