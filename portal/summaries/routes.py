"""Themed summaries on screen, by recommendation, theme or area, for chosen rounds."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from portal.access import Permission, requires
from portal.db import get_session
from portal.formkit import save_form
from portal.rounds.service import list_rounds
from portal.summaries import forms, service

bp = Blueprint("summaries", __name__, url_prefix="/summaries")
PATHS = {"recommendation": "recommendations", "theme": "themes", "area": "areas"}


def _round_ids() -> list[int]:
    return [int(r) for r in request.args.getlist("round") if r.isdigit()]


@bp.route("")
@requires(Permission.VIEW_SUMMARIES)
def index() -> Any:
    round_ids = _round_ids()
    db = get_session()
    return render_template(
        "summaries/index.html",
        overview=service.overview(db, round_ids),
        rounds=list_rounds(db),
        round_ids=round_ids,
    )


def _summary_page(kind: str, subject_id: int, form: forms.NoteForm, status: int) -> Any:
    db = get_session()
    subject = service.subject(db, kind, subject_id)
    round_ids = _round_ids()
    summary = service.build(
        db,
        subject,
        round_ids,
        count_minimum=current_app.config["SUPPRESS_COUNT_MINIMUM"],
    )
    return (
        render_template(
            "summaries/summary.html",
            summary=summary,
            form=form,
            round_ids=round_ids,
            rounds=list_rounds(db),
            minimum=current_app.config["SUPPRESS_COUNT_MINIMUM"],
        ),
        status,
    )


@bp.route("/recommendations/<int:subject_id>", defaults={"kind": "recommendation"})
@bp.route("/themes/<int:subject_id>", defaults={"kind": "theme"})
@bp.route("/areas/<int:subject_id>", defaults={"kind": "area"})
@requires(Permission.VIEW_SUMMARIES)
def summary(kind: str, subject_id: int) -> Any:
    db = get_session()
    subject = service.subject(db, kind, subject_id)
    current = service.build(db, subject, [], count_minimum=1)
    form = forms.NoteForm(
        data={"key_messages": current.key_messages, "questions": current.questions}
    )
    return _summary_page(kind, subject_id, form, 200)


@bp.route(
    "/recommendations/<int:subject_id>/narrative",
    methods=["POST"],
    defaults={"kind": "recommendation"},
)
@bp.route(
    "/themes/<int:subject_id>/narrative", methods=["POST"], defaults={"kind": "theme"}
)
@bp.route(
    "/areas/<int:subject_id>/narrative", methods=["POST"], defaults={"kind": "area"}
)
@requires(Permission.MANAGE_PLAN)
def save_narrative(kind: str, subject_id: int) -> Any:
    form = forms.NoteForm()
    outcome = save_form(
        form,
        lambda: service.save_note(
            get_session(),
            current_user._get_current_object(),
            service.subject(get_session(), kind, subject_id),
            key_messages=form.key_messages.data or "",
            questions=form.questions.data or "",
        ),
    )
    if outcome.saved:
        flash("Narrative saved.", "success")
        return redirect(url_for("summaries.summary", kind=kind, subject_id=subject_id))
    return _summary_page(kind, subject_id, form, outcome.status)
