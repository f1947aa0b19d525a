"""Themed summaries on screen, by recommendation, theme or area, for chosen rounds."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from portal import documents, privacy
from portal.access import Permission, can, requires
from portal.db import get_session, read_session
from portal.downloads import attachment
from portal.errors import NotFound
from portal.formkit import choices, db_id, save_form
from portal.rounds.service import list_rounds
from portal.submissions import phrases
from portal.summaries import export_sheet, exports, forms, pack, service
from portal.transaction import writes

PREVIEW = "preview"

bp = Blueprint("summaries", __name__, url_prefix="/summaries")


def _round_ids() -> list[int]:
    return [i for r in request.args.getlist("round") if (i := db_id(r)) is not None]


@bp.route("")
@requires(Permission.VIEW_SUMMARIES)
def index() -> Any:
    round_ids = _round_ids()
    db = get_session()
    return render_template(
        "summaries/index.html",
        overview=service.overview(db, round_ids),
        rounds=list_rounds(db),
        round_ids=round_ids,
    )


def _summary_page(
    kind: str,
    subject_id: int,
    form: forms.NoteForm,
    status: int,
    *,
    preview: bool = False,
) -> Any:
    db = get_session()
    subject = service.subject(db, kind, subject_id)
    round_ids = _round_ids()
    summary = service.build(
        db,
        subject,
        round_ids,
        count_minimum=current_app.config["SUPPRESS_COUNT_MINIMUM"],
    )
    return (
        render_template(
            "summaries/summary.html",
            summary=summary,
            form=form,
            round_ids=round_ids,
            rounds=list_rounds(db),
            minimum=current_app.config["SUPPRESS_COUNT_MINIMUM"],
            preview=preview,
        ),
        status,
    )


@bp.route("/recommendations/<int:subject_id>", defaults={"kind": "recommendation"})
@bp.route("/themes/<int:subject_id>", defaults={"kind": "theme"})
@bp.route("/areas/<int:subject_id>", defaults={"kind": "area"})
@requires(Permission.VIEW_SUMMARIES)
def summary(kind: str, subject_id: int) -> Any:
    db = get_session()
    # Only the note's words for the form: the summary itself is built once, below.
    key_messages, questions = service.note_texts(
        db, service.subject(db, kind, subject_id)
    )
    form = forms.NoteForm(data={"key_messages": key_messages, "questions": questions})
    return _summary_page(kind, subject_id, form, 200)


@bp.route(
    "/recommendations/<int:subject_id>/phrase", defaults={"kind": "recommendation"}
)
@bp.route("/themes/<int:subject_id>/phrase", defaults={"kind": "theme"})
@bp.route("/areas/<int:subject_id>/phrase", defaults={"kind": "area"})
@requires(Permission.VIEW_SUMMARIES)
def phrase_items(kind: str, subject_id: int) -> Any:
    """The approved items behind one recurring phrase of a summary."""
    db = get_session()
    subject = service.subject(db, kind, subject_id)
    key = request.args.get("key", "")[:120]
    scope = service.scope_of(subject, _round_ids())
    items = phrases.items_with(db, key, scope) if key else []
    minimum = current_app.config["SUPPRESS_COUNT_MINIMUM"]
    if len(items) < 2 or service.total_in(db, scope) < minimum:
        raise NotFound("That phrase does not recur in this summary")
    return render_template(
        "summaries/phrase.html",
        subject=subject,
        items=items,
        phrase=phrases.written_as(db, key),
        round_ids=_round_ids(),
    )


@bp.route(
    "/recommendations/<int:subject_id>/narrative",
    methods=["POST"],
    defaults={"kind": "recommendation"},
)
@bp.route(
    "/themes/<int:subject_id>/narrative", methods=["POST"], defaults={"kind": "theme"}
)
@bp.route(
    "/areas/<int:subject_id>/narrative", methods=["POST"], defaults={"kind": "area"}
)
@requires(Permission.MANAGE_PLAN)
@writes
def save_narrative(kind: str, subject_id: int) -> Any:
    form = forms.NoteForm()
    if request.form.get("action") == PREVIEW and form.validate():
        # Shown formatted, as it will appear, and not saved.
        return _summary_page(kind, subject_id, form, 200, preview=True)
    outcome = save_form(
        form,
        lambda: service.save_note(
            get_session(),
            current_user._get_current_object(),
            service.subject(get_session(), kind, subject_id),
            key_messages=form.key_messages.data or "",
            questions=form.questions.data or "",
            settings=privacy.PrivacySettings.from_config(current_app.config),
            confirmed=request.form.get("action") == privacy.SAVE_ANYWAY,
        ),
    )
    if outcome.saved:
        flash("Narrative saved.", "success")
        return redirect(url_for("summaries.summary", kind=kind, subject_id=subject_id))
    return _summary_page(kind, subject_id, form, outcome.status)


@bp.route("/export", methods=["GET", "POST"])
@requires(Permission.EXPORT)
@writes
def export() -> Any:
    """Choose rounds and a format; the file streams and the export is audited."""
    form = forms.ExportForm()
    db = get_session()
    rounds = list_rounds(db)
    form.rounds.choices = choices((str(r.id), r.title) for r in rounds)
    if not form.validate_on_submit():
        status = 400 if form.is_submitted() else 200
        flagged = exports.count_flagged(db, [])
        return render_template(
            "summaries/export.html", form=form, flagged=flagged
        ), status
    actor = current_user._get_current_object()
    request_ = exports.ExportRequest(
        round_ids=[i for r in form.rounds.data or [] if (i := db_id(r)) is not None],
        with_authors=can(actor, Permission.SEE_AUTHORS),
        text_minimum=current_app.config["SUPPRESS_TEXT_MINIMUM"],
    )
    fmt = form.format.data or "csv"
    exports.record_export(db, actor, request_, fmt, exports.count_rows(db, request_))
    reader = read_session()
    letterhead = documents.letterhead(
        current_app.config, documents.DATA_TITLE, documents.DATA_SUBJECT
    )

    def generate() -> Any:
        try:
            if fmt == "xlsx":
                yield from export_sheet.xlsx_chunks(reader, request_, letterhead)
            else:
                yield from exports.csv_bytes(reader, request_)
        finally:
            reader.close()

    return attachment(stream_with_context(generate()), "frontline-voice-input", fmt)


def _pack() -> pack.Pack:
    config = current_app.config
    return pack.build_pack(
        get_session(),
        _round_ids(),
        council=config["COUNCIL_NAME"],
        minimum=config["SUPPRESS_COUNT_MINIMUM"],
        today=datetime.now(UTC).date(),
    )


@bp.route("/pack")
@requires(Permission.VIEW_SUMMARIES)
def pack_page() -> Any:
    """The seminar pack as a print-ready page, with Word and Markdown downloads."""
    return render_template(
        "summaries/pack.html",
        pack=_pack(),
        blocks=pack.blocks,
        round_ids=_round_ids(),
        rounds=list_rounds(get_session()),
        download=forms.PackForm(),
        flagged=exports.count_flagged(get_session(), _round_ids()),
    )


@bp.route("/pack", methods=["POST"])
@requires(Permission.EXPORT)
@writes
def pack_download() -> Any:
    form = forms.PackForm()
    if not form.validate_on_submit():
        return redirect(url_for("summaries.pack_page"))
    fmt = form.format.data or "docx"
    built = _pack()
    db = get_session()
    request_ = exports.ExportRequest(_round_ids(), False, 0)
    exports.record_export(
        db,
        current_user._get_current_object(),
        request_,
        f"pack-{fmt}",
        len(built.sections),
    )
    if fmt == "md":
        return attachment(pack.to_markdown(built), "seminar-pack", "md")
    marking = current_app.config["PROTECTIVE_MARKING"]
    return attachment(pack.to_docx(built, marking), "seminar-pack", "docx")
