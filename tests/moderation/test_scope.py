"""Who may open which item (IDOR matrix), and what the queue shows."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import Area, EngagementRound, Role, Submission, User
from tests.conftest import reload, sign_in_as
from tests.factories import make_submission, make_team, make_user


@dataclass
class World:
    actors: dict[str, User]
    items: dict[str, Submission]


@pytest.fixture
def world(session: Session, open_round: EngagementRound) -> World:
    x, y = make_team(session, "Team X"), make_team(session, "Team Y")
    mgmt_area = open_round.areas[1]
    area = session.get(Area, mgmt_area.id)
    assert area is not None
    area.about_management = True
    session.commit()
    writer_x = make_user(session, Role.CONTRIBUTOR, team=x)
    writer_y = make_user(session, Role.CONTRIBUTOR, team=y)
    mod_x = make_user(session, Role.MODERATOR, Role.CONTRIBUTOR, team=x)
    mod_y = make_user(session, Role.MODERATOR, team=y)
    independent = make_user(session, Role.MODERATOR)
    independent.independent_moderator = True
    session.commit()
    items = {
        "x_named": make_submission(session, writer_x, open_round, team=x),
        "y_named": make_submission(session, writer_y, open_round, team=y),
        "x_anonymous": make_submission(session, writer_x, open_round, team=x,
                                       anonymous=True),
        "anonymous_about_managers": make_submission(session, writer_x, open_round,
                                                    area_index=1, team=x,
                                                    anonymous=True),
        "mod_x_own": make_submission(session, mod_x, open_round, team=x),
        "safeguarding": make_submission(
            session, writer_x, open_round, team=x,
            text="My sister Amy has bruises and is scared to go home."),
    }  # fmt: skip
    assert items["safeguarding"].status == "safeguarding"
    actors = {
        "contributor": writer_x,
        "moderator_x": mod_x,
        "moderator_y": mod_y,
        "independent": independent,
        "planner": make_user(session, Role.PLANNER),
        "safeguarding_lead": make_user(session, Role.SAFEGUARDING_LEAD),
        "admin": make_user(session, Role.ADMIN),
    }
    return World(actors, items)


VISIBLE = {
    "moderator_x": {"x_named", "x_anonymous"},
    "moderator_y": {"y_named"},
    "independent": {"x_named", "y_named", "x_anonymous", "anonymous_about_managers",
                    "mod_x_own"},
}  # fmt: skip
ITEMS = ["x_named", "y_named", "x_anonymous", "anonymous_about_managers", "mod_x_own",
         "safeguarding"]  # fmt: skip
ACTORS = ["contributor", "moderator_x", "moderator_y", "independent", "planner",
          "safeguarding_lead", "admin"]  # fmt: skip


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("item", ITEMS)
def test_idor_matrix_for_moderation_pages(
    client: FlaskClient, session: Session, world: World, actor: str, item: str
) -> None:
    sign_in_as(client, world.actors[actor])
    target = world.items[item]
    url = f"/moderation/items/{target.id}"
    if actor not in VISIBLE:
        expected_get = expected_post = 403
    elif item in VISIBLE[actor]:
        expected_get, expected_post = 200, 302
    else:
        expected_get = expected_post = 404
    assert client.get(url).status_code == expected_get
    before = target.status
    response = client.post(url, data={"decide-decision": "approve"})
    assert response.status_code == expected_post
    redact = client.post(
        url + "/redact",
        data={
            "redact-text_field": "obstacles",
            "redact-text": "Supervision",
            "redact-reason": "other",
        },
    )
    assert redact.status_code == (302 if expected_post == 302 else expected_post)
    reload(session)
    after = session.get(Submission, target.id)
    assert after is not None
    if expected_post != 302:
        assert after.status == before, "a refused request changes nothing"
        assert "[redacted" not in after.obstacles


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("item", ITEMS)
def test_idor_matrix_for_safeguarding_pages(
    client: FlaskClient, session: Session, world: World, actor: str, item: str
) -> None:
    sign_in_as(client, world.actors[actor])
    url = f"/safeguarding/items/{world.items[item].id}"
    if actor != "safeguarding_lead":
        expected = 403
    elif item == "safeguarding":
        expected = 200
    else:
        expected = 404
    assert client.get(url).status_code == expected
    response = client.post(url, data={"action": "referred_mash"})
    assert response.status_code == (302 if expected == 200 else expected)


def test_queue_shows_only_what_is_in_scope_and_no_safeguarding(
    client: FlaskClient, session: Session, world: World
) -> None:
    # One after another in one process: the two team moderators share each
    # statement the queue builds once per shape, with their own values bound.
    for actor in ("moderator_x", "moderator_y", "independent", "moderator_x"):
        sign_in_as(client, world.actors[actor])
        page = client.get("/moderation").text
        shown = {name for name, item in world.items.items() if item.id in page}
        assert shown == VISIBLE[actor], actor
        waiting = len(VISIBLE[actor])
        assert f"{waiting} {'item' if waiting == 1 else 'items'}</caption>" in page
        assert f"Everything ({waiting})" in page
        assert "scared to go home" not in page
        assert world.items["safeguarding"].id not in page


def test_writer_is_never_told_of_an_escalation(
    client: FlaskClient, session: Session, world: World
) -> None:
    sign_in_as(client, world.actors["contributor"])
    mine = client.get("/feedback/mine").text
    assert "safeguarding" not in mine.lower()
    assert mine.count("Received: being reviewed") >= 2
    item = world.items["safeguarding"]
    client.post(f"/feedback/mine/{item.id}/withdraw", data={"confirmed": "yes"})
    reload(session)
    kept = session.get(Submission, item.id)
    assert kept is not None and kept.status == "safeguarding" and kept.withdrawn_on
    assert "Withdrawn" in client.get("/feedback/mine").text


def test_lead_records_an_action_and_it_is_audited(
    client: FlaskClient, session: Session, world: World
) -> None:
    from portal.models import AuditEvent

    lead = world.actors["safeguarding_lead"]
    sign_in_as(client, lead)
    home = client.get("/").text
    assert "1 item needs safeguarding review" in home
    assert "scared to go home" not in home, "the alert has no content"
    item = world.items["safeguarding"]
    queue = client.get("/safeguarding").text
    assert "Needs review" in queue
    response = client.post(
        f"/safeguarding/items/{item.id}",
        data={"action": "referred_lado", "note": "Ref 123"},
    )
    assert response.headers["Location"] == "/safeguarding"
    reload(session)
    stored = session.get(Submission, item.id)
    assert stored is not None and stored.safeguarding_action == "referred_lado"
    assert stored.status == "safeguarding", "it never returns to moderation"
    event = session.scalar(
        select(AuditEvent).where(AuditEvent.action == "safeguarding_action")
    )
    assert event is not None and event.actor_id == lead.id
    assert "1 item needs" not in client.get("/").text


def test_moderator_escalation_moves_an_item_out_of_the_queue(
    client: FlaskClient, session: Session, world: World
) -> None:
    item = world.items["x_named"]
    sign_in_as(client, world.actors["moderator_x"])
    client.post(
        f"/moderation/items/{item.id}",
        data={"decide-decision": "escalate", "decide-note": "Disclosure"},
    )
    assert item.id not in client.get("/moderation").text
    assert client.get(f"/moderation/items/{item.id}").status_code == 404
    sign_in_as(client, world.actors["safeguarding_lead"])
    page = client.get(f"/safeguarding/items/{item.id}").text
    assert "Escalated by a moderator" in page and "Disclosure" in page


def test_queue_pages_with_a_keyset_cursor(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    team = make_team(session, "Busy team")
    moderator = make_user(session, Role.MODERATOR, team=team)
    writer = make_user(session, Role.CONTRIBUTOR, team=team)
    ids = {
        make_submission(session, writer, open_round, team=team).id for _ in range(30)
    }
    sign_in_as(client, moderator)
    first = client.get("/moderation").text
    assert "30 items" in first and "Next page" in first
    import re

    cursor = re.search(r'after=([^"&]+)', first)
    assert cursor is not None
    second = client.get(f"/moderation?after={cursor.group(1)}").text

    def rows(html: str) -> set[str]:
        return set(re.findall(r'name="item_ids" type="checkbox" value="([^"]+)"', html))

    assert len(rows(first)) == 25 and len(rows(second)) == 5
    assert rows(first).isdisjoint(rows(second))
    assert rows(first) | rows(second) == ids
    assert client.get("/moderation?after=garbage&status=nonsense").status_code == 200


def test_admins_set_independent_moderators_and_areas_about_management(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    from portal.models import AuditEvent

    moderator = make_user(session, Role.MODERATOR)
    sign_in_as(client, make_user(session, Role.ADMIN))
    client.post(
        f"/admin/users/{moderator.id}",
        data={
            "display_name": moderator.display_name,
            "team_id": "",
            "roles": ["moderator"],
            "independent_moderator": "y",
        },
    )
    area = open_round.areas[0]
    client.post(
        f"/framework/areas/{area.id}/edit",
        data={
            "title": area.title,
            "description": area.description,
            "about_management": "y",
        },
    )
    reload(session)
    assert session.get(User, moderator.id).independent_moderator  # type: ignore[union-attr]
    assert session.get(Area, area.id).about_management  # type: ignore[union-attr]
    actions = list(session.scalars(select(AuditEvent.action)))
    assert "moderator_scope_changed" in actions and "area_updated" in actions
