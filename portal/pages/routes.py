"""Home, accessibility statement, privacy notice and a health check."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from portal.access import Permission, public, requires
from portal.accounts.forms import ConfirmForm
from portal.db import get_session
from portal.pages import service

bp = Blueprint("pages", __name__)


@bp.route("/")
@requires(Permission.USE_PORTAL)
def home() -> Any:
    overview = service.home_overview(get_session(), current_user)
    return render_template("pages/home.html", overview=overview, confirm=ConfirmForm())


@bp.route("/accessibility")
@public
def accessibility() -> Any:
    return render_template("pages/accessibility.html")


@bp.route("/privacy")
@public
def privacy() -> Any:
    return render_template("pages/privacy.html")


@bp.route("/health")
@public
def health() -> Any:
    """For the load balancer: the app answers and the database is reachable."""
    try:
        get_session().execute(text("SELECT 1"))
    except SQLAlchemyError:
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")
