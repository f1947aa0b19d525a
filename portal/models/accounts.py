"""People: users, their roles and teams, and failed sign-ins."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime, utcnow


class Role(enum.StrEnum):
    CONTRIBUTOR = "contributor"
    MODERATOR = "moderator"
    PLANNER = "planner"
    ADMIN = "admin"
    SAFEGUARDING_LEAD = "safeguarding_lead"
    LEAD_OFFICER = "lead_officer"
    BOARD_MEMBER = "board_member"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.CONTRIBUTOR: "Contributor",
    Role.MODERATOR: "Moderator",
    Role.PLANNER: "Planner",
    Role.ADMIN: "Administrator",
    Role.SAFEGUARDING_LEAD: "Safeguarding lead",
    Role.LEAD_OFFICER: "Lead officer",
    Role.BOARD_MEMBER: "Board member",
}


class TeamKind(enum.StrEnum):
    TEAM = "team"
    SERVICE = "service"


class Team(Base):
    """Admin-managed reference data: a team or a service staff belong to."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default=TeamKind.TEAM)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# The password hash of an account that signs in through the council's identity
# provider: no password ever matches it (werkzeug refuses a hash without "$").
NO_PASSWORD = "!directory"  # noqa: S105 - a marker, not a secret


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(32), primary_key=True)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), index=True)
    # Bumped on sign-out, disable and password change: every cookie carrying an
    # older value stops working at its next request.
    session_generation: Mapped[int] = mapped_column(Integer, default=0)
    # Moderates outside any team line: sees anonymous input on areas "about
    # management", which team moderators (the writers' own managers) do not.
    independent_moderator: Mapped[bool] = mapped_column(Boolean, default=False)
    # Opted in to the quarterly digest about their own named input (never about
    # anonymous input, which nothing links to them).
    digest_opt_in: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    team: Mapped[Team | None] = relationship(lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(row.role) for row in self.role_rows)

    @property
    def is_active(self) -> bool:
        return self.disabled_at is None

    @property
    def directory_account(self) -> bool:
        """Signs in through the council's identity provider: no password here,
        and name, team and roles come from the directory."""
        return self.password_hash == NO_PASSWORD

    # Flask-Login protocol (written out rather than inherited, to keep the types).
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        """Flask-Login's id carries the session generation (its "alternative token"
        pattern), so bumping the generation invalidates every existing cookie."""
        return f"{self.id}:{self.session_generation}"


class LoginFailure(Base):
    """One failed sign-in. Keyed by a hash of the typed email, so the throttle works
    the same for unknown accounts and never stores what was typed."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key_time", "account_key", "failed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account_key: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class UserIdentity(Base):
    """The identity provider's immutable id for a person (Entra ID's ``oid``, or
    ``sub``) under one issuer. Accounts are found by this, never by email: an
    email address can be reused or changed, an object id cannot."""

    __tablename__ = "user_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), unique=True
    )
    issuer: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SignInCarry(Base):
    """Words on their way through the identity provider's sign-in: a form whose
    session ended, encrypted with a key that only the browser's session cookie
    holds. The row goes when the words come back, or at the next purge once it
    is older than an hour; what is left behind in storage is unreadable."""

    __tablename__ = "sign_in_carries"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    # To the hour: when it may be purged, and nothing finer about who wrote when.
    created_hour: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
