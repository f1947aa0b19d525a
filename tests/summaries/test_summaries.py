"""Themed summaries: only approved input, small groups suppressed, narratives
sanitised, and who may see or write them."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import (
    AuditEvent,
    EngagementRound,
    Quote,
    Role,
    Submission,
    SummaryNote,
    Team,
    Theme,
    ThemeTag,
)
from tests.conftest import reload, sign_in_as
from tests.factories import make_submission, make_team, make_user


def _item(
    session: Session,
    item_round: EngagementRound,
    team: Team | None,
    status: str,
    *,
    anonymous: bool = False,
    text: str = "Supervision keeps slipping.",
) -> Submission:
    item = make_submission(
        session,
        make_user(session, Role.CONTRIBUTOR),
        item_round,
        team=team,
        anonymous=anonymous,
        text=text,
    )
    item.status = status
    session.commit()
    return item


def numbers(page: str, label: str) -> str:
    match = re.search(
        rf"{label}</dt><dd class=\"govuk-summary-list__value\">([^<]+)<", page
    )
    assert match, label
    return match.group(1)


def test_area_summary_counts_only_approved_input(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    big, small = make_team(session, "Big team"), make_team(session, "Small team")
    for _ in range(6):
        _item(session, open_round, big, "approved")
    for _ in range(2):
        _item(session, open_round, small, "approved", anonymous=True)
    for status in ("pending", "rejected", "withdrawn", "duplicate", "safeguarding"):
        _item(session, open_round, small, status, text=f"HIDDEN-{status}")
    sign_in_as(client, make_user(session, Role.PLANNER))
    page = client.get(f"/summaries/areas/{open_round.areas[0].id}").text
    assert numbers(page, "Approved items") == "8"
    assert numbers(page, "Named") == "6" and numbers(page, "Anonymous") == "2"
    assert "HIDDEN" not in page
    # Small team (2) is below 5; the next-smallest cell is hidden with it.
    table = page[page.index("By team or service") :]
    table = table[: table.index("</table>")]
    cell = '</td><td class="govuk-table__cell govuk-table__cell--numeric">'
    assert f"Small team{cell}fewer than 5" in table
    assert f"Big team{cell}fewer than 5" in table
    assert ">6<" not in table and ">2<" not in table


def test_theme_summary_shows_quotes_and_related(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    theme = Theme(name="Supervision", description="")
    session.add(theme)
    session.commit()
    item = _item(session, open_round, None, "approved")
    session.add(ThemeTag(submission_id=item.id, theme_id=theme.id))
    session.add(Quote(submission_id=item.id, field="obstacles", text="keeps slipping"))
    session.commit()
    sign_in_as(client, make_user(session, Role.PLANNER))
    index = client.get("/summaries").text
    assert "Supervision" in index
    page = client.get(f"/summaries/themes/{theme.id}").text
    assert "“keeps slipping”" in page
    assert "Fewer than 5 items in all, so no breakdown is shown." in page


def test_narrative_is_formatted_safely_and_audited(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    planner = make_user(session, Role.PLANNER)
    sign_in_as(client, planner)
    area_id = open_round.areas[0].id
    typed = (
        "**Supervision** matters to _everyone_.\n\n"
        "- Protected time\n- Fewer handovers\n\n"
        "See [the plan](https://council.example/plan?a=1&b=2).\n"
        "<script>alert(1)</script> [x](javascript:alert(1)) "
        "<img src=x onerror=alert(1)>"
    )
    response = client.post(
        f"/summaries/areas/{area_id}/narrative",
        data={"key_messages": typed, "questions": "1. What would help?\n{{7*7}}"},
    )
    assert response.headers["Location"] == f"/summaries/areas/{area_id}"
    reload(session)
    note = session.scalar(select(SummaryNote))
    assert note is not None
    assert note.key_messages == typed, "stored as typed, so it can be edited as typed"
    page = client.get(f"/summaries/areas/{area_id}").text
    assert "<strong>Supervision</strong> matters to <em>everyone</em>." in page
    assert "<ul><li>Protected time</li><li>Fewer handovers</li></ul>" in page
    assert '<a href="https://council.example/plan?a=1&amp;b=2">the plan</a>' in page
    assert "<ol><li>What would help?</li></ol>" in page
    # What is not a mark is shown as typed, never run.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)</script>" not in page and "{{7*7}}" in page
    assert 'href="javascript' not in page and "<img" not in page
    # The form holds the typed text, not HTML.
    assert "**Supervision** matters" in page
    assert session.scalar(
        select(AuditEvent).where(AuditEvent.action == "summary_note_saved")
    )


def test_narrative_preview_shows_it_formatted_and_saves_nothing(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    sign_in_as(client, make_user(session, Role.PLANNER))
    area_id = open_round.areas[0].id
    preview = client.post(
        f"/summaries/areas/{area_id}/narrative",
        data={"key_messages": "**Caseloads** first\n- one\n- two", "questions": "",
              "action": "preview"},
    )  # fmt: skip
    assert preview.status_code == 200
    assert "Preview: not saved yet" in preview.text
    assert (
        "<p><strong>Caseloads</strong> first</p><ul><li>one</li><li>two</li></ul>"
        in (preview.text)
    )
    assert "**Caseloads** first" in preview.text, "the words stay in the box"
    reload(session)
    assert session.scalars(select(SummaryNote)).all() == []
    assert not session.scalar(
        select(AuditEvent).where(AuditEvent.action == "summary_note_saved")
    )


def test_who_may_see_and_write_summaries(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    area_id = open_round.areas[0].id
    for role in (Role.CONTRIBUTOR, Role.MODERATOR, Role.SAFEGUARDING_LEAD, Role.ADMIN):
        sign_in_as(client, make_user(session, role))
        assert client.get("/summaries").status_code == 403
        assert client.get(f"/summaries/areas/{area_id}").status_code == 403
        assert client.post(f"/summaries/areas/{area_id}/narrative").status_code == 403
    sign_in_as(client, make_user(session, Role.PLANNER))
    assert client.get("/summaries/areas/999999").status_code == 404


def test_an_empty_summary_says_so_and_exports_use_the_pages_words(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    from sqlalchemy import select

    from portal.models import Recommendation
    from portal.summaries.exports import ExportRequest, rows

    rec = session.scalars(select(Recommendation)).first()
    assert rec is not None
    sign_in_as(client, make_user(session, Role.PLANNER))
    page = client.get(f"/summaries/recommendations/{rec.id}").text
    assert "No approved input yet." in page and "items in all" not in page
    item = make_submission(session, make_user(session, Role.CONTRIBUTOR), open_round)
    item.status = "approved"
    session.commit()
    given = [row[4] for row in rows(session, ExportRequest([], False, 10))]
    assert given == ["Named"]
