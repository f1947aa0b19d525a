"""Tagging approved input: the list with filters and bulk tagging, the item page
(tags, suggestions to accept or dismiss, quotes) and the coverage view."""

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
from sqlalchemy import select

from portal import privacy
from portal.access import Permission, requires
from portal.db import get_session
from portal.errors import NotFound
from portal.formkit import choices, db_id, save_form
from portal.models import ANSWER_LABELS, Inspection, Quote, Recommendation, Theme
from portal.rounds.service import list_rounds
from portal.tagging import (
    codebook,
    coverage,
    dismissals,
    forms,
    service,
    suggestions,
)
from portal.transaction import writes

bp = Blueprint("tagging", __name__, url_prefix="/tagging")


def _actor() -> Any:
    return current_user._get_current_object()


def _filters() -> service.TaggingFilters:
    args = request.args
    return service.TaggingFilters(
        round_id=args.get("round", type=db_id),
        area_id=args.get("area", type=db_id),
        recommendation_id=args.get("recommendation", type=db_id),
        theme_id=args.get("theme", type=db_id),
        untagged=args.get("untagged") == "1",
    )


def _recommendations(include: frozenset[int] = frozenset()) -> list[Recommendation]:
    """Recommendations in use, plus retired ones already linked (shown, kept)."""
    return [
        r
        for r in get_session().scalars(
            select(Recommendation).order_by(
                Recommendation.inspection_id, Recommendation.position
            )
        )
        if r.retired_at is None or r.id in include
    ]


def _themes(include: frozenset[int] = frozenset()) -> list[Theme]:
    return [
        t
        for t in codebook.list_themes(get_session())
        if t.retired_at is None or t.id in include
    ]


@bp.route("")
@requires(Permission.TAG)
def index() -> Any:
    filters = _filters()
    db = get_session()
    items, cursor, total = service.approved_page(db, filters, request.args.get("after"))
    bulk = forms.BulkTagForm()
    bulk.recommendation_id.choices = choices(
        [
            ("", "No recommendation"),
            *((str(r.id), f"{r.code}: {r.text[:80]}") for r in _recommendations()),
        ]
    )
    bulk.theme_id.choices = choices(
        [("", "No theme"), *((str(t.id), t.name) for t in _themes())]
    )
    return render_template(
        "tagging/index.html",
        items=items,
        cursor=cursor,
        total=total,
        filters=filters,
        tags=service.tags_for(db, items),
        recommendations={r.id: r for r in db.scalars(select(Recommendation))},
        themes={t.id: t for t in codebook.list_themes(db)},
        rounds=list_rounds(db),
        bulk=bulk,
    )


@bp.route("/bulk", methods=["POST"])
@requires(Permission.TAG)
@writes
def bulk() -> Any:
    form = forms.BulkTagForm()
    outcome = save_form(
        form,
        lambda: service.add_to_many(
            get_session(),
            _actor(),
            [str(i) for i in form.item_ids.data or []],
            recommendation_id=db_id(form.recommendation_id.data),
            theme_id=db_id(form.theme_id.data),
        ),
    )
    if outcome.saved:
        flash(f"{outcome.value} tags added.", "success")
    else:
        errors = [e for errs in form.errors.values() for e in errs] + form.form_errors
        flash("Nothing was changed. " + " ".join(str(e) for e in errors), "info")
    return redirect(url_for("tagging.index"))


def _render_item(
    item: Any, form: forms.TagForm, quote: forms.QuoteForm, status: int
) -> Any:
    db = get_session()
    current = service.current_tags(db, item)
    dismissed = dismissals.dismissed_keys(db, item.id)
    offered = [
        s
        for s in suggestions.suggest_for(db, item)
        if s.key not in dismissed
        and s.candidate.id
        not in (
            current.recommendation_ids
            if s.candidate.kind == "rec"
            else current.theme_ids
        )
    ]
    return (
        render_template(
            "tagging/item.html",
            item=item,
            form=form,
            quote=quote,
            suggestions=offered,
            quotes=list(
                db.scalars(select(Quote).where(Quote.submission_id == item.id))
            ),
            answer_labels=ANSWER_LABELS,
            accept=forms.SuggestionForm(),
        ),
        status,
    )


def _tag_form(item: Any) -> forms.TagForm:
    current = service.current_tags(get_session(), item)
    form = forms.TagForm(
        data=None
        if request.method == "POST"
        else {
            "recommendation_ids": [str(i) for i in current.recommendation_ids],
            "theme_ids": [str(i) for i in current.theme_ids],
        }
    )
    form.recommendation_ids.choices = choices(
        (str(r.id), f"{r.code}: {r.text}" + (" (retired)" if r.retired_at else ""))
        for r in _recommendations(current.recommendation_ids)
    )
    form.theme_ids.choices = choices(
        (
            str(t.id),
            ("— " if t.parent_id else "")
            + t.name
            + (" (retired)" if t.retired_at else ""),
        )
        for t in _themes(current.theme_ids)
    )
    return form


@bp.route("/items/<uuid:item_id>", methods=["GET", "POST"])
@requires(Permission.TAG)
@writes
def item(item_id: Any) -> Any:
    found = service.approved_item(get_session(), str(item_id))
    form = _tag_form(found)
    outcome = save_form(
        form,
        lambda: service.set_tags(
            get_session(),
            _actor(),
            found,
            service.Tags(
                forms.ids(form.recommendation_ids.data), forms.ids(form.theme_ids.data)
            ),
        ),
    )
    if outcome.saved:
        flash("Tags saved.", "success")
        return redirect(url_for("tagging.item", item_id=found.id))
    return _render_item(found, form, forms.QuoteForm(prefix="quote"), outcome.status)


@bp.route("/items/<uuid:item_id>/suggestions", methods=["POST"])
@requires(Permission.TAG)
@writes
def respond_to_suggestion(item_id: Any) -> Any:
    """Accept (adds the tag, marked as from a suggestion) or dismiss one suggestion."""
    found = service.approved_item(get_session(), str(item_id))
    form = forms.SuggestionForm()
    key = str(form.key.data or "")
    kind, _, raw = key.partition(":")
    if (
        not form.validate_on_submit()
        or kind not in ("rec", "theme")
        or db_id(raw) is None
    ):
        return redirect(url_for("tagging.item", item_id=found.id))
    if request.form.get("action") == "dismiss":
        dismissals.dismiss(get_session(), _actor(), found, kind, int(raw))
        flash("Suggestion dismissed for every planner.", "success")
        return redirect(url_for("tagging.item", item_id=found.id))
    current = service.current_tags(get_session(), found)
    wanted = service.Tags(
        current.recommendation_ids | ({int(raw)} if kind == "rec" else set()),
        current.theme_ids | ({int(raw)} if kind == "theme" else set()),
    )
    outcome = save_form(
        form,
        lambda: service.set_tags(
            get_session(), _actor(), found, wanted, from_suggestion=[key]
        ),
    )
    flash(
        "Suggestion accepted." if outcome.saved else "Nothing was changed.", "success"
    )
    return redirect(url_for("tagging.item", item_id=found.id))


@bp.route("/items/<uuid:item_id>/quotes", methods=["POST"])
@requires(Permission.TAG)
@writes
def add_quote(item_id: Any) -> Any:
    found = service.approved_item(get_session(), str(item_id))
    form = forms.QuoteForm(prefix="quote")
    outcome = save_form(
        form,
        lambda: service.add_quote(
            get_session(),
            _actor(),
            found,
            form.field.data or "",
            form.text.data or "",
            settings=privacy.PrivacySettings.from_config(current_app.config),
            confirmed=request.form.get("action") == privacy.SAVE_ANYWAY,
        ),
    )
    if outcome.saved:
        flash("Quote added.", "success")
        return redirect(url_for("tagging.item", item_id=found.id))
    return _render_item(found, _tag_form(found), form, outcome.status)


@bp.route("/quotes/<int:quote_id>/remove", methods=["POST"])
@requires(Permission.TAG)
@writes
def remove_quote(quote_id: int) -> Any:
    quote = get_session().get(Quote, quote_id)
    if quote is None:
        raise NotFound("There is no such quote")
    item_id = quote.submission_id
    if forms.SuggestionForm().validate_on_submit():
        service.remove_quote(get_session(), _actor(), quote_id)
        flash("Quote removed.", "success")
    return redirect(url_for("tagging.item", item_id=item_id))


@bp.route("/coverage")
@requires(Permission.VIEW_SUMMARIES)
def coverage_view() -> Any:
    db = get_session()
    inspection = db.scalar(select(Inspection).order_by(Inspection.published_on.desc()))
    if inspection is None:
        raise NotFound("No inspection framework is loaded")
    return render_template(
        "tagging/coverage.html",
        coverage=coverage.coverage(db, inspection),
        low=coverage.LOW,
    )
