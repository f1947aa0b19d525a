"""Themed summaries: what approved input says about one recommendation, theme or
area, for one round or several. Everything is aggregated in SQL; the result is plain
data, so the screen and every export are built from the same thing.

Only approved input counts: rejected, withdrawn, duplicate and safeguarding items
never appear (approval is the only way in). Breakdowns by team and role go through
small-group suppression.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session

from portal import privacy
from portal.audit.service import AuditAction, record
from portal.errors import InvalidInput, NotFound
from portal.models import (
    Area,
    Quote,
    Recommendation,
    RecommendationTag,
    RoleGroup,
    SubjectContext,
    SubjectCount,
    SubjectRelated,
    Submission,
    SubmissionKind,
    SummaryNote,
    Team,
    Theme,
    ThemeTag,
    User,
    utcnow,
)
from portal.sanitise import plain_text
from portal.submissions import phrases
from portal.submissions.lifecycle import counts_as_staff_input
from portal.summaries.suppression import Breakdown, suppress

SUBJECTS = ("recommendation", "theme", "area")
NOT_GIVEN = "Not given"


@dataclass(frozen=True)
class Subject:
    kind: str
    id: int
    title: str


@dataclass
class Summary:
    subject: Subject
    named: int = 0
    anonymous: int = 0
    facilitated: int = 0
    attendees: int = 0
    priorities: dict[int, int] = field(default_factory=dict)
    related: list[tuple[str, int]] = field(default_factory=list)  # themes or recs
    quotes: list[str] = field(default_factory=list)
    recurring_phrases: list[phrases.Phrase] = field(default_factory=list)
    teams: Breakdown | None = None
    roles: Breakdown | None = None
    key_messages: str = ""
    questions: str = ""

    @property
    def total(self) -> int:
        return self.named + self.anonymous + self.facilitated

    @property
    def rating_rows(self) -> list[tuple[str, int]]:
        return [(f"Rated {p}", self.priorities.get(p, 0)) for p in range(1, 6)]

    @property
    def rating_summary(self) -> str:
        """The chart's meaning in words (for its text summary and alt text)."""
        rated = sum(self.priorities.values())
        if not rated:
            return "No item gave a rating."
        best = max(range(1, 6), key=lambda p: (self.priorities.get(p, 0), p))
        return (
            f"{rated} items gave a rating from 1 (hardly at all) to 5 (very much); "
            f"the most common was {best}, given by {self.priorities.get(best, 0)}."
        )

    @property
    def related_summary(self) -> str:
        if not self.related:
            return "None tagged yet."
        name, count = self.related[0]
        return (
            f"{len(self.related)} shown; the most frequent is {name}, on {count} items."
        )


def subject(session: Session, kind: str, subject_id: int) -> Subject:
    """What a summary is about: a recommendation, a theme or an area."""
    if kind == "recommendation":
        rec = session.get(Recommendation, subject_id)
        if rec is not None:
            return Subject(kind, rec.id, f"{rec.code}: {rec.text}")
    elif kind == "area":
        area = session.get(Area, subject_id)
        if area is not None:
            return Subject(kind, area.id, f"{area.code}: {area.title}")
    elif kind == "theme":
        theme = session.get(Theme, subject_id)
        if theme is not None:
            return Subject(kind, theme.id, theme.name)
    raise NotFound("There is no such summary")


def scope_of(subject_: Subject, round_ids: list[int]) -> list[ColumnElement[bool]]:
    """Which input a summary (and the list behind one of its phrases) covers."""
    conditions: list[ColumnElement[bool]] = [counts_as_staff_input()]
    if round_ids:
        conditions.append(Submission.round_id.in_(round_ids))
    if subject_.kind == "recommendation":
        conditions.append(
            Submission.id.in_(
                select(RecommendationTag.submission_id).where(
                    RecommendationTag.recommendation_id == subject_.id
                )
            )
        )
    elif subject_.kind == "theme":
        conditions.append(
            Submission.id.in_(
                select(ThemeTag.submission_id).where(ThemeTag.theme_id == subject_.id)
            )
        )
    else:
        conditions.append(Submission.area_id == subject_.id)
    return conditions


def total_in(session: Session, scope: list[ColumnElement[bool]]) -> int:
    return int(
        session.scalar(select(func.count()).select_from(Submission).where(*scope)) or 0
    )


def build(
    session: Session,
    subject_: Subject,
    round_ids: list[int],
    *,
    count_minimum: int,
) -> Summary:
    """The summary for one subject (one query per part, all aggregated in SQL)."""
    scope = scope_of(subject_, round_ids)
    summary = Summary(subject_)
    # Counts come from the maintained subject_counts and subject_contexts (at
    # most 18 rows a round, and teams x roles), kept by triggers as input is
    # approved and tagged.
    c = SubjectCount
    priorities: dict[int, int] = {}
    for kind, priority, n, people in session.execute(
        select(c.kind, c.priority, func.sum(c.n), func.sum(c.attendees))
        .where(*_of_subject(c, subject_, round_ids))
        .group_by(c.kind, c.priority)
    ):
        n = int(n or 0)
        if kind == SubmissionKind.NAMED:
            summary.named += n
        elif kind == SubmissionKind.ANONYMOUS:
            summary.anonymous += n
        else:
            summary.facilitated += n
            summary.attendees += int(people or 0)
        if priority and n:
            priorities[int(priority)] = priorities.get(int(priority), 0) + n
    summary.priorities = dict(sorted(priorities.items()))
    summary.related = _related(session, subject_, round_ids)
    # Read from the (small) quotes table in order, each checked against the
    # scope, rather than from every item in scope looking for its quotes.
    in_scope = select(Submission.id).where(Submission.id == Quote.submission_id, *scope)
    summary.quotes = list(
        session.scalars(
            select(Quote.text).where(exists(in_scope)).order_by(Quote.id).limit(12)
        )
    )
    if summary.total >= count_minimum:
        # Counted over a group as small as a breakdown would hide, a phrase could
        # point at its writer; below the minimum none is shown.
        summary.recurring_phrases = phrases.recurring(
            session, subject_.kind, subject_.id, round_ids
        )
    x = SubjectContext
    contexts = _of_subject(x, subject_, round_ids)
    summary.teams = _breakdown(session, contexts, Team, x.team_key, count_minimum)
    summary.roles = _breakdown(session, contexts, RoleGroup, x.role_key, count_minimum)
    summary.key_messages, summary.questions = note_texts(session, subject_)
    return summary


def _of_subject(
    table: type[SubjectCount] | type[SubjectContext],
    subject_: Subject,
    round_ids: list[int],
) -> list[ColumnElement[bool]]:
    """A summary table's rows for one subject, in these rounds (all if none)."""
    rows = [table.subject_type == subject_.kind, table.subject_id == subject_.id]
    if round_ids:
        rows.append(table.round_id.in_(round_ids))
    return rows


def note_texts(session: Session, subject_: Subject) -> tuple[str, str]:
    """The planners' key messages and questions for a subject ("" if none)."""
    note = session.scalar(
        select(SummaryNote).where(
            SummaryNote.subject_type == subject_.kind,
            SummaryNote.subject_id == subject_.id,
        )
    )
    return (note.key_messages, note.questions) if note is not None else ("", "")


def _related(
    session: Session, subject_: Subject, round_ids: list[int]
) -> list[tuple[str, int]]:
    """The themes that recur (for a recommendation or area), or the
    recommendations (for a theme), most frequent first: read from the
    maintained ``subject_related``."""
    r = SubjectRelated
    named: Any = Recommendation.code if subject_.kind == "theme" else Theme.name
    model = Recommendation if subject_.kind == "theme" else Theme
    items = func.sum(r.n)
    query = (
        select(named, items)
        .join(model, model.id == r.related_id)
        .where(r.subject_type == subject_.kind, r.subject_id == subject_.id)
        .group_by(named)
        .having(items > 0)
        .order_by(items.desc(), named)
        .limit(8)
    )
    if round_ids:
        query = query.where(r.round_id.in_(round_ids))
    return [(str(name), int(n)) for name, n in session.execute(query)]


def _breakdown(
    session: Session,
    contexts: list[ColumnElement[bool]],
    model: type[Team] | type[RoleGroup],
    key: Any,
    minimum: int,
) -> Breakdown:
    """Counts by team or role group from the contexts (key 0: not given)."""
    rows = session.execute(
        select(model.name, func.sum(SubjectContext.n))
        .select_from(SubjectContext)
        .outerjoin(model, model.id == key)
        .where(*contexts)
        .group_by(model.name)
    )
    return suppress({str(name or NOT_GIVEN): int(n) for name, n in rows if n}, minimum)


def save_note(
    session: Session,
    actor: User,
    subject_: Subject,
    *,
    key_messages: str,
    questions: str,
    settings: privacy.PrivacySettings,
    confirmed: bool,
) -> SummaryNote:
    """Store the planner's narrative (a Markdown-style subset, portal/formatting.py)
    after the same personal-data check staff input gets (with "Save anyway")."""
    if subject_.kind not in SUBJECTS:
        raise InvalidInput("Unknown summary")
    # Stored as typed (portal/formatting.py turns the marks into HTML where it is
    # shown); the check reads all of it, link addresses included.
    key_messages, questions = plain_text(key_messages), plain_text(questions)
    privacy.refuse_unconfirmed(
        {"key_messages": key_messages, "questions": questions}, settings, confirmed
    )
    note = session.scalar(
        select(SummaryNote).where(
            SummaryNote.subject_type == subject_.kind,
            SummaryNote.subject_id == subject_.id,
        )
    )
    if note is None:
        note = SummaryNote(subject_type=subject_.kind, subject_id=subject_.id)
        session.add(note)
    note.key_messages, note.questions = key_messages, questions
    note.updated_by_id, note.updated_at = actor.id, utcnow()
    session.flush()
    record(session, actor, AuditAction.SUMMARY_NOTE_SAVED, subject_.kind, subject_.id)
    return note


def overview(
    session: Session, round_ids: list[int]
) -> dict[str, list[tuple[Subject, int]]]:
    """Every subject with its number of approved items, for the summaries index:
    read from the maintained facts (an item counts once under its area and once
    under each recommendation and theme it is tagged with), not counted over
    every item."""
    c = SubjectCount
    facts = select(c.subject_type, c.subject_id, func.sum(c.n)).group_by(
        c.subject_type, c.subject_id
    )
    if round_ids:
        facts = facts.where(c.round_id.in_(round_ids))
    approved = {
        (kind, subject): int(n or 0) for kind, subject, n in session.execute(facts)
    }
    recs = [
        (r, approved.get(("recommendation", r.id), 0))
        for r in session.scalars(
            select(Recommendation).order_by(
                Recommendation.inspection_id, Recommendation.position
            )
        )
    ]
    themes = [
        (t, approved.get(("theme", t.id), 0))
        for t in session.scalars(
            select(Theme).where(Theme.retired_at.is_(None)).order_by(Theme.name)
        )
    ]
    areas = [
        (a, approved.get(("area", a.id), 0))
        for a in session.scalars(
            select(Area).order_by(Area.inspection_id, Area.position)
        )
    ]
    return {
        "recommendation": [
            (Subject("recommendation", r.id, f"{r.code}: {r.text}"), int(n))
            for r, n in recs
        ],
        "theme": [(Subject("theme", t.id, t.name), int(n)) for t, n in themes],
        "area": [
            (Subject("area", a.id, f"{a.code}: {a.title}"), int(n)) for a, n in areas
        ],
    }
