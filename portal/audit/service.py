"""Writing and checking the audit trail. Every service that changes something calls
``record`` in the same transaction as the change, so both commit or neither does.

Rows form a hash chain: each stores the hash of the row before it and its own hash
over its content. Writers take a lock first (SQLite: the write transaction itself;
PostgreSQL: a transaction-scoped advisory lock) so the chain never forks.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from portal.models import AuditEvent, AuditGap, AuditMaintenance, User, utcnow

CHAIN_LOCK = 4_815_162_342  # advisory lock key for the audit chain (PostgreSQL)


class AuditAction(enum.StrEnum):
    SIGNED_IN = "signed_in"
    SIGNED_OUT = "signed_out"
    SIGN_IN_REFUSED = "sign_in_refused"  # by the directory rules, with a code
    DIRECTORY_LINKED = "directory_linked"  # an account tied to a directory id
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - an event name
    USER_CREATED = "user_created"
    USER_UPDATED = "user_updated"
    ROLES_CHANGED = "roles_changed"
    USER_DISABLED = "user_disabled"
    USER_ENABLED = "user_enabled"
    PASSWORD_RESET = "password_reset"  # noqa: S105 - an event name
    INPUT_APPROVED = "input_approved"
    INPUT_REJECTED = "input_rejected"
    INPUT_RETURNED = "input_returned"
    INPUT_MARKED_DUPLICATE = "input_marked_duplicate"
    INPUT_ESCALATED = "input_escalated"
    INPUT_REDACTED = "input_redacted"
    SAFEGUARDING_ACTION = "safeguarding_action"
    SAFEGUARDING_RELEASED = "safeguarding_released"  # not a concern: to moderation
    APPROVED_WITH_PERSONAL_DATA = "approved_with_personal_data"
    AUDIT_EXPORTED = "audit_exported"
    AUDIT_PURGE_ALLOWED = "audit_purge_allowed"
    RETENTION_PURGE = "retention_purge"
    DATABASE_RESTORED = "database_restored"  # from a backup: the trail has a gap
    LEGAL_HOLD_CHANGED = "legal_hold_changed"
    ERASURE_REQUESTED = "erasure_requested"
    ERASURE_CARRIED_OUT = "erasure_carried_out"
    MODERATOR_SCOPE_CHANGED = "moderator_scope_changed"
    THEME_CREATED = "theme_created"
    THEME_UPDATED = "theme_updated"
    THEME_MERGED = "theme_merged"
    TAG_ADDED = "tag_added"
    TAG_REMOVED = "tag_removed"
    QUOTE_ADDED = "quote_added"
    QUOTE_REMOVED = "quote_removed"
    SUMMARY_NOTE_SAVED = "summary_note_saved"
    GLOSSARY_CHANGED = "glossary_changed"
    SUGGESTION_DISMISSED = "suggestion_dismissed"
    DATA_EXPORTED = "data_exported"
    PLAN_ACTION_SAVED = "plan_action_saved"
    PROGRESS_RECORDED = "progress_recorded"
    EVIDENCE_ADDED = "evidence_added"
    SIGNED_OFF = "signed_off"
    SIGN_OFF_WITHDRAWN = "sign_off_withdrawn"
    RISK_SAVED = "risk_saved"
    RISK_REVIEWED = "risk_reviewed"
    RISK_CLOSED = "risk_closed"
    REPORT_REQUESTED = "report_requested"
    REPORT_ANSWERED = "report_answered"
    QUARTER_FROZEN = "quarter_frozen"
    YOU_SAID_PUBLISHED = "you_said_published"
    DIGEST_CHOICE_CHANGED = "digest_choice_changed"
    DIGESTS_SENT = "digests_sent"
    TEAM_CREATED = "team_created"
    TEAM_UPDATED = "team_updated"
    FRAMEWORK_IMPORTED = "framework_imported"
    AREA_UPDATED = "area_updated"
    RECOMMENDATION_CREATED = "recommendation_created"
    RECOMMENDATION_UPDATED = "recommendation_updated"
    RECOMMENDATION_RETIRED = "recommendation_retired"
    RECOMMENDATION_REINSTATED = "recommendation_reinstated"
    ROUND_CREATED = "round_created"
    ROUND_UPDATED = "round_updated"
    ROLE_GROUP_CREATED = "role_group_created"
    ROLE_GROUP_UPDATED = "role_group_updated"
    SETTING_CHANGED = "setting_changed"
    SUBMISSION_RECEIVED = "submission_received"  # named and facilitated only
    SUBMISSION_EDITED = "submission_edited"
    SUBMISSION_WITHDRAWN = "submission_withdrawn"  # named only


def record(
    session: Session,
    actor: User | None,
    action: AuditAction,
    subject_type: str,
    subject_id: object | None = None,
    *,
    reason: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one audit row (flushed with the caller's transaction). ``actor`` is None
    for system actions (CLI without a user).

    The trail can never be edited, so it holds references and codes, never free
    text that redaction could not reach: ``reason`` must be a code, and detail
    values short labels, numbers or flags (``check_no_free_text``)."""
    check_no_free_text(reason, before, after)
    details: dict[str, Any] = {}
    if before is not None:
        details["before"] = before
    if after is not None:
        details["after"] = after
    _lock_chain(session)
    previous = session.scalar(
        select(AuditEvent.row_hash).order_by(AuditEvent.id.desc()).limit(1)
    )
    event = AuditEvent(
        occurred_at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        action=action.value,
        subject_type=subject_type,
        subject_id=None if subject_id is None else str(subject_id),
        reason=reason,
        details=details or None,
        prev_hash=previous,
    )
    event.row_hash = chain_hash(previous, event, session_key(session))
    session.add(event)
    session.flush()
    return event


_CODE = re.compile(r"[a-z0-9_]{1,64}")
# Labels in details (a theme's or team's name, an export format, an email typed as
# a filter) are reference data, not what anyone wrote about a person; they stay
# short and on one line.
_LABEL_MAX = 254


def check_no_free_text(reason: str | None, *details: dict[str, Any] | None) -> None:
    """Refuse free text on its way into the immutable trail (a programming error:
    the text belongs on a row that redaction can overwrite)."""
    if reason is not None and not _CODE.fullmatch(reason):
        raise ValueError("An audit reason must be a code, not free text")
    for part in details:
        for value in _leaves(part):
            if isinstance(value, str) and (
                len(value) > _LABEL_MAX or "\n" in value or "\r" in value
            ):
                raise ValueError("Audit details hold labels and codes, not free text")


def wording(text: str) -> dict[str, object]:
    """Reference wording (the framework's titles and recommendations) stands in
    the trail as its length and a fingerprint: enough to see that and when it
    changed, nothing to read. Never for staff input: a short text can be guessed
    from its fingerprint."""
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    return {"characters": len(text), "sha256": digest}


def _leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


def allow_purge(session: Session, actor: User | None) -> AuditMaintenance:
    """Lift the guard on deleting audit rows, for a retention purge in this same
    transaction. The lifting is itself audited (before anything can go), and
    verify-audit reports the guard while it is lifted; end it with
    ``session.delete(row)`` once the purge is done."""
    record(session, actor, AuditAction.AUDIT_PURGE_ALLOWED, "audit", None)
    row = AuditMaintenance(purge_allowed=True)
    session.add(row)
    session.flush()
    return row


def _lock_chain(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})


def canonical(event: AuditEvent) -> bytes:
    """The row's content as stable bytes (the same on SQLite and PostgreSQL)."""
    occurred = event.occurred_at.astimezone(UTC).replace(tzinfo=None)
    payload = {
        "occurred_at": occurred.isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "action": event.action,
        "subject_type": event.subject_type,
        "subject_id": event.subject_id,
        "reason": event.reason,
        "details": event.details,
    }
    return json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()


KEY_INFO = "portal.audit_key"


def chain_hash(previous: str | None, event: AuditEvent, key: bytes) -> str:
    """HMAC-SHA256 with a key kept outside the database (``AUDIT_KEY``): someone
    who can edit rows cannot recompute the chain after an edit."""
    message = (previous or "").encode() + b"|" + canonical(event)
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def legacy_hash(previous: str | None, event: AuditEvent) -> str:
    """The unkeyed SHA-256 of rows written before the chain was keyed."""
    return hashlib.sha256(
        (previous or "").encode() + b"|" + canonical(event)
    ).hexdigest()


def session_key(session: Session) -> bytes:
    key: bytes = session.info[KEY_INFO]
    return key


@dataclass(frozen=True)
class ChainProblem:
    event_id: int
    problem: str


def verify_chain(session: Session) -> Iterator[ChainProblem]:
    """Every row whose keyed hash, or link to the row before, does not hold.
    (Rows written before the chain was keyed, in a database from an earlier
    version, are reported too: such a database is for development only.)"""
    key = session_key(session)
    previous: str | None = None
    gaps = _gaps(session)
    gap = next(gaps, None)
    rows = session.scalars(
        select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=500)
    )
    for event in rows:
        # Across rows the retention purge removed, by the links it kept of them.
        while gap is not None and gap.id < event.id:
            if gap.prev_hash != previous:
                yield ChainProblem(
                    gap.id, "a purged row does not follow the row before it"
                )
            previous, gap = gap.row_hash, next(gaps, None)
        if event.prev_hash != previous:
            yield ChainProblem(event.id, "does not follow the row before it")
        if event.row_hash != chain_hash(event.prev_hash, event, key):
            yield ChainProblem(event.id, "its content has changed since it was written")
        previous = event.row_hash


def _gaps(session: Session, batch: int = 1000) -> Iterator[AuditGap]:
    """The purged rows' links in id order, a batch at a time (keyset)."""
    after = 0
    while True:
        found = list(
            session.scalars(
                select(AuditGap).where(AuditGap.id > after).order_by(AuditGap.id)
                .limit(batch)
            )
        )  # fmt: skip
        yield from found
        if len(found) < batch:
            return
        after = found[-1].id


def purge_rows(session: Session, condition: Any, batch: int = 1000) -> int:
    """Delete the audit rows matching ``condition`` for the retention purge,
    keeping each one's chain links (no content) in audit_gaps, so the chain still
    verifies and any other removal still shows. The guard is lifted (and that is
    audited) only for this transaction, and put back before it commits."""
    if session.scalar(select(AuditEvent.id).where(condition).limit(1)) is None:
        return 0
    guard = allow_purge(session, None)
    removed = 0
    while True:
        found = list(
            session.scalars(
                select(AuditEvent).where(condition).order_by(AuditEvent.id)
                .limit(batch)
            )
        )  # fmt: skip
        for event in found:
            session.add(
                AuditGap(
                    id=event.id, prev_hash=event.prev_hash, row_hash=event.row_hash
                )
            )
            session.delete(event)
        session.flush()
        removed += len(found)
        if len(found) < batch:
            break
    session.delete(guard)
    session.flush()
    return removed


@dataclass(frozen=True)
class AuditFilters:
    action: str | None = None
    actor_email: str | None = None
    subject_id: str | None = None


PAGE_SIZE = 50


def _conditions(filters: AuditFilters) -> list[Any]:
    conditions: list[Any] = []
    if filters.action:
        conditions.append(AuditEvent.action == filters.action)
    if filters.subject_id:
        conditions.append(AuditEvent.subject_id == filters.subject_id.strip())
    if filters.actor_email:
        conditions.append(
            AuditEvent.actor_id.in_(
                select(User.id).where(User.email == filters.actor_email.strip().lower())
            )
        )
    return conditions


def list_events(
    session: Session, filters: AuditFilters, before: int | None
) -> tuple[list[AuditEvent], int | None]:
    """Newest first, keyset pages of PAGE_SIZE; returns the rows and the next cursor."""
    query = (
        select(AuditEvent)
        .where(*_conditions(filters))
        .order_by(AuditEvent.id.desc())
        .limit(PAGE_SIZE + 1)
    )
    if before:
        query = query.where(AuditEvent.id < before)
    rows = list(session.scalars(query))
    if len(rows) > PAGE_SIZE:
        return rows[:PAGE_SIZE], rows[PAGE_SIZE - 1].id
    return rows, None


def count_events(session: Session, filters: AuditFilters) -> int:
    from sqlalchemy import func

    return int(
        session.scalar(
            select(func.count()).select_from(AuditEvent).where(*_conditions(filters))
        )
        or 0
    )


EXPORT_HEADER = ["id", "occurred_at_utc", "actor_email", "action", "subject_type",
                 "subject_id", "reason", "details", "row_hash"]  # fmt: skip


def export_rows(session: Session, filters: AuditFilters) -> Iterator[list[Any]]:
    """Rows for the CSV export, streamed from the database in batches."""
    query = (
        select(AuditEvent, User.email)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(*_conditions(filters))
        .order_by(AuditEvent.id)
        .execution_options(yield_per=1000)
    )
    for event, email in session.execute(query):
        yield [
            event.id,
            event.occurred_at.isoformat(timespec="seconds"),
            email or "",
            event.action,
            event.subject_type,
            event.subject_id,
            event.reason,
            json.dumps(event.details, sort_keys=True) if event.details else "",
            event.row_hash,
        ]


def record_export(
    session: Session, actor: User, filters: AuditFilters, rows: int
) -> None:
    """Exports are the most sensitive reads: who, when, which filters, how many."""
    record(session, actor, AuditAction.AUDIT_EXPORTED, "audit", None,
           after={"filters": {k: v for k, v in vars(filters).items() if v},
                  "rows": rows})  # fmt: skip
