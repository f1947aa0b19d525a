"""the data export's covering index on SQLite

Revision ID: 0026
Revises: 0025

On SQLite the submissions table is stored in random-id order (it has no rowid,
so the storage order cannot tell when anything arrived). The data export reads
approved input in (day, id) order, so each row was a search of the whole
table: at 1,000,000 submissions the read alone took 4.4 s for 550,000 rows. This
partial index holds every column the export reads, for approved input only, in
the export's order, so the export reads it from end to end without touching the
table: 1.6 s. It costs about a fifth more file (384 MB at 1M). SQLite keeps it
as it keeps the table: a redaction overwrites it in the same statement, and
``secure_delete`` zeroes what it replaced.

PostgreSQL gets nothing: its index entries must fit a third of a page, which
long answers do not, and its export is a ``COPY`` that reads the table in one
pass anyway.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

COLUMNS = ["submitted_on", "id", "status", "withdrawn_on", "round_id", "area_id",
           "kind", "priority", "team_id", "role_group_id", "attendees",
           "author_id", "obstacles", "biggest_difference", "practice_example"]  # fmt: skip
APPROVED = "status = 'approved' AND withdrawn_on IS NULL"


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.create_index(
        "ix_submissions_export",
        "submissions",
        COLUMNS,
        sqlite_where=sa.text(APPROVED),
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.drop_index("ix_submissions_export", table_name="submissions")
