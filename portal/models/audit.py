"""The append-only, hash-chained audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base, UTCDateTime, utcnow


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


class AuditGap(Base):
    """The chain links of an audit row deleted by the retention purge: its id and
    hashes, no content. `verify-audit` walks across them, so a row removed any
    other way still shows as a break."""

    __tablename__ = "audit_gaps"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    row_hash: Mapped[str | None] = mapped_column(String(64))
