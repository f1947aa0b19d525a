"""Writing audit events. Every service that changes something calls ``record`` in the
same transaction as the change, so both commit or neither does."""

from __future__ import annotations

import enum
from typing import Any

from sqlalchemy.orm import Session

from portal.models import AuditEvent, User


class AuditAction(enum.StrEnum):
    SIGNED_IN = "signed_in"
    SIGNED_OUT = "signed_out"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - an event name
    USER_CREATED = "user_created"
    USER_UPDATED = "user_updated"
    ROLES_CHANGED = "roles_changed"
    USER_DISABLED = "user_disabled"
    USER_ENABLED = "user_enabled"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - an event name
    TEAM_CREATED = "team_created"
    TEAM_UPDATED = "team_updated"
    FRAMEWORK_IMPORTED = "framework_imported"
    AREA_UPDATED = "area_updated"
    RECOMMENDATION_CREATED = "recommendation_created"
    RECOMMENDATION_UPDATED = "recommendation_updated"
    RECOMMENDATION_RETIRED = "recommendation_retired"
    RECOMMENDATION_REINSTATED = "recommendation_reinstated"
    ROUND_CREATED = "round_created"
    ROUND_UPDATED = "round_updated"
    ROLE_GROUP_CREATED = "role_group_created"
    ROLE_GROUP_UPDATED = "role_group_updated"
    SETTING_CHANGED = "setting_changed"
    SUBMISSION_RECEIVED = "submission_received"  # named and facilitated only
    SUBMISSION_EDITED = "submission_edited"
    SUBMISSION_WITHDRAWN = "submission_withdrawn"  # named only


def record(
    session: Session,
    actor: User | None,
    action: AuditAction,
    subject_type: str,
    subject_id: object | None = None,
    *,
    reason: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one audit row (flushed with the caller's transaction). ``actor`` is None
    for system actions (CLI without a user)."""
    details: dict[str, Any] = {}
    if before is not None:
        details["before"] = before
    if after is not None:
        details["after"] = after
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action.value,
        subject_type=subject_type,
        subject_id=None if subject_id is None else str(subject_id),
        reason=reason,
        details=details or None,
    )
    session.add(event)
    session.flush()
    return event
