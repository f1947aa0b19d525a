"""Monitoring the plan for the Health and Wellbeing Board: quarterly progress on
actions, evidence, the two-phase sign-off per recommendation, the risk register,
requests for detailed reports, and the frozen quarterly snapshots the board saw."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime, utcnow
from portal.models.framework import Recommendation
from portal.models.plan import PlanAction


class Rag(enum.StrEnum):
    """Progress of one action. Its own key: it never stands for a sign-off."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"

    @property
    def label(self) -> str:
        return {
            Rag.GREEN: "Green: on track",
            Rag.AMBER: "Amber: some slippage",
            Rag.RED: "Red: off track",
        }[self]


class EvidenceKind(enum.StrEnum):
    ACTIVITY = "activity"
    PERFORMANCE = "performance"
    QUALITY_ASSURANCE = "quality_assurance"
    STAFF_VOICE = "staff_voice"

    @property
    def label(self) -> str:
        return {
            EvidenceKind.ACTIVITY: "Activity",
            EvidenceKind.PERFORMANCE: "Performance data",
            EvidenceKind.QUALITY_ASSURANCE: (
                "Quality assurance (audit, practice observation)"
            ),
            EvidenceKind.STAFF_VOICE: "Staff voice",
        }[self]


class ActionUpdate(Base):
    """One quarterly update on an action: kept, never edited, so the commentary
    has its history. The action carries a copy of the latest figures."""

    __tablename__ = "action_updates"
    __table_args__ = (
        CheckConstraint(
            "percent_complete BETWEEN 0 AND 100", name="percent_complete_range"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("plan_actions.id"), index=True)
    quarter: Mapped[str] = mapped_column(String(7))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(16))
    percent_complete: Mapped[int] = mapped_column(Integer)
    suggested_rag: Mapped[str] = mapped_column(String(8))
    rag: Mapped[str] = mapped_column(String(8))
    # Required for amber, red, an override and a completion.
    reason: Mapped[str] = mapped_column(Text, default="")
    commentary: Mapped[str] = mapped_column(Text)
    # Required while the action is overdue.
    remedial_step: Mapped[str] = mapped_column(Text, default="")

    recorded_by = relationship("User", lazy="joined")


class BoardEvidence(Base):
    """Evidence for a recommendation (or one of its actions): text, a link, a file
    kept under instance/ with a random name, or a round's staff voice."""

    __tablename__ = "board_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendations.id"), index=True
    )
    action_id: Mapped[int | None] = mapped_column(ForeignKey("plan_actions.id"))
    kind: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str | None] = mapped_column(String(2000))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("engagement_rounds.id"))
    file_name: Mapped[str | None] = mapped_column(String(200))
    stored_name: Mapped[str | None] = mapped_column(String(64), unique=True)
    content_type: Mapped[str | None] = mapped_column(String(100))
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    effective_on: Mapped[date] = mapped_column(Date)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    action: Mapped[PlanAction | None] = relationship()
    round = relationship("EngagementRound")


sign_off_evidence = Table(
    "sign_off_evidence",
    Base.metadata,
    Column("sign_off_id", ForeignKey("sign_offs.id"), primary_key=True),
    Column("evidence_id", ForeignKey("board_evidence.id"), primary_key=True),
)


class SignOff(Base):
    """Phase 1 (the activity is complete) or Phase 2 (practice has improved) for
    one recommendation. Withdrawn, never deleted; at most one standing per phase."""

    __tablename__ = "sign_offs"
    __table_args__ = (
        CheckConstraint("phase IN (1, 2)", name="phase_one_or_two"),
        Index(
            "uq_sign_offs_standing",
            "recommendation_id",
            "phase",
            unique=True,
            sqlite_where=text("withdrawn_at IS NULL"),
            postgresql_where=text("withdrawn_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendations.id"), index=True
    )
    phase: Mapped[int] = mapped_column(Integer)
    given_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    given_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text)
    # Phase 2 only: the independent check that practice has changed.
    practice_checked_by: Mapped[str | None] = mapped_column(String(120))
    practice_checked_on: Mapped[date | None] = mapped_column(Date)
    practice_check: Mapped[str] = mapped_column(Text, default="")
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    withdrawal_reason: Mapped[str] = mapped_column(Text, default="")

    recommendation: Mapped[Recommendation] = relationship(lazy="joined")
    given_by = relationship("User", foreign_keys=[given_by_id], lazy="joined")
    withdrawn_by = relationship("User", foreign_keys=[withdrawn_by_id])
    evidence: Mapped[list[BoardEvidence]] = relationship(
        secondary=sign_off_evidence, order_by="BoardEvidence.effective_on"
    )


risk_recommendations = Table(
    "risk_recommendations",
    Base.metadata,
    Column("risk_id", ForeignKey("risks.id"), primary_key=True),
    Column("recommendation_id", ForeignKey("recommendations.id"), primary_key=True),
)
risk_actions = Table(
    "risk_actions",
    Base.metadata,
    Column("risk_id", ForeignKey("risks.id"), primary_key=True),
    Column("action_id", ForeignKey("plan_actions.id"), primary_key=True),
)


class RiskStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


_SCORES = ("inherent", "current", "target")


class Risk(Base):
    __tablename__ = "risks"
    __table_args__ = tuple(
        CheckConstraint(f"{score}_{axis} BETWEEN 1 AND 5", name=f"{score}_{axis}_range")
        for score in _SCORES
        for axis in ("likelihood", "impact")
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(120))
    cause: Mapped[str] = mapped_column(Text)
    effect: Mapped[str] = mapped_column(Text)
    # Kept apart: what already reduces the risk, and what is still to be done.
    existing_controls: Mapped[str] = mapped_column(Text)
    mitigating_actions: Mapped[str] = mapped_column(Text)
    inherent_likelihood: Mapped[int] = mapped_column(Integer)
    inherent_impact: Mapped[int] = mapped_column(Integer)
    current_likelihood: Mapped[int] = mapped_column(Integer)
    current_impact: Mapped[int] = mapped_column(Integer)
    target_likelihood: Mapped[int] = mapped_column(Integer)
    target_impact: Mapped[int] = mapped_column(Integer)
    review_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(8), default=RiskStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closure_reason: Mapped[str] = mapped_column(Text, default="")

    recommendations: Mapped[list[Recommendation]] = relationship(
        secondary=risk_recommendations, order_by="Recommendation.position"
    )
    actions: Mapped[list[PlanAction]] = relationship(
        secondary=risk_actions, order_by="PlanAction.id"
    )
    reviews: Mapped[list[RiskReview]] = relationship(
        order_by="RiskReview.id.desc()", back_populates="risk"
    )

    def score(self, which: str) -> int:
        likelihood: int = getattr(self, f"{which}_likelihood")
        impact: int = getattr(self, f"{which}_impact")
        return likelihood * impact


class RiskReview(Base):
    """Each quarter's current score with the rationale for it."""

    __tablename__ = "risk_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    risk_id: Mapped[int] = mapped_column(ForeignKey("risks.id"), index=True)
    quarter: Mapped[str] = mapped_column(String(7))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    likelihood: Mapped[int] = mapped_column(Integer)
    impact: Mapped[int] = mapped_column(Integer)
    rationale: Mapped[str] = mapped_column(Text)

    risk: Mapped[Risk] = relationship(back_populates="reviews")
    reviewed_by = relationship("User", lazy="joined")


class ReportRequest(Base):
    """The board asks for a more detailed report on a recommendation or a risk;
    the lead officer answers in the portal by the due date."""

    __tablename__ = "report_requests"
    __table_args__ = (
        CheckConstraint(
            "(recommendation_id IS NULL) <> (risk_id IS NULL)", name="one_subject"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int | None] = mapped_column(
        ForeignKey("recommendations.id"), index=True
    )
    risk_id: Mapped[int | None] = mapped_column(ForeignKey("risks.id"), index=True)
    question: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    asked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    recommendation: Mapped[Recommendation | None] = relationship(lazy="joined")
    risk: Mapped[Risk | None] = relationship(lazy="joined")
    asked_by = relationship("User", foreign_keys=[asked_by_id], lazy="joined")


class QuarterSnapshot(Base):
    """What the board saw for one quarter, frozen: the database refuses UPDATE and
    DELETE on this table (migration 0012), as it does on the audit trail."""

    __tablename__ = "quarter_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    quarter: Mapped[str] = mapped_column(String(7), unique=True)
    frozen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    frozen_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    content: Mapped[str] = mapped_column(Text)  # JSON, see board/service.py
    content_hash: Mapped[str] = mapped_column(String(64))
