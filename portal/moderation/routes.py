"""The moderation queue, the item page (decisions and redaction) and bulk decisions."""

from __future__ import annotations

from typing import Any
from uuid import UUID

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
from sqlalchemy import select

from portal import privacy
from portal.access import Permission, can, requires
from portal.db import get_session
from portal.formkit import choices, db_id, rendered_once, save_form
from portal.models import (
    ANSWER_LABELS,
    Recommendation,
    Submission,
    SubmissionStatus,
    utcnow,
)
from portal.moderation import forms, redaction, service
from portal.moderation import queue as waiting
from portal.submissions import lifecycle
from portal.tagging.codebook import list_themes
from portal.tagging.forms import ids
from portal.transaction import writes

bp = Blueprint("moderation", __name__, url_prefix="/moderation")

STATUS_FILTERS = {
    SubmissionStatus.PENDING: "Waiting",
    SubmissionStatus.RETURNED: "Returned to author",
    SubmissionStatus.APPROVED: "Approved",
    SubmissionStatus.REJECTED: "Rejected",
    SubmissionStatus.DUPLICATE: "Duplicates",
}


def _moderator() -> Any:
    return current_user._get_current_object()


def _filters() -> waiting.QueueFilters:
    args = request.args
    status = args.get("status", SubmissionStatus.PENDING)
    if status not in STATUS_FILTERS:
        status = SubmissionStatus.PENDING
    flag = (
        args.get("flag")
        if args.get("flag") in ("personal_data", "facilitated")
        else None
    )
    return waiting.QueueFilters(
        status=status,
        round_id=args.get("round", type=db_id),
        area_id=args.get("area", type=db_id),
        flag=flag,
    )


@bp.route("")
@requires(Permission.MODERATE)
def queue() -> Any:
    filters = _filters()
    page = waiting.queue(
        get_session(), _moderator(), filters, request.args.get("after")
    )
    return render_template(
        "moderation/queue.html",
        page=page,
        filters=filters,
        choices=page.choices,
        status_filters=STATUS_FILTERS,
        bulk_fields=rendered_once("moderation.bulk", _blank_bulk_fields),
        held=page.held,
        item_path=_item_path(),
    )


def _item_path() -> str:
    """Where an item's page is, less its id: built once per page rather than
    once per row (url_for was a tenth of the queue's own rendering)."""
    some_item = url_for("moderation.item", item_id=UUID(int=0))
    return some_item.removesuffix(str(UUID(int=0)))


def _blank_bulk_fields() -> list[Any]:
    """The bulk decision's fields as the queue always shows them: empty (a bulk
    decision that fails goes back to the queue with a message, not its fields).
    The page adds the session's CSRF token itself."""
    form = forms.BulkForm(formdata=None, meta={"csrf": False})
    legend = {
        "text": "Decision for the selected items",
        "classes": "govuk-fieldset__legend--s",
    }
    return [
        form.decision(
            params={
                "classes": "govuk-radios--inline",
                "hint": None,
                "fieldset": {"legend": legend},
            }
        ),
        form.reason(),
        form.submit(params={"classes": "govuk-button--secondary"}),
    ]


@bp.route("/bulk", methods=["POST"])
@requires(Permission.MODERATE)
@writes
def bulk() -> Any:
    form = forms.BulkForm()
    outcome = save_form(
        form,
        lambda: service.decide_many(
            get_session(),
            _moderator(),
            [str(i) for i in form.item_ids.data or []],
            service.DecisionDetails(
                decision=service.Decision(form.decision.data or "approve"),
                reason=form.reason.data or None,
            ),
            utcnow(),
        ),
    )
    if outcome.saved and outcome.value is not None:
        # A page, not a flash: the items skipped are listed with links, and no
        # text of theirs goes into the session cookie.
        return render_template(
            "moderation/bulk.html",
            done=outcome.value,
            verb="approved" if form.decision.data == "approve" else "rejected",
            opening=_opening,
        )
    else:
        errors = [e for errs in form.errors.values() for e in errs] + form.form_errors
        flash("Nothing was changed. " + " ".join(str(e) for e in errors), "info")
    return redirect(url_for("moderation.queue"))


def _render_item(
    item: Submission,
    decision: forms.DecisionForm,
    redact: forms.RedactForm,
    status: int,
) -> Any:
    highlighted = redaction.highlighted_answers(item)
    return (
        render_template(
            "moderation/item.html",
            item=item,
            decision=decision,
            redact=redact,
            highlighted=highlighted,
            answer_labels=ANSWER_LABELS,
        ),
        status,
    )


def _opening(item: Submission) -> str:
    text = item.obstacles or item.biggest_difference or item.practice_example
    return text[:80] + ("…" if len(text) > 80 else "")


def _item_forms(item: Submission) -> tuple[forms.DecisionForm, forms.RedactForm]:
    decision = forms.DecisionForm(prefix="decide")
    if request.method == "GET":
        # Offer only the decisions that apply to this item as it stands. (A post
        # is checked against them all, so a decision overtaken by someone else's
        # is told so by the service rather than refused as "not a choice".)
        decision.decision.choices = choices(
            (d.value, label)
            for d, label in forms.DECISION_LABELS.items()
            if service.applies(item, d)
        )
    if not decision.seen_status.data:
        decision.seen_status.data = item.status
    if not decision.seen_version.data:
        decision.seen_version.data = lifecycle.version_of(item)
    if can(_moderator(), Permission.TAG):
        # Tag at approval time: recommendations and themes in use.
        decision.recommendation_ids.choices = choices(
            (str(r.id), f"{r.code}: {r.text}")
            for r in get_session().scalars(
                select(Recommendation)
                .where(Recommendation.retired_at.is_(None))
                .order_by(Recommendation.inspection_id, Recommendation.position)
            )
        )
        decision.theme_ids.choices = choices(
            (str(t.id), t.name)
            for t in list_themes(get_session(), include_retired=False)
        )
    candidates = service.duplicate_candidates(get_session(), _moderator(), item)
    decision.duplicate_of.choices = choices(
        [("", "Select the item it repeats")]
        + [(c.id, f"{c.submitted_on:%d %b}: {_opening(c)}") for c in candidates]
    )
    redact = forms.RedactForm(prefix="redact")
    flagged = redaction.flagged_spans(item)
    redact.spans.choices = choices(
        (
            f"{name}:{f.start}:{f.end}",
            f"{f.label}: “{getattr(item, name)[f.start : f.end]}” "
            f"in {ANSWER_LABELS[name].lower()}",
        )
        for name, findings in flagged.items()
        for f in findings
    )
    return decision, redact


@bp.route("/items/<uuid:item_id>", methods=["GET", "POST"])
@requires(Permission.MODERATE)
@writes
def item(item_id: Any) -> Any:
    found = service.visible_item(get_session(), _moderator(), str(item_id))
    decision, redact = _item_forms(found)
    outcome = save_form(
        decision,
        lambda: service.decide(
            get_session(),
            _moderator(),
            found,
            service.DecisionDetails(
                decision=service.Decision(decision.decision.data),
                reason=decision.reason.data or None,
                note=decision.note.data or "",
                duplicate_of=decision.duplicate_of.data or None,
                seen_status=decision.seen_status.data or None,
                seen_version=decision.seen_version.data or None,
                recommendation_ids=ids(decision.recommendation_ids.data),
                theme_ids=ids(decision.theme_ids.data),
                personal_data_reason=decision.personal_data_reason.data or None,
            ),
            utcnow(),
        ),
    )
    if outcome.saved:
        done = forms.DECISION_DONE[service.Decision(decision.decision.data)]
        flash(f"{done}.", "success")
        return redirect(url_for("moderation.queue"))
    return _render_item(found, decision, redact, outcome.status)


@bp.route("/items/<uuid:item_id>/redact", methods=["POST"])
@requires(Permission.MODERATE)
@writes
def redact(item_id: Any) -> Any:
    found = service.visible_item(get_session(), _moderator(), str(item_id))
    decision, form = _item_forms(found)
    outcome = save_form(
        form,
        lambda: redaction.redact(
            get_session(),
            _moderator(),
            found,
            redaction.Redaction(
                reason=form.reason.data or "",
                spans=form.span_values(),
                text_field=form.text_field.data or "",
                text=form.text.data or "",
            ),
            privacy.PrivacySettings.from_config(current_app.config),
        ),
    )
    if outcome.saved:
        flash(
            f"Redacted {outcome.value} characters. The original text is gone.",
            "success",
        )
        return redirect(url_for("moderation.item", item_id=found.id))
    return _render_item(found, decision, form, outcome.status)
