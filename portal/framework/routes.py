"""Viewing and editing the inspection framework."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.access import Permission, requires
from portal.db import get_session
from portal.errors import NotFound
from portal.formkit import save_form
from portal.framework import forms, service
from portal.models import Inspection, Recommendation
from portal.transaction import writes

bp = Blueprint("framework", __name__, url_prefix="/framework")


@bp.route("")
@requires(Permission.VIEW_FRAMEWORK)
def index() -> Any:
    inspections = service.list_inspections(get_session())
    return render_template("framework/index.html", inspections=inspections)


@bp.route("/areas/<int:area_id>/edit", methods=["GET", "POST"])
@requires(Permission.MANAGE_FRAMEWORK)
@writes
def edit_area(area_id: int) -> Any:
    area = service.get_area(get_session(), area_id)
    form = forms.AreaForm(obj=area if request.method == "GET" else None)
    outcome = save_form(
        form,
        lambda: service.update_area(
            get_session(),
            current_user._get_current_object(),
            area,
            title=form.title.data or "",
            description=form.description.data or "",
            about_management=bool(form.about_management.data),
            examples=form.examples.data or "",
        ),
    )
    if outcome.saved:
        flash(f"Area {area.code} saved.", "success")
        return redirect(url_for("framework.index", _anchor=f"area-{area.id}"))
    return render_template(
        "framework/edit_area.html", area=area, form=form
    ), outcome.status


def _recommendation_form(inspection: Inspection, rec: Recommendation | None) -> Any:
    data = None
    if request.method == "GET" and rec is not None:
        data = {
            "code": rec.code,
            "text": rec.text,
            "addressed_to": rec.addressed_to,
            "area_ids": [str(a.id) for a in rec.areas],
            "is_placeholder": rec.is_placeholder,
        }
    form = forms.RecommendationForm(data=data)
    form.set_area_choices([(a.id, f"{a.code}: {a.title}") for a in inspection.areas])
    return form


@bp.route(
    "/inspections/<int:inspection_id>/recommendations/new", methods=["GET", "POST"]
)
@requires(Permission.MANAGE_FRAMEWORK)
@writes
def new_recommendation(inspection_id: int) -> Any:
    inspection = get_session().get(Inspection, inspection_id)
    if inspection is None:
        raise NotFound("There is no such inspection")
    form = _recommendation_form(inspection, None)
    outcome = save_form(
        form,
        lambda: service.create_recommendation(
            get_session(),
            current_user._get_current_object(),
            inspection,
            code=form.code.data or "",
            text=form.text.data or "",
            addressed_to=form.addressed_to.data or "",
            area_ids=form.area_values(),
            is_placeholder=bool(form.is_placeholder.data),
        ),
    )
    if outcome.saved and outcome.value is not None:
        flash(f"Recommendation {outcome.value.code} added.", "success")
        return redirect(url_for("framework.index", _anchor=f"rec-{outcome.value.id}"))
    return (
        render_template(
            "framework/edit_recommendation.html",
            inspection=inspection,
            rec=None,
            form=form,
        ),
        outcome.status,
    )


@bp.route("/recommendations/<int:recommendation_id>/edit", methods=["GET", "POST"])
@requires(Permission.MANAGE_FRAMEWORK)
@writes
def edit_recommendation(recommendation_id: int) -> Any:
    rec = service.get_recommendation(get_session(), recommendation_id)
    form = _recommendation_form(rec.inspection, rec)
    outcome = save_form(
        form,
        lambda: service.update_recommendation(
            get_session(),
            current_user._get_current_object(),
            rec,
            code=form.code.data or "",
            text=form.text.data or "",
            addressed_to=form.addressed_to.data or "",
            area_ids=form.area_values(),
            is_placeholder=bool(form.is_placeholder.data),
        ),
    )
    if outcome.saved:
        flash(f"Recommendation {rec.code} saved.", "success")
        return redirect(url_for("framework.index", _anchor=f"rec-{rec.id}"))
    return (
        render_template(
            "framework/edit_recommendation.html",
            inspection=rec.inspection,
            rec=rec,
            form=form,
            reinstate=forms.ReinstateForm(),
        ),
        outcome.status,
    )


@bp.route("/recommendations/<int:recommendation_id>/retire", methods=["GET", "POST"])
@requires(Permission.MANAGE_FRAMEWORK)
@writes
def retire_recommendation(recommendation_id: int) -> Any:
    rec = service.get_recommendation(get_session(), recommendation_id)
    form = forms.RetireForm()
    outcome = save_form(
        form,
        lambda: service.set_retired(
            get_session(),
            current_user._get_current_object(),
            rec,
            retired=True,
            reason=form.reason.data or "",
        ),
    )
    if outcome.saved:
        flash(f"Recommendation {rec.code} retired. Its links are kept.", "success")
        return redirect(url_for("framework.index", _anchor=f"rec-{rec.id}"))
    return (
        render_template("framework/retire_recommendation.html", rec=rec, form=form),
        outcome.status,
    )


@bp.route("/recommendations/<int:recommendation_id>/reinstate", methods=["POST"])
@requires(Permission.MANAGE_FRAMEWORK)
@writes
def reinstate_recommendation(recommendation_id: int) -> Any:
    session = get_session()
    rec = service.get_recommendation(session, recommendation_id)
    if forms.ReinstateForm().validate_on_submit():
        service.set_retired(
            session, current_user._get_current_object(), rec, retired=False
        )
        flash(f"Recommendation {rec.code} reinstated.", "success")
    return redirect(url_for("framework.index", _anchor=f"rec-{rec.id}"))
