"""What became of one item of input, for the person who gave it: the moderation
outcome and its reason in plain words, the recommendations and themes it was
tagged to, and the plan actions that cite it with their progress. Nothing about
anyone else's input, and no count smaller than the minimum group size."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.board import progress, signoff
from portal.errors import NotFound
from portal.models import (
    PlanAction,
    Recommendation,
    RecommendationTag,
    SignOff,
    Submission,
    SubmissionStatus,
    Theme,
    ThemeTag,
    plan_evidence,
)
from portal.submissions.lifecycle import counts_as_staff_input, status_label
from portal.timefmt import to_local

# Why input was not used, said to its writer (the moderator chose a code).
PLAIN_REASONS = {
    "off_topic": "It was about something other than this area for improvement.",
    "personal_data": "It identified someone in a way that could not be taken out.",
    "offensive": "It was worded in a way the council cannot use.",
    "duplicate": "It repeated other input, which is used instead.",
    "other": "The moderator's reason is not one that can be shown here: ask the "
    "planning team if you want to know more.",
}


@dataclass(frozen=True)
class ActionProgress:
    """A plan action as staff see it: what, who, by when, and how it is going."""

    id: int
    code: str
    recommendation: str
    action: str
    lead_officer: str
    target_date: date
    rag: str | None
    percent_complete: int
    phase: int
    commentary: str
    updated_on: date | None
    cited_by: int | None  # items of input citing it; None below the minimum


@dataclass
class Outcome:
    status: str
    reason: str | None = None
    recommendations: list[tuple[str, str]] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    actions: list[ActionProgress] = field(default_factory=list)


def _phases(session: Session, recommendation_ids: set[int]) -> dict[int, int]:
    standing: dict[int, set[int]] = {}
    for rec_id, phase in session.execute(
        select(SignOff.recommendation_id, SignOff.phase).where(
            SignOff.recommendation_id.in_(recommendation_ids),
            SignOff.withdrawn_at.is_(None),
        )
    ):
        standing.setdefault(rec_id, set()).add(phase)
    return {
        r: signoff.phase_reached(standing.get(r, set())) for r in recommendation_ids
    }


def actions_progress(
    session: Session, actions: list[PlanAction], minimum: int
) -> list[ActionProgress]:
    if not actions:
        return []
    ids = [a.id for a in actions]
    latest = progress.latest_updates(session, ids)
    phases = _phases(session, {a.recommendation_id for a in actions})
    cited: dict[int, int] = {
        int(action_id): int(n)
        for action_id, n in session.execute(
            select(plan_evidence.c.action_id, func.count())
            .join(Submission, Submission.id == plan_evidence.c.submission_id)
            .where(plan_evidence.c.action_id.in_(ids), counts_as_staff_input())
            .group_by(plan_evidence.c.action_id)
        )
    }
    shown = []
    for action in actions:
        update = latest.get(action.id)
        count = cited.get(action.id, 0)
        shown.append(
            ActionProgress(
                id=action.id,
                code=action.recommendation.code,
                recommendation=action.recommendation.text,
                action=action.action,
                lead_officer=action.lead_officer,
                target_date=action.target_date,
                rag=action.rag,
                percent_complete=action.percent_complete,
                phase=phases.get(action.recommendation_id, 0),
                commentary=update.commentary if update else "",
                updated_on=to_local(update.recorded_at).date() if update else None,
                cited_by=count if count >= minimum else None,
            )
        )
    return shown


def outcomes_of(
    session: Session, items: Iterable[Submission], minimum: int
) -> dict[str, Outcome]:
    """Each item's outcome, for its own writer (My input, the receipt page)."""
    found: dict[str, Outcome] = {}
    used = []
    for item in items:
        outcome = Outcome(status=status_label(item))
        if item.withdrawn_on is None and item.status == SubmissionStatus.REJECTED:
            outcome.reason = PLAIN_REASONS.get(item.reject_reason or "other")
        if item.withdrawn_on is None and item.status == SubmissionStatus.DUPLICATE:
            outcome.reason = PLAIN_REASONS["duplicate"]
        if item.withdrawn_on is None and item.status == SubmissionStatus.APPROVED:
            used.append(item.id)
        found[item.id] = outcome
    if used:
        _tags(session, found, used)
        _citing_actions(session, found, used, minimum)
    return found


@dataclass
class Tags:
    recommendations: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    themes: dict[str, list[str]] = field(default_factory=dict)


def tags_of(session: Session, ids: list[str]) -> Tags:
    """The recommendations (code, text) and themes each item is tagged to, in
    framework and name order: two queries whatever the number of items."""
    found = Tags()
    for submission_id, code, text in session.execute(
        select(
            RecommendationTag.submission_id, Recommendation.code, Recommendation.text
        )
        .join(Recommendation, Recommendation.id == RecommendationTag.recommendation_id)
        .where(RecommendationTag.submission_id.in_(ids))
        .order_by(Recommendation.inspection_id, Recommendation.position)
    ):
        found.recommendations.setdefault(submission_id, []).append((code, text))
    for submission_id, name in session.execute(
        select(ThemeTag.submission_id, Theme.name)
        .join(Theme, Theme.id == ThemeTag.theme_id)
        .where(ThemeTag.submission_id.in_(ids))
        .order_by(Theme.name)
    ):
        found.themes.setdefault(submission_id, []).append(name)
    return found


def _tags(session: Session, found: dict[str, Outcome], used: list[str]) -> None:
    tags = tags_of(session, used)
    for submission_id in used:
        found[submission_id].recommendations = tags.recommendations.get(
            submission_id, []
        )
        found[submission_id].themes = tags.themes.get(submission_id, [])


def _citing_actions(
    session: Session, found: dict[str, Outcome], used: list[str], minimum: int
) -> None:
    citing: dict[str, list[int]] = {}
    for submission_id, action_id in session.execute(
        select(plan_evidence.c.submission_id, plan_evidence.c.action_id).where(
            plan_evidence.c.submission_id.in_(used)
        )
    ):
        citing.setdefault(submission_id, []).append(action_id)
    wanted = {i for ids in citing.values() for i in ids}
    actions = list(session.scalars(select(PlanAction).where(PlanAction.id.in_(wanted))))
    shown = {a.id: a for a in actions_progress(session, actions, minimum)}
    for submission_id, ids in citing.items():
        found[submission_id].actions = [shown[i] for i in sorted(ids) if i in shown]


def staff_action(session: Session, action_id: int, minimum: int) -> ActionProgress:
    action = session.get(PlanAction, action_id)
    if action is None:
        raise NotFound("There is no such plan action")
    return actions_progress(session, [action], minimum)[0]
