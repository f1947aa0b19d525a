"""Closing the loop: what became of my input (named, and anonymous by receipt
code), "You said, we did" with small groups suppressed, frozen when published,
and the opt-in digest that says nothing about anyone else."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from unittest import mock

import pytest
from docx import Document
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from portal import db
from portal.board.quarters import Quarter
from portal.models import (
    ActionUpdate,
    AuditEvent,
    DigestSent,
    EngagementRound,
    PlanAction,
    Quote,
    RecommendationTag,
    Role,
    Submission,
    Theme,
    ThemeTag,
    User,
    YouSaidPublication,
)
from tests.board.conftest import Board, local_today
from tests.conftest import reload, sign_in_as
from tests.factories import make_approved, make_open_round, make_user, release_held
from tests.feedback.conftest import answers, form_url, fresh_token


def _anonymous_with_code(
    client: FlaskClient, session: Session, engagement: EngagementRound, words: str
) -> tuple[Submission, str]:
    sign_in_as(client, make_user(session, Role.CONTRIBUTOR))
    url = form_url(engagement)
    client.post(url, data=answers(mode="anonymous", obstacles=words,
                                  form_token=fresh_token(client, url)))  # fmt: skip
    code = re.search(
        r'id="receipt-code">([^<]+)<', client.get("/feedback/thank-you").text
    )
    assert code is not None
    release_held(session)
    reload(session)
    item = session.scalar(select(Submission).where(Submission.obstacles == words))
    assert item is not None and item.author_id is None
    return item, code.group(1)


def _use(session: Session, board: Board, item: Submission, theme: str) -> Theme:
    """Approve, tag to the board's recommendation and a theme, cite in the plan."""
    item.status = "approved"
    found = Theme(name=theme, description="")
    session.add(found)
    session.flush()
    session.add(
        RecommendationTag(submission_id=item.id, recommendation_id=board.rec.id)
    )
    session.add(ThemeTag(submission_id=item.id, theme_id=found.id))
    action = session.get(PlanAction, board.action.id)
    assert action is not None
    action.evidence = [*action.evidence, item]
    action.rag, action.percent_complete = "amber", 40
    session.add(ActionUpdate(action_id=action.id, quarter="2026-Q3",
                             status="in_progress", percent_complete=40,
                             suggested_rag="amber", rag="amber",
                             reason="Two teams short.", commentary="Audits began.",
                             recorded_by_id=board.lead.id))  # fmt: skip
    session.commit()
    return found


def test_a_receipt_code_shows_the_outcome_and_the_actions_citing_it_and_nothing_else(
    client: FlaskClient, session: Session, board: Board
) -> None:
    engagement = make_open_round(session, board.planner)
    mine, code = _anonymous_with_code(client, session, engagement, "MINE-words")
    other = make_approved(session, engagement, "SOMEONE-ELSES-words")
    _use(session, board, mine, "Supervision")
    reload(session)
    action = session.get(PlanAction, board.action.id)
    assert action is not None
    action.evidence = [*action.evidence, other]
    session.commit()
    page = client.post("/feedback/receipt", data={"code": code}).text
    assert "Approved" in page and "LSCB-R2" in page and "Supervision" in page
    assert "Audit supervision records every month" in page
    assert f'href="/you-said/actions/{board.action.id}"' in page
    assert "Amber: some slippage" in page and "Audits began." in page
    assert "SOMEONE-ELSES" not in page, "nothing about anyone else's input"
    assert "2 items" not in page and "cite" in page
    # The action page gives no count below the minimum group size.
    action_page = client.get(f"/you-said/actions/{board.action.id}").text
    assert "Fewer than 5 items" in action_page and "2 items" not in action_page


def test_my_input_shows_tags_actions_and_the_reason_in_plain_words(
    client: FlaskClient, session: Session, board: Board
) -> None:
    engagement = make_open_round(session, board.planner)
    writer = make_user(session, Role.CONTRIBUTOR)
    used = make_approved(session, engagement, "Used words")
    used.author_id = writer.id
    rejected = make_approved(session, engagement, "Rejected words")
    rejected.author_id, rejected.status = writer.id, "rejected"
    rejected.reject_reason = "off_topic"
    session.commit()
    _use(session, board, used, "Caseloads")
    sign_in_as(client, writer)
    page = client.get("/feedback/mine").text
    assert "It was about something other than this area for improvement." in page
    assert "Caseloads" in page and "LSCB-R2" in page
    assert "Audit supervision records every month" in page


def _main(page: str) -> str:
    found = re.search(r"<main.*?</main>", page, re.S)
    assert found is not None
    return found.group(0)


def _publish(client: FlaskClient, on: object, status: int = 302) -> str:
    day = on + timedelta(days=90)  # type: ignore[operator]
    response = client.post(
        "/you-said/publish",
        data={"next_update_on": [str(day.day), str(day.month), str(day.year)]},
    )
    assert response.status_code == status, response.text
    return response.headers.get("Location", "")


def _freeze(client: FlaskClient, quarter: Quarter) -> None:
    frozen = client.post("/board/quarters/freeze", data={"quarter": quarter.key})
    assert frozen.status_code == 302


def test_small_groups_are_never_shown_and_publishing_freezes_the_page(
    app: Flask, client: FlaskClient, session: Session, board: Board
) -> None:
    engagement = make_open_round(session, board.planner)
    items = [make_approved(session, engagement, f"Point {n}") for n in range(4)]
    theme = Theme(name="Workload", description="")
    session.add(theme)
    session.flush()
    for item in items:
        session.add(RecommendationTag(submission_id=item.id,
                                      recommendation_id=board.rec.id))  # fmt: skip
        session.add(ThemeTag(submission_id=item.id, theme_id=theme.id))
    session.add(Quote(submission_id=items[0].id, field="obstacles", text="Point 0",
                      created_by_id=board.planner.id))  # fmt: skip
    session.commit()
    on = local_today(app)
    this = Quarter.containing(on)
    sign_in_as(client, board.planner)
    no_quarter = _publish(client, on, status=400)
    assert no_quarter == ""
    _freeze(client, this.previous())
    first = _publish(client, on)
    sign_in_as(client, make_user(session, Role.CONTRIBUTOR))
    client.get(first)  # shows, and so clears, the planner's "Published" banner
    page = client.get(first).text
    rec_part = page.split("LSCB-R2:")[1].split("app-card")[0]
    assert "Too few items of input yet" in rec_part, "4 is under the minimum of 5"
    assert "Workload" not in page and "Point 0" not in page and "4 items" not in page
    assert "Audit supervision records every month" in rec_part
    # A fifth item, a changed action: neither reaches what was published.
    fifth = make_approved(session, engagement, "Point 4")
    session.add(
        RecommendationTag(submission_id=fifth.id, recommendation_id=board.rec.id)
    )
    session.add(ThemeTag(submission_id=fifth.id, theme_id=theme.id))
    action = session.get(PlanAction, board.action.id)
    assert action is not None
    action.action = "Audit supervision weekly."
    session.commit()
    assert _main(client.get(first).text) == _main(page)
    sign_in_as(client, board.planner)
    again = _publish(client, on, status=400)
    assert again == ""
    _freeze(client, this)
    second = _publish(client, on)
    latest = client.get("/you-said").text
    assert f'<p class="govuk-body-l">{this.label}.' in latest, "the newest is shown"
    part = latest.split("LSCB-R2:")[1].split("app-card")[0]
    assert "5 items of approved input" in part and "Workload (5)" in part
    assert "Point 0" in part, "the chosen quote"
    assert "Audit supervision weekly." in part
    reload(session)
    assert len(session.scalars(select(YouSaidPublication)).all()) == 2
    assert session.scalar(
        select(AuditEvent).where(AuditEvent.action == "you_said_published")
    )
    engine = db.writer(db.get_engine(app))
    for statement in ("UPDATE you_said_publications SET content = '{}'",
                      "DELETE FROM you_said_publications"):  # fmt: skip
        with pytest.raises(DatabaseError, match="frozen"):
            with engine.begin() as connection:
                connection.execute(text(statement))
    briefing = client.get(second + "/briefing")
    assert briefing.status_code == 200
    assert briefing.headers["Content-Disposition"].startswith("attachment;")
    document = Document(io.BytesIO(briefing.data))
    words = "\n".join(p.text for p in document.paragraphs)
    assert "You said, we did" in words and "5 items of approved input" in words
    assert "Themes: Workload (5)." in words and "Audit supervision weekly." in words
    assert "Point 0" in words, "the chosen quote, in the briefing too"


def test_the_digest_is_opt_in_about_own_named_input_and_sent_once(
    make_app: object, client: FlaskClient, session: Session, board: Board
) -> None:
    engagement = make_open_round(session, board.planner)
    keen = make_user(session, Role.CONTRIBUTOR, email="keen@council.example")
    quiet = make_user(session, Role.CONTRIBUTOR, email="quiet@council.example")
    for writer, words in ((keen, "Keen's private words"), (quiet, "Quiet's words")):
        item = make_approved(session, engagement, words)
        item.author_id = writer.id
    session.commit()
    sign_in_as(client, keen)
    assert client.post("/account/digest", data={"opt_in": "y"}).status_code == 302
    reload(session)
    chosen = session.get(User, keen.id)
    assert chosen is not None and chosen.digest_opt_in
    sign_in_as(client, board.planner)
    app = make_app(SMTP_HOST="smtp.council.example")  # type: ignore[operator]
    runner = app.test_cli_runner()
    nothing = runner.invoke(args=["portal", "send-digests"])
    assert "No digest is due." in nothing.output, "nothing published yet"
    with app.app_context():
        on = local_today(app)
    _freeze(client, Quarter.containing(on))
    _publish(client, on)
    with mock.patch("smtplib.SMTP") as smtp_class:
        sent = runner.invoke(args=["portal", "send-digests"])
    assert "Sent 1 digest email(s)." in sent.output, sent.output
    email = smtp_class.return_value.__enter__.return_value.send_message.call_args.args[
        0
    ]
    assert email["To"] == "keen@council.example"
    body = email.get_content()
    assert "Of the 1 item you gave with your name, 1 is used" in body
    assert "private words" not in body and "Quiet" not in body
    reload(session)
    assert [d.user_id for d in session.scalars(select(DigestSent))] == [keen.id]
    with mock.patch("smtplib.SMTP"):
        again = runner.invoke(args=["portal", "send-digests"])
    assert "No digest is due." in again.output, "once per quarter"
