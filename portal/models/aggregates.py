"""Figures kept up to date as the rows they count change, so pages read a few
small rows instead of counting a million."""

from __future__ import annotations

from sqlalchemy import Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.models.base import Base

# queue_counts.team_key of the rows that sum every team (and no team).
EVERY_TEAM = -1


class QueueCount(Base):
    """How many submissions share each combination of what the moderation
    queue's scopes and filters look at. Kept by database triggers on
    ``submissions`` (migration 0018) in the same transaction as every insert,
    change of status, redaction or edit, whichever code makes it; ``portal
    rebuild-aggregates`` recounts it from scratch. ``team_key`` is the team's id,
    or 0 for input given without a team, or ``EVERY_TEAM``: the same combination
    summed over every team (migration 0024), which the independent moderator's
    counts read instead of one row per team."""

    __tablename__ = "queue_counts"
    # Every column the counts read, so they sum from the index alone (0023).
    __table_args__ = (
        Index(
            "ix_queue_counts_cover",
            "status",
            "team_key",
            "kind",
            "personal_data",
            "round_id",
            "area_id",
            "n",
        ),
    )

    # Key order: a team moderator's counts are one range (status, team_key).
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    team_key: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    personal_data: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


class SubjectCount(Base):
    """Approved input counted per summary subject (an area, a recommendation or
    a theme), round, kind and priority, with the people at staff sessions. An
    item counts once for its area and once for each recommendation and theme it
    is tagged with, while it is approved and not withdrawn. Kept by triggers
    (migration 0025); ``priority`` 0 means not given. A summary's counts read at
    most 3 x 6 rows a round (kinds by priorities), however much input there is."""

    __tablename__ = "subject_counts"
    # WITHOUT ROWID on SQLite: the key is the order a summary reads, and the
    # counts sit beside it (no look-up from an index to the row).
    __table_args__ = {"sqlite_with_rowid": False}

    subject_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    subject_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    priority: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)
    attendees: Mapped[int] = mapped_column(Integer, default=0)


class SubjectContext(Base):
    """The same items per summary subject, round, team and role group (0: not
    given): what the team and role breakdowns read, and, for areas, the
    combinations the data export's small-group rule judges. At most teams x role
    groups rows a round, however much input there is (migration 0025)."""

    __tablename__ = "subject_contexts"
    __table_args__ = {"sqlite_with_rowid": False}

    subject_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    subject_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_key: Mapped[int] = mapped_column(Integer, primary_key=True)
    role_key: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


class CoverageCell(Base):
    """Approved items tagged with a recommendation, per area of the items.
    ``recommendation_id`` 0 with ``area_id`` 0 holds the approved items that
    carry any tag at all (the share analysed). Kept by triggers (0019)."""

    __tablename__ = "coverage_cells"

    recommendation_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


class SubjectRelated(Base):
    """For a summary subject, how many of its approved items carry each related
    tag: themes for an area or a recommendation, recommendations for a theme.
    Kept by triggers (migration 0020)."""

    __tablename__ = "subject_related"

    subject_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    subject_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    related_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


class SubjectPhrase(Base):
    """For a summary subject, how many of its approved items share each key
    phrase, as each wording was written (the summary shows the commonest).
    A copy of staff wording, like ``submission_phrases``: redaction rebuilds an
    item's phrases, and these follow. Kept by triggers (migration 0020)."""

    __tablename__ = "subject_phrases"
    # Rows that fall to zero are deleted by phrase (the triggers' clean-up).
    __table_args__ = (Index("ix_subject_phrases_key", "key", "text"),)

    subject_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    subject_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    text: Mapped[str] = mapped_column(String(200), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)
