"""Coding approved input: themes, tags with provenance, quotes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime, utcnow


class Theme(Base):
    """A planner-managed code for what staff talk about. Two levels at most (a
    theme may have a parent that has none). Retired or merged, never deleted."""

    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id"))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id"))
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    parent: Mapped[Theme | None] = relationship(
        remote_side="Theme.id", foreign_keys=[parent_id]
    )


class _TagColumns:
    """Provenance every tag carries: who applied it, when, and whether it was an
    accepted suggestion or chosen by hand."""

    applied_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    from_suggestion: Mapped[bool] = mapped_column(Boolean, default=False)


class RecommendationTag(_TagColumns, Base):
    __tablename__ = "recommendation_tags"
    __table_args__ = (Index("ix_recommendation_tags_rec", "recommendation_id"),)

    submission_id: Mapped[str] = mapped_column(
        ForeignKey("submissions.id"), primary_key=True
    )
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendations.id"), primary_key=True
    )


class ThemeTag(_TagColumns, Base):
    __tablename__ = "theme_tags"
    __table_args__ = (Index("ix_theme_tags_theme", "theme_id"),)

    submission_id: Mapped[str] = mapped_column(
        ForeignKey("submissions.id"), primary_key=True
    )
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id"), primary_key=True)


class Quote(Base):
    """An excerpt of approved input (after redaction) chosen for summaries."""

    __tablename__ = "quotes"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[str] = mapped_column(ForeignKey("submissions.id"), index=True)
    field: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SummaryNote(Base):
    """A planner's narrative for one summary: key messages and questions for the
    seminar, stored as typed in the Markdown-style subset of portal/formatting.py
    (converted and sanitised where shown)."""

    __tablename__ = "summary_notes"
    __table_args__ = (UniqueConstraint("subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int] = mapped_column(Integer)
    key_messages: Mapped[str] = mapped_column(Text, default="")
    questions: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class GlossaryTerm(Base):
    """A staff abbreviation and what it stands for ("RHI": "return home
    interview"), expanded in input and in the framework's wording before tag
    suggestions are scored. Seeded with common ones; administrators edit it."""

    __tablename__ = "glossary_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    abbreviation: Mapped[str] = mapped_column(String(16), unique=True)
    expansion: Mapped[str] = mapped_column(String(200))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SuggestionDismissal(Base):
    """A planner's "Not this one" for one suggested tag on one item: hidden from
    every planner from then on, and learned from (the item's words count against
    that recommendation or theme)."""

    __tablename__ = "suggestion_dismissals"

    submission_id: Mapped[str] = mapped_column(
        ForeignKey("submissions.id"), primary_key=True
    )
    candidate_kind: Mapped[str] = mapped_column(String(8), primary_key=True)
    candidate_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dismissed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    dismissed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
