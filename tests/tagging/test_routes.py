"""Tagging pages: who may use them, tagging by hand and by suggestion, bulk, quotes,
themes and coverage."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import (
    EngagementRound,
    Quote,
    Recommendation,
    RecommendationTag,
    Role,
    Submission,
    Theme,
    ThemeTag,
)
from tests.conftest import reload, sign_in_as
from tests.factories import make_approved as approved
from tests.factories import make_submission, make_user


def test_only_planners_tag(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    item = approved(session, open_round, "Text")
    for role in (Role.CONTRIBUTOR, Role.MODERATOR, Role.SAFEGUARDING_LEAD, Role.ADMIN):
        sign_in_as(client, make_user(session, role))
        assert client.get("/tagging").status_code == 403
        assert client.get(f"/tagging/items/{item.id}").status_code == 403
        assert client.post(f"/tagging/items/{item.id}", data={}).status_code == 403
    pending = make_submission(session, make_user(session, Role.CONTRIBUTOR), open_round)
    sign_in_as(client, make_user(session, Role.PLANNER))
    assert client.get(f"/tagging/items/{pending.id}").status_code == 404


def test_planner_tags_by_suggestion_and_by_hand(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    item = approved(
        session,
        open_round,
        "The board needs a performance framework with agreed data, and the "
        "scorecard should show cared for children's placement stability.",
    )
    sign_in_as(client, make_user(session, Role.PLANNER))
    page = client.get(f"/tagging/items/{item.id}").text
    keys = re.findall(r'name="key" value="(rec:\d+)"', page)
    assert keys, "suggestions are offered"
    client.post(
        f"/tagging/items/{item.id}/suggestions",
        data={"key": keys[1], "action": "dismiss"},
    )
    page = client.get(f"/tagging/items/{item.id}").text
    assert f'value="{keys[1]}"' not in page, "dismissed for this item"
    client.post(
        f"/tagging/items/{item.id}/suggestions",
        data={"key": keys[0], "action": "accept"},
    )
    reload(session)
    tag = session.scalar(select(RecommendationTag))
    assert tag is not None and tag.from_suggestion
    theme = Theme(name="Supervision", description="")
    session.add(theme)
    session.commit()
    rec_id = keys[0].split(":")[1]
    client.post(
        f"/tagging/items/{item.id}",
        data={"recommendation_ids": [rec_id], "theme_ids": [str(theme.id)]},
    )
    reload(session)
    theme_tag = session.scalar(select(ThemeTag))
    assert theme_tag is not None and not theme_tag.from_suggestion
    assert "Supervision" in client.get("/tagging").text
    assert item.id not in client.get("/tagging?untagged=1").text


def test_bulk_tagging_and_quotes(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    items = [
        approved(session, open_round, f"Caseloads are too high {n}") for n in range(2)
    ]
    rec = session.scalar(select(Recommendation))
    assert rec is not None
    sign_in_as(client, make_user(session, Role.PLANNER))
    client.post(
        "/tagging/bulk",
        data={"item_ids": [i.id for i in items], "recommendation_id": str(rec.id)},
    )
    reload(session)
    assert len(session.scalars(select(RecommendationTag)).all()) == 2
    bad = client.post(
        f"/tagging/items/{items[0].id}/quotes",
        data={"quote-field": "obstacles", "quote-text": "not there"},
    )
    assert bad.status_code == 400 and "exactly" in bad.text
    client.post(
        f"/tagging/items/{items[0].id}/quotes",
        data={"quote-field": "obstacles", "quote-text": "Caseloads are too high"},
    )
    reload(session)
    quote = session.scalar(select(Quote))
    assert quote is not None
    client.post(f"/tagging/quotes/{quote.id}/remove")
    reload(session)
    assert session.scalar(select(Quote)) is None


def test_themes_pages_and_merge(client: FlaskClient, session: Session) -> None:
    sign_in_as(client, make_user(session, Role.PLANNER))
    client.post(
        "/tagging/themes", data={"name": "Workforce", "description": "Staffing"}
    )
    client.post("/tagging/themes", data={"name": "Turnover", "description": ""})
    dup = client.post("/tagging/themes", data={"name": "workforce"})
    assert dup.status_code == 400
    reload(session)
    workforce = session.scalar(select(Theme).where(Theme.name == "Workforce"))
    turnover = session.scalar(select(Theme).where(Theme.name == "Turnover"))
    assert workforce and turnover
    client.post(
        f"/tagging/themes/{turnover.id}",
        data={"name": "Turnover", "description": "", "parent_id": str(workforce.id)},
    )
    client.post(
        f"/tagging/themes/{turnover.id}/merge",
        data={"merge-target_id": str(workforce.id)},
    )
    reload(session)
    merged = session.get(Theme, turnover.id)
    assert merged is not None and merged.merged_into_id == workforce.id
    assert "Merged" in client.get("/tagging/themes").text


def test_coverage_counts_and_gaps(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    item = approved(session, open_round, "Text")
    approved(session, open_round, "Untagged text")
    rec = session.scalar(select(Recommendation).where(Recommendation.code == "LSCB-R1"))
    assert rec is not None
    session.add(RecommendationTag(submission_id=item.id, recommendation_id=rec.id))
    session.commit()
    sign_in_as(client, make_user(session, Role.PLANNER))
    page = client.get("/tagging/coverage").text
    assert "1 of 2 approved items are tagged (50% analysed)" in page
    assert page.count(">Gap<") == 8, "every recommendation has fewer than 3 items"
    sign_in_as(client, make_user(session, Role.CONTRIBUTOR))
    assert client.get("/tagging/coverage").status_code == 403


def test_tag_at_approval_time_on_the_moderation_page(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    item = make_submission(session, make_user(session, Role.CONTRIBUTOR), open_round)
    rec = session.scalar(select(Recommendation))
    assert rec is not None
    both = make_user(session, Role.MODERATOR, Role.PLANNER)
    sign_in_as(client, both)
    page = client.get(f"/moderation/items/{item.id}").text
    assert "Tag it as you approve it" in page
    client.post(
        f"/moderation/items/{item.id}",
        data={"decide-decision": "approve", "decide-recommendation_ids": [str(rec.id)]},
    )
    reload(session)
    tag = session.scalar(select(RecommendationTag))
    assert tag is not None and tag.applied_by_id == both.id
    # A moderator who may not tag cannot slip tags in with a decision.
    other = make_submission(session, make_user(session, Role.CONTRIBUTOR), open_round)
    sign_in_as(client, make_user(session, Role.MODERATOR))
    assert (
        "Tag it as you approve it"
        not in client.get(f"/moderation/items/{other.id}").text
    )
    refused = client.post(
        f"/moderation/items/{other.id}",
        data={"decide-decision": "approve", "decide-recommendation_ids": [str(rec.id)]},
    )
    assert refused.status_code == 400 and "planner role" in refused.text
    reload(session)
    still = session.get(Submission, other.id)
    assert still is not None and still.status == "pending", "nothing half-done"
