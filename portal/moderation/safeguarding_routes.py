"""The safeguarding lead's queue and the action taken on each item."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.access import Permission, requires
from portal.db import get_session
from portal.formkit import save_form
from portal.models import ANSWER_LABELS, utcnow
from portal.moderation import forms, redaction, safeguarding
from portal.submissions import release
from portal.transaction import writes

bp = Blueprint("safeguarding", __name__, url_prefix="/safeguarding")


@bp.route("")
@requires(Permission.REVIEW_SAFEGUARDING)
def queue() -> Any:
    items = safeguarding.review_queue(get_session())
    return render_template(
        "safeguarding/queue.html",
        items=items,
        actions=safeguarding.ACTIONS,
        held=release.held_safeguarding(get_session()),
        answer_labels=ANSWER_LABELS,
    )


@bp.route("/items/<uuid:item_id>", methods=["GET", "POST"])
@requires(Permission.REVIEW_SAFEGUARDING)
@writes
def item(item_id: Any) -> Any:
    found = safeguarding.get_item(get_session(), str(item_id))
    form = forms.SafeguardingForm(
        data={"action": found.safeguarding_action, "note": found.safeguarding_note}
        if request.method == "GET"
        else None
    )
    outcome = save_form(
        form,
        lambda: safeguarding.record_action(
            get_session(),
            current_user._get_current_object(),
            found,
            form.action.data or "",
            form.note.data or "",
            utcnow(),
        ),
    )
    if outcome.saved:
        flash(
            "Sent to moderation: it is not a safeguarding concern."
            if form.action.data == safeguarding.NOT_A_CONCERN
            else "The action has been recorded.",
            "success",
        )
        return redirect(url_for("safeguarding.queue"))
    highlighted = redaction.highlighted_answers(found)
    return (
        render_template(
            "safeguarding/item.html",
            item=found,
            form=form,
            highlighted=highlighted,
            answer_labels=ANSWER_LABELS,
            actions=safeguarding.ACTIONS,
        ),
        outcome.status,
    )
