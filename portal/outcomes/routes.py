"""Closing the loop: "You said, we did" for all staff, a plan action as staff see
it, publishing (planners), the Word briefing, and the digest choice."""

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

from portal import documents
from portal.access import Permission, requires
from portal.board import service as board_service
from portal.board.quarters import Quarter
from portal.db import get_session
from portal.downloads import attachment
from portal.errors import DomainError
from portal.formkit import save_form
from portal.outcomes import briefing, digest, forms, publication, service
from portal.transaction import writes

bp = Blueprint("outcomes", __name__)


def _minimum() -> int:
    return int(current_app.config["SUPPRESS_COUNT_MINIMUM"])


def _page(found: Any, status: int = 200) -> Any:
    db = get_session()
    return (
        render_template(
            "outcomes/you_said.html",
            publication=found,
            content=board_service.content_of(found) if found else None,
            earlier=publication.publications(db),
            quarter_label=lambda key: Quarter.parse(key).label,
        ),
        status,
    )


@bp.route("/you-said")
@requires(Permission.USE_PORTAL)
def you_said() -> Any:
    published = publication.publications(get_session())
    return _page(published[0] if published else None)


@bp.route("/you-said/<int:publication_id>")
@requires(Permission.USE_PORTAL)
def published(publication_id: int) -> Any:
    return _page(publication.get(get_session(), publication_id))


@bp.route("/you-said/<int:publication_id>/briefing")
@requires(Permission.EXPORT)
def briefing_docx(publication_id: int) -> Any:
    found = publication.get(get_session(), publication_id)
    label = Quarter.parse(found.quarter).short
    letterhead = documents.letterhead(
        current_app.config,
        f"You said, we did: {label}",
        "What staff said about the improvement plan, and what it does about it",
    )
    body = briefing.to_docx(board_service.content_of(found), letterhead)
    return attachment(body, f"you-said-we-did-{found.quarter.lower()}", "docx")


@bp.route("/you-said/publish", methods=["GET", "POST"])
@requires(Permission.MANAGE_PLAN)
@writes
def publish() -> Any:
    db = get_session()
    data = None
    if request.method == "GET":
        data = {"next_update_on": publication.default_next_update()}
    form = forms.PublishForm(data=data)
    outcome = save_form(
        form,
        lambda: publication.publish(
            db, current_user._get_current_object(), form.next_update_on.data,
            _minimum(),
        ),
    )  # fmt: skip
    if outcome.saved and outcome.value is not None:
        flash("Published to all staff.", "success")
        return redirect(url_for("outcomes.published", publication_id=outcome.value.id))
    preview, problem = None, None
    try:
        preview = publication.build(db, _minimum())
    except DomainError as error:
        problem = error.message
    return (
        render_template(
            "outcomes/publish.html",
            form=form,
            preview=preview,
            problem=problem,
            quarter_label=lambda key: Quarter.parse(key).label,
        ),
        outcome.status,
    )


@bp.route("/you-said/actions/<int:action_id>")
@requires(Permission.USE_PORTAL)
def action(action_id: int) -> Any:
    return render_template(
        "outcomes/action.html",
        action=service.staff_action(get_session(), action_id, _minimum()),
        minimum=_minimum(),
    )


@bp.route("/account/digest", methods=["GET", "POST"])
@requires(Permission.USE_PORTAL)
@writes
def digest_choice() -> Any:
    me = current_user._get_current_object()
    form = forms.DigestForm(data={"opt_in": me.digest_opt_in} if request.method ==
                            "GET" else None)  # fmt: skip
    outcome = save_form(
        form, lambda: digest.set_choice(get_session(), me, bool(form.opt_in.data))
    )
    if outcome.saved:
        flash(
            "You will get the quarterly digest." if form.opt_in.data
            else "You will not get the quarterly digest.", "success",
        )  # fmt: skip
        return redirect(url_for("outcomes.digest_choice"))
    return render_template("outcomes/digest.html", form=form), outcome.status
