"""Helpers shared by every form: GOV.UK error summary, choices, and turning a domain
error from a service into a message on the right field."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import current_app
from flask_wtf import FlaskForm
from govuk_frontend_wtf.main import wtforms_errors
from govuk_frontend_wtf.wtforms_widgets import GovDateInput

# types-WTForms describes 3.2, which had no SelectChoice (added in WTForms 3.3).
from wtforms import SelectChoice  # type: ignore[attr-defined]

from portal.errors import DomainError
from portal.privacy import PersonalDataFound
from portal.transaction import savepoint

T = TypeVar("T")


def choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms 3.3 choices (tuples are deprecated)."""
    return [SelectChoice(value, label) for value, label in pairs]


def attach_error(form: FlaskForm, error: DomainError) -> None:
    """Show a service's refusal on the field it is about, or above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*list(field.errors), error.message]
    else:
        form.form_errors.append(error.message)


def error_summary(form: FlaskForm) -> dict[str, Any]:
    """Parameters for govukErrorSummary, with two fixes over ``wtforms_errors``:
    form-level errors are listed, and date fields link to their day input (the
    wrapper div cannot take focus)."""
    params: dict[str, Any] = wtforms_errors(form)
    date_ids = {
        f"#{field.id}": f"#{field.id}-day"
        for field in form
        if isinstance(field.widget, GovDateInput)
    }
    errors = [
        {**item, "href": date_ids.get(item.get("href", ""), item.get("href"))}
        for item in params["errorList"]
        if item.get("href") != "#"
    ]
    for message in form.form_errors:
        errors.insert(0, {"text": message, "href": "#main-content"})
    params["errorList"] = errors
    return params


def rendered_once(
    key: str, render: Callable[..., T], *values: Hashable, keep: int = 64
) -> T:
    """``render(*values)``, once per app for each ``key`` and distinct
    ``values`` (the last ``keep`` of them kept for each key), for markup that is
    the same on every page showing the same few values: fields shown empty on
    every view of a page (no values; the macros behind a radios, a select and a
    button cost the moderation queue a millisecond a page), the queue's lists
    of rounds and areas (about 0.09 ms a page), the service navigation's menus.
    ``values`` are compared by value, so pass tuples and frozen dataclasses."""
    kept: dict[str, OrderedDict[tuple[Hashable, ...], T]] = (
        current_app.extensions.setdefault("portal.rendered_once", {})
    )
    seen = kept.setdefault(key, OrderedDict())
    if values in seen:
        return seen[values]
    done = seen[values] = render(*values)
    if len(seen) > keep:
        seen.popitem(last=False)
    return done


def has_errors(form: FlaskForm) -> bool:
    return bool(form.errors) or bool(form.form_errors)


class SafeGovDateInput(GovDateInput):
    """GOV.UK date input that survives a crafted POST: the stock widget unpacks
    exactly three values and raises (a 500) on any other number."""

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        if field.raw_data is not None:
            field.raw_data = (list(field.raw_data) + ["", "", ""])[:3]
        params: dict[str, Any] = super().map_gov_params(field, **kwargs)
        return params


@dataclass(frozen=True)
class FormOutcome(Generic[T]):
    """What happened to a submitted form: ``saved`` with the change's result, or
    not, with the status to render the form with (400 after a failed POST)."""

    saved: bool
    status: int
    value: T | None = None


def save_form(form: FlaskForm, change: Callable[[], T]) -> FormOutcome[T]:
    """The shape every editing route shares: validate the form, run one service
    call (the view's declared transaction commits it). A refusal from the service
    undoes everything the call did and is shown on the field it is about."""
    if not form.validate_on_submit():
        return FormOutcome(False, 400 if form.is_submitted() else 200)
    try:
        value = savepoint(change)
    except DomainError as error:
        attach_error(form, error)
        # The form then offers "Save anyway" beside "Save" (templates read this).
        form.needs_save_anyway = isinstance(error, PersonalDataFound)
        return FormOutcome(False, 400)
    return FormOutcome(True, 200, value)


# Ids are 64-bit integers in both databases: anything larger is not an id, and
# would overflow the driver (a 500) rather than simply find nothing.
MAX_ID = 2**63 - 1


def db_id(value: object) -> int | None:
    """A typed id (from a form, a query string or a cookie), or None: ASCII digits
    only, within the database's integer range."""
    text = str(value) if value is not None else ""
    if not text or len(text) > 19 or not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if number <= MAX_ID else None
