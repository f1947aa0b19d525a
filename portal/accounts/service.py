"""Account rules: signing in with a throttle, and managing users, roles and teams.

Plain functions taking ``session`` and ``actor``; they flush, never commit, and raise
domain errors from ``portal.errors``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Integer, bindparam, delete, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from portal.accounts import passwords
from portal.audit.service import AuditAction, record
from portal.errors import Conflict, InvalidInput, NotAllowed
from portal.formkit import db_id
from portal.models import (
    LoginFailure,
    Role,
    Team,
    User,
    UserRole,
    utcnow,
)
from portal.sanitise import single_line


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int
    window_seconds: int
    hash_method: str


class SignInRefused(Exception):
    """Sign-in failed. ``throttled`` is True when too many attempts were made; the
    message is the same whether or not the account exists."""

    def __init__(self, throttled: bool) -> None:
        super().__init__("throttled" if throttled else "bad credentials")
        self.throttled = throttled


def normalise_email(email: str) -> str:
    return single_line(email).lower()


def _account_key(email: str) -> str:
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()


def recent_failures(session: Session, email: str, policy: LoginPolicy) -> int:
    since = utcnow() - timedelta(seconds=policy.window_seconds)
    count = session.scalar(
        select(func.count())
        .select_from(LoginFailure)
        .where(
            LoginFailure.account_key == _account_key(email),
            LoginFailure.failed_at > since,
        )
    )
    return int(count or 0)


@dataclass(frozen=True)
class Credentials:
    """What checking an email and password found. The attempt is first reserved
    (``reserve_attempt``, its own short write transaction), then the hash is
    checked with reads only (it takes ~100 ms and must not hold the write lock),
    then ``record_sign_in`` writes the outcome."""

    account_key: str
    user_id: int | None
    throttled: bool = False
    # No password check could start (every slot taken): nothing was counted or
    # checked, and the person is asked to try again in a few seconds.
    busy: bool = False


def reserve_attempt(session: Session, email: str, policy: LoginPolicy) -> bool:
    """Count this attempt against the account before any hashing, atomically: the
    account's attempts are serialised (SQLite's write lock; a transaction-scoped
    advisory lock on PostgreSQL), so however many arrive at once, at most
    ``max_failures`` hashes are checked per window. The reservation stands as a
    failure unless the sign-in succeeds. False means throttled."""
    key = _account_key(email)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key}
        )
    if recent_failures(session, email, policy) >= policy.max_failures:
        return False
    cutoff = utcnow() - timedelta(seconds=policy.window_seconds)
    # Old rows for this key are pruned here so the table stays small.
    session.execute(
        delete(LoginFailure).where(
            LoginFailure.account_key == key, LoginFailure.failed_at <= cutoff
        )
    )
    session.add(LoginFailure(account_key=key))
    session.flush()
    return True


def check_credentials(
    session: Session,
    email: str,
    password: str,
    policy: LoginPolicy,
    reserved: bool,
    may_use_password: Callable[[User], bool] = lambda user: True,
) -> Credentials:
    """Unknown, disabled, wrong-password and not-allowed-a-password attempts all
    verify one hash, so they look alike. Reads only."""
    key = _account_key(email)
    if not reserved:
        return Credentials(key, None, throttled=True)
    user = find_user_by_email(session, email)
    if user is None or user.directory_account:
        passwords.verify_password(passwords.dummy_hash(policy.hash_method), password)
        return Credentials(key, None)
    ok = passwords.verify_password(user.password_hash, password) and user.is_active
    ok = ok and may_use_password(user)
    return Credentials(key, user.id if ok else None)


def record_sign_in(
    session: Session, credentials: Credentials, reason: str | None = None
) -> User:
    """Write what ``check_credentials`` found. A failure is already counted (the
    reservation); a success clears the account's failures and is audited
    (``reason`` "break_glass" marks a password sign-in while SSO is on)."""
    if credentials.throttled:
        raise SignInRefused(throttled=True)
    user = session.get(User, credentials.user_id) if credentials.user_id else None
    if user is None or not user.is_active:
        raise SignInRefused(throttled=False)
    key = credentials.account_key
    session.execute(delete(LoginFailure).where(LoginFailure.account_key == key))
    user.last_sign_in_at = utcnow()
    record(session, user, AuditAction.SIGNED_IN, "user", user.id, reason=reason)
    return user


def sign_out(session: Session, user: User) -> None:
    """End every session of this user (cookies carry the generation)."""
    user.session_generation += 1
    record(session, user, AuditAction.SIGNED_OUT, "user", user.id)
    session.flush()


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


# Roles in the same query: this runs on every signed-in request, and a second
# (select-in) query for them cost as much again. Built once with the id bound:
# ``session.get`` built its statement afresh each time (0.25 to 0.21 ms a load).
_USER_WITH_ROLES = (
    select(User)
    .options(joinedload(User.role_rows))
    .where(User.id == bindparam("user_id", type_=Integer))
)


def load_session_user(session: Session, token: str) -> User | None:
    """Flask-Login loader: ``"<id>:<generation>"`` -> active user or None."""
    user_id, _, generation = token.partition(":")
    wanted, seen = db_id(user_id), db_id(generation)
    if wanted is None or seen is None:
        return None
    found = session.execute(_USER_WITH_ROLES, {"user_id": wanted})
    user = found.unique().scalar_one_or_none()
    if user is None or not user.is_active:
        return None
    if user.session_generation != seen:
        return None
    return user


def _parse_roles(roles: Iterable[str]) -> set[Role]:
    try:
        parsed = {Role(r) for r in roles}
    except ValueError as exc:
        raise InvalidInput(f"Unknown role: {exc}", field="roles") from None
    if not parsed:
        raise InvalidInput("Select at least one role", field="roles")
    return parsed


def _active_admin_count(session: Session) -> int:
    count = session.scalar(
        select(func.count())
        .select_from(User)
        .join(UserRole)
        .where(UserRole.role == Role.ADMIN, User.disabled_at.is_(None))
    )
    return int(count or 0)


def _check_team(session: Session, team_id: int | None) -> None:
    if team_id is None:
        return
    team = session.get(Team, team_id)
    if team is None or team.retired_at is not None:
        raise InvalidInput("Select a team that exists", field="team_id")


def create_user(
    session: Session,
    actor: User | None,
    *,
    email: str,
    display_name: str,
    roles: Iterable[str],
    password_hash: str,
    team_id: int | None = None,
    must_change_password: bool = True,
) -> User:
    """Create an account. The caller chooses or generates the password and hashes
    it (outside any write transaction)."""
    email = normalise_email(email)
    name = single_line(display_name)
    if "@" not in email or len(email) > 254:
        raise InvalidInput("Enter an email address like name@council.gov.uk", "email")
    if not name:
        raise InvalidInput("Enter the person's name", field="display_name")
    parsed = _parse_roles(roles)
    _check_team(session, team_id)
    if find_user_by_email(session, email) is not None:
        raise Conflict("An account with this email address already exists", "email")
    user = User(
        email=email,
        display_name=name,
        password_hash=password_hash,
        must_change_password=must_change_password,
        team_id=team_id,
        role_rows=[UserRole(role=r.value) for r in sorted(parsed)],
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(
            "An account with this email address already exists", "email"
        ) from None
    record(
        session,
        actor,
        AuditAction.USER_CREATED,
        "user",
        user.id,
        after={"roles": sorted(parsed), "team_id": team_id},
    )
    return user


def set_roles(
    session: Session, actor: User | None, user: User, roles: Iterable[str]
) -> None:
    """Replace the user's roles. The last active administrator keeps theirs.
    Roles of a directory account come from its groups, not from this page."""
    parsed = _parse_roles(roles)
    if set(user.roles) == parsed:
        return
    if user.directory_account:
        raise NotAllowed(
            "This person's roles come from their council directory groups. "
            "Change them in the directory instead.",
            field="roles",
        )
    if (
        Role.ADMIN in user.roles
        and Role.ADMIN not in parsed
        and user.is_active
        and _active_admin_count(session) <= 1
    ):
        raise NotAllowed("You cannot remove the last administrator", field="roles")
    replace_roles(session, actor, user, parsed)


def replace_roles(
    session: Session,
    actor: User | None,
    user: User,
    roles: set[Role],
    reason: str | None = None,
) -> None:
    """Write a change of roles and its audit row (the rules are the caller's)."""
    before = sorted(user.roles)
    user.role_rows = [UserRole(role=r.value) for r in sorted(roles)]
    session.flush()
    record(
        session,
        actor,
        AuditAction.ROLES_CHANGED,
        "user",
        user.id,
        reason=reason,
        before={"roles": before},
        after={"roles": sorted(roles)},
    )


def update_profile(
    session: Session,
    actor: User | None,
    user: User,
    *,
    display_name: str,
    team_id: int | None,
) -> None:
    name = single_line(display_name)
    if not name:
        raise InvalidInput("Enter the person's name", field="display_name")
    if team_id != user.team_id:
        _check_team(session, team_id)
    before = {"display_name": user.display_name, "team_id": user.team_id}
    after = {"display_name": name, "team_id": team_id}
    if before == after:
        return
    user.display_name = name
    user.team_id = team_id
    session.flush()
    record(
        session,
        actor,
        AuditAction.USER_UPDATED,
        "user",
        user.id,
        before=before,
        after=after,
    )


def update_user(
    session: Session,
    actor: User | None,
    user: User,
    *,
    display_name: str,
    team_id: int | None,
    roles: Iterable[str],
    independent_moderator: bool = False,
) -> None:
    """The admin edit page: name, team, roles and moderation scope in one change
    (all or nothing). A directory account's name, team and roles are the
    directory's; only the moderation scope is set here."""
    parsed = _parse_roles(roles)  # refuse bad roles before touching anything
    if user.directory_account and (
        single_line(display_name) != user.display_name
        or team_id != user.team_id
        or parsed != set(user.roles)
    ):
        raise NotAllowed(
            "This person's name, team and roles come from their council directory "
            "groups. Change them in the directory instead.",
            field="roles",
        )
    update_profile(session, actor, user, display_name=display_name, team_id=team_id)
    set_roles(session, actor, user, roles)
    if user.independent_moderator != independent_moderator:
        user.independent_moderator = independent_moderator
        session.flush()
        record(session, actor, AuditAction.MODERATOR_SCOPE_CHANGED, "user", user.id,
               after={"independent_moderator": independent_moderator})  # fmt: skip


def disable_user(session: Session, actor: User | None, user: User) -> None:
    """Disable the account; its open sessions end at their next request."""
    if user.disabled_at is not None:
        return
    if actor is not None and actor.id == user.id:
        raise NotAllowed("You cannot disable your own account")
    if Role.ADMIN in user.roles and _active_admin_count(session) <= 1:
        raise NotAllowed("You cannot disable the last administrator")
    user.disabled_at = utcnow()
    user.session_generation += 1
    session.flush()
    record(session, actor, AuditAction.USER_DISABLED, "user", user.id)


def enable_user(session: Session, actor: User | None, user: User) -> None:
    if user.disabled_at is None:
        return
    user.disabled_at = None
    session.flush()
    record(session, actor, AuditAction.USER_ENABLED, "user", user.id)


def reset_password(
    session: Session, actor: User | None, user: User, issued: passwords.Issued
) -> str:
    """Give the user a new random password (returned once), to change at sign-in."""
    if user.directory_account:
        raise NotAllowed(
            "This person signs in with their council account, which has no "
            "password here. Their password is reset in the council's directory."
        )
    user.password_hash = issued.password_hash
    user.must_change_password = True
    user.session_generation += 1
    session.flush()
    record(session, actor, AuditAction.PASSWORD_RESET, "user", user.id)
    return issued.password


def list_users(
    session: Session, *, role: str | None = None, status: str | None = None
) -> list[User]:
    """Users for the admin list, by name. (Councils have hundreds, not millions.)"""
    query = select(User).order_by(func.lower(User.display_name), User.id)
    if role:
        query = query.where(User.role_rows.any(UserRole.role == role))
    if status == "active":
        query = query.where(User.disabled_at.is_(None))
    elif status == "disabled":
        query = query.where(User.disabled_at.is_not(None))
    return list(session.scalars(query))
