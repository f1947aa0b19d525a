"""Rules for engagement rounds. A round accepts input only while it is open and
between its opening and closing times."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.audit.service import AuditAction, record
from portal.errors import InvalidInput, NotFound
from portal.models import Area, EngagementRound, RoundStatus, User, round_areas
from portal.sanitise import plain_text, single_line


@dataclass(frozen=True)
class RoundDetails:
    title: str
    purpose: str
    opens_at: datetime
    closes_at: datetime
    status: str
    area_ids: list[int]


def _snapshot(item: EngagementRound) -> dict[str, object]:
    return {
        "title": item.title,
        "status": item.status,
        "opens_at": item.opens_at.isoformat(),
        "closes_at": item.closes_at.isoformat(),
        "areas": [a.code for a in item.areas],
    }


def save_round(
    session: Session,
    actor: User,
    details: RoundDetails,
    existing: EngagementRound | None = None,
) -> EngagementRound:
    """Create a round, or change one (its title, times, areas and status)."""
    title = single_line(details.title)
    if not title:
        raise InvalidInput("Enter a title", field="title")
    if details.closes_at <= details.opens_at:
        raise InvalidInput(
            "The closing time must be after the opening time", "closes_on"
        )
    if details.status not in {s.value for s in RoundStatus}:
        raise InvalidInput("Select a status", field="status")
    wanted = set(details.area_ids)
    areas = list(
        session.scalars(select(Area).where(Area.id.in_(wanted)).order_by(Area.position))
    )
    if not wanted or len(areas) != len(wanted):
        raise InvalidInput("Select at least one area for improvement", field="area_ids")
    item = existing or EngagementRound(created_by_id=actor.id)
    before = _snapshot(item) if existing else None
    item.title, item.purpose = title, plain_text(details.purpose)
    item.opens_at, item.closes_at = details.opens_at, details.closes_at
    item.status, item.areas = details.status, areas
    if existing is None:
        session.add(item)
    session.flush()
    after = _snapshot(item)
    if before != after:
        action = AuditAction.ROUND_UPDATED if existing else AuditAction.ROUND_CREATED
        record(session, actor, action, "round", item.id, before=before, after=after)
    return item


def list_rounds(session: Session) -> list[EngagementRound]:
    return list(
        session.scalars(
            select(EngagementRound).order_by(
                EngagementRound.opens_at.desc(), EngagementRound.id
            )
        )
    )


@dataclass(frozen=True, slots=True)
class RoundChoice:
    id: int
    title: str


@dataclass(frozen=True, slots=True)
class AreaChoice:
    id: int
    code: str
    title: str


@dataclass(frozen=True)
class FilterChoices:
    """What the queue's filters offer: every round, newest first, and every area
    some round asks about, once each, in the framework's order. Plain values, not
    every round's ORM object and its areas on each page that has the filters."""

    rounds: tuple[RoundChoice, ...]
    areas: tuple[AreaChoice, ...]


# Every round with its areas in one query, built once: the filters are on every
# queue page (which reads them with its own rows, ``moderation/queue.py``), and
# SQLAlchemy takes longer to build a statement than the database takes to
# answer this one.
ROUNDS_AND_AREAS = (
    select(
        EngagementRound.id, EngagementRound.title, Area.id, Area.code, Area.title,
        Area.inspection_id, Area.position,
    )
    .select_from(EngagementRound)
    .outerjoin(round_areas, round_areas.c.round_id == EngagementRound.id)
    .outerjoin(Area, Area.id == round_areas.c.area_id)
    .order_by(EngagementRound.opens_at.desc(), EngagementRound.id)
)  # fmt: skip


def filter_choices(rows: Iterable[Sequence[Any]]) -> FilterChoices:
    """The filters' choices from the rows of ``ROUNDS_AND_AREAS``."""
    rounds: dict[int, RoundChoice] = {}
    areas: dict[int, tuple[tuple[int, int, int], AreaChoice]] = {}
    for (
        round_id,
        title,
        area_id,
        code,
        area_title,
        inspection,
        position,
    ) in rows:
        rounds.setdefault(round_id, RoundChoice(round_id, title))
        if area_id is not None and area_id not in areas:
            order = (inspection, position, area_id)
            areas[area_id] = (order, AreaChoice(area_id, code, area_title))
    return FilterChoices(
        rounds=tuple(rounds.values()),
        areas=tuple(choice for _, choice in sorted(areas.values(), key=lambda a: a[0])),
    )


def open_rounds(session: Session, now: datetime) -> list[EngagementRound]:
    return list(
        session.scalars(
            select(EngagementRound)
            .where(
                EngagementRound.status == RoundStatus.OPEN,
                EngagementRound.opens_at <= now,
                EngagementRound.closes_at > now,
            )
            .order_by(EngagementRound.closes_at, EngagementRound.id)
        )
    )


def get_round(session: Session, round_id: int) -> EngagementRound:
    item = session.get(EngagementRound, round_id)
    if item is None:
        raise NotFound("There is no such engagement round")
    return item


def area_choices(session: Session) -> list[tuple[int, str]]:
    return [
        (area.id, f"{area.code}: {area.title}")
        for area in session.scalars(
            select(Area).order_by(Area.inspection_id, Area.position)
        )
    ]
