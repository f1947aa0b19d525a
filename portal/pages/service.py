"""What the home page shows: the signed-in person's roles and the framework loaded."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.access import Permission, can
from portal.models import (
    Area,
    Inspection,
    Recommendation,
    Role,
    Submission,
    SubmissionStatus,
    User,
)


@dataclass(frozen=True)
class HomeOverview:
    roles: list[Role]
    inspection: Inspection | None
    area_count: int
    recommendation_count: int
    placeholder_count: int
    links: list[tuple[str, str, str]]  # (endpoint, title, description)
    # Counts only, never content: what is waiting for this person.
    waiting: list[tuple[str, str]]  # (endpoint, text)
    # For administrators: waiting input outside every moderator's scope.
    unreachable: list[tuple[Area, int]]
    # The person's own named input a moderator returned for changes, with the note.
    returned: list[Submission]


_LINKS = [
    (
        Permission.SUBMIT_FEEDBACK,
        "feedback.index",
        "Give input",
        "Tell us what gets in the way and what would make the biggest difference.",
    ),
    (
        Permission.MANAGE_ROUNDS,
        "rounds.index",
        "Engagement rounds",
        "Choose the areas staff are asked about, and when.",
    ),
    (
        Permission.RECORD_SESSIONS,
        "feedback.sessions",
        "Staff engagement sessions",
        "Record what a group said at a team meeting or workshop.",
    ),
    (
        Permission.VIEW_FRAMEWORK,
        "framework.index",
        "Inspection framework",
        "The areas for improvement and recommendations staff give input on.",
    ),
    (
        Permission.MANAGE_USERS,
        "accounts.users",
        "Users",
        "Create accounts, change roles, reset passwords and disable leavers.",
    ),
    (
        Permission.MANAGE_REFERENCE_DATA,
        "accounts.teams",
        "Teams and services",
        "The teams and services staff can say they work in.",
    ),
]


def home_overview(session: Session, user: Any) -> HomeOverview:
    inspection = session.scalar(
        select(Inspection).order_by(Inspection.published_on.desc(), Inspection.id)
    )
    areas = recs = placeholders = 0
    if inspection is not None:
        areas = int(
            session.scalar(
                select(func.count()).where(Area.inspection_id == inspection.id)
            )
            or 0
        )
        live = select(Recommendation).where(
            Recommendation.inspection_id == inspection.id,
            Recommendation.retired_at.is_(None),
        )
        recs = int(
            session.scalar(select(func.count()).select_from(live.subquery())) or 0
        )
        placeholders = int(
            session.scalar(
                select(func.count()).select_from(
                    live.where(Recommendation.is_placeholder.is_(True)).subquery()
                )
            )
            or 0
        )
    roles = sorted(user.roles) if isinstance(user, User) else []
    links = [(e, t, d) for p, e, t, d in _LINKS if can(user, p)]
    unreachable = []
    if can(user, Permission.MANAGE_USERS):
        from portal.moderation.service import unreachable_by_area

        unreachable = unreachable_by_area(session)
    returned: list[Submission] = []
    if can(user, Permission.SUBMIT_FEEDBACK) and isinstance(user, User):
        returned = list(
            session.scalars(
                select(Submission)
                .where(
                    Submission.author_id == user.id,
                    Submission.status == SubmissionStatus.RETURNED,
                    Submission.withdrawn_on.is_(None),
                )
                .order_by(Submission.submitted_on, Submission.id)
            )
        )
    return HomeOverview(
        roles,
        inspection,
        areas,
        recs,
        placeholders,
        links,
        _waiting(session, user),
        unreachable,
        returned,
    )


def _waiting(session: Session, user: Any) -> list[tuple[str, str]]:
    from portal.moderation import safeguarding
    from portal.moderation.queue import QueueFilters, counts

    waiting = []
    if can(user, Permission.REVIEW_SAFEGUARDING):
        n = safeguarding.waiting_count(session)
        if n:
            waiting.append(
                ("safeguarding.queue",
                 f"{n} {'item needs' if n == 1 else 'items need'} safeguarding review")
            )  # fmt: skip
    if can(user, Permission.MODERATE):
        n = counts(session, user, QueueFilters())["all"]
        if n:
            waiting.append(
                ("moderation.queue",
                 f"{n} {'item is' if n == 1 else 'items are'} waiting for moderation")
            )  # fmt: skip
    return waiting
