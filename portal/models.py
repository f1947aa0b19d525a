"""The whole schema, typed. Every change here ships an Alembic migration in
``migrations/versions`` (a test compares the two)."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC (SQLite has no time zones) and always returns aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(
        self, value: datetime | None, dialect: Dialect
    ) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use portal.models.utcnow()")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(
        self, value: datetime | None, dialect: Dialect
    ) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Role(enum.StrEnum):
    CONTRIBUTOR = "contributor"
    MODERATOR = "moderator"
    PLANNER = "planner"
    ADMIN = "admin"
    SAFEGUARDING_LEAD = "safeguarding_lead"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.CONTRIBUTOR: "Contributor",
    Role.MODERATOR: "Moderator",
    Role.PLANNER: "Planner",
    Role.ADMIN: "Administrator",
    Role.SAFEGUARDING_LEAD: "Safeguarding lead",
}


class TeamKind(enum.StrEnum):
    TEAM = "team"
    SERVICE = "service"


class Addressee(enum.StrEnum):
    """Who an area for improvement or recommendation is addressed to."""

    LOCAL_AUTHORITY = "local_authority"
    LSCB = "lscb"

    @property
    def label(self) -> str:
        return {
            Addressee.LOCAL_AUTHORITY: "Local authority",
            Addressee.LSCB: "Local Safeguarding Children Board",
        }[self]


class Team(Base):
    """Admin-managed reference data: a team or a service staff belong to."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default=TeamKind.TEAM)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


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


class AuditEvent(Base):
    """Append-only record of who did what. The database refuses UPDATE and DELETE
    (triggers, see migration 0003), and each row carries the hash of the one before,
    so `portal verify-audit` finds any row changed or removed behind its back."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    row_hash: Mapped[str | None] = mapped_column(String(64))


class AuditMaintenance(Base):
    """While a row here has purge_allowed, the triggers let audit rows be deleted:
    for a retention purge (and the test suite's clean-up). UPDATE is never allowed."""

    __tablename__ = "audit_maintenance"

    id: Mapped[int] = mapped_column(primary_key=True)
    purge_allowed: Mapped[bool] = mapped_column(Boolean, default=False)


class Inspection(Base):
    __tablename__ = "inspections"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    local_authority: Mapped[str] = mapped_column(String(120))
    inspected_from: Mapped[date | None] = mapped_column(Date)
    inspected_to: Mapped[date | None] = mapped_column(Date)
    published_on: Mapped[date | None] = mapped_column(Date)
    judgement: Mapped[str] = mapped_column(String(120))
    source: Mapped[str] = mapped_column(Text, default="")

    areas: Mapped[list[Area]] = relationship(
        back_populates="inspection", order_by="Area.position"
    )
    recommendations: Mapped[list[Recommendation]] = relationship(
        back_populates="inspection", order_by="Recommendation.position"
    )


recommendation_areas = Table(
    "recommendation_areas",
    Base.metadata,
    Column(
        "recommendation_id",
        ForeignKey("recommendations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("area_id", ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True),
)


class Area(Base):
    """An area for improvement named by the inspection."""

    __tablename__ = "areas"
    __table_args__ = (UniqueConstraint("inspection_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id"))
    code: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    addressed_to: Mapped[str] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Input here is about managers: its anonymous items go to independent moderators.
    about_management: Mapped[bool] = mapped_column(Boolean, default=False)

    inspection: Mapped[Inspection] = relationship(back_populates="areas")
    recommendations: Mapped[list[Recommendation]] = relationship(
        secondary=recommendation_areas,
        back_populates="areas",
        order_by="Recommendation.position",
    )


class Recommendation(Base):
    """A recommendation of the inspection. Retired, never deleted, so input tagged
    to it keeps its link."""

    __tablename__ = "recommendations"
    __table_args__ = (UniqueConstraint("inspection_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id"))
    code: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    addressed_to: Mapped[str] = mapped_column(String(32))
    # True when the text is not the inspection's wording (e.g. demo data derived
    # from an area title). Shown on every page that lists it.
    is_placeholder: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    inspection: Mapped[Inspection] = relationship(back_populates="recommendations")
    areas: Mapped[list[Area]] = relationship(
        secondary=recommendation_areas,
        back_populates="recommendations",
        order_by="Area.position",
    )


class RoundStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


round_areas = Table(
    "round_areas",
    Base.metadata,
    Column(
        "round_id",
        ForeignKey("engagement_rounds.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("area_id", ForeignKey("areas.id"), primary_key=True),
)


class EngagementRound(Base):
    """A period in which staff are asked for input on some areas for improvement."""

    __tablename__ = "engagement_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text, default="")
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default=RoundStatus.DRAFT)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    areas: Mapped[list[Area]] = relationship(
        secondary=round_areas, order_by="Area.position", lazy="selectin"
    )

    def accepts_input(self, now: datetime) -> bool:
        return self.status == RoundStatus.OPEN and self.opens_at <= now < self.closes_at


class RoleGroup(Base):
    """Admin-managed job roles staff may give as context (e.g. "Team manager")."""

    __tablename__ = "role_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SubmissionKind(enum.StrEnum):
    NAMED = "named"
    ANONYMOUS = "anonymous"
    FACILITATED = "facilitated"


class SubmissionStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    RETURNED = "returned"  # to its named author, for changes
    DUPLICATE = "duplicate"
    SAFEGUARDING = "safeguarding"  # with the safeguarding lead, out of every queue
    WITHDRAWN = "withdrawn"


class Submission(Base):
    """One person's (or one session's) input on one area in one round.

    Anonymity is structural: an anonymous row has no author and no recorder, only the
    day it arrived, a random id, and no audit row. On SQLite the table has no rowid,
    so not even the storage order reveals when it arrived.
    """

    __tablename__ = "submissions"
    __table_args__ = (
        Index("ix_submissions_round_area", "round_id", "area_id"),
        # The moderation queue: keyset pages in (day, random id) order.
        Index("ix_submissions_queue", "status", "submitted_on", "id"),
        # Queue counts read this index only (no table lookups) at 1M rows.
        Index(
            "ix_submissions_scope",
            "status",
            "team_id",
            "kind",
            "area_id",
            "author_id",
            "has_personal_data",
        ),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("engagement_rounds.id"))
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=SubmissionStatus.PENDING)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_on: Mapped[date] = mapped_column(Date)
    # Exact times exist for named and facilitated input only.
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    obstacles: Mapped[str] = mapped_column(Text, default="")
    biggest_difference: Mapped[str] = mapped_column(Text, default="")
    practice_example: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[int | None] = mapped_column(Integer)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    role_group_id: Mapped[int | None] = mapped_column(ForeignKey("role_groups.id"))
    session_type: Mapped[str | None] = mapped_column(String(32))
    attendees: Mapped[int | None] = mapped_column(Integer)
    # Positions and kinds of personal data found at submission; never the text.
    # none_as_null: Python None is SQL NULL (SQLAlchemy's default writes JSON null).
    pii_flags: Mapped[list[dict[str, Any]] | None] = mapped_column(
        JSON(none_as_null=True)
    )
    # pii_flags is not None, kept as a plain column so counts can use an index.
    has_personal_data: Mapped[bool] = mapped_column(Boolean, default=False)
    safeguarding_flag: Mapped[bool] = mapped_column(Boolean, default=False)
    safeguarding_reasons: Mapped[list[str] | None] = mapped_column(
        JSON(none_as_null=True)
    )
    # Hash of the form's one-time token: a resent form stores nothing new.
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    # Hash of the receipt code shown once to an anonymous writer.
    receipt_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    # Moderation.
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reject_reason: Mapped[str | None] = mapped_column(String(32))
    decision_note: Mapped[str | None] = mapped_column(Text)
    duplicate_of_id: Mapped[str | None] = mapped_column(String(36))
    redactions: Mapped[int] = mapped_column(Integer, default=0)
    # Safeguarding: what the lead did (the item stays out of every summary).
    safeguarding_action: Mapped[str | None] = mapped_column(String(32))
    safeguarding_note: Mapped[str | None] = mapped_column(Text)
    safeguarding_actioned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    safeguarding_actioned_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id")
    )

    round: Mapped[EngagementRound] = relationship(lazy="joined")
    area: Mapped[Area] = relationship(lazy="joined")
    team: Mapped[Team | None] = relationship()
    role_group: Mapped[RoleGroup | None] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])


class Draft(Base):
    """Autosaved named input, deleted when it is submitted. Never anonymous input."""

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("user_id", "round_id", "area_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    round_id: Mapped[int] = mapped_column(
        ForeignKey("engagement_rounds.id", ondelete="CASCADE")
    )
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Setting(Base):
    """Admin-editable texts (such as the safeguarding notice on every form)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
