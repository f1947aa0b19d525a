"""The service navigation: only what the signed-in person may use."""

from __future__ import annotations

from typing import Any

from flask import current_app, request, url_for
from flask_login import current_user
from markupsafe import Markup

from portal.access import Permission, permissions_of
from portal.formkit import rendered_once

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


_MACRO = "govuk_frontend_jinja/components/service-navigation/macro.html"
# Stands for the end slot in the kept markup: plain text the macro puts in as it
# is (its slots are marked safe), which escaping leaves unchanged, so the
# ``Markup.replace`` below finds it.
_NAVIGATION_END = "portal-navigation-end-slot"


def service_navigation(navigation_end: Markup | str) -> Markup:
    """GOV.UK's service navigation for this person and page, with
    ``navigation_end`` (the sign-out form) at the end of its list.

    The macro's markup depends only on the menu (which items, which is
    current), shared by everyone with the same roles on the same section, so it
    is rendered once per distinct menu; only the end slot, which carries this
    session's CSRF token, is put in for each request. With the macro rendered
    each time, a signed-in page's header took 0.18 ms (a signed-out one's, with
    no menu, 0.07 ms)."""
    menu = tuple((i["href"], i["text"], i["active"]) for i in navigation())
    # Distinct menus: the sets of items a role gives, times the current one.
    markup = rendered_once(
        "service navigation", _menu_markup, menu, bool(navigation_end), keep=256
    )
    return markup.replace(_NAVIGATION_END, navigation_end)


def _menu_markup(menu: tuple[tuple[str, str, bool], ...], has_end: bool) -> Markup:
    macro = current_app.jinja_env.get_template(_MACRO).module.govukServiceNavigation  # type: ignore[attr-defined]
    markup: Markup = macro(
        {
            "serviceName": current_app.config["SERVICE_NAME"],
            "serviceUrl": url_for("pages.home"),
            "navigation": [
                {"href": href, "text": text, "active": active}
                for href, text, active in menu
            ],
            "navigationLabel": "Menu",
            "slots": {"navigationEnd": _NAVIGATION_END if has_end else ""},
        }
    )
    return markup
