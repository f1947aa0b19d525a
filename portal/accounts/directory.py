"""Who the council's directory says someone is: accounts from signed-in claims.

An account is found by the provider's immutable id (``user_identities``), never
by email alone. On the first sign-in it is created just in time; at every sign-in
its roles and team are worked out again from the person's directory groups, so a
changed role or a leaver (removed from the groups) takes effect without an
administrator. Someone in no mapped group gets no account, and an existing
account that has lost every mapped group loses its roles and every session.

Plain functions taking ``session``; they flush, never commit. A refusal is
returned, not raised, so that its audit row commits with the page that says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.service import find_user_by_email, normalise_email, replace_roles
from portal.accounts.sso import Claims
from portal.audit.service import AuditAction, record
from portal.errors import Conflict, NotFound
from portal.models import NO_PASSWORD, Role, Team, User, UserIdentity, utcnow
from portal.sanitise import single_line

ASK_ADMINISTRATOR = (
    "Your council account is not in any of the directory groups that give access "
    "to {service}. Ask your manager or the {service} administrator to add you to "
    "the right group, then sign in again."
)
TOO_MANY_GROUPS = (
    "Your council account is in too many directory groups for the sign-in to list "
    "them. Ask the {service} administrator: the app registration should send only "
    "the groups assigned to the application."
)
NO_GROUP_CLAIM = (
    "The council's sign-in did not say which directory groups you are in, so "
    "{service} cannot tell what you may do. Ask the {service} administrator to "
    "check the app registration sends the groups claim."
)
DISABLED = (
    "Your {service} account has been disabled. Ask the {service} administrator "
    "if you think this is wrong."
)
EMAIL_IN_USE = (
    "An account with your email address already exists in {service}, but it is "
    "not linked to your council sign-in. Ask the {service} administrator to link "
    "it; your earlier input stays with it."
)


@dataclass(frozen=True)
class GroupMapping:
    """Directory group object ids -> roles, and -> team names (first match in
    the order written wins, for someone in several team groups)."""

    roles: Mapping[str, list[str] | str]
    teams: Mapping[str, str]

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> GroupMapping:
        return cls(config["SSO_GROUP_ROLES"], config["SSO_GROUP_TEAMS"])

    def roles_for(self, groups: tuple[str, ...]) -> set[Role]:
        found: set[Role] = set()
        member = set(groups)
        for group, roles in self.roles.items():
            if group in member:
                found.update(
                    Role(r) for r in ([roles] if isinstance(roles, str) else roles)
                )
        return found

    def team_names_for(self, groups: tuple[str, ...]) -> list[str]:
        member = set(groups)
        return [name for group, name in self.teams.items() if group in member]


@dataclass(frozen=True)
class Outcome:
    """A directory sign-in: the user to start a session for, or why not."""

    user: User | None
    refusal: str | None = None  # a message template with {service}
    code: str | None = None
    status: int = 200


def record_refusal(session: Session, user: User | None, code: str) -> None:
    """A refused single sign-on, audited by its code (never the token), here or
    for what the provider's answer already failed (``sso.SsoRefused``)."""
    record(session, None, AuditAction.SIGN_IN_REFUSED, "user",
           user.id if user else None, reason=code)  # fmt: skip


def _refuse(
    session: Session, user: User | None, code: str, message: str, status: int = 403
) -> Outcome:
    record_refusal(session, user, code)
    return Outcome(None, message, code, status)


def sign_in(session: Session, claims: Claims, mapping: GroupMapping) -> Outcome:
    """The account these checked claims sign in to, brought up to date."""
    if not claims.subject:
        return _refuse(session, None, "no_subject", NO_GROUP_CLAIM, 400)
    user = _linked_user(session, claims)
    if user is not None and not user.is_active:
        return _refuse(session, user, "account_disabled", DISABLED)
    if claims.groups_overage:
        return _refuse(session, user, "groups_overage", TOO_MANY_GROUPS)
    if claims.groups is None:
        return _refuse(session, user, "no_group_claim", NO_GROUP_CLAIM)
    roles = mapping.roles_for(claims.groups)
    if not roles:
        if user is not None:
            _lose_access(session, user)
        return _refuse(session, user, "no_mapped_group", ASK_ADMINISTRATOR)
    if user is None:
        if _email_of(claims) and find_user_by_email(session, _email_of(claims)):
            return _refuse(session, None, "email_in_use", EMAIL_IN_USE, 409)
        user = _create(session, claims)
    _bring_up_to_date(session, user, claims, roles, mapping)
    user.last_sign_in_at = utcnow()
    record(session, user, AuditAction.SIGNED_IN, "user", user.id, reason="directory")
    return Outcome(user)


def _linked_user(session: Session, claims: Claims) -> User | None:
    return session.scalar(
        select(User)
        .join(UserIdentity, UserIdentity.user_id == User.id)
        .where(
            UserIdentity.issuer == claims.issuer,
            UserIdentity.subject == claims.subject,
        )
    )


def _email_of(claims: Claims) -> str:
    email = normalise_email(claims.email)
    return email if "@" in email and len(email) <= 254 else ""


def _name_of(claims: Claims) -> str:
    return single_line(claims.name)[:120] or _email_of(claims) or "Council user"


def _create(session: Session, claims: Claims) -> User:
    """Just in time: the account exists from the first sign-in. Without an email
    in the token it gets an address that cannot receive mail but is unique."""
    email = _email_of(claims) or f"{claims.subject[:200]}@directory.invalid"
    user = User(
        email=email,
        display_name=_name_of(claims),
        password_hash=NO_PASSWORD,
        must_change_password=False,
    )
    session.add(user)
    session.flush()
    session.add(
        UserIdentity(user_id=user.id, issuer=claims.issuer, subject=claims.subject)
    )
    session.flush()
    record(session, None, AuditAction.USER_CREATED, "user", user.id, reason="directory")
    return user


def _bring_up_to_date(
    session: Session,
    user: User,
    claims: Claims,
    roles: set[Role],
    mapping: GroupMapping,
) -> None:
    if set(user.roles) != roles:
        replace_roles(session, None, user, roles, reason="directory")
    before = {"display_name": user.display_name, "team_id": user.team_id}
    user.display_name = _name_of(claims)
    team = _team_for(session, mapping.team_names_for(claims.groups or ()))
    user.team_id = team.id if team is not None else None
    email = _email_of(claims)
    if email and email != user.email and find_user_by_email(session, email) is None:
        user.email = email  # a renamed mailbox follows; a clash keeps the old one
    after = {"display_name": user.display_name, "team_id": user.team_id}
    session.flush()
    if after != before:
        record(session, None, AuditAction.USER_UPDATED, "user", user.id,
               reason="directory", before=before, after=after)  # fmt: skip


def _team_for(session: Session, names: list[str]) -> Team | None:
    """The first mapped team that exists and is not retired (teams are the
    administrators' reference data: a group never creates one)."""
    for name in names:
        team = session.scalar(select(Team).where(Team.name == name))
        if team is not None and team.retired_at is None:
            return team
    return None


def _lose_access(session: Session, user: User) -> None:
    """In no mapped group any more: no roles, and every session of theirs ends.
    The account stays for the record of their named input."""
    if user.roles:
        replace_roles(session, None, user, set(), reason="directory")
    user.session_generation += 1
    session.flush()


def link(
    session: Session, actor: User | None, email: str, issuer: str, subject: str
) -> User:
    """Tie an existing account (with its named input) to a directory id: an
    administrator's act, since an email address alone proves nothing. The
    password stops working; roles come from groups from the next sign-in."""
    subject = single_line(subject)
    user = find_user_by_email(session, email)
    if user is None:
        raise NotFound("No account has that email address")
    if not subject:
        raise Conflict("Give the person's object id from the directory")
    taken = session.scalar(
        select(UserIdentity).where(
            UserIdentity.issuer == issuer, UserIdentity.subject == subject
        )
    )
    if taken is not None or session.scalar(
        select(UserIdentity).where(UserIdentity.user_id == user.id)
    ):
        raise Conflict("That account or that directory id is already linked")
    session.add(UserIdentity(user_id=user.id, issuer=issuer, subject=subject))
    user.password_hash = NO_PASSWORD
    user.must_change_password = False
    user.session_generation += 1
    session.flush()
    record(session, actor, AuditAction.DIRECTORY_LINKED, "user", user.id)
    return user
