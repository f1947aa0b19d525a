"""Frontline Voice: the application factory. Wiring only; no rules live here."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from flask_wtf import CSRFProtect
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from portal import access_log, db, headers, throttle, timefmt
from portal.config import DEFAULTS, local_http_overrides
from portal.templating import PortalEnvironment

ROOT = Path(__file__).resolve().parent.parent
csrf = CSRFProtect()


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(
            Path(os.environ.get("PORTAL_INSTANCE_PATH", ROOT / "instance")).resolve()
        ),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        # GOV.UK Frontend's compiled CSS refers to /assets/...; serving static/
        # there keeps those URLs working without rewriting.
        static_url_path="/assets",
    )
    _load_config(app, test_config)
    # <int:...> in a URL matches only ids the database can hold (else 404, not an
    # overflow deep in the driver).
    app.url_map.converters["int"] = BoundedIntConverter
    _setup_templates(app)
    if app.config["PROXY_FIX_HOPS"]:
        hops = int(app.config["PROXY_FIX_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    from portal import cli, errors
    from portal.accounts import (
        reference_routes,  # noqa: F401 - registers its views
        resume,
        sessions,
        sso,
        sso_routes,
    )
    from portal.accounts import routes as accounts_routes
    from portal.audit import routes as audit_routes
    from portal.board import (
        quarter_routes,  # noqa: F401 - registers its views
        risk_routes,  # noqa: F401 - registers its views
    )
    from portal.board import routes as board_routes
    from portal.feedback import routes as feedback_routes
    from portal.feedback import session_routes  # noqa: F401 - registers its views
    from portal.framework import routes as framework_routes
    from portal.moderation import routes as moderation_routes
    from portal.moderation import safeguarding_routes
    from portal.outcomes import routes as outcomes_routes
    from portal.pages import routes as pages_routes
    from portal.plan import routes as plan_routes
    from portal.retention import routes as rights_routes
    from portal.rounds import routes as rounds_routes
    from portal.submissions import lifecycle  # noqa: F401 - anonymity hooks
    from portal.summaries import routes as summaries_routes
    from portal.tagging import codebook_routes  # noqa: F401 - registers its views
    from portal.tagging import routes as tagging_routes

    access_log.quiet_development_server()
    # No page takes files: a file part in a form is refused before anything reads
    # the form (a text field holding a file would otherwise fail deep in a view).
    app.before_request(errors.refuse_file_parts)
    db.init_app(app)
    # Session checks run before CSRF: an expired session on a POST then fails the
    # CSRF check into the "your words back" page instead of being processed.
    sessions.init_app(app)
    sso.init_app(app)
    throttle.init_app(app)
    csrf.init_app(app)
    headers.init_app(app)
    timefmt.init_app(app)
    errors.register_error_handlers(app)
    # After the CSRF check: a form posted to resume after sign-in is redrawn.
    resume.init_app(app)
    for blueprint in (
        pages_routes.bp,
        accounts_routes.bp,
        sso_routes.bp,
        framework_routes.bp,
        rounds_routes.bp,
        feedback_routes.bp,
        moderation_routes.bp,
        safeguarding_routes.bp,
        audit_routes.bp,
        tagging_routes.bp,
        summaries_routes.bp,
        plan_routes.bp,
        board_routes.bp,
        outcomes_routes.bp,
        rights_routes.bp,
    ):
        app.register_blueprint(blueprint)
    throttle.apply_limits(app)
    cli.init_app(app)
    return app


class BoundedIntConverter(IntegerConverter):
    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**63 - 1)
        super().__init__(url_map, *args, **kwargs)


def _load_config(app: Flask, test_config: dict[str, Any] | None) -> None:
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("PORTAL")
    if test_config:
        app.config.update(test_config)
    if app.config["LOCAL_HTTP"]:
        app.config.update(local_http_overrides())
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = "sqlite:///" + str(
            Path(app.instance_path) / "portal.sqlite3"
        )
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError(
            "SECRET_KEY is not set. Put it in instance/config.py or PORTAL_SECRET_KEY "
            "(`make run` writes a random one for you)."
        )
    app.config["REMEMBER_COOKIE_DURATION"] = 0
    warning = app.config["SESSION_WARNING_MINUTES"] * 60
    # Two minutes' warning at least (WCAG 2.2.1 needs 20 seconds; people reading
    # slowly or using a screen reader need more). Tests may shorten it to 20 s.
    least = 20 if app.config.get("TESTING") else 120
    if not least <= warning < app.config["SESSION_IDLE_MINUTES"] * 60:
        raise RuntimeError(
            f"SESSION_WARNING_MINUTES must be at least {least} seconds and shorter "
            "than SESSION_IDLE_MINUTES."
        )


def _setup_templates(app: Flask) -> None:
    assert app.jinja_loader is not None  # noqa: S101 - Flask always sets one
    # Chosen before the environment is first made (``jinja_env`` is built once, on
    # first use): portal/templating.py says why.
    assert "jinja_env" not in app.__dict__  # noqa: S101 - wiring order
    app.jinja_environment = PortalEnvironment
    # The GOV.UK macros import each other by prefixed paths, so both packages are
    # mounted under their own names behind our templates/.
    app.jinja_loader = ChoiceLoader(
        [
            app.jinja_loader,
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)

    from portal.access import Permission, can
    from portal.formkit import error_summary, has_errors, rendered_once
    from portal.navigation import service_navigation

    app.add_template_global(can)
    app.add_template_global(Permission)
    app.add_template_global(error_summary)
    app.add_template_global(has_errors)
    app.add_template_global(rendered_once)
    app.add_template_global(service_navigation)

    from portal.formatting import narrative

    app.add_template_filter(narrative)

    from portal.moderation.service import REJECT_REASONS
    from portal.submissions.lifecycle import status_label

    app.add_template_global(status_label)
    app.jinja_env.globals["reject_reasons"] = REJECT_REASONS
