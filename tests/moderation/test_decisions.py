"""Decisions follow one transition table; two moderators at once get one winner."""

from __future__ import annotations

import re
import threading

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.errors import Conflict, InvalidInput
from portal.models import AuditEvent, EngagementRound, Role, Submission, User, utcnow
from portal.moderation.service import (
    Decision,
    DecisionDetails,
    decide,
    visible_item,
)
from tests.conftest import reload, sign_in_as
from tests.factories import make_submission, make_team, make_user

STATUSES = ["pending", "approved", "rejected", "returned", "duplicate", "safeguarding",
            "withdrawn"]  # fmt: skip
# Written out by hand, not read from the code under test: (status, decision) ->
# status after. Every pair not listed must be refused.
EXPECTED = {
    ("pending", "approve"): "approved",
    ("pending", "reject"): "rejected",
    ("pending", "return"): "returned",
    ("pending", "duplicate"): "duplicate",
    ("pending", "escalate"): "safeguarding",
    ("approved", "reject"): "rejected",
    ("approved", "escalate"): "safeguarding",
    ("rejected", "approve"): "approved",
    ("rejected", "escalate"): "safeguarding",
    ("returned", "escalate"): "safeguarding",
    ("duplicate", "escalate"): "safeguarding",
}


def _details(decision: Decision, duplicate_of: str | None = None) -> DecisionDetails:
    return DecisionDetails(
        decision=decision,
        reason="off_topic" if decision == Decision.REJECT else None,
        note="Please remove the family's surname."
        if decision == Decision.RETURN
        else "",
        duplicate_of=duplicate_of,
    )


@pytest.fixture
def moderator(session: Session) -> User:
    return make_user(session, Role.MODERATOR, team=make_team(session, "Team X"))


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("decision", list(Decision))
def test_transition_table(
    session: Session,
    open_round: EngagementRound,
    moderator: User,
    status: str,
    decision: Decision,
) -> None:
    writer = make_user(session, Role.CONTRIBUTOR)
    item = make_submission(session, writer, open_round, team=moderator.team)
    other = make_submission(session, writer, open_round, team=moderator.team)
    item.status = status
    session.commit()
    target = EXPECTED.get((status, decision.value))
    if status == "safeguarding":
        with pytest.raises(Exception, match="no such item"):
            visible_item(session, moderator, item.id)
        return
    found = visible_item(session, moderator, item.id)
    if target is None:
        with pytest.raises(Conflict, match="cannot be given the decision"):
            decide(session, moderator, found, _details(decision, other.id), utcnow())
        session.rollback()
        assert session.get(Submission, item.id).status == status  # type: ignore[union-attr]
        return
    new = decide(session, moderator, found, _details(decision, other.id), utcnow())
    session.commit()
    assert new == target
    reload(session)
    stored = session.get(Submission, item.id)
    assert stored is not None and stored.status == target
    assert stored.decided_by_id == moderator.id
    event = session.scalar(
        select(AuditEvent).where(
            AuditEvent.subject_id == item.id, AuditEvent.actor_id == moderator.id
        )
    )
    assert event is not None and event.details == {
        "before": {"status": status},
        "after": {"status": target},
    }


def test_only_named_input_can_be_returned_and_with_a_note(
    session: Session, open_round: EngagementRound, moderator: User
) -> None:
    writer = make_user(session, Role.CONTRIBUTOR)
    anonymous = make_submission(session, writer, open_round, anonymous=True)
    with pytest.raises(InvalidInput, match="Only named input"):
        decide(session, moderator, anonymous, _details(Decision.RETURN), utcnow())
    named = make_submission(session, writer, open_round)
    with pytest.raises(InvalidInput, match="Tell the author"):
        decide(session, moderator, named, DecisionDetails(Decision.RETURN), utcnow())
    with pytest.raises(InvalidInput, match="Select why"):
        decide(session, moderator, named, DecisionDetails(Decision.REJECT), utcnow())


def test_two_moderators_at_once_give_one_decision(
    app: Flask, session: Session, open_round: EngagementRound
) -> None:
    team = make_team(session, "Team X")
    moderators = [make_user(session, Role.MODERATOR, team=team) for _ in range(2)]
    item = make_submission(
        session, make_user(session, Role.CONTRIBUTOR), open_round, team=team
    )
    results: list[int] = []
    start = threading.Barrier(2)

    def moderate(index: int, decision: str, reason: str) -> None:
        client = app.test_client()
        sign_in_as(client, moderators[index])
        start.wait()
        response = client.post(
            f"/moderation/items/{item.id}",
            data={
                "decide-decision": decision,
                "decide-reason": reason,
                "decide-seen_status": "pending",
            },
        )
        results.append(response.status_code)

    threads = [
        threading.Thread(target=moderate, args=(0, "approve", "")),
        threading.Thread(target=moderate, args=(1, "reject", "off_topic")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [302, 400]
    reload(session)
    decisions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.subject_id == item.id)
    ).all()
    assert len([a for a in decisions if a.startswith("input_")]) == 1


def test_the_loser_is_told_it_was_already_decided(
    client: FlaskClient, session: Session, open_round: EngagementRound, moderator: User
) -> None:
    item = make_submission(
        session, make_user(session, Role.CONTRIBUTOR), open_round, team=moderator.team
    )
    sign_in_as(client, moderator)
    page = client.get(f"/moderation/items/{item.id}")
    assert page.status_code == 200
    item.status = "approved"  # someone else, meanwhile
    session.commit()
    late = client.post(
        f"/moderation/items/{item.id}",
        data={
            "decide-decision": "reject",
            "decide-reason": "off_topic",
            "decide-seen_status": "pending",
        },
    )
    assert late.status_code == 400
    assert "Someone else changed this item a moment ago" in late.text
    reload(session)
    assert session.get(Submission, item.id).status == "approved"  # type: ignore[union-attr]


def test_bulk_approve_and_reject(
    client: FlaskClient, session: Session, open_round: EngagementRound, moderator: User
) -> None:
    writer = make_user(session, Role.CONTRIBUTOR)
    items = [make_submission(session, writer, open_round, team=moderator.team)
             for _ in range(4)]  # fmt: skip
    sign_in_as(client, moderator)
    client.post(
        "/moderation/bulk",
        data={"item_ids": [i.id for i in items[:3]], "decision": "approve"},
    )
    no_reason = client.post(
        "/moderation/bulk", data={"item_ids": [items[3].id], "decision": "reject"}
    )
    assert no_reason.status_code == 302
    reload(session)
    waiting = session.get(Submission, items[3].id)
    assert waiting is not None and waiting.status == "pending"
    # items[0] was approved above: a bulk decision only acts on items still waiting.
    page = client.post(
        "/moderation/bulk",
        data={
            "item_ids": [items[0].id, items[3].id],
            "decision": "reject",
            "reason": "off_topic",
        },
    ).text
    assert "1 item rejected." in page
    assert "1 left as they were: someone else changed them first" in page
    reload(session)
    statuses = [s.status for s in (session.get(Submission, i.id) for i in items) if s]
    assert statuses == ["approved", "approved", "approved", "rejected"]


def test_returned_input_goes_back_to_its_author_and_returns_to_the_queue(
    client: FlaskClient, session: Session, open_round: EngagementRound, moderator: User
) -> None:
    writer = make_user(session, Role.CONTRIBUTOR)
    item = make_submission(session, writer, open_round, team=moderator.team)
    sign_in_as(client, moderator)
    returned = client.post(
        f"/moderation/items/{item.id}",
        data={
            "decide-decision": "return",
            "decide-note": "Please remove the team name.",
        },
    )
    assert returned.status_code == 302
    author = client.application.test_client()
    sign_in_as(author, writer)
    mine = author.get("/feedback/mine").text
    assert (
        "Returned to you for changes" in mine and "Please remove the team name." in mine
    )
    edited = author.post(
        f"/feedback/mine/{item.id}/edit",
        data={
            "mode": "named",
            "obstacles": "Supervision is cancelled too often.",
            "priority": "3",
            "team_id": "",
            "role_group_id": "",
        },
    )
    assert edited.headers["Location"] == "/feedback/mine"
    reload(session)
    back = session.get(Submission, item.id)
    assert back is not None and back.status == "pending"


def test_only_decisions_that_apply_are_offered(
    client: FlaskClient, session: Session, open_round: EngagementRound, moderator: User
) -> None:
    writer = make_user(session, Role.CONTRIBUTOR)
    anonymous = make_submission(session, writer, open_round, anonymous=True)
    named = make_submission(session, writer, open_round, team=moderator.team)
    moderator.independent_moderator = True
    session.commit()
    sign_in_as(client, moderator)

    def offered(item: Submission) -> set[str]:
        page = client.get(f"/moderation/items/{item.id}").text
        return set(
            re.findall(r'name="decide-decision" type="radio" value="(\w+)"', page)
        )

    assert offered(anonymous) == {"approve", "reject", "duplicate", "escalate"}
    assert offered(named) == {"approve", "reject", "return", "duplicate", "escalate"}
    named.status = "approved"
    session.commit()
    assert offered(named) == {"reject", "escalate"}
