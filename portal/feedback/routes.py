"""The social worker's side: open rounds, the feedback form, "My input", receipts and
drafts. No URL, redirect or log line carries the id of anonymous input."""

from __future__ import annotations

import time
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user

from portal import privacy
from portal.access import Permission, requires
from portal.accounts import teams as reference
from portal.accounts.sessions import seconds_left
from portal.db import get_session
from portal.errors import (
    DomainError,
    NotFound,
    recover_form,
    words_to_give_back,
)
from portal.feedback import changes, drafts, forms, notice, receipts, service
from portal.formkit import attach_error, save_form
from portal.models import EngagementRound, Submission, utcnow
from portal.rounds.service import get_round, open_rounds
from portal.timefmt import local_datetime
from portal.transaction import savepoint, writes

bp = Blueprint("feedback", __name__, url_prefix="/feedback")

_THANKS = "feedback_thanks"
ALREADY_SENT = (
    "You already sent this input, with the same words, on this area. Send it "
    "again? It would be stored twice."
)


def _settings() -> privacy.PrivacySettings:
    return privacy.PrivacySettings.from_config(current_app.config)


def _actor() -> Any:
    return current_user._get_current_object()


@bp.route("")
@requires(Permission.SUBMIT_FEEDBACK)
def index() -> Any:
    rounds = open_rounds(get_session(), utcnow())
    return render_template("feedback/index.html", rounds=rounds)


@bp.route("/rounds/<int:round_id>")
@requires(Permission.SUBMIT_FEEDBACK)
def round_page(round_id: int) -> Any:
    item = get_round(get_session(), round_id)
    if item.status == "draft":
        raise NotFound("There is no such engagement round")
    mine = {
        s.area_id
        for s in changes.list_mine(get_session(), _actor())
        if s.round_id == item.id
    }
    return render_template(
        "feedback/round.html", item=item, open=item.accepts_input(utcnow()), mine=mine
    )


def _form(
    form_class: type[forms.FeedbackForm] = forms.FeedbackForm,
) -> forms.FeedbackForm:
    form = form_class()
    db = get_session()
    form.set_context_choices(
        [(t.id, t.name) for t in reference.list_teams(db, include_retired=False)],
        [(g.id, g.name) for g in reference.list_role_groups(db, include_retired=False)],
    )
    return form


def _render_give(
    form: forms.FeedbackForm,
    item: EngagementRound,
    area: Any,
    *,
    status: int = 200,
    report: privacy.Report | None = None,
    message: str | None = None,
    editing: Submission | None = None,
    restored_at: str | None = None,
    already_sent: bool = False,
) -> Any:
    form.ensure_token()
    # Findings are positions in the cleaned text, so highlight that.
    highlighted = privacy.highlight(report, form.answers().cleaned().texts())
    return (
        render_template(
            "feedback/give.html",
            form=form,
            item=item,
            area=area,
            report=report,
            highlighted=highlighted,
            message=message,
            editing=editing,
            restored_at=restored_at,
            already_sent=already_sent,
            notice=notice.current(get_session()),
        ),
        status,
    )


@bp.route("/rounds/<int:round_id>/areas/<int:area_id>", methods=["GET", "POST"])
@requires(Permission.SUBMIT_FEEDBACK)
@writes
def give(round_id: int, area_id: int) -> Any:
    try:
        item, area = service.round_and_area(get_session(), round_id, area_id, utcnow())
    except service.RoundClosed as closed:
        return _closed(closed.message)
    form = _form()
    if request.method == "GET":
        draft = drafts.load_draft(get_session(), _actor(), item.id, area.id)
        if draft is not None:
            # Drafts exist only for named input, so "Give my name" was chosen.
            form.process(data={**draft.answers, "mode": "named"})
            return _render_give(
                form, item, area, restored_at=local_datetime(draft.updated_at)
            )
        return _render_give(form, item, area)
    if not form.validate_on_submit():
        return _render_give(form, item, area, status=400)
    try:
        outcome = savepoint(
            lambda: service.submit(
                get_session(),
                _actor(),
                item=item,
                area=area,
                anonymous=form.anonymous,
                answers=form.answers(),
                context=form.context(),
                form_token=form.form_token.data or "",
                secret=current_app.config["SECRET_KEY"],
                settings=_settings(),
                confirmed=request.form.get("action") == "submit_anyway",
                now=utcnow(),
                send_again=request.form.get("action") == "send_again",
            )
        )
    except service.NeedsConfirmation as needs:
        return _render_give(form, item, area, report=needs.report)
    except service.AlreadySent:
        return _render_give(form, item, area, message=ALREADY_SENT, already_sent=True)
    except DomainError as error:
        attach_error(form, error)
        return _render_give(form, item, area, status=error.status)
    # The confirmation page is reached by a redirect that names no item. The
    # cookie carries only a random one-time token; the receipt waits server-side
    # in a row that names nobody and is deleted when shown.
    session[_THANKS] = receipts.hand_over(
        get_session(), outcome.kind, outcome.receipt, utcnow().date()
    )
    return redirect(url_for("feedback.thank_you"))


def _show_errors_but_csrf(form: forms.FeedbackForm) -> None:
    form.validate()  # show length errors too; a CSRF error itself is dropped
    if hasattr(form, "csrf_token"):
        form.csrf_token.errors = []


def _recover_give(message: str) -> Any:
    """Nothing could be saved (an expired form, a locked database) while signed in:
    show the form again, filled in, unsaved."""
    args = request.view_args or {}
    try:
        item, area = service.round_and_area(
            get_session(), args["round_id"], args["area_id"], utcnow()
        )
    except service.RoundClosed as closed:
        return _closed(closed.message)
    form = _form()
    _show_errors_but_csrf(form)
    return _render_give(form, item, area, status=400, message=message)


def _recover_edit(message: str) -> Any:
    args = request.view_args or {}
    own = changes.own_submission(get_session(), _actor(), str(args["submission_id"]))
    form = _form()
    _show_errors_but_csrf(form)
    return _render_give(
        form, own.round, own.area, status=400, message=message, editing=own
    )


recover_form("feedback.give", _recover_give)
recover_form("feedback.edit", _recover_edit)


def _closed(message: str) -> Any:
    return (
        render_template(
            "feedback/closed.html", message=message, fields=words_to_give_back()
        ),
        409,
    )


@bp.route("/thank-you")
@requires(Permission.SUBMIT_FEEDBACK)
@writes(on_get=True)  # consumes the one-time hand-off
def thank_you() -> Any:
    thanks = receipts.collect(get_session(), session.pop(_THANKS, None))
    return render_template(
        "feedback/thank_you.html",
        thanks=thanks,
        notice=notice.current(get_session()),
    )


@bp.route("/mine")
@requires(Permission.SUBMIT_FEEDBACK)
def mine() -> Any:
    items, outcomes = changes.mine_with_outcomes(
        get_session(), _actor(), current_app.config["SUPPRESS_COUNT_MINIMUM"]
    )
    return render_template(
        "feedback/mine.html",
        items=items,
        outcomes=outcomes,
        withdraw=forms.WithdrawForm(),
    )


@bp.route("/mine/<uuid:submission_id>/edit", methods=["GET", "POST"])
@requires(Permission.SUBMIT_FEEDBACK)
@writes
def edit(submission_id: Any) -> Any:
    db = get_session()
    own = changes.own_submission(db, _actor(), str(submission_id))
    form = _form()
    if request.method == "GET":
        form.process(
            obj=own,
            data={
                "priority": str(own.priority or ""),
                "team_id": str(own.team_id or ""),
                "role_group_id": str(own.role_group_id or ""),
            },
        )
        return _render_give(form, own.round, own.area, editing=own)
    if not form.validate_on_submit():
        return _render_give(form, own.round, own.area, status=400, editing=own)
    try:
        savepoint(
            lambda: changes.edit(
                get_session(),
                _actor(),
                own,
                answers=form.answers(),
                context=form.context(),
                settings=_settings(),
                confirmed=request.form.get("action") == "submit_anyway",
                now=utcnow(),
            )
        )
    except service.NeedsConfirmation as needs:
        return _render_give(form, own.round, own.area, report=needs.report, editing=own)
    except DomainError as error:
        attach_error(form, error)
        return _render_give(form, own.round, own.area, status=error.status, editing=own)
    flash("Your changes have been saved.", "success")
    return redirect(url_for("feedback.mine"))


@bp.route("/mine/<uuid:submission_id>/withdraw", methods=["POST"])
@requires(Permission.SUBMIT_FEEDBACK)
@writes
def withdraw(submission_id: Any) -> Any:
    db = get_session()
    own = changes.own_submission(db, _actor(), str(submission_id))
    form = forms.WithdrawForm()
    if not form.validate_on_submit():
        return redirect(url_for("feedback.mine"))
    if not form.is_confirmed:
        action = url_for("feedback.withdraw", submission_id=own.id)
        back = url_for("feedback.mine")
        return _withdraw_check(form, action, back=back, title=own.area.title)
    changes.withdraw(db, _actor(), own, utcnow().date())
    flash("Your input has been withdrawn. It will not be used.", "success")
    return redirect(url_for("feedback.mine"))


def _withdraw_check(
    form: forms.WithdrawForm, action: str, back: str, title: str
) -> Any:
    """Withdrawing cannot be undone: say what happens, and ask once more."""
    form.confirmed.data = "yes"
    return render_template(
        "feedback/withdraw_check.html", form=form, action=action, back=back, title=title
    )


@bp.route("/receipt", methods=["GET", "POST"])
@requires(Permission.SUBMIT_FEEDBACK)
def receipt() -> Any:
    form = forms.ReceiptForm()
    found = None
    status = 200
    if form.validate_on_submit():
        try:
            found = receipts.receipt_status(
                get_session(),
                form.code.data or "",
                current_app.config["SUPPRESS_COUNT_MINIMUM"],
            )
        except DomainError as error:
            attach_error(form, error)
            status = 404
    elif form.is_submitted():
        status = 400
    withdraw_form = forms.WithdrawForm(code=form.code.data)
    return (
        render_template(
            "feedback/receipt.html", form=form, found=found, withdraw=withdraw_form
        ),
        status,
    )


@bp.route("/receipt/withdraw", methods=["POST"])
@requires(Permission.SUBMIT_FEEDBACK)
@writes
def withdraw_by_receipt() -> Any:
    form = forms.WithdrawForm()
    if not form.validate_on_submit():
        return redirect(url_for("feedback.receipt"))
    if not form.is_confirmed:
        action, back = (
            url_for("feedback.withdraw_by_receipt"),
            url_for("feedback.receipt"),
        )
        return _withdraw_check(form, action, back=back, title="your anonymous input")
    db = get_session()
    changes.withdraw_by_receipt(db, form.code.data or "", utcnow().date())
    return render_template("feedback/withdrawn.html")


@bp.route("/rounds/<int:round_id>/areas/<int:area_id>/draft", methods=["POST"])
@requires(Permission.SUBMIT_FEEDBACK)
@writes
def save_draft(round_id: int, area_id: int) -> Any:
    """Autosave (from static/autosave.js, with the CSRF header). Named input only,
    and only once "Give my name" is chosen: anything else saves nothing and
    deletes a draft already saved."""
    db = get_session()
    item, area = service.round_and_area(db, round_id, area_id, utcnow())
    data = request.get_json(silent=True) or request.form.to_dict()
    if data.get("mode") != "named":
        drafts.discard_draft(db, _actor(), item.id, area.id)
        return jsonify(saved=False, seconds_left=seconds_left(time.time()))
    draft = drafts.save_draft(db, _actor(), item, area, data)
    return jsonify(
        saved=True,
        at=local_datetime(draft.updated_at),
        seconds_left=seconds_left(time.time()),
    )


@bp.route("/notice", methods=["GET", "POST"])
@requires(Permission.MANAGE_REFERENCE_DATA)
@writes
def edit_notice() -> Any:
    current = notice.current(get_session())
    form = forms.NoticeForm(data={"text": current} if request.method == "GET" else None)
    outcome = save_form(
        form, lambda: notice.change(get_session(), _actor(), form.text.data or "")
    )
    if outcome.saved:
        flash("The notice has been saved.", "success")
        return redirect(url_for("feedback.edit_notice"))
    return render_template("feedback/notice.html", form=form), outcome.status
