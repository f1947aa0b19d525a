"""The board's pages: the plan at a glance (exceptions first), each
recommendation with its actions, evidence and sign-offs, quarterly updates and
evidence uploads. Risks and report requests are in risk_routes.py; frozen
quarters and the board pack in quarter_routes.py."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from portal import privacy
from portal.access import Permission, requires
from portal.board import changes, evidence, forms, progress, risks, service, signoff
from portal.board.quarters import today
from portal.db import get_session
from portal.errors import NotFound
from portal.formkit import choices, db_id, save_form
from portal.models import EvidenceKind, Recommendation, RoundStatus
from portal.plan.service import actions_for, get_action
from portal.rounds.service import list_rounds
from portal.transaction import prepared, writes
from portal.uploads import accepts_files

bp = Blueprint("board", __name__, url_prefix="/board")


@bp.context_processor
def _today() -> dict[str, Any]:
    # What "overdue" is judged against on every board page.
    return {"today": today()}


def settings() -> privacy.PrivacySettings:
    return privacy.PrivacySettings.from_config(current_app.config)


def confirmed() -> bool:
    return request.form.get("action") == privacy.SAVE_ANYWAY


def matrix() -> risks.Matrix:
    return risks.Matrix.from_config(current_app.config)


def actor() -> Any:
    return current_user._get_current_object()


def live_view() -> dict[str, Any]:
    """Today's state with what changed since the latest frozen quarter."""
    db = get_session()
    state = service.current_state(db, matrix())
    frozen = service.snapshots(db)
    previous = service.content_of(frozen[-1]) if frozen else None
    changed = changes.compare(previous, state)
    return {
        "state": state,
        "overview": changes.overview(state),
        "changes": changed,
        "exceptions": changes.exceptions(state, changed),
        "trend": (trend := changes.trend(service.history_up_to(db, None))),
        "chart_rows": changes.trend_bars(trend),
    }


@bp.route("")
@requires(Permission.VIEW_BOARD)
def index() -> Any:
    return render_template("board/index.html", **live_view())


def find_recommendation(recommendation_id: int) -> Recommendation:
    found = get_session().get(Recommendation, recommendation_id)
    if found is None or found.retired_at is not None:
        raise NotFound("There is no such recommendation")
    return found


@bp.route("/recommendations/<int:recommendation_id>")
@requires(Permission.VIEW_BOARD)
def recommendation(recommendation_id: int) -> Any:
    return render_template(
        "board/recommendation.html",
        **service.recommendation_view(
            get_session(), matrix(), find_recommendation(recommendation_id)
        ),
    )


@bp.route("/actions/<int:action_id>/update", methods=["GET", "POST"])
@requires(Permission.RECORD_PROGRESS)
@writes
def update(action_id: int) -> Any:
    db = get_session()
    action = get_action(db, action_id)
    data = None
    if request.method == "GET":
        data = {"status": action.status, "percent_complete": action.percent_complete}
    form = forms.UpdateForm(data=data)
    outcome = save_form(
        form,
        lambda: progress.record_update(
            db,
            actor(),
            action,
            progress.UpdateDetails(
                status=form.status.data or "",
                percent_complete=form.percent_complete.data,
                rag_choice=form.rag_choice.data or "",
                reason=form.reason.data or "",
                commentary=form.commentary.data or "",
                remedial_step=form.remedial_step.data or "",
            ),
            settings=settings(),
            confirmed=confirmed(),
        ),
    )
    if outcome.saved:
        flash("Quarterly update recorded.", "success")
        return redirect(
            url_for(
                "board.recommendation",
                recommendation_id=action.recommendation_id,
                _anchor=f"action-{action.id}",
            )
        )
    return (
        render_template(
            "board/update.html",
            action=action,
            form=form,
            guide=progress.guide(
                action, form.percent_complete.data, form.status.data or None
            ),
            history=progress.history(db, action.id),
        ),
        outcome.status,
    )


def _read_upload(**_: Any) -> evidence.Upload | None:
    """Read the file once, before the transaction: a retried transaction must not
    find the stream already consumed."""
    part = request.files.get("file")
    if part is None or not part.filename:
        return None
    return evidence.Upload(part.filename, part.mimetype, part.read())


@bp.route(
    "/recommendations/<int:recommendation_id>/evidence/new", methods=["GET", "POST"]
)
@requires(Permission.RECORD_PROGRESS)
@accepts_files
@writes(prepare=_read_upload)
def add_evidence(recommendation_id: int) -> Any:
    db = get_session()
    rec = find_recommendation(recommendation_id)
    form = forms.EvidenceForm()
    form.action_id.choices = choices(
        [("", "None")] + [(str(a.id), a.action[:80]) for a in actions_for(db, rec.id)]
    )
    form.round_id.choices = choices(
        [("", "None")]
        + [
            (str(r.id), r.title)
            for r in list_rounds(db)
            if r.status != RoundStatus.DRAFT
        ]
    )
    outcome = save_form(
        form,
        lambda: evidence.add_evidence(
            db,
            actor(),
            rec,
            evidence.EvidenceDetails(
                kind=form.kind.data or "",
                title=form.title.data or "",
                description=form.description.data or "",
                link=form.link.data or "",
                effective_on=form.effective_on.data,
                action_id=db_id(form.action_id.data),
                round_id=db_id(form.round_id.data),
            ),
            prepared(),
            storage=evidence.Storage.from_config(
                current_app.instance_path, current_app.config
            ),
            settings=settings(),
            confirmed=confirmed(),
        ),
    )
    if outcome.saved:
        flash("Evidence added.", "success")
        return redirect(
            url_for(
                "board.recommendation", recommendation_id=rec.id, _anchor="evidence"
            )
        )
    return (
        render_template(
            "board/evidence.html",
            rec=rec,
            form=form,
            had_file=prepared() is not None,
            kinds=EvidenceKind,
        ),
        outcome.status,
    )


@bp.route("/evidence/<int:evidence_id>/file")
@requires(Permission.VIEW_BOARD)
def evidence_file(evidence_id: int) -> Response:
    item, path = evidence.get_file(
        get_session(), evidence_id, current_app.instance_path
    )
    # Read whole (files are at most EVIDENCE_MAX_BYTES): no file handle outlives
    # the request. Always an attachment under our own name, never cached.
    return Response(
        path.read_bytes(),
        content_type=item.content_type or "application/octet-stream",
        headers={
            "Content-Disposition": (
                f'attachment; filename="{evidence.download_name(item)}"'
            ),
            "Cache-Control": "no-store",
        },
    )


@bp.route(
    "/recommendations/<int:recommendation_id>/sign-off/<int:phase>",
    methods=["GET", "POST"],
)
@requires(Permission.SIGN_OFF)
@writes
def sign_off(recommendation_id: int, phase: int) -> Any:
    db = get_session()
    rec = find_recommendation(recommendation_id)
    if phase not in signoff.PHASES:
        raise NotFound("There is no such phase")
    form = forms.SignOffForm()
    items = evidence.for_recommendation(db, rec.id)
    form.evidence_ids.choices = choices(
        (
            str(e.id),
            f"{e.title} ({EvidenceKind(e.kind).label}, {e.effective_on:%-d %B %Y})",
        )
        for e in items
    )
    outcome = save_form(
        form,
        lambda: signoff.sign_off(
            db,
            actor(),
            rec,
            phase,
            signoff.SignOffDetails(
                reason=form.reason.data or "",
                evidence_ids=[i for i in map(db_id, form.evidence_ids.data or []) if i],
                practice_checked_by=form.practice_checked_by.data or "",
                practice_checked_on=form.practice_checked_on.data,
                practice_check=form.practice_check.data or "",
            ),
            settings=settings(),
            confirmed=confirmed(),
        ),
    )
    if outcome.saved:
        flash(f"{signoff.PHASES[phase]}: signed off for {rec.code}.", "success")
        return redirect(
            url_for(
                "board.recommendation", recommendation_id=rec.id, _anchor="sign-off"
            )
        )
    return (
        render_template(
            "board/sign_off.html",
            rec=rec,
            phase=phase,
            phase_label=signoff.PHASES[phase],
            form=form,
            standing=signoff.standing(db, rec.id),
        ),
        outcome.status,
    )


@bp.route("/sign-offs/<int:sign_off_id>/withdraw", methods=["GET", "POST"])
@requires(Permission.SIGN_OFF)
@writes
def withdraw(sign_off_id: int) -> Any:
    db = get_session()
    given = signoff.get(db, sign_off_id)
    form = forms.ReasonForm()
    outcome = save_form(
        form,
        lambda: signoff.withdraw(
            db,
            actor(),
            given,
            form.reason.data or "",
            settings=settings(),
            confirmed=confirmed(),
        ),
    )
    if outcome.saved:
        flash(f"{signoff.PHASES[given.phase]}: sign-off withdrawn.", "success")
        return redirect(
            url_for(
                "board.recommendation",
                recommendation_id=given.recommendation_id,
                _anchor="sign-off",
            )
        )
    return (
        render_template(
            "board/withdraw.html",
            given=given,
            phase_label=signoff.PHASES[given.phase],
            form=form,
        ),
        outcome.status,
    )
