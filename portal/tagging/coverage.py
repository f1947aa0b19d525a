"""Coverage: how much approved input speaks to each recommendation, per area, and
how much has been analysed, so the next round can target the gaps."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from portal.models import (
    Area,
    CoverageCell,
    Inspection,
    Recommendation,
)

LOW = 3  # fewer approved items than this marks a recommendation as a gap


@dataclass(frozen=True)
class Coverage:
    areas: list[Area]
    recommendations: list[Recommendation]
    cells: dict[tuple[int, int], int]  # (recommendation id, area id) -> items
    totals: dict[int, int]  # recommendation id -> items (any area)
    approved: int
    tagged: int

    @property
    def share_tagged(self) -> float:
        return self.tagged / self.approved if self.approved else 0.0

    def is_gap(self, recommendation: Recommendation) -> bool:
        return self.totals.get(recommendation.id, 0) < LOW


def coverage(session: Session, inspection: Inspection) -> Coverage:
    """Read from the maintained ``coverage_cells`` (kept by triggers as input is
    approved and tagged: migrations 0019 and 0022), not counted over every item."""
    # Rows (recommendation, area): tagged items; (0, area): approved items in the
    # area; (0, 0): items with any tag. At most (recommendations + 1) x (areas + 1)
    # rows, however many items there are.
    cells: dict[tuple[int, int], int] = {}
    approved_count = tagged = 0
    for rec_id, area_id, n in session.execute(
        select(CoverageCell.recommendation_id, CoverageCell.area_id, CoverageCell.n)
    ):
        if rec_id:
            cells[(rec_id, area_id)] = int(n)
        elif area_id:
            approved_count += int(n)
        else:
            tagged = int(n)
    totals: dict[int, int] = {}
    for (rec_id, _), n in cells.items():
        # An item has one area, so its recommendation's items add up across areas.
        totals[rec_id] = totals.get(rec_id, 0) + n
    recommendations = list(
        session.scalars(
            select(Recommendation)
            .where(Recommendation.inspection_id == inspection.id)
            .options(selectinload(Recommendation.areas))
            .order_by(Recommendation.position)
        )
    )
    return Coverage(
        areas=list(inspection.areas),
        recommendations=recommendations,
        cells=cells,
        totals=totals,
        approved=approved_count,
        tagged=tagged,
    )
