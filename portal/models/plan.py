"""The improvement plan: actions answering each recommendation, with the staff
input that supports them (the evidence trail from plan back to frontline voice)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Column, Date, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime, utcnow
from portal.models.engagement import Submission
from portal.models.framework import Recommendation


class ActionStatus(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"
    AT_RISK = "at_risk"

    @property
    def label(self) -> str:
        return {
            ActionStatus.NOT_STARTED: "Not started",
            ActionStatus.IN_PROGRESS: "In progress",
            ActionStatus.COMPLETE: "Complete",
            ActionStatus.AT_RISK: "At risk",
        }[self]


plan_evidence = Table(
    "plan_evidence",
    Base.metadata,
    Column(
        "action_id", ForeignKey("plan_actions.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("submission_id", ForeignKey("submissions.id"), primary_key=True),
)


class PlanAction(Base):
    __tablename__ = "plan_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendations.id"), index=True
    )
    action: Mapped[str] = mapped_column(Text)
    lead_officer: Mapped[str] = mapped_column(String(120))
    target_date: Mapped[date] = mapped_column(Date)
    success_measure: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=ActionStatus.NOT_STARTED)
    # Progress is judged against a straight line from start_date to target_date.
    start_date: Mapped[date | None] = mapped_column(Date)
    # Copies of the latest quarterly update (board/progress.py), for lists.
    percent_complete: Mapped[int] = mapped_column(
        Integer, default=0, server_default="0"
    )
    rag: Mapped[str | None] = mapped_column(String(8))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    recommendation: Mapped[Recommendation] = relationship(lazy="joined")
    evidence: Mapped[list[Submission]] = relationship(
        secondary=plan_evidence, order_by="Submission.submitted_on"
    )
