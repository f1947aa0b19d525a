"""Drafting the improvement plan: actions per recommendation with their evidence,
and the plan as Word or Excel."""

from __future__ import annotations

from datetime import date
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

from portal import documents
from portal.access import Permission, requires
from portal.db import get_session
from portal.downloads import attachment
from portal.errors import NotFound
from portal.formkit import choices, save_form
from portal.models import PlanAction, Recommendation
from portal.plan import exports, forms, service
from portal.summaries import exports as data_exports
from portal.transaction import writes

bp = Blueprint("plan", __name__, url_prefix="/plan")


@bp.route("")
@requires(Permission.MANAGE_PLAN)
def index() -> Any:
    return render_template(
        "plan/index.html",
        plan=service.plan(get_session()),
        download=forms.PlanExportForm(),
    )


def _edit(recommendation: Recommendation, action: PlanAction | None) -> Any:
    data = None
    if request.method == "GET" and action is not None:
        data = {
            "action": action.action,
            "lead_officer": action.lead_officer,
            "start_date": action.start_date,
            "target_date": action.target_date,
            "success_measure": action.success_measure,
            "status": action.status,
            "evidence_ids": [s.id for s in action.evidence],
        }
    form = forms.ActionForm(data=data)
    evidence = service.evidence_choices(get_session(), recommendation.id)
    form.evidence_ids.choices = choices(
        (
            s.id,
            f"{s.submitted_on:%-d %b %Y}: "
            f"{(s.obstacles or s.biggest_difference or s.practice_example)[:120]}",
        )
        for s in evidence
    )
    outcome = save_form(
        form,
        lambda: service.save_action(
            get_session(),
            current_user._get_current_object(),
            recommendation,
            service.ActionDetails(
                action=form.action.data or "",
                lead_officer=form.lead_officer.data or "",
                target_date=form.target_date.data or date.min,
                start_date=form.start_date.data,
                success_measure=form.success_measure.data or "",
                status=form.status.data or "",
                evidence_ids=[str(i) for i in form.evidence_ids.data or []],
            ),
            action,
        ),
    )
    if outcome.saved:
        flash(f"Action for {recommendation.code} saved.", "success")
        return redirect(url_for("plan.index", _anchor=f"rec-{recommendation.id}"))
    return (
        render_template(
            "plan/action.html", recommendation=recommendation, action=action, form=form
        ),
        outcome.status,
    )


@bp.route(
    "/recommendations/<int:recommendation_id>/actions/new", methods=["GET", "POST"]
)
@requires(Permission.MANAGE_PLAN)
@writes
def new_action(recommendation_id: int) -> Any:
    recommendation = get_session().get(Recommendation, recommendation_id)
    if recommendation is None or recommendation.retired_at is not None:
        raise NotFound("There is no such recommendation")
    return _edit(recommendation, None)


@bp.route("/actions/<int:action_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_PLAN)
@writes
def edit_action(action_id: int) -> Any:
    action = service.get_action(get_session(), action_id)
    return _edit(action.recommendation, action)


@bp.route("/export", methods=["POST"])
@requires(Permission.EXPORT)
@writes
def export() -> Any:
    form = forms.PlanExportForm()
    if not form.validate_on_submit():
        return redirect(url_for("plan.index"))
    fmt = form.format.data or "docx"
    db = get_session()
    plan = service.plan(db)
    data_exports.record_export(
        db,
        current_user._get_current_object(),
        data_exports.ExportRequest([], False, 0),
        f"plan-{fmt}",
        sum(len(actions) for _, actions in plan),
    )
    config = current_app.config
    letterhead = documents.letterhead(
        config,
        f"{config['COUNCIL_NAME']}: draft improvement plan",
        "Improvement plan in response to the Ofsted inspection",
    )
    if fmt == "xlsx":
        return attachment(exports.to_xlsx(plan, letterhead), "improvement-plan", "xlsx")
    return attachment(exports.to_docx(plan, letterhead), "improvement-plan", "docx")
