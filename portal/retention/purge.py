"""`portal purge`: delete or overwrite what has outlived its retention period.

Rules (config `RETENTION_*`, in days or months; see docs/deployment.md):
- withdrawn input, and input rejected or marked duplicate: its words are
  overwritten after RETENTION_UNUSED_DAYS, with every copy (notes, drafts,
  narratives, plan and board text, quotes, key phrases);
- all input: its words are overwritten RETENTION_INPUT_MONTHS after the plan's
  life (its last target date) and after its own round closed (the counts, tags
  and ratings stay, so the plan's evidence trail keeps its shape);
- drafts after RETENTION_DRAFT_DAYS unchanged; failed sign-ins after
  RETENTION_LOGIN_FAILURE_DAYS; receipt hand-offs after a day;
- evidence files RETENTION_EVIDENCE_MONTHS after the date they are about (the
  record of the evidence stays, marked as removed);
- audit rows: sign-ins and sign-outs after RETENTION_SIGN_IN_DAYS, the export
  log after RETENTION_EXPORT_LOG_DAYS, everything after RETENTION_AUDIT_YEARS,
  keeping each row's chain links so `verify-audit` still holds.
Items under legal hold are skipped: safeguarding escalations, and anything an
administrator has put on hold (`portal legal-hold`). Re-running changes nothing
more. Each run writes one audit row of counts, never content, and checkpoints
the WAL so no old copy of a page stays in the log."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any

from sqlalchemy import delete, func, not_, or_, select
from sqlalchemy.orm import Session

from portal import uploads
from portal.audit.service import AuditAction, purge_rows, record
from portal.db import after_commit, checkpoint_after_commit
from portal.models import (
    ANSWER_FIELDS,
    AuditEvent,
    BoardEvidence,
    Draft,
    EngagementRound,
    LoginFailure,
    PlanAction,
    Quote,
    ReceiptHandoff,
    SignInCarry,
    Submission,
    SubmissionPhrase,
    SubmissionStatus,
)
from portal.moderation.redaction import scrub_copies
from portal.timefmt import to_utc

REMOVED = "[Removed: past its retention period]"
ERASED = "[Erased at its writer's request]"
S = SubmissionStatus


@dataclass(frozen=True)
class Policy:
    unused_days: int
    input_months: int
    draft_days: int
    login_failure_days: int
    evidence_months: int
    sign_in_days: int = 365
    export_log_days: int = 730
    audit_years: int = 6

    @classmethod
    def from_config(cls, config: Any) -> Policy:
        return cls(
            unused_days=int(config["RETENTION_UNUSED_DAYS"]),
            input_months=int(config["RETENTION_INPUT_MONTHS"]),
            draft_days=int(config["RETENTION_DRAFT_DAYS"]),
            login_failure_days=int(config["RETENTION_LOGIN_FAILURE_DAYS"]),
            evidence_months=int(config["RETENTION_EVIDENCE_MONTHS"]),
            sign_in_days=int(config["RETENTION_SIGN_IN_DAYS"]),
            export_log_days=int(config["RETENTION_EXPORT_LOG_DAYS"]),
            audit_years=int(config["RETENTION_AUDIT_YEARS"]),
        )


@dataclass
class Purged:
    unused_input: int = 0
    old_input: int = 0
    drafts: int = 0
    login_failures: int = 0
    handoffs: int = 0
    carries: int = 0
    evidence_files: int = 0
    audit_rows: int = 0
    held: int = 0


def _months_before(day: date, months: int) -> date:
    month = day.month - 1 - months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, 28))


def held() -> Any:
    """Kept whatever the rules say: on legal hold, or a safeguarding escalation."""
    return or_(
        Submission.legal_hold.is_(True),
        Submission.status == S.SAFEGUARDING,
        Submission.safeguarding_action.is_not(None),
    )


def not_held() -> Any:
    return not_(held())


def overwrite_words(session: Session, item: Submission, marker: str) -> None:
    """Overwrite an item's words with ``marker``, and every copy of them (notes,
    drafts, narratives, plan and board text); drop its quotes and key phrases.
    Its counts, tags and rating stay."""
    words = {getattr(item, f) for f in ANSWER_FIELDS} | {item.decision_note or ""}
    # Fragments copied on their own: the chosen quotes (what planners paste into
    # narratives and evidence) and the spans the personal-data check flagged.
    words |= set(
        session.scalars(select(Quote.text).where(Quote.submission_id == item.id))
    )
    for flag in item.pii_flags or []:
        if flag.get("field") in ANSWER_FIELDS:
            answer = getattr(item, str(flag["field"])) or ""
            words.add(answer[int(flag["start"]) : int(flag["end"])])
    words = {w for w in words if w and w not in (REMOVED, ERASED)}
    # Every copy first, while the words are still there to find.
    scrub_copies(session, item, words, marker)
    for name in ANSWER_FIELDS:
        if getattr(item, name):
            setattr(item, name, marker)
    item.decision_note = marker if item.decision_note else item.decision_note
    item.pii_flags = None
    session.execute(delete(Quote).where(Quote.submission_id == item.id))
    session.execute(
        delete(SubmissionPhrase).where(SubmissionPhrase.submission_id == item.id)
    )


def words_remain(fields: tuple[str, ...] = ANSWER_FIELDS) -> Any:
    return or_(*(getattr(Submission, f).not_in(["", REMOVED, ERASED]) for f in fields))


def purge(session: Session, policy: Policy, today: date, instance_path: str) -> Purged:
    """Apply every rule as of ``today`` (the council's date)."""
    done = Purged()
    words = words_remain()
    unused_cutoff = today - timedelta(days=policy.unused_days)
    unused = select(Submission).where(
        words,
        not_held(),
        or_(
            Submission.withdrawn_on <= unused_cutoff,
            (Submission.status.in_([S.REJECTED, S.DUPLICATE]))
            & (Submission.decided_at <= to_utc(unused_cutoff, time.max)),
        ),
    )
    for item in session.scalars(unused).all():
        overwrite_words(session, item, REMOVED)
        done.unused_input += 1
    # Input is kept for the plan's life (to its last target date) plus the
    # period, and never less than the period after its own round closed.
    since = _months_before(today, policy.input_months)
    plan_ends = session.scalar(select(func.max(PlanAction.target_date)))
    if plan_ends is None or plan_ends < since:
        closed_before = to_utc(since, time.min)
        old = (
            select(Submission)
            .join(EngagementRound, EngagementRound.id == Submission.round_id)
            .where(words, not_held(), EngagementRound.closes_at < closed_before)
        )
        for item in session.scalars(old).all():
            overwrite_words(session, item, REMOVED)
            done.old_input += 1
    done.held = len(session.scalars(select(Submission.id).where(words, held())).all())
    now = to_utc(today, time.min)
    done.drafts = _delete(
        session, Draft, Draft.updated_at < now - timedelta(days=policy.draft_days)
    )
    done.login_failures = _delete(
        session,
        LoginFailure,
        LoginFailure.failed_at < now - timedelta(days=policy.login_failure_days),
    )
    done.handoffs = _delete(
        session, ReceiptHandoff, ReceiptHandoff.created_on < today - timedelta(days=1)
    )
    # Words on their way through single sign-on that never came back.
    done.carries = _delete(session, SignInCarry, SignInCarry.created_hour < now)
    done.evidence_files = _evidence_files(
        session, _months_before(today, policy.evidence_months), instance_path
    )
    done.audit_rows = _audit_rows(session, policy, now)
    session.flush()
    record(session, None, AuditAction.RETENTION_PURGE, "retention", None,
           after=asdict(done))  # fmt: skip
    checkpoint_after_commit(session)
    return done


SIGN_IN_ACTIONS = (
    AuditAction.SIGNED_IN,
    AuditAction.SIGNED_OUT,
    AuditAction.SIGN_IN_REFUSED,
)
EXPORT_ACTIONS = (AuditAction.DATA_EXPORTED, AuditAction.AUDIT_EXPORTED)


def _audit_rows(session: Session, policy: Policy, now: datetime) -> int:
    when = AuditEvent.occurred_at
    return purge_rows(
        session,
        or_(
            when < now - timedelta(days=365 * policy.audit_years),
            AuditEvent.action.in_(SIGN_IN_ACTIONS)
            & (when < now - timedelta(days=policy.sign_in_days)),
            AuditEvent.action.in_(EXPORT_ACTIONS)
            & (when < now - timedelta(days=policy.export_log_days)),
        ),
    )


def _delete(session: Session, model: type[Any], condition: Any) -> int:
    result = session.execute(delete(model).where(condition))
    return int(getattr(result, "rowcount", 0) or 0)


def _evidence_files(session: Session, before: date, instance_path: str) -> int:
    found = session.scalars(
        select(BoardEvidence).where(
            BoardEvidence.stored_name.is_not(None), BoardEvidence.effective_on < before
        )
    ).all()
    for item in found:
        stored, item.stored_name = item.stored_name, None
        item.description = REMOVED if item.description else item.description
        # Removed once the row no longer points at it: a purge that fails to
        # commit must not leave evidence pointing at a missing file.
        after_commit(session, partial(uploads.remove, instance_path, str(stored)))
    return len(found)
