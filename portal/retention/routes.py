"""Your data (subject access and asking for erasure), and the administrators'
list of erasure requests."""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from portal.access import Permission, requires
from portal.db import get_session
from portal.downloads import attachment
from portal.errors import DomainError
from portal.formkit import save_form
from portal.retention import forms, rights
from portal.transaction import writes

bp = Blueprint("rights", __name__)


@bp.route("/account/my-data")
@requires(Permission.USE_PORTAL)
def my_data() -> Any:
    me = current_user._get_current_object()
    db = get_session()
    return render_template(
        "retention/my_data.html",
        data=rights.my_data(db, me),
        asked=rights.latest_request(db, me),
        form=forms.AskErasureForm(),
    )


@bp.route("/account/my-data/download")
@requires(Permission.USE_PORTAL)
def download() -> Any:
    data = rights.my_data(get_session(), current_user._get_current_object())
    body = json.dumps(data, indent=2, ensure_ascii=False)
    return attachment(body, "my-data", "json")


@bp.route("/account/erasure", methods=["POST"])
@requires(Permission.USE_PORTAL)
@writes
def ask_erasure() -> Any:
    form = forms.AskErasureForm()
    outcome = save_form(
        form,
        lambda: rights.request_erasure(
            get_session(), current_user._get_current_object()
        ),
    )
    if outcome.saved:
        flash(
            "Your request has been sent. An administrator will erase the words of "
            "your named input; this page will say when it is done.",
            "success",
        )
    else:
        # The page has no field to show it on: say it in a banner instead.
        for messages in form.errors.values():
            flash(str(messages[0]), "error")
    return redirect(url_for("rights.my_data"))


@bp.route("/admin/erasure-requests")
@requires(Permission.MANAGE_USERS)
def erasure_requests() -> Any:
    return render_template(
        "retention/erasure_requests.html",
        waiting=rights.waiting(get_session()),
        form=forms.CarryOutForm(),
    )


@bp.route("/admin/erasure-requests/<int:request_id>", methods=["POST"])
@requires(Permission.MANAGE_USERS)
@writes
def carry_out(request_id: int) -> Any:
    form = forms.CarryOutForm()
    if not form.validate_on_submit():
        return redirect(url_for("rights.erasure_requests"))
    try:
        done = rights.carry_out(
            get_session(), current_user._get_current_object(), request_id
        )
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("rights.erasure_requests"))
    flash(
        f"Erased the words of {done.erased} items; {done.kept_on_hold} kept under "
        "legal hold.",
        "success",
    )
    return redirect(url_for("rights.erasure_requests"))
