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


def _index_counts(page: str) -> dict[str, int]:
    """Each summary link on the index (its path) with its approved items."""
    found = re.findall(
        r'href="(/summaries/[a-z]+/\d+)[^"]*">[^<]*</a></td>\s*'
        r'<td class="govuk-table__cell govuk-table__cell--numeric">(\d+)</td>',
        page,
    )
    return {path: int(n) for path, n in found}


def test_the_index_counts_approved_input_per_subject_and_round(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    from datetime import date

    from portal.models import Recommendation, RecommendationTag
    from tests.factories import make_open_round

    later = make_open_round(session, make_user(session, Role.PLANNER))
    first, second = session.scalars(
        select(Recommendation).order_by(Recommendation.id).limit(2)
    ).all()
    theme = Theme(name="Handovers", description="")
    session.add(theme)
    session.commit()
    tagged_a = _item(session, open_round, None, "approved")
    tagged_ab = _item(session, open_round, None, "approved")
    _item(session, open_round, None, "approved")
    withdrawn = _item(session, open_round, None, "approved")
    withdrawn.withdrawn_on = date.today()
    for status in ("rejected", "pending", "returned"):
        unused = _item(session, open_round, None, status)
        session.add(
            RecommendationTag(submission_id=unused.id, recommendation_id=first.id)
        )
    in_later = _item(session, later, None, "approved")
    session.add_all([
        RecommendationTag(submission_id=tagged_a.id, recommendation_id=first.id),
        RecommendationTag(submission_id=tagged_ab.id, recommendation_id=first.id),
        RecommendationTag(submission_id=tagged_ab.id, recommendation_id=second.id),
        RecommendationTag(submission_id=withdrawn.id, recommendation_id=first.id),
        RecommendationTag(submission_id=in_later.id, recommendation_id=first.id),
        ThemeTag(submission_id=tagged_a.id, theme_id=theme.id),
    ])  # fmt: skip
    session.commit()
    sign_in_as(client, make_user(session, Role.PLANNER))
    area = f"/summaries/areas/{open_round.areas[0].id}"
    other_area = f"/summaries/areas/{open_round.areas[1].id}"
    rec_a, rec_b = (f"/summaries/recommendations/{r.id}" for r in (first, second))
    themed = f"/summaries/themes/{theme.id}"

    everything = _index_counts(client.get("/summaries").text)
    assert everything[area] == 4, "three approved here, one in the later round"
    assert everything[other_area] == 0
    assert (everything[rec_a], everything[rec_b], everything[themed]) == (3, 1, 1)
    assert sum(everything.values()) == 4 + 3 + 1 + 1

    one_round = _index_counts(client.get(f"/summaries?round={open_round.id}").text)
    assert one_round[area] == 3
    assert (one_round[rec_a], one_round[rec_b], one_round[themed]) == (2, 1, 1)
    later_only = _index_counts(client.get(f"/summaries?round={later.id}").text)
    assert (later_only[area], later_only[rec_a], later_only[rec_b]) == (1, 1, 0)


def test_a_summary_follows_its_items_ratings_teams_roles_and_sessions(
    session: Session, open_round: EngagementRound
) -> None:
    """The figures a summary reads from its maintained counts (kind, rating,
    people at sessions) and contexts (team, role group), as items are approved,
    tagged, changed, withdrawn and untagged, with and without a round filter.
    Expected values are worked out by hand from what each step did."""
    from datetime import date

    from portal.models import Recommendation, RecommendationTag, RoleGroup
    from portal.summaries import service
    from tests.factories import make_open_round

    later = make_open_round(session, make_user(session, Role.PLANNER))
    rec = session.scalars(select(Recommendation).order_by(Recommendation.id)).first()
    assert rec is not None
    north, south = make_team(session, "North"), make_team(session, "South")
    worker, manager = RoleGroup(name="Social worker"), RoleGroup(name="Manager")
    session.add_all([worker, manager])
    session.commit()
    # (round, team, role, rating, kind, people at the session)
    plan = [
        (open_round, north, worker, 5, "named", None),
        (open_round, north, worker, 5, "anonymous", None),
        (open_round, north, manager, 4, "named", None),
        (open_round, south, worker, None, "facilitated", 7),
        (open_round, None, None, 2, "named", None),
        (later, south, manager, 5, "facilitated", 3),
    ]
    items = []
    for engagement, team, role, rating, kind, people in plan:
        item = _item(session, engagement, team, "approved",
                     anonymous=kind == "anonymous")  # fmt: skip
        item.kind, item.priority, item.attendees = kind, rating, people
        item.role_group_id = role.id if role else None
        session.add(RecommendationTag(submission_id=item.id, recommendation_id=rec.id))
        items.append(item)
    untagged = _item(session, open_round, north, "approved")
    untagged.priority = 1
    session.commit()
    subject = service.subject(session, "recommendation", rec.id)

    def figures(round_ids: list[int]) -> tuple[object, ...]:
        s = service.build(session, subject, round_ids, count_minimum=1)
        assert s.teams is not None and s.roles is not None
        return (
            (s.named, s.anonymous, s.facilitated, s.attendees),
            s.priorities,
            {c.label: c.count for c in s.teams.cells},
            {c.label: c.count for c in s.roles.cells},
        )

    assert figures([]) == (
        (3, 1, 2, 10),
        {5: 3, 4: 1, 2: 1},
        {"North": 3, "South": 2, "Not given": 1},
        {"Social worker": 3, "Manager": 2, "Not given": 1},
    )
    assert figures([open_round.id]) == (
        (3, 1, 1, 7),
        {5: 2, 4: 1, 2: 1},
        {"North": 3, "South": 1, "Not given": 1},
        {"Social worker": 3, "Manager": 1, "Not given": 1},
    )

    # Changed after approval: a rating, a team, a role group, the people at a
    # session; one item withdrawn and another untagged.
    items[0].priority, items[0].team_id = 1, south.id
    items[2].role_group_id = None
    items[3].attendees = 12
    items[1].withdrawn_on = date.today()
    session.execute(
        RecommendationTag.__table__.delete().where(
            RecommendationTag.submission_id == items[4].id
        )
    )
    session.commit()

    assert figures([]) == (
        (2, 0, 2, 15),
        {1: 1, 4: 1, 5: 1},
        {"North": 1, "South": 3},
        {"Social worker": 2, "Manager": 1, "Not given": 1},
    )
    assert figures([later.id]) == (
        (0, 0, 1, 3),
        {5: 1},
        {"South": 1},
        {"Manager": 1},
    )
