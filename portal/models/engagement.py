"""Staff engagement: rounds, role groups, submissions, drafts and settings."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.accounts import Team, User
from portal.models.base import Base, UTCDateTime, utcnow
from portal.models.framework import Area


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


# The three free-text answers every engagement form asks for, in form order.
# Moderation, redaction, tagging and suggestions all walk these columns.
ANSWER_FIELDS = ("obstacles", "biggest_difference", "practice_example")
ANSWER_LABELS = {
    "obstacles": "What gets in the way today",
    "biggest_difference": "What would make the biggest difference",
    "practice_example": "Example from practice",
}


# Every column the data export reads (and the two that say it may), in its
# order: the SQLite covering index below.
EXPORT_COLUMNS = ("submitted_on", "id", "status", "withdrawn_on", "round_id",
                  "area_id", "kind", "priority", "team_id", "role_group_id",
                  "attendees", "author_id", "obstacles", "biggest_difference",
                  "practice_example", "recommendation_codes",
                  "theme_names")  # fmt: skip


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
        # A team moderator's queue: one keyset range per team_id (no team; theirs).
        Index("ix_submissions_team_queue", "status", "team_id", "submitted_on", "id"),
        # PostgreSQL only: the no-team range in order (migration 0027 says why).
        Index(
            "ix_submissions_no_team_queue",
            "status",
            "submitted_on",
            "id",
            postgresql_where=text("team_id IS NULL"),
            info={"only_on": "postgresql"},
        ).ddl_if(dialect="postgresql"),
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
        # SQLite only (migration 0026 says why): the data export reads approved
        # input in (day, id) order from this index alone, never the table.
        Index(
            "ix_submissions_export",
            *EXPORT_COLUMNS,
            sqlite_where=text("status = 'approved' AND withdrawn_on IS NULL"),
            info={"only_on": "sqlite"},
        ).ddl_if(dialect="sqlite"),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("engagement_rounds.id"))
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=SubmissionStatus.PENDING)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id"), index=True
    )
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
    # The item's tag names as the data export prints them ("; "-separated), kept
    # by triggers on the tag tables and on renames (migration 0026): the export
    # reads them with the row instead of aggregating the tags for every row.
    recommendation_codes: Mapped[str | None] = mapped_column(Text)
    theme_names: Mapped[str | None] = mapped_column(Text)
    # Safeguarding: what the lead did (the item stays out of every summary).
    # Kept whatever the retention rules say, while an investigation or a
    # request needs it (portal legal-hold); safeguarding escalations always are.
    legal_hold: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
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


class ReceiptHandoff(Base):
    """Carries "thank you" (and, for anonymous input, the receipt code) from the
    submission to the page that shows it, once. The browser holds only a random
    token; this row holds nothing that names the writer or the item, and is
    deleted as soon as it is shown (or after a day)."""

    __tablename__ = "receipt_handoffs"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    receipt: Mapped[str | None] = mapped_column(String(32))
    created_on: Mapped[date] = mapped_column(Date)


class AnonymousInbox(Base):
    """Anonymous input waiting to be released into ``submissions``.

    A row's storage (PostgreSQL's xmin and ctid, a SQLite WAL frame) records when
    it was written. Held here, then moved into ``submissions`` in random order
    with others in one transaction, an anonymous item at rest says nothing finer
    than its day (see portal/submissions/release.py). The row holds exactly what
    the submission will hold, as the column values in ``payload``.
    """

    __tablename__ = "anonymous_inbox"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    receipt_hash: Mapped[str] = mapped_column(String(64), unique=True)
    held_on: Mapped[date] = mapped_column(Date)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)


class SubmissionPhrase(Base):
    """A key phrase of an approved item's "what would make the biggest difference"
    answer, kept while the item is approved (portal/submissions/phrases.py) so a
    summary counts recurring phrases in SQL. A copy of staff text: redaction
    rebuilds it from the redacted answer."""

    __tablename__ = "submission_phrases"
    __table_args__ = (Index("ix_submission_phrases_key", "key"),)

    submission_id: Mapped[str] = mapped_column(
        ForeignKey("submissions.id"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    text: Mapped[str] = mapped_column(String(200))
