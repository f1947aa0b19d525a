"""Changing one's own password: every hash computed before the write
transaction (``check_password_change``), then the change written
(``change_password``)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from portal.accounts import passwords
from portal.audit.service import AuditAction, record
from portal.errors import InvalidInput
from portal.models import User


@dataclass(frozen=True)
class PasswordChange:
    """A checked password change: the new hash, or why it was refused."""

    new_hash: str | None
    error: InvalidInput | None = None
    # No password-check slot came free: nothing was checked or changed.
    busy: bool = False


def check_password_change(
    user: User, *, current: str, new: str, hash_method: str, min_length: int
) -> PasswordChange:
    """Every hash the change needs, computed before the write transaction."""
    if not passwords.verify_password(user.password_hash, current):
        return PasswordChange(
            None,
            InvalidInput("Your current password is not correct", "current_password"),
        )
    problem = passwords.password_problem(new, user.email, min_length)
    if problem:
        return PasswordChange(None, InvalidInput(problem, field="new_password"))
    if passwords.verify_password(user.password_hash, new):
        return PasswordChange(
            None,
            InvalidInput("Choose a password you have not used here", "new_password"),
        )
    return PasswordChange(passwords.hash_password(new, hash_method))


def change_password(session: Session, user: User, checked: PasswordChange) -> None:
    """The user changes their own password; other sessions of theirs end."""
    if checked.error is not None:
        raise checked.error
    assert checked.new_hash is not None  # noqa: S101 - no error means a hash
    user.password_hash = checked.new_hash
    user.must_change_password = False
    user.session_generation += 1
    session.flush()
    record(session, user, AuditAction.PASSWORD_CHANGED, "user", user.id)
