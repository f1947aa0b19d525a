"""Facilitators record what a group said at a staff engagement session."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal import privacy
from portal.access import Permission, requires
from portal.db import get_session
from portal.errors import DomainError
from portal.feedback import forms, notice, service
from portal.feedback.routes import bp
from portal.formkit import attach_error, choices
from portal.models import EngagementRound, utcnow
from portal.rounds.service import get_round, open_rounds
from portal.transaction import savepoint, writes


@bp.route("/sessions")
@requires(Permission.RECORD_SESSIONS)
def sessions() -> Any:
    rounds = open_rounds(get_session(), utcnow())
    return render_template("feedback/sessions.html", rounds=rounds)


def _render(form: forms.SessionForm, item: EngagementRound, **extra: Any) -> Any:
    form.ensure_token()
    report: privacy.Report | None = extra.get("report")
    # Findings are positions in the cleaned text, so highlight that.
    highlighted = privacy.highlight(report, form.answers().cleaned().texts())
    status = extra.pop("status", 200)
    return (
        render_template(
            "feedback/record_session.html",
            form=form,
            item=item,
            highlighted=highlighted,
            notice=notice.current(get_session()),
            **extra,
        ),
        status,
    )


@bp.route("/rounds/<int:round_id>/sessions/new", methods=["GET", "POST"])
@requires(Permission.RECORD_SESSIONS)
@writes
def record_session(round_id: int) -> Any:
    item = get_round(get_session(), round_id)
    form = forms.SessionForm()
    form.area_id.choices = choices(
        [
            ("", "Select an area"),
            *((str(a.id), f"{a.code}: {a.title}") for a in item.areas),
        ]
    )
    if request.method == "GET":
        return _render(form, item)
    if not form.validate_on_submit():
        return _render(form, item, status=400)
    try:
        savepoint(
            lambda: service.record_session_input(
                get_session(),
                current_user._get_current_object(),
                item=item,
                area_id=form.area_value(),
                details=service.SessionDetails(
                    held_on=form.held_on.data or date.min,
                    session_type=form.session_type.data or "",
                    attendees=form.attendees.data or 0,
                ),
                answers=form.answers(),
                form_token=form.form_token.data or "",
                settings=privacy.PrivacySettings.from_config(current_app.config),
                confirmed=request.form.get("action") == "submit_anyway",
                now=utcnow(),
            )
        )
    except service.NeedsConfirmation as needs:
        return _render(form, item, report=needs.report)
    except DomainError as error:
        attach_error(form, error)
        return _render(form, item, status=error.status)
    flash(
        "The session's input has been recorded. "
        "It is not linked to anyone who attended.",
        "success",
    )
    return redirect(url_for("feedback.sessions"))
