"""Who has something waiting: counts only, for the cron job that emails moderators
and safeguarding leads. Run from cron rather than at submission time on purpose: an
email sent the moment anonymous input arrives would reveal when it was sent."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.access import Permission, can
from portal.mailer import Message
from portal.models import Role, User, UserRole
from portal.moderation import safeguarding
from portal.moderation.queue import QueueFilters, counts


def waiting_messages(
    session: Session, service_name: str, base_url: str
) -> list[Message]:
    """One message per moderator or safeguarding lead with anything waiting."""
    people = session.scalars(
        select(User)
        .where(
            User.disabled_at.is_(None),
            User.role_rows.any(
                UserRole.role.in_([Role.MODERATOR, Role.SAFEGUARDING_LEAD])
            ),
        )
        .order_by(User.id)
    )
    messages = []
    urgent = safeguarding.waiting_count(session)
    for person in people:
        lines = []
        if can(person, Permission.REVIEW_SAFEGUARDING) and urgent:
            lines.append(
                f"{urgent} {'item needs' if urgent == 1 else 'items need'} "
                f"safeguarding review: {base_url}/safeguarding"
            )
        if can(person, Permission.MODERATE):
            waiting = counts(session, person, QueueFilters())["all"]
            if waiting:
                lines.append(
                    f"{waiting} {'item is' if waiting == 1 else 'items are'} waiting "
                    f"for moderation: {base_url}/moderation"
                )
        if lines:
            body = "\n".join(
                [f"Hello {person.display_name},", "", *lines, "",
                 "Sign in to see them. This email never includes what anyone wrote."]
            )  # fmt: skip
            messages.append(
                Message(person.email, f"{service_name}: input waiting", body)
            )
    return messages
