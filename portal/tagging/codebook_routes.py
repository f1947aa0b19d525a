"""The theme codebook pages: list and add, edit (rename, re-parent, retire), merge."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.access import Permission, requires
from portal.db import get_session
from portal.formkit import choices, db_id, save_form
from portal.tagging import codebook, forms
from portal.tagging.routes import bp
from portal.transaction import writes


def _parent_choices(exclude: int | None = None) -> Any:
    tops = [t for t in codebook.list_themes(get_session(), include_retired=False)
            if t.parent_id is None and t.id != exclude]  # fmt: skip
    return choices(
        [("", "None: a top-level theme"), *((str(t.id), t.name) for t in tops)]
    )


def _parent(form: forms.ThemeForm) -> int | None:
    value = str(form.parent_id.data or "")
    return db_id(value)


@bp.route("/themes", methods=["GET", "POST"])
@requires(Permission.TAG)
@writes
def themes() -> Any:
    form = forms.ThemeForm()
    form.parent_id.choices = _parent_choices()
    outcome = save_form(
        form,
        lambda: codebook.save_theme(
            get_session(),
            current_user._get_current_object(),
            name=form.name.data or "",
            description=form.description.data or "",
            parent_id=_parent(form),
        ),
    )
    if outcome.saved and outcome.value is not None:
        flash(f"Theme “{outcome.value.name}” added.", "success")
        return redirect(url_for("tagging.themes"))
    listed = codebook.list_themes(get_session())
    return render_template(
        "tagging/themes.html", themes=listed, form=form
    ), outcome.status


@bp.route("/themes/<int:theme_id>", methods=["GET", "POST"])
@requires(Permission.TAG)
@writes
def theme(theme_id: int) -> Any:
    found = codebook.get_theme(get_session(), theme_id)
    form = forms.ThemeForm(
        data={
            "name": found.name,
            "description": found.description,
            "parent_id": str(found.parent_id or ""),
            "retired": found.retired_at is not None,
        }
        if request.method == "GET"
        else None
    )
    form.parent_id.choices = _parent_choices(exclude=found.id)
    actor = current_user._get_current_object()

    def change() -> None:
        codebook.save_theme(
            get_session(),
            actor,
            name=form.name.data or "",
            description=form.description.data or "",
            parent_id=_parent(form),
            theme=found,
        )
        codebook.set_retired(get_session(), actor, found, bool(form.retired.data))

    outcome = save_form(form, change)
    if outcome.saved:
        flash(f"Theme “{found.name}” saved.", "success")
        return redirect(url_for("tagging.themes"))
    merge = forms.MergeForm(prefix="merge")
    merge.target_id.choices = choices(
        [("", "Select a theme")]
        + [
            (str(t.id), t.name)
            for t in codebook.list_themes(get_session(), include_retired=False)
            if t.id != found.id
        ]
    )
    return (
        render_template("tagging/theme.html", theme=found, form=form, merge=merge),
        outcome.status,
    )


@bp.route("/themes/<int:theme_id>/merge", methods=["POST"])
@requires(Permission.TAG)
@writes
def merge_theme(theme_id: int) -> Any:
    found = codebook.get_theme(get_session(), theme_id)
    form = forms.MergeForm(prefix="merge")
    target_id = str(form.target_id.data or "")
    outcome = save_form(
        form,
        lambda: codebook.merge(
            get_session(),
            current_user._get_current_object(),
            found,
            codebook.get_theme(get_session(), db_id(target_id) or 0),
        ),
    )
    if outcome.saved:
        flash(f"“{found.name}” merged; {outcome.value} tags moved.", "success")
    else:
        flash("Nothing was changed: choose a theme in use to merge into.", "info")
    return redirect(url_for("tagging.themes"))
