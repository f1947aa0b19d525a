"""Anchors for the audit trail, outside the database.

The chain is keyed (an HMAC with ``AUDIT_KEY``), so rows cannot be edited and the
chain recomputed without the key. What a chain alone cannot show is rows removed
from its end. So ``portal audit-anchor`` (cron, every few minutes) appends the
chain's head, its last row, that row's hash and the number of rows, to a file the
database's users cannot write (``AUDIT_ANCHOR_FILE``), each line itself keyed, and
can mail it to an auditor. ``verify-audit`` then checks the database against the
latest anchor: the anchored row is still there with the same hash and as many rows
up to it, so truncation, deletions and edits all show, and it says how many rows
were written since."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.audit.service import session_key
from portal.models import AuditEvent, AuditMaintenance, utcnow


@dataclass(frozen=True)
class Anchor:
    at: str
    last_id: int
    row_hash: str
    rows: int


def _mac(key: bytes, anchor: Anchor) -> str:
    text = f"{anchor.at}|{anchor.last_id}|{anchor.row_hash}|{anchor.rows}".encode()
    return hmac.new(key, b"anchor|" + text, hashlib.sha256).hexdigest()


def head(session: Session, now: datetime | None = None) -> Anchor | None:
    last = session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1))
    if last is None or last.row_hash is None:
        return None
    rows = int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)
    moment = (now or utcnow()).isoformat(timespec="seconds")
    return Anchor(moment, last.id, last.row_hash, rows)


def write_anchor(session: Session, path: Path) -> Anchor | None:
    """Append the chain's head to the anchor file (created owner-only)."""
    anchor = head(session)
    if anchor is None:
        return None
    line = json.dumps({**anchor.__dict__, "mac": _mac(session_key(session), anchor)})
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")
    return anchor


def latest_anchor(session: Session, path: Path) -> tuple[Anchor | None, list[str]]:
    """The newest anchor whose own key checks out, and problems with the file."""
    if not path.exists():
        return None, []
    key = session_key(session)
    problems: list[str] = []
    found: Anchor | None = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            data = json.loads(line)
            anchor = Anchor(str(data["at"]), int(data["last_id"]),
                            str(data["row_hash"]), int(data["rows"]))  # fmt: skip
        except (ValueError, KeyError, TypeError):
            problems.append(f"anchor line {number} cannot be read")
            continue
        if not hmac.compare_digest(str(data.get("mac", "")), _mac(key, anchor)):
            problems.append(f"anchor line {number} was not written with the audit key")
            continue
        if found is not None and anchor.last_id < found.last_id:
            problems.append(f"anchor line {number} goes back to an earlier row")
        found = anchor
    return found, problems


def check_against(session: Session, anchor: Anchor) -> list[str]:
    """What the database says against the anchor."""
    anchored = session.get(AuditEvent, anchor.last_id)
    if anchored is None:
        return [f"row {anchor.last_id}, anchored at {anchor.at}, is gone: the trail "
                "was cut short or rows were deleted"]  # fmt: skip
    problems = []
    if anchored.row_hash != anchor.row_hash:
        problems.append(f"row {anchor.last_id} differs from its anchor of {anchor.at}")
    upto = session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.id <= anchor.last_id)
    )
    if int(upto or 0) != anchor.rows:
        problems.append(
            f"{anchor.rows} rows were anchored up to row {anchor.last_id} at "
            f"{anchor.at}; {int(upto or 0)} remain"
        )
    return problems


def purge_allowed(session: Session) -> bool:
    """Is the guard that lets audit rows be deleted lifted right now?"""
    return bool(
        session.scalar(
            select(func.count())
            .select_from(AuditMaintenance)
            .where(AuditMaintenance.purge_allowed.is_(True))
        )
    )
