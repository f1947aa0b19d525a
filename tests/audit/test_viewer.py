"""The admin audit viewer and its CSV export (safe cells, streamed, audited)."""

from __future__ import annotations

import csv
import io

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.export_formats import csv_rows, safe_cell
from portal.models import AuditEvent, Role
from tests.conftest import reload, sign_in_as
from tests.factories import make_team, make_user


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+SUM(1,1)", "'+SUM(1,1)"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tindented", "'\tindented"),
        ("\rcr", "'\rcr"),
        ("\nlf", "'\nlf"),
        ("nul\0inside", "nulinside"),
        (-5, "-5"),
        (None, ""),
        ('plain, with "quotes"\nand lines', 'plain, with "quotes"\nand lines'),
    ],
)
def test_cells_are_never_formulas(value: object, cell: str) -> None:
    assert safe_cell(value) == cell


def test_csv_round_trips_rfc_4180_with_a_bom() -> None:
    text = "".join(csv_rows(["a", "b"], [["x, y", 'say "hi"\nthen go'], ["=1+1", 2]]))
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows == [["a", "b"], ["x, y", 'say "hi"\nthen go'], ["'=1+1", "2"]]


def test_only_admins_see_the_audit_trail(client: FlaskClient, session: Session) -> None:
    for role in (
        Role.MODERATOR,
        Role.PLANNER,
        Role.SAFEGUARDING_LEAD,
        Role.CONTRIBUTOR,
    ):
        sign_in_as(client, make_user(session, role))
        assert client.get("/admin/audit").status_code == 403
        assert client.post("/admin/audit/export").status_code == 403


def test_viewer_filters_and_export_is_audited(
    client: FlaskClient, session: Session
) -> None:
    admin = make_user(session, Role.ADMIN, email="auditor@council.example")
    make_team(session, "=cmd|' /C calc'!A0")  # a hostile name in the audit details
    sign_in_as(client, admin)
    page = client.get("/admin/audit?action=team_created").text
    table = page[page.index("<table") :]
    assert "Team created" in table and "User created" not in table
    response = client.post("/admin/audit/export", data={"action": "team_created"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="audit-'
    )
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(
        csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")))
    )
    assert rows[0][0] == "id" and len(rows) == 2
    assert rows[1][3] == "team_created"
    assert not any(cell.startswith("=") for row in rows for cell in row)
    reload(session)
    exported = session.scalar(
        select(AuditEvent).where(AuditEvent.action == "audit_exported")
    )
    assert exported is not None and exported.actor_id == admin.id
    assert exported.details == {
        "after": {"filters": {"action": "team_created"}, "rows": 1}
    }


def test_the_viewer_shows_names_and_words_not_ids_and_codes(
    client: FlaskClient, session: Session
) -> None:
    from portal.audit.service import AuditAction, record
    from portal.models import AuditEvent

    admin = make_user(
        session, Role.ADMIN, name="Ada Auditor", email="ada@council.example"
    )
    record(session, admin, AuditAction.INPUT_REJECTED, "submission",
           "0b7c4a1e-6f1e-4d8a-9c55-1c2d3e4f5a6b", reason="off_topic")  # fmt: skip
    record(session, admin, AuditAction.INPUT_REDACTED, "submission",
           "0b7c4a1e-6f1e-4d8a-9c55-1c2d3e4f5a6b", reason="other")  # fmt: skip
    session.commit()
    assert session.query(AuditEvent).count() >= 2
    sign_in_as(client, admin)
    page = client.get("/admin/audit").text
    assert "Ada Auditor (ada@council.example)" in page
    assert "Input rejected" in page and "Off-topic" in page
    assert "Redacted: personal data" in page, "a code reads by its own action"
    assert "Staff input" in page
    assert ">off_topic<" not in page
