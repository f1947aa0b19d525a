"""Signed out in the middle of a form: the words go through sign-in and come back.

When the session ends while someone is typing, the timeout dialog offers one
button, "Sign in again". It posts the page's form with ``_resume=1``, which never
runs the form's view (so nothing is sent, even if another tab kept the session
alive). Signed out, the answer is a sign-in form that carries every field as a
hidden ``carried-*`` input, beside a read-only copy of the words. After signing
in, a page posts the fields back to the form's address with ``_resume=1`` and a
fresh token, and the form comes back filled in, still unsent. Nothing is stored on
the server or in the browser on the way: council PCs are shared.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template, request

RESUME_FIELD = "_resume"
CARRY_PREFIX = "carried-"
# Never carried: secrets, and the machinery each page supplies afresh.
_NOT_CARRIED = frozenset(
    {"csrf_token", "password", "current_password", "new_password", "next", "action",
     RESUME_FIELD, "resumed"}
)  # fmt: skip

SIGNED_IN_AGAIN = (
    "You are signed in again. Nothing has been sent yet: check your answers below, "
    "then send them."
)
STILL_SIGNED_IN = (
    "You are still signed in. Nothing has been sent yet: check your answers below, "
    "then send them."
)


def fields_to_carry() -> list[tuple[str, str]]:
    """Every field of the posted form a sign-in can carry (choices too, so the form
    comes back as it was), but no secret."""
    return [
        (name, value)
        for name, value in request.form.items(multi=True)
        if name.rpartition("-")[2] not in _NOT_CARRIED
        and not name.startswith(CARRY_PREFIX)
    ]


def carried_fields() -> list[tuple[str, str]]:
    """The fields a sign-in form is carrying, under their own names again."""
    return [
        (name.removeprefix(CARRY_PREFIX), value)
        for name, value in request.form.items(multi=True)
        if name.startswith(CARRY_PREFIX)
    ]


def carried_words() -> list[tuple[str, str]]:
    """The carried fields a person typed, with their labels, to show read-only."""
    from portal.errors import words_of

    return words_of(carried_fields())


def return_page(target: str, fields: list[tuple[str, str]]) -> str:
    """After sign-in: post the carried fields back to their form (at once where
    JavaScript runs, else by one button)."""
    return render_template("accounts/resume.html", target=target, fields=fields)


def _resume_form() -> Any:
    """A form posted with ``_resume=1`` is redrawn filled in, never processed.
    Runs after the CSRF check, so a stale token has already become the words page."""
    if request.method != "POST" or request.form.get(RESUME_FIELD) != "1":
        return None
    from flask_login import current_user

    from portal.errors import words_back

    if current_user.is_authenticated:
        resumed = request.form.get("resumed") == "1"
        return words_back(SIGNED_IN_AGAIN if resumed else STILL_SIGNED_IN, 200)
    return words_back("", 200)


def init_app(app: Flask) -> None:
    app.before_request(_resume_form)
