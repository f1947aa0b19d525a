"""Tag suggestions: the abbreviation glossary (seeded) and shared dismissals

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 12:40:00
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# A copy, on purpose: a migration must not change when the app's list does.
_SEED = {
    "ASYE": "assessed and supported year in employment newly qualified social worker",
    "CAMHS": "child and adolescent mental health services",
    "CCE": "child criminal exploitation",
    "CIN": "child in need",
    "CLA": "cared for child looked after",
    "CP": "child protection",
    "CPP": "child protection plan",
    "CSE": "child sexual exploitation",
    "DA": "domestic abuse",
    "EHA": "early help assessment",
    "EHCP": "education health and care plan",
    "FGC": "family group conference",
    "FGM": "female genital mutilation",
    "FJB": "family justice board",
    "HWB": "health and wellbeing board",
    "ICPC": "initial child protection conference",
    "IHA": "initial health assessment",
    "IRO": "independent reviewing officer",
    "LAC": "looked after child cared for",
    "LADO": "local authority designated officer allegation",
    "LSCB": "local safeguarding children board",
    "MASH": "multi-agency safeguarding hub front door",
    "NQSW": "newly qualified social worker",
    "PEP": "personal education plan",
    "PLO": "public law outline care proceedings",
    "RHA": "review health assessment",
    "RHI": "return home interview missing",
    "SCR": "serious case review",
    "SGO": "special guardianship order permanence",
    "SW": "social worker",
    "TM": "team manager management oversight",
    "UASC": "unaccompanied asylum seeking child",
}


def upgrade() -> None:
    terms = op.create_table(
        "glossary_terms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("abbreviation", sa.String(length=16), nullable=False),
        sa.Column("expansion", sa.String(length=200), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["users.id"],
            name=op.f("fk_glossary_terms_updated_by_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_glossary_terms")),
        sa.UniqueConstraint(
            "abbreviation", name=op.f("uq_glossary_terms_abbreviation")
        ),
    )
    op.create_table(
        "suggestion_dismissals",
        sa.Column("submission_id", sa.String(length=36), nullable=False),
        sa.Column("candidate_kind", sa.String(length=8), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("dismissed_by_id", sa.Integer(), nullable=True),
        sa.Column("dismissed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dismissed_by_id"],
            ["users.id"],
            name=op.f("fk_suggestion_dismissals_dismissed_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_suggestion_dismissals_submission_id_submissions"),
        ),
        sa.PrimaryKeyConstraint(
            "submission_id",
            "candidate_kind",
            "candidate_id",
            name=op.f("pk_suggestion_dismissals"),
        ),
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    op.bulk_insert(
        terms,
        [
            {"abbreviation": short, "expansion": long, "updated_at": now}
            for short, long in sorted(_SEED.items())
        ],
    )


def downgrade() -> None:
    op.drop_table("suggestion_dismissals")
    op.drop_table("glossary_terms")
