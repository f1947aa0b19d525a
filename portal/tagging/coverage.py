"""Coverage: how much approved input speaks to each recommendation, per area, and
how much has been analysed, so the next round can target the gaps."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import distinct, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from portal.models import (
    Area,
    Inspection,
    Recommendation,
    RecommendationTag,
    Submission,
    ThemeTag,
)
from portal.submissions.lifecycle import counts_as_staff_input

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
    """Aggregated in SQL: distinct approved items per (recommendation, area)."""
    approved = counts_as_staff_input()
    rows = session.execute(
        select(
            RecommendationTag.recommendation_id,
            Submission.area_id,
            func.count(distinct(Submission.id)),
        )
        .join(Submission, Submission.id == RecommendationTag.submission_id)
        .where(approved)
        .group_by(RecommendationTag.recommendation_id, Submission.area_id)
    ).all()
    cells = {(rec_id, area_id): int(n) for rec_id, area_id, n in rows}
    totals = {
        rec_id: int(n)
        for rec_id, n in session.execute(
            select(
                RecommendationTag.recommendation_id, func.count(distinct(Submission.id))
            )
            .join(Submission, Submission.id == RecommendationTag.submission_id)
            .where(approved)
            .group_by(RecommendationTag.recommendation_id)
        )
    }
    approved_count = session.scalar(
        select(func.count()).select_from(Submission).where(approved)
    )
    tagged = session.scalar(
        select(func.count())
        .select_from(Submission)
        .where(
            approved,
            or_(
                exists().where(RecommendationTag.submission_id == Submission.id),
                exists().where(ThemeTag.submission_id == Submission.id),
            ),
        )
    )
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
        approved=int(approved_count or 0),
        tagged=int(tagged or 0),
    )
