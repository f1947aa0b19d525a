"""Planners and admins view and edit the framework through its pages."""

from __future__ import annotations

import hashlib

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Area, AuditEvent, Recommendation, Role
from tests.conftest import reload, sign_in_as
from tests.factories import make_user


def first_area(session: Session, code: str = "LA-01") -> Area:
    area = session.scalar(select(Area).where(Area.code == code))
    assert area is not None
    return area


def test_everyone_signed_in_can_read_the_framework(
    client: FlaskClient, session: Session, framework: None
) -> None:
    sign_in_as(client, make_user(session, Role.CONTRIBUTOR))
    page = client.get("/framework").text
    assert "Improving frontline management oversight and challenge of casework" in page
    assert "Develop a female genital mutilation (FGM) strategy" in page
    assert "Edit" not in page, "contributors get no edit links"


def test_planner_edits_an_area_and_blank_title_is_refused(
    client: FlaskClient, session: Session, framework: None
) -> None:
    area = first_area(session)
    sign_in_as(client, make_user(session, Role.PLANNER))
    blank = client.post(
        f"/framework/areas/{area.id}/edit",
        data={"title": "  ", "description": "Keep this description I wrote"},
    )
    assert blank.status_code == 400
    assert "Enter a title" in blank.text
    assert "Keep this description I wrote" in blank.text
    ok = client.post(
        f"/framework/areas/{area.id}/edit",
        data={"title": area.title, "description": "Oversight of casework by managers."},
    )
    assert ok.status_code == 302
    reload(session)
    assert first_area(session).description == "Oversight of casework by managers."
    event = session.scalar(
        select(AuditEvent).where(AuditEvent.action == "area_updated")
    )
    assert event is not None and event.details is not None
    # The wording itself stays out of the immutable trail: its length and a
    # fingerprint show that it changed.
    assert event.details["after"]["description"] == {
        "characters": len("Oversight of casework by managers."),
        "sha256": hashlib.sha256(b"Oversight of casework by managers.").hexdigest()[
            :16
        ],
    }


def test_planner_edits_example_comments_and_bad_ones_change_nothing(
    client: FlaskClient, session: Session, framework: None
) -> None:
    area = first_area(session, "LA-03")
    before = area.examples
    sign_in_as(client, make_user(session, Role.PLANNER))
    form = client.get(f"/framework/areas/{area.id}/edit").text
    assert "Example comments" in form
    assert area.example_comments[0] in form, "the current examples are there to edit"
    too_long = "Agency staff " + "x" * 500
    refused = client.post(
        f"/framework/areas/{area.id}/edit",
        data={"title": area.title, "examples": f"Keep these words\n{too_long}"},
    )
    assert refused.status_code == 400
    assert "Each example comment must be 500 characters or fewer" in refused.text
    assert "Keep these words" in refused.text
    reload(session)
    assert first_area(session, "LA-03").examples == before
    saved = client.post(
        f"/framework/areas/{area.id}/edit",
        data={"title": area.title, "examples": "  Locums leave  \n\n Caseloads  "},
    )
    assert saved.status_code == 302
    reload(session)
    assert first_area(session, "LA-03").example_comments == [
        "Locums leave",
        "Caseloads",
    ]
    event = session.scalar(
        select(AuditEvent).where(AuditEvent.action == "area_updated")
    )
    assert event is not None and event.details is not None
    assert "Locums" not in str(event.details), "no wording in the trail"
    assert event.details["after"]["examples"]["characters"] == len(
        "Locums leave\nCaseloads"
    )


def test_add_reword_retire_and_reinstate_a_recommendation(
    client: FlaskClient, session: Session, framework: None
) -> None:
    area_a, area_b = first_area(session, "LA-01"), first_area(session, "LA-02")
    sign_in_as(client, make_user(session, Role.ADMIN))
    new_url = f"/framework/inspections/{area_a.inspection_id}/recommendations/new"
    created = client.post(
        new_url,
        data={
            "code": "LA-R1",
            "text": "Strengthen management oversight.",
            "addressed_to": "local_authority",
            "area_ids": [str(area_a.id), str(area_b.id)],
        },
    )
    assert created.status_code == 302
    duplicate = client.post(
        new_url,
        data={
            "code": "la-r1",
            "text": "Again",
            "addressed_to": "local_authority",
            "area_ids": [str(area_a.id)],
        },
    )
    assert duplicate.status_code == 400 and "already exists" in duplicate.text
    reload(session)
    rec = session.scalar(select(Recommendation).where(Recommendation.code == "LA-R1"))
    assert rec is not None and {a.code for a in rec.areas} == {"LA-01", "LA-02"}
    rec_id = rec.id

    reworded = client.post(
        f"/framework/recommendations/{rec_id}/edit",
        data={
            "code": "LA-R1",
            "text": "Strengthen oversight and challenge.",
            "addressed_to": "local_authority",
            "area_ids": [str(area_a.id)],
        },
    )
    assert reworded.status_code == 302

    no_reason = client.post(f"/framework/recommendations/{rec_id}/retire", data={})
    assert no_reason.status_code == 400
    retired = client.post(
        f"/framework/recommendations/{rec_id}/retire",
        data={"reason": "Merged into LA-R2 after the seminar"},
    )
    assert retired.status_code == 302
    reload(session)
    rec = session.get(Recommendation, rec_id)
    assert rec is not None
    assert rec.retired_at is not None
    assert rec.retired_reason == "Merged into LA-R2 after the seminar"
    assert rec.text == "Strengthen oversight and challenge."
    assert [a.code for a in rec.areas] == ["LA-01"], "links survive retirement"
    assert "Retired" in client.get("/framework").text

    assert (
        client.post(f"/framework/recommendations/{rec_id}/reinstate").status_code == 302
    )
    reload(session)
    assert session.get(Recommendation, rec_id).retired_at is None  # type: ignore[union-attr]
    actions = list(session.scalars(select(AuditEvent.action)))
    for action in (
        "recommendation_created",
        "recommendation_updated",
        "recommendation_retired",
        "recommendation_reinstated",
    ):
        assert action in actions
    reason = session.scalar(
        select(AuditEvent.reason).where(AuditEvent.action == "recommendation_retired")
    )
    assert reason is None, "free text stays out of the immutable audit trail"
    assert rec.retired_reason is None, "reinstating clears it"


def test_areas_must_belong_to_the_same_inspection(
    client: FlaskClient, session: Session, framework: None
) -> None:
    area = first_area(session)
    sign_in_as(client, make_user(session, Role.PLANNER))
    response = client.post(
        f"/framework/inspections/{area.inspection_id}/recommendations/new",
        data={"code": "X", "text": "T", "addressed_to": "lscb", "area_ids": ["999999"]},
    )
    assert response.status_code == 400
    reload(session)
    assert (
        session.scalar(select(Recommendation).where(Recommendation.code == "X")) is None
    )


def test_missing_objects_are_404(client: FlaskClient, session: Session) -> None:
    sign_in_as(client, make_user(session, Role.PLANNER))
    for url in (
        "/framework/areas/999999/edit",
        "/framework/recommendations/999999/edit",
        "/framework/inspections/999999/recommendations/new",
    ):
        assert client.get(url).status_code == 404


def test_placeholders_are_labelled_on_the_framework_page(
    client: FlaskClient, session: Session
) -> None:
    from portal.demo import seed_demo
    from tests.conftest import FAST_HASH

    seed_demo(session, FAST_HASH)
    session.commit()
    sign_in_as(client, make_user(session, Role.CONTRIBUTOR))
    page = client.get("/framework").text
    assert "12 recommendations are placeholders derived from area titles" in page
    assert page.count(">Placeholder<") == 12
    home = client.get("/").text
    assert "placeholders" not in home, "a social worker's home page keeps to their work"
    sign_in_as(client, make_user(session, Role.PLANNER))
    assert "12 of the recommendations are placeholders" in client.get("/").text
