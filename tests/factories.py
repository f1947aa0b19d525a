"""Plain functions that create test data through the real services."""

from __future__ import annotations

import itertools
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts import service, teams
from portal.accounts.passwords import hash_password
from portal.models import (
    Area,
    EngagementRound,
    Role,
    Submission,
    Team,
    TeamKind,
    User,
    utcnow,
)
from portal.rounds.service import RoundDetails, save_round
from tests.conftest import FAST_HASH

DEFAULT_PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


def make_team(
    session: Session, name: str | None = None, kind: str = TeamKind.TEAM
) -> Team:
    team = teams.save_team(
        session, None, name=name or f"Team {next(_counter)}", kind=kind
    )
    session.commit()
    return team


def make_user(
    session: Session,
    *roles: Role,
    email: str | None = None,
    name: str | None = None,
    password: str = DEFAULT_PASSWORD,
    team: Team | None = None,
    must_change_password: bool = False,
) -> User:
    n = next(_counter)
    user = service.create_user(
        session,
        None,
        email=email or f"user{n}@council.example",
        display_name=name or f"Test User {n}",
        roles=[r.value for r in (roles or (Role.CONTRIBUTOR,))],
        password_hash=hash_password(password, FAST_HASH),
        team_id=team.id if team else None,
        must_change_password=must_change_password,
    )
    session.commit()
    return user


def make_open_round(session: Session, planner: User, areas: int = 2) -> EngagementRound:
    """A round on the first ``areas`` areas, open since yesterday for a fortnight."""
    chosen = list(session.scalars(select(Area).order_by(Area.position).limit(areas)))
    item = save_round(
        session,
        planner,
        RoundDetails(
            title="Autumn staff engagement",
            purpose="Your experience shapes the improvement plan.",
            opens_at=utcnow() - timedelta(days=1),
            closes_at=utcnow() + timedelta(days=14),
            status="open",
            area_ids=[a.id for a in chosen],
        ),
    )
    session.commit()
    return item


def make_submission(
    session: Session,
    author: User,
    item: EngagementRound,
    *,
    area_index: int = 0,
    anonymous: bool = False,
    team: Team | None = None,
    text: str = "Supervision keeps being cancelled.",
) -> Submission:
    """Input sent through the real submit rules (personal data accepted as is).
    Anonymous input is released from the inbox at once (see ``hold_anonymous``)."""
    from portal.feedback.forms import new_form_token
    from portal.feedback.service import Answers, Context, submit
    from portal.privacy import DEFAULT_SAFEGUARDING_PHRASES, PrivacySettings

    token = new_form_token()
    submit(
        session,
        author,
        item=item,
        area=item.areas[area_index],
        anonymous=anonymous,
        answers=Answers(text, "More protected time.", "", 3),
        context=Context(team.id if team else None, None),
        form_token=token,
        secret="test-secret-key",
        settings=PrivacySettings(safeguarding_phrases=DEFAULT_SAFEGUARDING_PHRASES),
        confirmed=True,
        now=utcnow(),
        send_again=True,  # tests often send the same words twice on purpose
    )
    if anonymous:
        release_held(session)
    session.commit()
    from portal.feedback.service import token_key

    found = session.scalar(
        select(Submission).where(Submission.idempotency_key == token_key(token))
    )
    assert found is not None
    return found


def hold_anonymous(
    session: Session, author: User, item: EngagementRound, text: str
) -> None:
    """Anonymous input sent and still held in the inbox (before the release)."""
    from portal.feedback.forms import new_form_token
    from portal.feedback.service import Answers, Context, submit
    from portal.privacy import DEFAULT_SAFEGUARDING_PHRASES, PrivacySettings

    token = new_form_token()
    submit(session, author, item=item, area=item.areas[0], anonymous=True,
           answers=Answers(text, "", "", 3), context=Context(None, None),
           form_token=token, secret="test-secret-key",
           settings=PrivacySettings(safeguarding_phrases=DEFAULT_SAFEGUARDING_PHRASES),
           confirmed=True, now=utcnow())  # fmt: skip
    session.commit()


def release_held(session: Session) -> None:
    """Release every anonymous item held in the inbox now (cron does it overnight)
    and commit, so tests can moderate it."""
    from portal import db
    from portal.submissions.release import release

    release(session, utcnow().date(), include_today=True)
    db.commit(session)


def make_approved(session: Session, item: EngagementRound, text: str) -> Submission:
    """Input from a new contributor, marked approved directly (no moderation page,
    so no lifecycle side effects such as key phrases)."""
    found = make_submission(
        session, make_user(session, Role.CONTRIBUTOR), item, text=text
    )
    found.status = "approved"
    session.commit()
    return found
