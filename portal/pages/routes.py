"""Home, accessibility statement, privacy notice and a health check."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal.access import Permission, public, requires
from portal.accounts.forms import ConfirmForm
from portal.db import get_session
from portal.formkit import save_form
from portal.pages import forms, notices, service
from portal.transaction import writes

bp = Blueprint("pages", __name__)


@bp.route("/")
@requires(Permission.USE_PORTAL)
def home() -> Any:
    overview = service.home_overview(get_session(), current_user)
    return render_template("pages/home.html", overview=overview, confirm=ConfirmForm())


@bp.route("/accessibility")
@public
def accessibility() -> Any:
    return render_template(
        "pages/accessibility.html", texts=notices.texts(get_session())
    )


@bp.route("/privacy")
@public
def privacy() -> Any:
    return render_template("pages/privacy.html", texts=notices.texts(get_session()))


@bp.route("/admin/notices", methods=["GET", "POST"])
@requires(Permission.MANAGE_REFERENCE_DATA)
@writes
def edit_notices() -> Any:
    db = get_session()
    form = forms.NoticesForm(
        data=notices.texts(db) if request.method == "GET" else None
    )
    outcome = save_form(
        form,
        lambda: notices.change(
            db,
            current_user._get_current_object(),
            {key: getattr(form, key).data or "" for key in notices.DEFAULTS},
        ),
    )
    if outcome.saved:
        flash("The privacy notice and accessibility statement are saved.", "success")
        return redirect(url_for("pages.edit_notices"))
    return render_template("pages/notices.html", form=form), outcome.status


@bp.route("/health")
@public
def health() -> Any:
    """For the load balancer: the app answers and the database is reachable."""
    try:
        get_session().execute(text("SELECT 1"))
    except SQLAlchemyError:
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")
