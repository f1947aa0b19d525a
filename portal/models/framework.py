"""The inspection framework: inspections, areas for improvement, recommendations."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.models.base import Base, UTCDateTime


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
    # Example comments, one per line: what staff might write about this area. They
    # seed the tag suggestions before anything has been tagged; never shown to staff
    # giving input, so they do not lead what people say.
    examples: Mapped[str] = mapped_column(Text, default="", server_default="")

    inspection: Mapped[Inspection] = relationship(back_populates="areas")
    recommendations: Mapped[list[Recommendation]] = relationship(
        secondary=recommendation_areas,
        back_populates="areas",
        order_by="Recommendation.position",
    )

    @property
    def example_comments(self) -> list[str]:
        return [line for line in self.examples.splitlines() if line.strip()]


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
    retired_reason: Mapped[str | None] = mapped_column(Text)

    inspection: Mapped[Inspection] = relationship(back_populates="recommendations")
    areas: Mapped[list[Area]] = relationship(
        secondary=recommendation_areas,
        back_populates="recommendations",
        order_by="Area.position",
    )
