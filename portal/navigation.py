"""The service navigation: only what the signed-in person may use."""

from __future__ import annotations

from typing import Any

from flask import request, url_for
from flask_login import current_user

from portal.access import Permission, permissions_of

# (permission, endpoint, text, endpoints that mark it as the current section)
NAV_ITEMS: list[tuple[Permission, str, str, tuple[str, ...]]] = [
    (Permission.USE_PORTAL, "pages.home", "Home", ("pages.home",)),
    (
        Permission.SUBMIT_FEEDBACK,
        "feedback.index",
        "Give input",
        (
            "feedback.index",
            "feedback.round_page",
            "feedback.give",
            "feedback.thank_you",
        ),
    ),
    (
        Permission.SUBMIT_FEEDBACK,
        "feedback.mine",
        "My input",
        ("feedback.mine", "feedback.edit", "feedback.receipt"),
    ),
    (
        Permission.RECORD_SESSIONS,
        "feedback.sessions",
        "Sessions",
        ("feedback.sessions", "feedback.record_session"),
    ),
    (Permission.MODERATE, "moderation.queue", "Moderate", ("moderation.",)),
    (
        Permission.REVIEW_SAFEGUARDING,
        "safeguarding.queue",
        "Safeguarding",
        ("safeguarding.",),
    ),
    (Permission.TAG, "tagging.index", "Tag", ("tagging.",)),
    (Permission.VIEW_SUMMARIES, "summaries.index", "Summaries", ("summaries.",)),
    (Permission.MANAGE_PLAN, "plan.index", "Plan", ("plan.",)),
    (Permission.VIEW_BOARD, "board.index", "Board", ("board.",)),
    (Permission.USE_PORTAL, "outcomes.you_said", "You said, we did", ("outcomes.",)),
    (Permission.MANAGE_ROUNDS, "rounds.index", "Rounds", ("rounds.",)),
    (Permission.VIEW_FRAMEWORK, "framework.index", "Framework", ("framework.",)),
    (
        Permission.MANAGE_USERS,
        "accounts.users",
        "Users",
        ("accounts.users", "accounts.new_user", "accounts.user"),
    ),
    (
        Permission.MANAGE_REFERENCE_DATA,
        "accounts.teams",
        "Lists",
        (
            "accounts.teams",
            "accounts.team",
            "accounts.role_groups",
            "feedback.edit_notice",
            "pages.edit_notices",
        ),
    ),
    (Permission.VIEW_AUDIT, "audit.index", "Audit", ("audit.",)),
    (
        Permission.MANAGE_USERS,
        "rights.erasure_requests",
        "Erasure",
        ("rights.erasure_requests",),
    ),
    (
        Permission.USE_PORTAL,
        "accounts.change_password",
        "Your account",
        ("accounts.change_password",),
    ),
]


def navigation() -> list[dict[str, Any]]:
    endpoint = request.endpoint or ""
    # What this person may do, worked out once for the whole menu.
    granted = permissions_of(current_user._get_current_object())
    items = []
    for permission, target, text, sections in NAV_ITEMS:
        if permission not in granted:
            continue
        active = any(
            endpoint.startswith(s) if s.endswith(".") else endpoint == s
            for s in sections
        )
        items.append({"href": url_for(target), "text": text, "active": active})
    return items
