"""Closing the loop, and people's rights over their input: what staff are told
became of it, and requests to erase it. "You said, we did"
publications are frozen like the board's snapshots (migration 0013); named
contributors may opt in to a quarterly digest about their own input."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

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


class ErasureRequest(Base):
    """A named contributor asks for the words of their named input to be erased;
    an administrator carries it out. Anonymous input cannot be asked for: nothing
    links it to anyone."""

    __tablename__ = "erasure_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    erased: Mapped[int] = mapped_column(Integer, default=0)
    kept_on_hold: Mapped[int] = mapped_column(Integer, default=0)

    user = relationship("User", foreign_keys=[user_id], lazy="joined")
