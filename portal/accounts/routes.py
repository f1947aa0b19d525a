"""Sign-in, own account, and the admin pages for users and teams. Thin: permission,
form, one service call, commit, redirect or render."""

from __future__ import annotations

import time
from contextlib import AbstractContextManager
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from portal.access import Permission, public, requires
from portal.accounts import (
    forms,
    password_change,
    password_slots,
    passwords,
    resume,
    service,
    sso,
)
from portal.accounts import teams as team_service
from portal.accounts.sessions import (
    end_session,
    seconds_left,
    signed_in_via,
    start_session,
    touch_session,
)
from portal.db import get_session
from portal.errors import NotFound
from portal.formkit import save_form
from portal.models import Role, User
from portal.transaction import in_transaction, prepared, writes

bp = Blueprint("accounts", __name__)

SIGN_IN_FAILED = "Enter a correct email address and password"
# With single sign-on on, the same words for every failure: which accounts are
# the break-glass ones is not something a guess should reveal.
BREAK_GLASS_FAILED = (
    "Enter a correct email address and password. Only the emergency "
    "administrator accounts can sign in with a password: everyone else signs in "
    "with their council account"
)
SIGN_IN_THROTTLED = (
    "There have been too many attempts to sign in to this account. "
    "Wait 5 minutes, then try again."
)

# Every password-check slot was taken (a burst of sign-ins): nothing was tried.
SIGN_IN_BUSY = (
    "Sign-in is busy at the moment. Wait a few seconds, then enter your "
    "password again and sign in."
)

CHANGE_BUSY = (
    "Sign-in is busy at the moment, so your password could not be checked. "
    "Wait a few seconds, then try again."
)


def _login_policy() -> service.LoginPolicy:
    config = current_app.config
    return service.LoginPolicy(
        max_failures=config["LOGIN_MAX_FAILURES"],
        window_seconds=config["LOGIN_WINDOW_SECONDS"],
        hash_method=config["PASSWORD_HASH_METHOD"],
    )


def safe_next(target: str | None) -> str:
    """Only same-site paths; anything else (other hosts, schemes, '//' or '\\'
    tricks) sends the user home."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return url_for("pages.home")
    parts = urlsplit(target)
    if (
        parts.scheme
        or parts.netloc
        or "\\" in target
        or any(ord(c) < 32 for c in target)
    ):
        return url_for("pages.home")
    return target


def password_slot() -> AbstractContextManager[bool]:
    """One of this machine's password-check slots (password_slots.py)."""
    config = current_app.config
    return password_slots.password_check_slot(
        current_app.instance_path,
        config["PASSWORD_CHECKS_AT_ONCE"] or password_slots.default_slots(),
        float(config["PASSWORD_CHECK_WAIT_SECONDS"]),
        float(config["PASSWORD_CHECK_SHARE"]),
        meter=passwords.hashing_seconds,
    )


def busy_headers() -> dict[str, str]:
    return {"Retry-After": str(current_app.config["PASSWORD_CHECK_RETRY_SECONDS"])}


def _check_sign_in() -> service.Credentials | None:
    """Before the sign-in's write transaction: take a password-check slot, reserve
    the attempt (its own short transaction, so the count is atomic), then check
    the hash holding no lock. With no slot free nothing is counted or checked."""
    form = forms.SignInForm()
    if current_user.is_authenticated or not form.validate_on_submit():
        return None
    email, policy = form.email.data or "", _login_policy()
    db = get_session()
    with password_slot() as free:
        if not free:
            return service.Credentials("", None, busy=True)
        reserved = in_transaction(
            db, lambda: service.reserve_attempt(db, email, policy)
        )
        return service.check_credentials(
            db,
            email,
            form.password.data or "",
            policy,
            reserved,
            may_use_password=sso.may_use_password,
        )


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@writes(prepare=_check_sign_in)
def sign_in() -> Any:
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = forms.SignInForm()
    status = 200
    credentials: service.Credentials | None = prepared()
    if credentials is not None and credentials.busy:
        form.form_errors.append(SIGN_IN_BUSY)
        return _sign_in_page(form), 503, busy_headers()
    if credentials is not None:
        try:
            user = service.record_sign_in(
                get_session(),
                credentials,
                reason="break_glass" if sso.enabled() else None,
            )
        except service.SignInRefused as refused:
            # The failure row is kept: the transaction commits with this page.
            form.form_errors.append(
                SIGN_IN_THROTTLED
                if refused.throttled
                else BREAK_GLASS_FAILED
                if sso.enabled()
                else SIGN_IN_FAILED
            )
            status = 429 if refused.throttled else 400
            if refused.throttled:
                headers = {"Retry-After": str(_login_policy().window_seconds)}
                return _sign_in_page(form), status, headers
        else:
            start_session(user)
            if user.must_change_password:
                flash("Choose a new password to finish signing in.", "info")
                return redirect(url_for("accounts.change_password"))
            target = safe_next(request.args.get("next"))
            carried = resume.carried_fields()
            if carried:
                # Signed out mid-form: back to that form, its answers filled in.
                return resume.return_page(target, carried)
            return redirect(target)
    elif form.is_submitted():
        form.validate()
        status = 400
    return _sign_in_page(form), status


def _sign_in_page(form: forms.SignInForm) -> str:
    """The sign-in form; a failed try still carries the words of a form the person
    was signed out of."""
    return render_template(
        "accounts/sign_in.html",
        form=form,
        carried=resume.carried_fields(),
        fields=resume.carried_words(),
    )


def _discover_for_sign_out() -> None:
    """The provider's end-session address, fetched before the write
    transaction (a network call must not hold the write lock)."""
    if signed_in_via() == "directory":
        sso.discover()


@bp.route("/sign-out", methods=["POST"])
@requires(Permission.USE_PORTAL)
@writes(prepare=_discover_for_sign_out)
def sign_out() -> Any:
    form = forms.ConfirmForm()
    if form.validate_on_submit():
        session = get_session()
        service.sign_out(session, current_user._get_current_object())
        via = signed_in_via()
        end_session()
        flash("You have signed out.", "success")
        if via == "directory":
            # And out of the council's sign-in too, where it offers that, so a
            # shared PC is not left signed in for the next person.
            back = url_for("accounts.sign_in", _external=True)
            provider = sso.sign_out_url(back)
            if provider:
                return redirect(provider)
    return redirect(url_for("accounts.sign_in"))


@bp.route("/session/keep-alive", methods=["POST"])
@requires(Permission.USE_PORTAL)
def keep_alive() -> Any:
    """ "Stay signed in" from the timeout warning: any signed-in request resets the
    inactivity clock; this one just says so."""
    touch_session()
    if request.accept_mimetypes.best == "application/json":
        return jsonify(ok=True, seconds_left=seconds_left(time.time()))
    return redirect(safe_next(request.form.get("next")))


def _check_password_change() -> password_change.PasswordChange | None:
    form = forms.ChangePasswordForm()
    if not form.validate_on_submit() or current_user.directory_account:
        return None
    with password_slot() as free:
        if not free:
            return password_change.PasswordChange(None, busy=True)
        return password_change.check_password_change(
            current_user._get_current_object(),
            current=form.current_password.data or "",
            new=form.new_password.data or "",
            hash_method=current_app.config["PASSWORD_HASH_METHOD"],
            min_length=current_app.config["PASSWORD_MIN_LENGTH"],
        )


@bp.route("/account/password", methods=["GET", "POST"])
@requires(Permission.USE_PORTAL)
@writes(prepare=_check_password_change)
def change_password() -> Any:
    form = forms.ChangePasswordForm()
    user = current_user._get_current_object()
    if user.directory_account:
        # Their password is the council account's: nothing to change here.
        status = 409 if request.method == "POST" else 200
        return render_template(
            "accounts/change_password.html", form=form, directory=True
        ), status
    checked: password_change.PasswordChange | None = prepared()
    if checked is not None and checked.busy:
        form.form_errors.append(CHANGE_BUSY)
        page = render_template("accounts/change_password.html", form=form)
        return page, 503, busy_headers()
    outcome = save_form(
        form, lambda: password_change.change_password(get_session(), user, prepared())
    )
    if outcome.saved:
        # Other sessions ended with the generation bump; keep this one.
        start_session(user)
        flash("Your password has been changed.", "success")
        return redirect(url_for("pages.home"))
    return render_template("accounts/change_password.html", form=form), outcome.status


# --- Administration: users ---------------------------------------------------


def _team_choices(include: int | None = None) -> list[tuple[int, str]]:
    teams = team_service.list_teams(get_session(), include_retired=True)
    return [
        (t.id, t.name + (" (retired)" if t.retired_at else ""))
        for t in teams
        if t.retired_at is None or t.id == include
    ]


def _issue_password() -> passwords.Issued:
    """A one-time password, hashed before the write transaction opens."""
    return passwords.issue(current_app.config["PASSWORD_HASH_METHOD"])


def _get_user(user_id: int) -> User:
    user = get_session().get(User, user_id)
    if user is None:
        raise NotFound("There is no such account")
    return user


@bp.route("/admin/users")
@requires(Permission.MANAGE_USERS)
def users() -> Any:
    role = request.args.get("role") or None
    status = request.args.get("status") or None
    if role not in {r.value for r in Role}:
        role = None
    if status not in ("active", "disabled"):
        status = None
    found = service.list_users(get_session(), role=role, status=status)
    return render_template(
        "accounts/users.html",
        users=found,
        role=role,
        status=status,
        role_choices=forms.ROLE_CHOICES,
    )


@bp.route("/admin/users/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
@writes(prepare=lambda: _issue_password())
def new_user() -> Any:
    form = forms.NewUserForm()
    form.set_team_choices(_team_choices())
    issued: passwords.Issued = prepared()
    outcome = save_form(
        form,
        lambda: service.create_user(
            get_session(),
            current_user._get_current_object(),
            email=form.email.data or "",
            display_name=form.display_name.data or "",
            roles=form.roles.data or [],
            password_hash=issued.password_hash,
            team_id=form.team_value(),
        ),
    )
    if outcome.saved:
        # The password is shown once, on this response only; never in a URL.
        return render_template(
            "accounts/password_issued.html",
            user=outcome.value,
            password=issued.password,
        )
    return render_template("accounts/new_user.html", form=form), outcome.status


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@requires(Permission.MANAGE_USERS)
@writes
def user(user_id: int) -> Any:
    account = _get_user(user_id)
    form = forms.EditUserForm(
        data=None
        if request.method == "POST"
        else {
            "display_name": account.display_name,
            "team_id": str(account.team_id or ""),
            "roles": sorted(account.roles),
            "independent_moderator": account.independent_moderator,
        },
    )
    form.set_team_choices(_team_choices(include=account.team_id))
    outcome = save_form(
        form,
        lambda: service.update_user(
            get_session(),
            current_user._get_current_object(),
            account,
            display_name=form.display_name.data or "",
            team_id=form.team_value(),
            roles=form.roles.data or [],
            independent_moderator=bool(form.independent_moderator.data),
        ),
    )
    if outcome.saved:
        flash(f"Changes to {account.display_name} saved.", "success")
        return redirect(url_for("accounts.user", user_id=account.id))
    return (
        render_template(
            "accounts/user.html",
            account=account,
            form=form,
            confirm=forms.ConfirmForm(),
        ),
        outcome.status,
    )


def _account_action(user_id: int, action: str) -> Any:
    account = _get_user(user_id)
    form = forms.ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("accounts.user", user_id=user_id))
    session = get_session()
    actor = current_user._get_current_object()
    password = None
    if action == "disable":
        service.disable_user(session, actor, account)
        message = f"{account.display_name}'s account is disabled and signed out."
    elif action == "enable":
        service.enable_user(session, actor, account)
        message = f"{account.display_name}'s account is enabled."
    else:
        password = service.reset_password(session, actor, account, prepared())
        message = ""
    if password is not None:
        return render_template(
            "accounts/password_issued.html", user=account, password=password, reset=True
        )
    flash(message, "success")
    return redirect(url_for("accounts.user", user_id=user_id))


@bp.route("/admin/users/<int:user_id>/disable", methods=["POST"])
@requires(Permission.MANAGE_USERS)
@writes
def disable_user(user_id: int) -> Any:
    return _account_action(user_id, "disable")


@bp.route("/admin/users/<int:user_id>/enable", methods=["POST"])
@requires(Permission.MANAGE_USERS)
@writes
def enable_user(user_id: int) -> Any:
    return _account_action(user_id, "enable")


@bp.route("/admin/users/<int:user_id>/reset-password", methods=["POST"])
@requires(Permission.MANAGE_USERS)
@writes(prepare=lambda user_id: _issue_password())
def reset_password(user_id: int) -> Any:
    return _account_action(user_id, "reset")
