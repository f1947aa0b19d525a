"""Redaction: a moderator overwrites personal data in an answer with
"[redacted: reason]". The original is gone from the row and from every copy of it
(notes, drafts, quotes, narratives, plan actions); no history table, audit row or
log line keeps it (the audit says who, why as a code, and how many characters)."""

from __future__ import annotations

import html
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from portal import privacy
from portal.audit.service import AuditAction, record
from portal.db import checkpoint_after_commit
from portal.errors import Conflict, InvalidInput
from portal.models import (
    ANSWER_FIELDS,
    ActionUpdate,
    Base,
    BoardEvidence,
    Draft,
    PlanAction,
    ReportRequest,
    Risk,
    RiskReview,
    SignOff,
    Submission,
    SubmissionStatus,
    SummaryNote,
    User,
)
from portal.submissions import phrases
from portal.tagging.service import drop_stale_quotes

S = SubmissionStatus

REDACTION_REASONS = {
    "child": "a child's details",
    "family": "a family member's details",
    "colleague": "a colleague's details",
    "other": "personal data",
}


@dataclass(frozen=True)
class Redaction:
    reason: str
    spans: list[tuple[str, int, int]]  # flagged spans ticked: (answer, start, end)
    text_field: str = ""  # and/or exact text selected or typed, in this answer
    text: str = ""


def redact(
    session: Session,
    moderator: User,
    item: Submission,
    redaction: Redaction,
    settings: privacy.PrivacySettings,
) -> int:
    """Overwrite personal data with "[redacted: reason]". The old text is not kept
    anywhere: not in a history table, the audit trail or a log. Returns the number
    of characters removed."""
    if item.status not in (S.PENDING, S.APPROVED, S.RETURNED):
        raise Conflict("Only items waiting for moderation or approved can be redacted")
    if redaction.reason not in REDACTION_REASONS:
        raise InvalidInput("Select why it is being redacted", field="reason")
    marker = f"[redacted: {REDACTION_REASONS[redaction.reason]}]"
    plan = _plan(item, redaction)
    removed = places = 0
    words: set[str] = set()
    for field, spans in plan.items():
        text = getattr(item, field)
        for start, end in sorted(spans, reverse=True):
            removed += end - start
            words.add(text[start:end])
            text = text[:start] + marker + text[end:]
        setattr(item, field, text)
        places += len(spans)
    scrub_copies(session, item, words, marker)
    answers = {name: getattr(item, name) for name in ANSWER_FIELDS}
    item.pii_flags = privacy.check(answers, settings).as_json() or None
    item.has_personal_data = item.pii_flags is not None
    item.redactions = (item.redactions or 0) + places
    session.flush()
    drop_stale_quotes(session, item)
    phrases.refresh(session, item)  # its key phrases are copies too
    # Once this commits, the WAL is checkpointed so no old page keeps the text.
    checkpoint_after_commit(session)
    record(session, moderator, AuditAction.INPUT_REDACTED, "submission", item.id,
           reason=redaction.reason,
           after={"answers": sorted(plan), "characters": removed,
                  "places": places})  # fmt: skip
    return removed


def _overwrite(text: str | None, words: set[str], marker: str) -> str | None:
    if not text:
        return text
    for word in sorted(words, key=len, reverse=True):
        # Narratives are stored as sanitised HTML, where "&" is "&amp;".
        for form in {word, html.escape(word, quote=False)}:
            text = text.replace(form, marker)
    return text


def scrub_copies(
    session: Session, item: Submission, words: set[str], marker: str
) -> None:
    """Every other place the redacted words may have been copied to: the item's
    moderation and safeguarding notes, its writer's drafts, planners' narratives,
    plan actions and what is written for the board. (Quotes of the item are
    dropped by ``drop_stale_quotes``; its key phrases are rebuilt from the
    redacted text by ``phrases.refresh``.)
    This list is the one register of copies of staff text."""
    words = {w for w in words if len(w.strip()) >= 2}
    if not words:
        return
    for name in ("decision_note", "safeguarding_note"):
        setattr(item, name, _overwrite(getattr(item, name), words, marker))
    if item.author_id is not None:
        for draft in session.scalars(
            select(Draft).where(Draft.user_id == item.author_id)
        ):
            answers = {
                key: _overwrite(value, words, marker)
                if isinstance(value, str)
                else value
                for key, value in draft.answers.items()
            }
            if answers != draft.answers:
                draft.answers = answers
    copies: list[tuple[type[Base], tuple[str, ...]]] = [
        (SummaryNote, ("key_messages", "questions")),
        (PlanAction, ("action", "success_measure")),
        # What lead officers and the board write (their frozen quarterly
        # snapshots cannot be changed: that text passed the personal-data check).
        (ActionUpdate, ("reason", "commentary", "remedial_step")),
        (BoardEvidence, ("title", "description")),
        (SignOff, ("reason", "practice_check", "withdrawal_reason")),
        (Risk, ("title", "description", "cause", "effect", "existing_controls",
                "mitigating_actions", "closure_reason")),
        (RiskReview, ("rationale",)),
        (ReportRequest, ("question", "answer")),
    ]  # fmt: skip
    for model, columns in copies:
        found = or_(
            *(
                getattr(model, column).contains(form, autoescape=True)
                for column in columns
                for word in words
                for form in {word, html.escape(word, quote=False)}
            )
        )
        for row in session.scalars(select(model).where(found)):
            for column in columns:
                setattr(row, column, _overwrite(getattr(row, column), words, marker))
    session.flush()


def _plan(item: Submission, redaction: Redaction) -> dict[str, list[tuple[int, int]]]:
    """The spans to overwrite, per answer, merged where they overlap."""
    wanted: dict[str, set[tuple[int, int]]] = {}
    for field, start, end in redaction.spans:
        if field in ANSWER_FIELDS and 0 <= start < end <= len(getattr(item, field)):
            wanted.setdefault(field, set()).add((start, end))
    text = redaction.text.strip()
    if text:
        if redaction.text_field not in ANSWER_FIELDS:
            raise InvalidInput("Select the answer the text is in", field="text_field")
        original: str = getattr(item, redaction.text_field)
        position = original.find(text)
        if position == -1:
            raise InvalidInput(
                "That text is not in the answer. Copy it exactly.", "text"
            )
        while position != -1:
            wanted.setdefault(redaction.text_field, set()).add(
                (position, position + len(text))
            )
            position = original.find(text, position + len(text))
    if not wanted:
        raise InvalidInput("Tick a flagged item or enter the text to redact", "text")
    return {field: _merge(spans) for field, spans in wanted.items()}


def _merge(spans: set[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def flagged_spans(item: Submission) -> dict[str, list[privacy.Finding]]:
    """The stored personal-data positions, per answer, for highlighting."""
    found: dict[str, list[privacy.Finding]] = {name: [] for name in ANSWER_FIELDS}
    for flag in item.pii_flags or []:
        if flag.get("field") in found:
            found[flag["field"]].append(
                privacy.Finding(int(flag["start"]), int(flag["end"]), str(flag["kind"]))
            )
    return found


def highlighted_answers(item: Submission) -> dict[str, list[privacy.Segment]]:
    """Each answer split into segments with its stored personal data marked."""
    flagged = flagged_spans(item)
    return {
        name: privacy.segments(getattr(item, name) or "", flagged[name])
        for name in ANSWER_FIELDS
    }
