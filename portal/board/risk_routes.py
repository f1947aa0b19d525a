"""The risk register and requests for detailed reports."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from portal.access import Permission, requires
from portal.board import forms, requests, risks
from portal.board.routes import (
    actor,
    bp,
    confirmed,
    find_recommendation,
    matrix,
    settings,
)
from portal.db import get_session
from portal.formkit import choices, db_id, save_form
from portal.models import PlanAction, Recommendation, Risk
from portal.transaction import writes


@bp.route("/risks")
@requires(Permission.VIEW_BOARD)
def risk_register() -> Any:
    found = risks.open_risks(get_session())
    return render_template(
        "board/risks.html",
        risks=found,
        matrix=matrix(),
        counts=risks.matrix_counts(found),
        overdue={r.id for r in found if risks.review_overdue(r)},
    )


@bp.route("/risks/<int:risk_id>")
@requires(Permission.VIEW_BOARD)
def risk(risk_id: int) -> Any:
    found = risks.get(get_session(), risk_id)
    return render_template(
        "board/risk.html",
        risk=found,
        matrix=matrix(),
        overdue=risks.review_overdue(found),
        requests=[
            r for r in requests.all_requests(get_session()) if r.risk_id == risk_id
        ],
    )


def _risk_form(found: Risk | None) -> forms.RiskForm:
    data = None
    if request.method == "GET" and found is not None:
        data = {
            name: getattr(found, name)
            for name in ("title", "owner", "review_on", *risks.TEXTS)
        }
        for which in risks.SCORES:
            for axis in ("likelihood", "impact"):
                data[f"{which}_{axis}"] = str(getattr(found, f"{which}_{axis}"))
        data["recommendation_ids"] = [str(r.id) for r in found.recommendations]
        data["action_ids"] = [str(a.id) for a in found.actions]
    form = forms.RiskForm(data=data)
    levels = matrix()
    form.set_levels(levels.likelihood, levels.impact)
    db = get_session()
    form.recommendation_ids.choices = choices(
        (str(r.id), f"{r.code}: {r.text[:90]}")
        for r in db.scalars(
            select(Recommendation)
            .where(Recommendation.retired_at.is_(None))
            .order_by(Recommendation.inspection_id, Recommendation.position)
        )
    )
    form.action_ids.choices = choices(
        (str(a.id), f"{a.recommendation.code}: {a.action[:90]}")
        for a in db.scalars(select(PlanAction).order_by(PlanAction.id))
    )
    return form


def _score(form: forms.RiskForm, which: str) -> tuple[int | None, int | None]:
    return (
        db_id(getattr(form, f"{which}_likelihood").data),
        db_id(getattr(form, f"{which}_impact").data),
    )


def _edit(found: Risk | None) -> Any:
    form = _risk_form(found)
    outcome = save_form(
        form,
        lambda: risks.save_risk(
            get_session(),
            actor(),
            risks.RiskDetails(
                title=form.title.data or "",
                owner=form.owner.data or "",
                texts={name: getattr(form, name).data or "" for name in risks.TEXTS},
                scores={which: _score(form, which) for which in risks.SCORES},
                review_on=form.review_on.data,
                rationale=form.rationale.data or "",
                recommendation_ids=[
                    i for i in map(db_id, form.recommendation_ids.data or []) if i
                ],
                action_ids=[i for i in map(db_id, form.action_ids.data or []) if i],
            ),
            found,
            settings=settings(),
            confirmed=confirmed(),
        ),
    )
    if outcome.saved and outcome.value is not None:
        flash("Risk saved.", "success")
        return redirect(url_for("board.risk", risk_id=outcome.value.id))
    return (
        render_template(
            "board/risk_form.html", risk=found, form=form, scores=risks.SCORES
        ),
        outcome.status,
    )


@bp.route("/risks/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_RISKS)
@writes
def new_risk() -> Any:
    return _edit(None)


@bp.route("/risks/<int:risk_id>/edit", methods=["GET", "POST"])
@requires(Permission.MANAGE_RISKS)
@writes
def edit_risk(risk_id: int) -> Any:
    return _edit(risks.get(get_session(), risk_id))


@bp.route("/risks/<int:risk_id>/close", methods=["GET", "POST"])
@requires(Permission.MANAGE_RISKS)
@writes
def close_risk(risk_id: int) -> Any:
    found = risks.get(get_session(), risk_id)
    form = forms.ReasonForm()
    outcome = save_form(
        form,
        lambda: risks.close_risk(
            get_session(),
            actor(),
            found,
            form.reason.data or "",
            settings=settings(),
            confirmed=confirmed(),
        ),
    )
    if outcome.saved:
        flash(f"Risk R{found.id} closed.", "success")
        return redirect(url_for("board.risk_register"))
    return (
        render_template("board/close_risk.html", risk=found, form=form),
        outcome.status,
    )


def _ask(subject: Recommendation | Risk, back: str) -> Any:
    form = forms.RequestForm()
    outcome = save_form(
        form,
        lambda: requests.ask(
            get_session(),
            actor(),
            subject,
            form.question.data or "",
            form.due_on.data,
            settings=settings(),
            confirmed=confirmed(),
        ),
    )
    if outcome.saved:
        flash("Report requested.", "success")
        return redirect(back)
    return (
        render_template("board/request.html", subject=subject, form=form, back=back),
        outcome.status,
    )


@bp.route("/recommendations/<int:recommendation_id>/requests", methods=["GET", "POST"])
@requires(Permission.REQUEST_REPORTS)
@writes
def request_for_recommendation(recommendation_id: int) -> Any:
    subject = find_recommendation(recommendation_id)
    return _ask(
        subject,
        url_for("board.recommendation", recommendation_id=subject.id) + "#requests",
    )


@bp.route("/risks/<int:risk_id>/requests", methods=["GET", "POST"])
@requires(Permission.REQUEST_REPORTS)
@writes
def request_for_risk(risk_id: int) -> Any:
    subject = risks.get(get_session(), risk_id)
    return _ask(subject, url_for("board.risk", risk_id=subject.id) + "#requests")


@bp.route("/requests")
@requires(Permission.VIEW_BOARD)
def report_requests() -> Any:
    return render_template(
        "board/requests.html",
        requests=requests.all_requests(get_session()),
        label=requests.subject_label,
    )


@bp.route("/requests/<int:request_id>/answer", methods=["GET", "POST"])
@requires(Permission.RECORD_PROGRESS)
@writes
def answer(request_id: int) -> Any:
    asked = requests.get(get_session(), request_id)
    form = forms.AnswerForm()
    outcome = save_form(
        form,
        lambda: requests.answer(
            get_session(),
            actor(),
            asked,
            form.answer.data or "",
            settings=settings(),
            confirmed=confirmed(),
        ),
    )
    if outcome.saved:
        flash("Report sent to the board.", "success")
        return redirect(url_for("board.report_requests"))
    return (
        render_template(
            "board/answer.html",
            asked=asked,
            subject=requests.subject_label(asked),
            form=form,
        ),
        outcome.status,
    )
