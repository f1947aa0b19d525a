"""Planners set up rounds; facilitators record sessions; admins keep the lists."""

from __future__ import annotations

from datetime import UTC, datetime

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import (
    Area,
    AuditEvent,
    EngagementRound,
    Role,
    RoleGroup,
    Submission,
)
from tests.conftest import reload, sign_in_as
from tests.factories import make_user
from tests.feedback.conftest import answers, fresh_token


def round_form(area_ids: list[int], **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": "Winter round",
        "purpose": "Before the improvement-planning seminar.",
        "opens_on": ["1", "12", "2015"],
        "opens_time": "09:00",
        "closes_on": ["18", "12", "2015"],
        "closes_time": "17:30",
        "area_ids": [str(i) for i in area_ids],
        "status": "open",
    }
    data.update(overrides)
    return data


def test_planner_sets_up_a_round_in_local_time(
    client: FlaskClient, session: Session, framework: None
) -> None:
    areas = list(session.scalars(select(Area.id).limit(3)))
    sign_in_as(client, make_user(session, Role.PLANNER))
    response = client.post("/rounds/new", data=round_form(areas))
    assert response.headers["Location"] == "/rounds"
    reload(session)
    item = session.scalar(select(EngagementRound))
    assert item is not None and len(item.areas) == 3
    # 1 December 2015 is GMT, so 09:00 local is 09:00 UTC.
    assert item.opens_at == datetime(2015, 12, 1, 9, 0, tzinfo=UTC)
    assert item.closes_at == datetime(2015, 12, 18, 17, 30, tzinfo=UTC)
    listing = client.get("/rounds").text
    assert "Winter round" in listing and "1 December 2015 at 09:00" in listing
    actions = list(session.scalars(select(AuditEvent.action)))
    assert "round_created" in actions
    edit = client.get(f"/rounds/{item.id}/edit").text
    assert 'value="09:00"' in edit and 'value="2015"' in edit


def test_summer_time_is_converted(
    client: FlaskClient, session: Session, framework: None
) -> None:
    areas = list(session.scalars(select(Area.id).limit(1)))
    sign_in_as(client, make_user(session, Role.PLANNER))
    client.post(
        "/rounds/new",
        data=round_form(
            areas, opens_on=["1", "7", "2016"], closes_on=["2", "7", "2016"]
        ),
    )
    reload(session)
    item = session.scalar(select(EngagementRound))
    assert item is not None and item.opens_at == datetime(2016, 7, 1, 8, 0, tzinfo=UTC)


def test_bad_round_details_are_refused_and_kept(
    client: FlaskClient, session: Session, framework: None
) -> None:
    areas = list(session.scalars(select(Area.id).limit(1)))
    sign_in_as(client, make_user(session, Role.PLANNER))
    backwards = client.post(
        "/rounds/new", data=round_form(areas, closes_on=["1", "11", "2015"])
    )
    assert backwards.status_code == 400
    assert "The closing time must be after the opening time" in backwards.text
    assert 'value="Winter round"' in backwards.text
    bad_time = client.post("/rounds/new", data=round_form(areas, opens_time="9am"))
    assert "Enter a time in 24-hour format" in bad_time.text
    bad_date = client.post("/rounds/new", data=round_form(areas, opens_on=["31", "2"]))
    assert bad_date.status_code == 400, "a crafted date is a message, not a 500"
    no_areas = client.post("/rounds/new", data=round_form([]))
    assert "Select at least one area for improvement" in no_areas.text
    reload(session)
    assert session.scalar(select(EngagementRound)) is None


def test_contributors_cannot_manage_rounds(
    client: FlaskClient, session: Session
) -> None:
    sign_in_as(client, make_user(session, Role.CONTRIBUTOR))
    assert client.get("/rounds").status_code == 403
    assert client.post("/rounds/new", data={}).status_code == 403


def test_facilitator_records_a_session_attributed_to_nobody(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    facilitator = make_user(session, Role.MODERATOR)
    sign_in_as(client, facilitator)
    assert "Autumn staff engagement" in client.get("/feedback/sessions").text
    url = f"/feedback/rounds/{open_round.id}/sessions/new"
    data = answers(
        form_token=fresh_token(client, url),
        area_id=str(open_round.areas[1].id),
        held_on=["20", "11", "2026"],
        session_type="workshop",
        attendees="14",
    )
    response = client.post(url, data=data)
    assert response.headers["Location"] == "/feedback/sessions"
    again = client.post(url, data=data)
    assert again.headers["Location"] == "/feedback/sessions", (
        "resending stores nothing new"
    )
    reload(session)
    rows = list(session.scalars(select(Submission)))
    assert len(rows) == 1
    row = rows[0]
    assert row.kind == "facilitated" and row.author_id is None
    assert row.recorded_by_id == facilitator.id and row.attendees == 14
    assert str(row.submitted_on) == "2026-11-20" and row.session_type == "workshop"
    assert row.priority == 4


def test_session_details_are_checked(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    sign_in_as(client, make_user(session, Role.PLANNER))
    url = f"/feedback/rounds/{open_round.id}/sessions/new"
    token = fresh_token(client, url)
    one = client.post(
        url,
        data=answers(
            form_token=token,
            area_id=str(open_round.areas[0].id),
            held_on=["20", "11", "2026"],
            session_type="workshop",
            attendees="1",
        ),
    )
    assert one.status_code == 400 and "from 2 to 500" in one.text
    future = client.post(
        url,
        data=answers(
            form_token=token,
            area_id=str(open_round.areas[0].id),
            held_on=["1", "1", "2099"],
            session_type="workshop",
            attendees="5",
        ),
    )
    assert "today or in the past" in future.text
    wrong_area = client.post(
        url,
        data=answers(
            form_token=token,
            area_id="999999",
            held_on=["20", "11", "2026"],
            session_type="workshop",
            attendees="5",
        ),
    )
    assert wrong_area.status_code == 400
    reload(session)
    assert session.scalar(select(Submission)) is None


def test_contributors_do_not_record_sessions(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    sign_in_as(client, make_user(session, Role.CONTRIBUTOR))
    assert client.get("/feedback/sessions").status_code == 403


def test_admin_changes_the_safeguarding_notice(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    sign_in_as(client, make_user(session, Role.ADMIN))
    notice = "Worried about a child? Call the Anytown MASH on 0300 123 5012 now."
    assert client.post("/feedback/notice", data={"text": notice}).status_code == 302
    assert client.post("/feedback/notice", data={"text": " "}).status_code == 400
    contributor = client.application.test_client()
    sign_in_as(contributor, make_user(session, Role.CONTRIBUTOR))
    assert notice in contributor.get(f"/feedback/rounds/{open_round.id}/areas/"
                                     f"{open_round.areas[0].id}").text  # fmt: skip
    reload(session)
    assert "setting_changed" in list(session.scalars(select(AuditEvent.action)))


def test_admin_manages_role_groups(client: FlaskClient, session: Session) -> None:
    sign_in_as(client, make_user(session, Role.ADMIN))
    assert (
        client.post("/admin/role-groups", data={"name": "Social worker"}).status_code
        == 302
    )
    assert (
        client.post("/admin/role-groups", data={"name": "social WORKER"}).status_code
        == 400
    )
    reload(session)
    group = session.scalar(select(RoleGroup))
    assert group is not None
    client.post(f"/admin/role-groups/{group.id}")
    reload(session)
    assert session.get(RoleGroup, group.id).retired_at is not None  # type: ignore[union-attr]
    assert "Bring back" in client.get("/admin/role-groups").text
