"""Anonymous input is held in ``anonymous_inbox`` and released into ``submissions``
once a day, all of a day's items in one transaction and in random order.

Why: a database row records when it was written. On PostgreSQL each row carries the
id of the transaction that wrote it (``xmin``, which only grows) and a physical
position (``ctid``); a SQLite WAL keeps frames in write order until a checkpoint.
An anonymous row written the moment it was sent would sit between its writer's own
audited, timed events (signing in, named input) and defeat the date-only column.
Released together, every anonymous row of a day shares one ``xmin`` and lands in
random order, so at rest it says nothing finer than its day.

Nothing is lost: the inbox is a real table, the release is one transaction (a crash
leaves every item either held or released, exactly once), and the receipt code
works from the moment of sending. Held items reach moderators at the next release
(``portal release-anonymous``, run by cron shortly after midnight: see
docs/deployment.md); the safeguarding lead sees held possible disclosures at once.
Residual risk (docs/deployment.md): someone watching the live database or its WAL
at the moment of sending.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine, delete, func, select, text
from sqlalchemy.orm import Session

from portal.db import after_commit, checkpoint_after_commit
from portal.models import AnonymousInbox, Submission, SubmissionStatus
from portal.submissions import lifecycle


def hold(session: Session, submission: Submission) -> None:
    """Keep a new anonymous submission in the inbox instead of ``submissions``."""
    values = {
        column.key: getattr(submission, column.key)
        for column in Submission.__table__.columns
        if column.key not in ("id", "idempotency_key", "receipt_hash")
    }
    # Only what was set: column defaults apply when the row is released.
    payload = {
        name: _jsonable(value)
        for name, value in lifecycle.anonymise(submission.kind, values).items()
        if value is not None
    }
    session.add(
        AnonymousInbox(
            id=str(uuid.uuid4()),
            idempotency_key=submission.idempotency_key,
            receipt_hash=submission.receipt_hash,
            held_on=submission.submitted_on,
            payload=payload,
        )
    )
    session.flush()


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _restore(payload: dict[str, Any]) -> dict[str, Any]:
    values = dict(payload)
    for name in ("submitted_on", "withdrawn_on"):
        if isinstance(values.get(name), str):
            values[name] = date.fromisoformat(values[name])
    return values


@dataclass(frozen=True)
class Released:
    items: int
    days: int


def release(session: Session, today: date, *, include_today: bool = False) -> Released:
    """Move every item held from before ``today`` (or all, with ``include_today``)
    into ``submissions`` in random order, in this one transaction, then delete them
    from the inbox. After commit the freed space is cleaned (SQLite: WAL
    checkpoint; PostgreSQL: VACUUM of the inbox)."""
    query = select(AnonymousInbox)
    if not include_today:
        query = query.where(AnonymousInbox.held_on < today)
    held = list(session.scalars(query))
    if not held:
        return Released(0, 0)
    secrets.SystemRandom().shuffle(held)
    for row in held:
        values = _restore(row.payload)
        values["withdrawn_on"] = row.withdrawn_on
        session.add(
            Submission(
                id=str(uuid.uuid4()),
                idempotency_key=row.idempotency_key,
                receipt_hash=row.receipt_hash,
                **values,
            )
        )
        # One row at a time, in the shuffled order: the physical order of the
        # released rows is the random one.
        session.flush()
    session.execute(
        delete(AnonymousInbox).where(AnonymousInbox.id.in_([r.id for r in held]))
    )
    session.flush()
    checkpoint_after_commit(session)
    after_commit(session, lambda: _vacuum_inbox(session))
    return Released(len(held), len({r.held_on for r in held}))


def _vacuum_inbox(session: Session) -> None:
    """PostgreSQL keeps deleted inbox rows (with their arrival xmin) until VACUUM,
    which cannot run inside a transaction."""
    engine = session.get_bind()
    if engine.dialect.name != "postgresql" or not isinstance(engine, Engine):
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM anonymous_inbox"))


# How much anonymous input waits for the overnight release (the queue reads it
# in its counts statement, one round trip fewer).
HELD_COUNT = select(func.count()).select_from(AnonymousInbox)


def held_safeguarding(session: Session) -> list[AnonymousInbox]:
    """Held possible disclosures, for the safeguarding lead to read at once."""
    rows = session.scalars(select(AnonymousInbox).order_by(AnonymousInbox.held_on))
    return [
        r
        for r in rows
        if r.payload.get("status") == SubmissionStatus.SAFEGUARDING
        and r.withdrawn_on is None
    ]


def withdraw_held(row: AnonymousInbox, today: date) -> None:
    """Withdraw an item still held: its status changes by the lifecycle's table,
    and it is released as withdrawn."""
    status = str(row.payload.get("status"))
    target = lifecycle.TRANSITIONS[(status, lifecycle.Event.WITHDRAW)]
    row.payload = {**row.payload, "status": target}
    row.withdrawn_on = today
