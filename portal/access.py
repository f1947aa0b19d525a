"""Who may do what. Views name a permission, never a role; this table is the only
place that maps roles to permissions."""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import lru_cache, wraps
from typing import Any, TypeVar

from flask import current_app
from flask_login import current_user
from werkzeug.exceptions import Forbidden

from portal.models import Role, User


class Permission(enum.StrEnum):
    USE_PORTAL = "use_portal"  # home page, own account, sign out
    VIEW_FRAMEWORK = "view_framework"
    MANAGE_FRAMEWORK = "manage_framework"
    SUBMIT_FEEDBACK = "submit_feedback"
    MANAGE_ROUNDS = "manage_rounds"
    RECORD_SESSIONS = "record_sessions"  # input gathered at staff engagement sessions
    MODERATE = "moderate"
    REVIEW_SAFEGUARDING = "review_safeguarding"
    TAG = "tag"
    VIEW_SUMMARIES = "view_summaries"
    EXPORT = "export"
    SEE_AUTHORS = "see_authors"  # names of named writers in exports
    MANAGE_PLAN = "manage_plan"
    MANAGE_USERS = "manage_users"
    MANAGE_REFERENCE_DATA = "manage_reference_data"
    VIEW_AUDIT = "view_audit"
    # Monitoring the plan (the Health and Wellbeing Board's stage)
    VIEW_BOARD = "view_board"
    RECORD_PROGRESS = "record_progress"  # quarterly updates, evidence, answers
    MANAGE_RISKS = "manage_risks"
    FREEZE_QUARTER = "freeze_quarter"
    SIGN_OFF = "sign_off"
    REQUEST_REPORTS = "request_reports"


_EVERYONE = {Permission.USE_PORTAL, Permission.VIEW_FRAMEWORK}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.CONTRIBUTOR: frozenset(_EVERYONE | {Permission.SUBMIT_FEEDBACK}),
    Role.MODERATOR: frozenset(
        _EVERYONE
        | {Permission.MODERATE, Permission.RECORD_SESSIONS, Permission.SEE_AUTHORS}
    ),
    Role.SAFEGUARDING_LEAD: frozenset(_EVERYONE | {Permission.REVIEW_SAFEGUARDING}),
    Role.PLANNER: frozenset(
        _EVERYONE
        | {
            Permission.MANAGE_FRAMEWORK,
            Permission.MANAGE_ROUNDS,
            Permission.RECORD_SESSIONS,
            Permission.TAG,
            Permission.VIEW_SUMMARIES,
            Permission.EXPORT,
            Permission.MANAGE_PLAN,
            Permission.VIEW_BOARD,
            Permission.RECORD_PROGRESS,
            Permission.MANAGE_RISKS,
            Permission.FREEZE_QUARTER,
        }
    ),
    Role.LEAD_OFFICER: frozenset(
        _EVERYONE
        | {Permission.VIEW_BOARD, Permission.RECORD_PROGRESS, Permission.MANAGE_RISKS}
    ),
    # The board monitors and decides; it sees nothing else of the portal.
    Role.BOARD_MEMBER: frozenset(
        {
            Permission.USE_PORTAL,
            Permission.VIEW_BOARD,
            Permission.SIGN_OFF,
            Permission.REQUEST_REPORTS,
        }
    ),
    Role.ADMIN: frozenset(
        _EVERYONE
        | {
            Permission.MANAGE_FRAMEWORK,
            Permission.MANAGE_ROUNDS,
            Permission.MANAGE_USERS,
            Permission.MANAGE_REFERENCE_DATA,
            Permission.VIEW_AUDIT,
            Permission.SEE_AUTHORS,
        }
    ),
}


def permissions_of(user: Any) -> frozenset[Permission]:
    if not isinstance(user, User) or not user.is_active:
        return frozenset()
    return _granted(user.roles)


@lru_cache(maxsize=64)
def _granted(roles: frozenset[Role]) -> frozenset[Permission]:
    """What a set of roles may do (a page asks once per menu item)."""
    granted: set[Permission] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS[role]
    return frozenset(granted)


def can(user: Any, permission: Permission) -> bool:
    """For templates and services. Roles are re-read from the database on each
    request (the user is loaded per request), so a change applies at once."""
    return permission in permissions_of(user)


View = TypeVar("View", bound=Callable[..., Any])


def requires(permission: Permission) -> Callable[[View], View]:
    """Decorate a view: signed-in users holding ``permission`` only."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
            if not can(current_user, permission):
                raise Forbidden()
            return view(*args, **kwargs)

        wrapped.required_permission = permission  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def public(view: View) -> View:
    """Mark a view as open to everyone, signed in or not (kept to a short list)."""
    view.is_public = True  # type: ignore[attr-defined]
    return view
