"""Figures kept up to date as the rows they count change, so pages read a few
small rows instead of counting a million."""

from __future__ import annotations

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base


class QueueCount(Base):
    """How many submissions share each combination of what the moderation
    queue's scopes and filters look at. Kept by database triggers on
    ``submissions`` (migration 0018) in the same transaction as every insert,
    change of status, redaction or edit, whichever code makes it; ``portal
    rebuild-aggregates`` recounts it from scratch. ``team_key`` is the team's id,
    or 0 for input given without a team."""

    __tablename__ = "queue_counts"

    # Key order: a team moderator's counts are one range (status, team_key).
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    team_key: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    personal_data: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)
