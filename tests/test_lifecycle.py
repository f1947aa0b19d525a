"""The submission lifecycle: the writer's and the safeguarding lead's events as
literal expectations, a moderator racing a writer's edit (threads, both
databases), and the one "counts as staff input" rule."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.errors import Conflict
from portal.models import AuditEvent, EngagementRound, Role, Submission, utcnow
from portal.submissions import lifecycle
from tests.conftest import reload, sign_in_as
from tests.factories import make_submission, make_team, make_user
from tests.feedback.conftest import answers, form_url, fresh_token

STATUSES = ["pending", "approved", "rejected", "returned", "duplicate",
            "safeguarding", "withdrawn"]  # fmt: skip
# Written out by hand: (status, event) -> status after; every other pair refused.
EXPECTED = {
    ("pending", "edit"): "pending",
    ("returned", "edit"): "pending",
    ("pending", "edit_raising_concern"): "safeguarding",
    ("returned", "edit_raising_concern"): "safeguarding",
    ("pending", "withdraw"): "withdrawn",
    ("approved", "withdraw"): "withdrawn",
    ("rejected", "withdraw"): "withdrawn",
    ("returned", "withdraw"): "withdrawn",
    ("duplicate", "withdraw"): "withdrawn",
    ("safeguarding", "withdraw"): "safeguarding",
    ("safeguarding", "release"): "pending",
}
WRITER_AND_LEAD = ["edit", "edit_raising_concern", "withdraw", "release"]


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("event", WRITER_AND_LEAD)
def test_writer_and_lead_events(
    session: Session, open_round: EngagementRound, status: str, event: str
) -> None:
    writer = make_user(session, Role.CONTRIBUTOR)
    item = make_submission(session, writer, open_round)
    item.status = status
    session.commit()
    expected = EXPECTED.get((status, event))
    if expected is None:
        with pytest.raises(Conflict):
            lifecycle.apply(session, writer, item, lifecycle.Event(event))
        session.rollback()
        return
    assert lifecycle.apply(session, writer, item, lifecycle.Event(event)) == expected
    session.commit()
    reload(session)
    stored = session.get(Submission, item.id)
    assert stored is not None and stored.status == expected
    if event == "withdraw":
        assert stored.withdrawn_on is not None


def test_withdrawn_input_is_never_changed_again(
    session: Session, open_round: EngagementRound
) -> None:
    writer = make_user(session, Role.CONTRIBUTOR)
    item = make_submission(session, writer, open_round)
    item.status = "safeguarding"
    session.commit()
    lifecycle.apply(session, writer, item, lifecycle.Event.WITHDRAW)
    session.commit()
    with pytest.raises(Conflict, match="already been withdrawn"):
        lifecycle.apply(session, writer, item, lifecycle.Event.WITHDRAW)
    session.rollback()
    lead = make_user(session, Role.SAFEGUARDING_LEAD)
    # The lead may still find it no concern: it then shows as withdrawn, unused.
    assert lifecycle.apply(session, lead, item, lifecycle.Event.RELEASE) == "withdrawn"


def test_the_counting_rule(session: Session, open_round: EngagementRound) -> None:
    writer = make_user(session, Role.CONTRIBUTOR)
    counted = {}
    for status in STATUSES:
        item = make_submission(session, writer, open_round, text=status)
        item.status = status
        counted[item.id] = status
    withdrawn_approved = make_submission(session, writer, open_round, text="gone")
    withdrawn_approved.status = "approved"
    withdrawn_approved.withdrawn_on = withdrawn_approved.submitted_on
    session.commit()
    reload(session)
    found = set(
        session.scalars(select(Submission.id).where(lifecycle.counts_as_staff_input()))
    )
    assert {counted.get(i) for i in found} == {"approved"}
    assert withdrawn_approved.id not in found


@pytest.mark.parametrize("run", range(3))
def test_a_moderator_and_the_writer_at_once_give_one_winner(
    make_app: Callable[..., Flask],
    session: Session,
    open_round: EngagementRound,
    run: int,
) -> None:
    team = make_team(session, f"Team race {run}")
    writer = make_user(session, Role.CONTRIBUTOR, team=team)
    moderator = make_user(session, Role.MODERATOR, team=team)
    item = make_submission(session, writer, open_round, team=team, text="Before")
    before = len(session.scalars(select(AuditEvent)).all())
    start = threading.Barrier(2)
    results: dict[str, int] = {}

    def edit() -> None:
        client = make_app().test_client()
        sign_in_as(client, writer)
        start.wait()
        results["edit"] = client.post(
            f"/feedback/mine/{item.id}/edit",
            data=answers(obstacles="After the edit", team_id=str(team.id)),
        ).status_code

    moderator_client = make_app().test_client()
    sign_in_as(moderator_client, moderator)
    page = moderator_client.get(f"/moderation/items/{item.id}").text
    version = re.search(
        r'name="decide-seen_version" type="hidden" value="([^"]+)"', page
    )
    assert version is not None, "the page records which words the moderator read"

    def approve() -> None:
        start.wait()
        results["approve"] = moderator_client.post(
            f"/moderation/items/{item.id}",
            data={"decide-decision": "approve", "decide-seen_status": "pending",
                  "decide-seen_version": version.group(1)},
        ).status_code  # fmt: skip

    threads = [threading.Thread(target=edit), threading.Thread(target=approve)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    reload(session)
    stored = session.get(Submission, item.id)
    assert stored is not None
    new_events = session.scalars(
        select(AuditEvent.action).order_by(AuditEvent.id).offset(before)
    ).all()
    # Exactly one wins: an approval is never overwritten by an edit, nor given
    # to words the moderator did not read; each change has one audit row.
    if results["approve"] == 302:
        assert results["edit"] in (400, 409)
        assert stored.status == "approved" and stored.obstacles == "Before"
        assert new_events == ["input_approved"]
    else:
        assert results == {"edit": 302, "approve": 400}, results
        assert stored.status == "pending" and stored.obstacles == "After the edit"
        assert new_events == ["submission_edited"]


def test_a_constraint_error_is_not_a_duplicate_and_the_words_come_back(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    """Another form's row already holds the receipt this form would get (a clash
    the database refuses): nothing says "thank you", and the words come back."""
    from portal.feedback.receipts import receipt_for, receipt_key
    from portal.models import AnonymousInbox

    sign_in_as(client, make_user(session, Role.CONTRIBUTOR))
    url = form_url(open_round)
    token = fresh_token(client, url)
    clash = receipt_key(receipt_for("test-secret-key", token))
    session.add(AnonymousInbox(id="clash", idempotency_key="other-form",
                               receipt_hash=clash, held_on=utcnow().date(),
                               payload={}))  # fmt: skip
    session.commit()
    response = client.post(
        url, data=answers(mode="anonymous", obstacles="Keep my words", form_token=token)
    )
    assert response.status_code == 409
    assert "could not be saved" in response.text and "Keep my words" in response.text
    assert "thank-you" not in response.headers.get("Location", "")
    reload(session)
    assert len(session.scalars(select(AnonymousInbox)).all()) == 1


def test_back_then_send_again_asks_before_a_second_copy(
    client: FlaskClient, session: Session, open_round: EngagementRound
) -> None:
    writer = make_user(session, Role.CONTRIBUTOR)
    sign_in_as(client, writer)
    url = form_url(open_round)
    first = client.post(url, data=answers(form_token=fresh_token(client, url)))
    assert first.status_code == 302
    again = answers(form_token=fresh_token(client, url))
    asked = client.post(url, data=again)
    assert asked.status_code == 200
    assert "You already sent this input" in asked.text
    assert 'value="send_again"' in asked.text
    reload(session)
    assert len(session.scalars(select(Submission)).all()) == 1
    sent = client.post(url, data={**again, "action": "send_again"})
    assert sent.status_code == 302
    reload(session)
    assert len(session.scalars(select(Submission)).all()) == 2
    changed = client.post(
        url,
        data=answers(obstacles="Something new", form_token=fresh_token(client, url)),
    )
    assert changed.status_code == 302, "different words are simply sent"
