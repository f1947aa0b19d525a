"""Closing the loop: what staff are told became of their input. "You said, we did"
publications are frozen like the board's snapshots (migration 0013); named
contributors may opt in to a quarterly digest about their own input."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UTCDateTime, utcnow


class YouSaidPublication(Base):
    """One quarter's "You said, we did", as published: the database refuses
    UPDATE and DELETE, so later plan edits appear only in the next one."""

    __tablename__ = "you_said_publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    quarter: Mapped[str] = mapped_column(String(7), unique=True)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    next_update_on: Mapped[date] = mapped_column(Date)
    content: Mapped[str] = mapped_column(Text)  # JSON, see outcomes/publication.py
    content_hash: Mapped[str] = mapped_column(String(64))


class DigestSent(Base):
    """A quarter's digest went to this (named, opted-in) contributor: sent once."""

    __tablename__ = "digests_sent"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    quarter: Mapped[str] = mapped_column(String(7), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
