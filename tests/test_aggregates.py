"""The maintained queue counts (triggers on submissions, migration 0018) equal a
full recount after a random run of the real operations: submitting named and
anonymous input, releasing it, deciding, returning, redacting and withdrawing;
and the counts a moderator sees equal a brute-force count over their scope."""

from __future__ import annotations

import random

import pytest
from flask import Flask
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from portal.feedback.changes import withdraw
from portal.models import (
    Area,
    EngagementRound,
    QueueCount,
    Role,
    Submission,
    SubmissionStatus,
    User,
    utcnow,
)
from portal.moderation.queue import QueueFilters, counts, queue
from portal.moderation.redaction import Redaction, redact
from portal.moderation.service import Decision, DecisionDetails, decide, in_scope
from portal.privacy import PrivacySettings
from portal.submissions.aggregates import maintained, recounted
from tests.conftest import reload
from tests.factories import make_submission, make_team, make_user

S = SubmissionStatus
DECISIONS = [Decision.APPROVE, Decision.REJECT, Decision.RETURN, Decision.ESCALATE]


def _brute_force(session: Session, moderator: User, status: str) -> dict[str, int]:
    rows = session.scalars(
        select(Submission)
        .join(Area, Area.id == Submission.area_id)
        .where(in_scope(moderator), Submission.status == status)
    ).all()
    return {
        "all": len(rows),
        "personal_data": sum(1 for r in rows if r.has_personal_data),
        "facilitated": sum(1 for r in rows if r.kind == "facilitated"),
    }


def _in_order(session: Session, moderator: User, status: str) -> list[str]:
    return list(
        session.scalars(
            select(Submission.id)
            .join(Area, Area.id == Submission.area_id)
            .where(in_scope(moderator), Submission.status == status)
            .order_by(Submission.submitted_on, Submission.id)
        )
    )


def _paged(session: Session, moderator: User, status: str) -> list[str]:
    seen: list[str] = []
    after = None
    while True:
        page = queue(session, moderator, QueueFilters(status=status), after)
        seen.extend(item.id for item in page.items)
        if page.next_cursor is None:
            return seen
        after = page.next_cursor


def _decide(
    session: Session, moderator: User, item: Submission, rng: random.Random
) -> None:
    decision = rng.choice(DECISIONS)
    details = DecisionDetails(
        decision=decision,
        reason="off_topic" if decision == Decision.REJECT else None,
        note="Please leave out the name." if decision == Decision.RETURN else "",
        personal_data_reason="not_identifying",
    )
    try:
        decide(session, moderator, item, details, utcnow())
    except Exception:
        session.rollback()
        return
    session.commit()


def test_maintained_counts_equal_a_recount_after_random_operations(
    app: Flask,
    session: Session,
    open_round: EngagementRound,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("portal.moderation.queue.PAGE_SIZE", 3)  # many pages
    rng = random.Random(20261201)
    # Anonymous input about management goes past team moderators.
    open_round.areas[1].about_management = True
    teams = [make_team(session, f"Team {n}") for n in range(3)]
    writers = [make_user(session, Role.CONTRIBUTOR, team=t) for t in teams]
    writers.append(make_user(session, Role.CONTRIBUTOR))
    moderators = [
        make_user(session, Role.MODERATOR, Role.CONTRIBUTOR, team=teams[0]),
        make_user(session, Role.MODERATOR, team=teams[1]),
        make_user(session, Role.MODERATOR),
    ]
    independent = make_user(session, Role.MODERATOR, Role.CONTRIBUTOR)
    independent.independent_moderator = True
    session.commit()
    moderators.append(independent)
    texts = ["Supervision slips.", "Ring Kerry Walsh on 07700 900123 about it."]
    with app.app_context():
        for _ in range(90):
            op = rng.random()
            items = session.scalars(select(Submission)).all()
            if op < 0.45 or not items:
                writer = rng.choice([*writers, moderators[0], independent])
                make_submission(session, writer, open_round,
                                area_index=rng.randrange(2),
                                anonymous=rng.random() < 0.3,
                                team=writer.team, text=rng.choice(texts))  # fmt: skip
            elif op < 0.8:
                _decide(session, rng.choice(moderators[2:]), rng.choice(items), rng)
            elif op < 0.9:
                item = rng.choice(items)
                try:
                    redact(session, rng.choice(moderators[2:]), item,
                           Redaction("family", [], "obstacles", "Kerry Walsh"),
                           PrivacySettings())  # fmt: skip
                    item.pii_flags, item.has_personal_data = None, False
                    session.commit()
                except Exception:
                    session.rollback()
            else:
                item = rng.choice(items)
                if item.author is not None and item.status == S.PENDING:
                    withdraw(session, item.author, item, utcnow().date())
                    session.commit()
        reload(session)
        assert maintained(session) == recounted(session)
        assert sum(recounted(session).values()) == len(
            session.scalars(select(Submission.id)).all()
        )
        for moderator in moderators:
            for status in (S.PENDING, S.APPROVED, S.REJECTED, S.RETURNED):
                seen = counts(session, moderator, QueueFilters(status=status))
                assert seen == _brute_force(session, moderator, status), (
                    moderator.email,
                    status,
                )
                assert _paged(session, moderator, status) == _in_order(
                    session, moderator, status
                ), "keyset pages of the union give every item once, in order"


def test_rebuild_aggregates_recounts_from_scratch(
    app: Flask, session: Session, open_round: EngagementRound
) -> None:
    writer = make_user(session, Role.CONTRIBUTOR)
    for _ in range(3):
        make_submission(session, writer, open_round)
    session.execute(update(QueueCount).values(n=999))
    session.add(QueueCount(status="pending", round_id=0, area_id=0, team_key=0,
                           kind="named", personal_data=False, n=5))  # fmt: skip
    session.commit()
    done = app.test_cli_runner().invoke(args=["portal", "rebuild-aggregates"])
    assert done.exit_code == 0, done.output
    reload(session)
    assert maintained(session) == recounted(session)
    assert session.scalar(select(func.sum(QueueCount.n))) == 3
