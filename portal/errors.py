"""Domain errors raised by services, and the pages every error gets.

Services raise these instead of calling ``abort()``; the handlers here turn them into
pages in the portal's style. No page shows a stack trace or echoes submitted text,
except the expired-form page, which hands the user back their own words.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, current_app, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import NoResultFound, OperationalError
from werkzeug.exceptions import HTTPException

from portal.db import StorageBusy


class DomainError(Exception):
    """Base class: ``message`` is safe to show to the user."""

    status = 400

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    """The change clashes with the current state (already decided, duplicate name)."""

    status = 409


class InvalidInput(DomainError):
    status = 400


# Fields never shown back: secrets, and machinery that is not the person's words.
_SECRET_FIELDS = frozenset(
    {"csrf_token", "password", "current_password", "new_password", "form_token",
     "next", "action", "_resume", "resumed"}
)  # fmt: skip

ERROR_TITLES = {
    400: "There is a problem with your request",
    403: "You do not have access to this page",
    404: "Page not found",
    405: "That action is not available here",
    409: "This has changed since you opened it",
    413: "What you sent is too large",
    429: "Too many requests",
    500: "Sorry, there is a problem with the service",
}


def render_error(status: int, message: str | None = None) -> tuple[str, int]:
    template = (
        f"errors/{status}.html" if status in (403, 404, 500) else "errors/generic.html"
    )
    return (
        render_template(
            template,
            status=status,
            title=ERROR_TITLES.get(status, ERROR_TITLES[400]),
            message=message,
        ),
        status,
    )


# Choices rather than words (a radio, a list): nothing typed to lose, and their
# values are codes that mean nothing to a person.
_CHOICE_FIELDS = frozenset(
    {"mode", "priority", "team_id", "role_group_id", "decision", "reason", "status",
     "format", "rounds", "item_ids", "seen_status", "seen_version", "area_id",
     "session_type", "kind", "roles", "field", "text_field", "spans"}
)  # fmt: skip
# The labels people saw on the forms whose words can come back.
_FIELD_LABELS = {
    "obstacles": "What gets in the way today",
    "biggest_difference": "What would make the biggest difference",
    "practice_example": "Example from practice",
    "email": "Email address",
    "note": "Note",
    "text": "Text",
    "key_messages": "Key messages",
    "questions": "Questions for the seminar",
    "action": "What will be done",
    "success_measure": "How success will be measured",
    "lead_officer": "Lead officer",
    "code": "Receipt code",
}


def words_to_give_back() -> list[tuple[str, str]]:
    """The non-secret text fields of the POST that failed, with the labels the
    person saw, so nothing typed is lost."""
    return words_of(request.form.items(multi=True))


def words_of(fields: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The typed fields among form fields, labelled as the person saw them."""
    kept: list[tuple[str, str]] = []
    for name, value in fields:
        field = name.rpartition("-")[2]  # prefixed forms: "decide-note"
        if field in _SECRET_FIELDS or field in _CHOICE_FIELDS or not value.strip():
            continue
        label = _FIELD_LABELS.get(field, field.replace("_", " ").capitalize())
        kept.append((label, value))
    return kept


# Forms that can redraw themselves, filled in, when nothing could be saved (an
# expired CSRF token, or a database that stayed locked) but the person is still
# signed in: endpoint -> view that re-renders with a message, without saving.
FORM_RECOVERY: dict[str, Callable[[str], Any]] = {}

EXPIRED = (
    "Your form had expired, so nothing was saved. Your answers are below: check "
    "them and send again."
)
BUSY = (
    "Your input could not be saved just now because the system is busy. Nothing has "
    "been lost: your answers are below. Please send them again in a minute."
)


UNEXPECTED = (
    "Sorry, there was a problem and your input was not saved. Nothing you typed "
    "has been lost: your answers are below. Copy them, then try again later."
)


def recover_form(endpoint: str, render: Callable[[str], Any]) -> None:
    FORM_RECOVERY[endpoint] = render


def words_back(message: str, status: int) -> Any:
    """The form again, filled in, if it can redraw itself; else the words read-only.
    Signed out, the words come with a sign-in form that carries them back to the
    form (portal/accounts/resume.py). Reads only: this runs when nothing could be
    written."""
    from flask_login import current_user

    if not current_user.is_authenticated and _carries_through_sign_in(status):
        return _sign_in_with_words(status)
    recover = FORM_RECOVERY.get(request.endpoint or "")
    if recover is not None and current_user.is_authenticated and _may_open_page():
        try:
            response = recover(message)
        except (DomainError, NoResultFound, OperationalError):
            pass  # the form's object is gone or unreadable: hand the words back
        else:
            return _with_status(response, status)
    return (
        render_template(
            "errors/form_expired.html",
            fields=words_to_give_back(),
            retry_url=request.path,
            message=message,
            status=status,
        ),
        status,
    )


def _carries_through_sign_in(status: int) -> bool:
    # The sign-in form's own expired token just needs a fresh sign-in page; a
    # busy or failing database cannot take a sign-in either.
    return status < 500 and request.endpoint != "accounts.sign_in"


def _sign_in_with_words(status: int) -> Any:
    from portal.accounts.forms import SignInForm
    from portal.accounts.resume import fields_to_carry

    return (
        render_template(
            "errors/signed_out.html",
            form=SignInForm(formdata=None),
            carried=fields_to_carry(),
            fields=words_to_give_back(),
            retry_url=request.path,
        ),
        status,
    )


def _may_open_page() -> bool:
    """Recovery redraws the page the form was on, so it needs that page's own
    permission (the CSRF check ran before the view's)."""
    from flask import current_app
    from flask_login import current_user

    from portal.access import can

    view = current_app.view_functions.get(request.endpoint or "")
    permission = getattr(view, "required_permission", None)
    return permission is None or can(current_user, permission)


def _with_status(response: Any, status: int) -> Any:
    if isinstance(response, tuple):
        return (response[0], status, *response[2:])
    return response, status


def _too_large_message() -> str | None:
    from portal.uploads import megabytes, takes_files

    if not takes_files(current_app.view_functions.get(request.endpoint or "")):
        return None
    limit = megabytes(int(current_app.config["EVIDENCE_MAX_BYTES"]))
    return (
        f"The file must be smaller than {limit}. Nothing was saved: go back, choose "
        "a smaller file and add the evidence again."
    )


def _http_error(error: HTTPException) -> Any:
    if error.code is None or error.code < 400:
        return error
    if error.code == 413:
        return render_error(413, _too_large_message())
    return render_error(error.code)


def refuse_file_parts() -> Any:
    from portal.uploads import allow_files

    if allow_files():
        return None
    if request.method in ("POST", "PUT", "PATCH") and request.files:
        return render_error(400, "This form does not accept files. Nothing was saved.")
    return None


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf_error(_error: CSRFError) -> Any:
        # The token is missing or belongs to an expired session. Nothing was saved.
        # Signed in: the form comes back filled in, with a fresh token. Otherwise:
        # the words come back read-only, with a way to sign in and start again.
        return words_back(EXPIRED, 400)

    @app.errorhandler(StorageBusy)
    def _storage_busy(_error: StorageBusy) -> Any:
        # Every retry met a locked database. Nothing was written; the person's
        # words come back with a clear message, and the page writes nothing.
        response = make_response(words_back(BUSY, 503))
        response.headers["Retry-After"] = "30"
        return response

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError) -> tuple[str, int]:
        return render_error(error.status, error.message)

    @app.errorhandler(NoResultFound)
    def _no_result(_error: NoResultFound) -> tuple[str, int]:
        return render_error(404)

    @app.errorhandler(429)
    def _throttled(_error: HTTPException) -> Any:
        from portal.throttle import retry_after_seconds

        wait = retry_after_seconds()
        minutes = max(1, round(wait / 60))
        body, status = render_error(
            429,
            "There have been too many attempts from here in a short time. Wait "
            f"{minutes} {'minute' if minutes == 1 else 'minutes'}, then try again. "
            "Nothing you typed was saved.",
        )
        response = make_response(body, status)
        response.headers["Retry-After"] = str(wait)
        return response

    app.register_error_handler(HTTPException, _http_error)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Any:
        # The log names the route, never what was posted (parameters are hidden
        # from database errors too: see db.make_engine).
        app.logger.exception(
            "Unhandled error on %s %s", request.method, request.url_rule
        )
        if request.method == "POST" and words_to_give_back():
            return words_back(UNEXPECTED, 500)
        return render_error(500)
