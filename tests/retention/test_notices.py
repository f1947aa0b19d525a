"""The privacy notice says what the portal does, from its own settings, and the
council edits its own parts: escaped, formatted, audited by length only."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import AuditEvent, Role
from tests.conftest import reload, sign_in_as
from tests.factories import make_user


def test_the_privacy_notice_states_basis_triage_sharing_and_retention(
    app: Flask, client: FlaskClient
) -> None:
    page = client.get("/privacy").text
    assert "Article 6(1)(e)" in page and "Schedule 1, paragraph 18" in page
    assert "The safeguarding check" in page and "only a person decides" in page
    assert "groups of fewer than 5 are not shown" in page
    assert f"overwritten after {app.config['RETENTION_UNUSED_DAYS']} days" in page
    assert f"{app.config['RETENTION_INPUT_MONTHS']} months after" in page
    assert "nobody can follow it up with you" in page
    assert "find it by your name" in page, "and says why anonymous input cannot"
    assert 'href="/account/my-data"' in page
    assert "Information Commissioner" in page


def test_the_council_edits_its_own_parts(client: FlaskClient, session: Session) -> None:
    sign_in_as(client, make_user(session, Role.CONTRIBUTOR))
    assert client.get("/admin/notices").status_code == 403
    sign_in_as(client, make_user(session, Role.ADMIN))
    blank = {"privacy_contact": " ", "accessibility_contact": "x"}
    empty = client.post("/admin/notices", data=blank)
    assert empty.status_code == 400 and "Enter how people can contact" in empty.text
    saved = client.post(
        "/admin/notices",
        data={
            "privacy_contact": "Email the **DPO**: [dpo@cheshire-east.example]"
            "(https://intranet.example/dpo) <script>alert(1)</script>",
            "privacy_extra": "",
            "accessibility_contact": "Call the digital team on 01270 000000.",
            "accessibility_extra": "",
        },
    )
    assert saved.status_code == 302
    privacy = client.get("/privacy").text
    assert "<strong>DPO</strong>" in privacy
    assert 'href="https://intranet.example/dpo"' in privacy
    assert "<script>alert(1)" not in privacy
    assert "Call the digital team on 01270 000000." in client.get("/accessibility").text
    reload(session)
    changed = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "setting_changed")
    ).all()
    assert {e.subject_id for e in changed} == {
        "privacy_contact",
        "accessibility_contact",
    }
    assert "DPO" not in str([e.details for e in changed]), "lengths, never words"
