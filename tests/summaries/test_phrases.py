"""Recurring phrases in "what would make the biggest difference": extracted when
input is approved, similar wording counted together, suppressed for small groups,
linked to the items behind them, and gone when an item is redacted or leaves
approved."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models import EngagementRound, Role, Submission, SubmissionPhrase
from portal.submissions.phrases import extract
from tests.conftest import reload, sign_in_as
from tests.factories import make_submission, make_user

DIFFERENCES = [
    "Protected time for supervision, every fortnight.",
    "We need protected supervision time that is not cancelled for duty.",
    "Fewer agency workers and protected time for supervision.",
    "Fewer agency workers on the team.",
    "Less paperwork; more time with families.",
    "Protected time for supervision would help most.",
]


def test_phrases_are_runs_of_content_words_grouped_by_their_words() -> None:
    found = extract("Protected time for supervision, and fewer agency workers!")
    assert found["protect supervision time"] == "protected time for supervision"
    assert found["agency fewer worker"] == "fewer agency workers"
    same = extract("We need protected supervision time.")
    assert "protect supervision time" in same, "word order and 'for' do not matter"
    assert all(len(key.split()) >= 2 for key in found), "no single words"
    assert extract("We need it to be much better than now.") == {}


def _approve(client: FlaskClient, item: Submission) -> None:
    answer = client.post(
        f"/moderation/items/{item.id}",
        data={"decide-decision": "approve", "decide-seen_status": "pending"},
    )
    assert answer.status_code == 302


def _sent(session: Session, item_round: EngagementRound, difference: str) -> Submission:
    item = make_submission(session, make_user(session, Role.CONTRIBUTOR), item_round)
    item.biggest_difference = difference
    session.commit()
    return item


def test_summary_lists_recurring_phrases_with_counts_and_the_items_behind_them(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    items = [_sent(session, open_round, text) for text in DIFFERENCES]
    sign_in_as(client, make_user(session, Role.MODERATOR))
    for item in items[:4]:
        _approve(client, item)
    area_id = open_round.areas[0].id
    planner = make_user(session, Role.PLANNER)
    sign_in_as(client, planner)
    few = client.get(f"/summaries/areas/{area_id}").text
    assert "Shown once there are at least 5 items" in few, "four items: suppressed"
    assert "protected time for supervision" not in few
    sign_in_as(client, make_user(session, Role.MODERATOR))
    for item in items[4:]:
        _approve(client, item)
    sign_in_as(client, planner)
    page = client.get(f"/summaries/areas/{area_id}").text
    assert "protected time for supervision</a> (4 items)" in page
    assert "fewer agency workers</a> (2 items)" in page
    assert "protected time</a>" not in page, "the shorter phrase is the same point"
    link = f"/summaries/areas/{area_id}/phrase?key=protect+supervision+time"
    assert link in page
    behind = client.get(link).text
    assert behind.count("app-preserve-lines") == 4
    assert "Less paperwork" not in behind
    assert (
        client.get(f"/summaries/areas/{area_id}/phrase?key=paperwork").status_code
        == 404
    )


def test_redaction_and_leaving_approved_remove_an_items_phrases(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    item = _sent(session, open_round, "Ring Jayden Okafor about the respite care plan.")
    sign_in_as(client, make_user(session, Role.MODERATOR))
    _approve(client, item)
    reload(session)
    texts = session.scalars(select(SubmissionPhrase.text)).all()
    assert any("jayden okafor" in t for t in texts)
    redacted = client.post(
        f"/moderation/items/{item.id}/redact",
        data={"redact-reason": "child", "redact-text_field": "biggest_difference",
              "redact-text": "Jayden Okafor"},
    )  # fmt: skip
    assert redacted.status_code == 302, redacted.text[:500]
    reload(session)
    texts = session.scalars(select(SubmissionPhrase.text)).all()
    assert texts and not any("jayden" in t or "okafor" in t for t in texts)


def test_summary_charts_are_server_drawn_svg_with_words_and_a_table(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    from tests.factories import make_approved

    for _ in range(3):
        make_approved(session, open_round, "Supervision keeps being cancelled.")
    sign_in_as(client, make_user(session, Role.PLANNER))
    page = client.get(f"/summaries/areas/{open_round.areas[0].id}").text
    chart = page[page.index('<figure class="app-chart"') :]
    chart = chart[: chart.index("</figure>")]
    assert 'role="img"' in chart and 'aria-labelledby="ratings-chart-title' in chart
    assert chart.count("<rect") == 5, "one bar per rating"
    summary = "3 items gave a rating from 1 (hardly at all) to 5 (very much)"
    assert summary in chart and "<figcaption" in chart
    assert 'fill="#1d70b8"' in chart and "script" not in chart
    assert '<table class="govuk-table">' in page, "the same figures as a table"
