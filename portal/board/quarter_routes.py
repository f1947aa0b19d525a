"""Frozen quarters: freezing one, its print-ready page and its Word board pack."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, url_for

from portal import documents
from portal.access import Permission, requires
from portal.board import changes, forms, pack, service
from portal.board.quarters import Quarter
from portal.board.routes import actor, bp, matrix
from portal.db import get_session
from portal.downloads import attachment
from portal.formkit import choices, save_form
from portal.transaction import writes


def _quarters_page(form: forms.FreezeForm, status: int = 200) -> Any:
    db = get_session()
    return (
        render_template(
            "board/quarters.html",
            snapshots=list(reversed(service.snapshots(db))),
            form=form,
            quarter_label=lambda key: Quarter.parse(key).label,
        ),
        status,
    )


def _freeze_form() -> forms.FreezeForm:
    form = forms.FreezeForm()
    form.quarter.choices = choices(
        (q.key, q.label) for q in service.freezable(get_session())
    )
    return form


@bp.route("/quarters")
@requires(Permission.VIEW_BOARD)
def quarters() -> Any:
    return _quarters_page(_freeze_form())


@bp.route("/quarters/freeze", methods=["POST"])
@requires(Permission.FREEZE_QUARTER)
@writes
def freeze() -> Any:
    form = _freeze_form()
    outcome = save_form(
        form,
        lambda: service.freeze(
            get_session(), actor(), form.quarter.data or "", matrix()
        ),
    )
    if outcome.saved and outcome.value is not None:
        flash(f"{Quarter.parse(outcome.value.quarter).label} frozen.", "success")
        return redirect(url_for("board.quarter", snapshot_id=outcome.value.id))
    return _quarters_page(form, outcome.status)


def frozen_view(snapshot_id: int) -> dict[str, Any]:
    """A frozen quarter with what changed since the quarter frozen before it."""
    db = get_session()
    snapshot = service.get_snapshot(db, snapshot_id)
    history = service.history_up_to(db, snapshot)
    state = history[-1]
    previous = history[-2] if len(history) > 1 else None
    changed = changes.compare(previous, state)
    return {
        "snapshot": snapshot,
        "quarter": Quarter.parse(snapshot.quarter),
        "state": state,
        "overview": changes.overview(state),
        "changes": changed,
        "exceptions": changes.exceptions(state, changed),
        "trend": (trend := changes.trend(history)),
        "chart_rows": changes.trend_bars(trend),
    }


@bp.route("/quarters/<int:snapshot_id>")
@requires(Permission.VIEW_BOARD)
def quarter(snapshot_id: int) -> Any:
    return render_template("board/quarter.html", **frozen_view(snapshot_id))


@bp.route("/quarters/<int:snapshot_id>/pack")
@requires(Permission.VIEW_BOARD)
def quarter_pack(snapshot_id: int) -> Any:
    view = frozen_view(snapshot_id)
    config = current_app.config
    letterhead = documents.letterhead(
        config,
        f"Improvement plan: board pack, {view['quarter'].short}",
        "Progress on the improvement plan for the Health and Wellbeing Board",
    )
    body = pack.to_docx(view["state"], view["changes"], view["trend"], letterhead)
    return attachment(body, f"board-pack-{view['quarter'].key.lower()}", "docx")
