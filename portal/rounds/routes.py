"""Planners set up engagement rounds."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.access import Permission, requires
from portal.db import get_session
from portal.formkit import save_form
from portal.models import EngagementRound
from portal.rounds import forms, service
from portal.transaction import writes

bp = Blueprint("rounds", __name__, url_prefix="/rounds")


@bp.route("")
@requires(Permission.MANAGE_ROUNDS)
def index() -> Any:
    return render_template(
        "rounds/index.html", rounds=service.list_rounds(get_session())
    )


def _edit(existing: EngagementRound | None) -> Any:
    data = None
    if request.method == "GET" and existing is not None:
        data = {
            "title": existing.title,
            "purpose": existing.purpose,
            "status": existing.status,
            "area_ids": [str(a.id) for a in existing.areas],
            **forms.RoundForm.initial(existing.opens_at, existing.closes_at),
        }
    form = forms.RoundForm(data=data)
    form.set_area_choices(service.area_choices(get_session()))
    outcome = save_form(
        form,
        lambda: service.save_round(
            get_session(),
            current_user._get_current_object(),
            service.RoundDetails(
                title=form.title.data or "",
                purpose=form.purpose.data or "",
                opens_at=form.opens_at(),
                closes_at=form.closes_at(),
                status=form.status.data or "",
                area_ids=form.area_values(),
            ),
            existing,
        ),
    )
    if outcome.saved and outcome.value is not None:
        flash(f"“{outcome.value.title}” saved.", "success")
        return redirect(url_for("rounds.index"))
    return render_template("rounds/edit.html", form=form, item=existing), outcome.status


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_ROUNDS)
@writes
def new() -> Any:
    return _edit(None)


@bp.route("/<int:round_id>/edit", methods=["GET", "POST"])
@requires(Permission.MANAGE_ROUNDS)
@writes
def edit(round_id: int) -> Any:
    return _edit(service.get_round(get_session(), round_id))
