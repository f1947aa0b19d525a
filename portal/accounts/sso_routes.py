"""Sign-in through the council's identity provider. Thin: the protocol is in
``sso.py``, who the answer makes someone is in ``directory.py``."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as cookie
from flask_login import current_user
from werkzeug.exceptions import NotFound as PageNotFound

from portal.access import public
from portal.accounts import carry, directory, forms, resume, sso
from portal.accounts.routes import safe_next
from portal.accounts.sessions import start_session
from portal.db import get_session
from portal.errors import words_of
from portal.transaction import prepared, writes

bp = Blueprint("sso", __name__)

_NEXT = "sso_next"


def _enabled() -> None:
    if not sso.enabled():
        raise PageNotFound()


@bp.route("/sign-in/sso", methods=["POST"])
@public
@writes(prepare=sso.discover)
def start() -> Any:
    """Off to the provider. A signed-out form's fields wait, encrypted, for the
    person to come back (carry.py); the page they were going to waits in the
    cookie."""
    _enabled()
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = forms.ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("accounts.sign_in"))
    target = safe_next(request.args.get("next"))
    unreachable: sso.SsoRefused | None = prepared()
    try:
        if unreachable is not None:
            raise unreachable
        response = sso.start()
    except sso.SsoRefused as refused:
        return _refused_page(refused, resume.carried_fields(), target)
    carry.save(get_session(), resume.carried_fields())
    cookie[_NEXT] = target
    return response


def _finish() -> sso.Claims | sso.SsoRefused:
    """The exchange with the provider, before the write transaction (it is a
    network call and must not hold the database's write lock)."""
    if not sso.enabled():
        return sso.SsoRefused("sso_off", sso.TRY_AGAIN, 404)
    try:
        return sso.finish()
    except sso.SsoRefused as refused:
        return refused


@bp.route("/sign-in/sso/callback")
@public
@writes(prepare=_finish, on_get=True)
def callback() -> Any:
    _enabled()
    answer: sso.Claims | sso.SsoRefused = prepared()
    db = get_session()
    carried = carry.take(db)
    target = safe_next(cookie.pop(_NEXT, None))
    if isinstance(answer, sso.SsoRefused):
        directory.record_refusal(db, None, answer.code)
        return _refused_page(answer, carried, target)
    outcome = directory.sign_in(
        db, answer, directory.GroupMapping.from_config(current_app.config)
    )
    if outcome.user is None:
        message = (outcome.refusal or sso.TRY_AGAIN).format(
            service=current_app.config["SERVICE_NAME"]
        )
        refused = sso.SsoRefused(outcome.code or "", message, outcome.status)
        return _refused_page(refused, carried, target)
    start_session(outcome.user, via="directory")
    if carried:
        return resume.return_page(target, carried)
    return redirect(target)


def _refused_page(
    refused: sso.SsoRefused, carried: list[tuple[str, str]], target: str
) -> Any:
    """Why not, in words; carried words shown read-only and carried on into the
    next try, so nothing is lost."""
    return (
        render_template(
            "accounts/sso_refused.html",
            code=refused.code,
            message=refused.message,
            carried=carried,
            fields=words_of(carried),
            form=forms.SignInForm(formdata=None),
            next_url=target,
        ),
        refused.status,
    )
