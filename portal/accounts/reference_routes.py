"""Administration of reference lists: teams and services, role groups, and the
abbreviation glossary."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.access import Permission, requires
from portal.accounts import teams as reference
from portal.accounts.forms import ConfirmForm, NameForm, TeamForm
from portal.accounts.routes import bp
from portal.db import get_session
from portal.errors import NotFound
from portal.formkit import save_form
from portal.models import GlossaryTerm, RoleGroup, Team
from portal.tagging import glossary
from portal.tagging.forms import GlossaryForm
from portal.transaction import writes


@bp.route("/admin/teams", methods=["GET", "POST"])
@requires(Permission.MANAGE_REFERENCE_DATA)
@writes
def teams() -> Any:
    form = TeamForm()
    outcome = save_form(
        form,
        lambda: reference.save_team(
            get_session(),
            current_user._get_current_object(),
            name=form.name.data or "",
            kind=form.kind.data or "",
        ),
    )
    if outcome.saved and outcome.value is not None:
        flash(f"{outcome.value.name} added.", "success")
        return redirect(url_for("accounts.teams"))
    listed = reference.list_teams(get_session())
    return render_template(
        "accounts/teams.html", teams=listed, form=form
    ), outcome.status


@bp.route("/admin/teams/<int:team_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_REFERENCE_DATA)
@writes
def team(team_id: int) -> Any:
    existing = get_session().get(Team, team_id)
    if existing is None:
        raise NotFound("There is no such team or service")
    form = TeamForm(
        data=None
        if request.method == "POST"
        else {
            "name": existing.name,
            "kind": existing.kind,
            "retired": existing.retired_at is not None,
        }
    )
    outcome = save_form(
        form,
        lambda: reference.save_team(
            get_session(),
            current_user._get_current_object(),
            name=form.name.data or "",
            kind=form.kind.data or "",
            team=existing,
            retired=bool(form.retired.data),
        ),
    )
    if outcome.saved:
        flash(f"{existing.name} saved.", "success")
        return redirect(url_for("accounts.teams"))
    return render_template(
        "accounts/team.html", team=existing, form=form
    ), outcome.status


@bp.route("/admin/role-groups", methods=["GET", "POST"])
@requires(Permission.MANAGE_REFERENCE_DATA)
@writes
def role_groups() -> Any:
    form = NameForm()
    outcome = save_form(
        form,
        lambda: reference.save_role_group(
            get_session(), current_user._get_current_object(), name=form.name.data or ""
        ),
    )
    if outcome.saved and outcome.value is not None:
        flash(f"{outcome.value.name} added.", "success")
        return redirect(url_for("accounts.role_groups"))
    groups = reference.list_role_groups(get_session())
    return (
        render_template("accounts/role_groups.html", groups=groups, form=form),
        outcome.status,
    )


@bp.route("/admin/role-groups/<int:group_id>", methods=["POST"])
@requires(Permission.MANAGE_REFERENCE_DATA)
@writes
def retire_role_group(group_id: int) -> Any:
    """Retire or bring back a role group (toggles)."""
    db = get_session()
    group = db.get(RoleGroup, group_id)
    if group is None:
        raise NotFound("There is no such role group")
    if ConfirmForm().validate_on_submit():
        reference.save_role_group(
            db,
            current_user._get_current_object(),
            name=group.name,
            group=group,
            retired=group.retired_at is None,
        )
    return redirect(url_for("accounts.role_groups"))


@bp.route("/admin/glossary", methods=["GET", "POST"])
@requires(Permission.MANAGE_REFERENCE_DATA)
@writes
def glossary_terms() -> Any:
    """The abbreviations tag suggestions understand: list and add."""
    form = GlossaryForm()
    outcome = save_form(
        form,
        lambda: glossary.save_term(
            get_session(),
            current_user._get_current_object(),
            form.abbreviation.data or "",
            form.expansion.data or "",
        ),
    )
    if outcome.saved and outcome.value is not None:
        flash(f"{outcome.value.abbreviation} added.", "success")
        return redirect(url_for("accounts.glossary_terms"))
    terms = glossary.list_terms(get_session())
    return (
        render_template("accounts/glossary.html", terms=terms, form=form),
        outcome.status,
    )


@bp.route("/admin/glossary/<int:term_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_REFERENCE_DATA)
@writes
def glossary_term(term_id: int) -> Any:
    db = get_session()
    term = db.get(GlossaryTerm, term_id)
    if term is None:
        raise NotFound("That abbreviation is no longer in the glossary")
    form = GlossaryForm(obj=term)
    outcome = save_form(
        form,
        lambda: glossary.save_term(
            db,
            current_user._get_current_object(),
            form.abbreviation.data or "",
            form.expansion.data or "",
            term_id=term_id,
        ),
    )
    if outcome.saved:
        flash(f"{term.abbreviation} saved.", "success")
        return redirect(url_for("accounts.glossary_terms"))
    return render_template(
        "accounts/glossary_term.html", term=term, form=form
    ), outcome.status


@bp.route("/admin/glossary/<int:term_id>/delete", methods=["POST"])
@requires(Permission.MANAGE_REFERENCE_DATA)
@writes
def delete_glossary_term(term_id: int) -> Any:
    if ConfirmForm().validate_on_submit():
        glossary.delete_term(get_session(), current_user._get_current_object(), term_id)
        flash("Abbreviation removed from the glossary.", "success")
    return redirect(url_for("accounts.glossary_terms"))
