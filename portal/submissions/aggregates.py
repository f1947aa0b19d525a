"""The maintained figures (``queue_counts``, kept by triggers) and how to
recount them: ``portal rebuild-aggregates`` after a restore from an old backup
or a manual repair, and the tests that prove the triggers right."""

from __future__ import annotations

from typing import Any

import click
from flask.cli import with_appcontext
from sqlalchemy import Select, delete, func, insert, select
from sqlalchemy.orm import Session

from portal import db
from portal.models import QueueCount, Submission

# (status, team_key, round_id, area_id, kind, personal_data)
Key = tuple[str, int, int, int, str, bool]


def _recount_query() -> Select[str, int, int, int, str, bool, int]:
    team_key = func.coalesce(Submission.team_id, 0)
    return select(
        Submission.status,
        team_key,
        Submission.round_id,
        Submission.area_id,
        Submission.kind,
        Submission.has_personal_data,
        func.count(),
    ).group_by(
        Submission.status,
        team_key,
        Submission.round_id,
        Submission.area_id,
        Submission.kind,
        Submission.has_personal_data,
    )


def recounted(session: Session) -> dict[Key, int]:
    """The queue counts as a full count of ``submissions`` finds them now."""
    rows: Any = session.execute(_recount_query())
    return {(s, int(t), r, a, k, bool(p)): int(n) for s, t, r, a, k, p, n in rows}


def maintained(session: Session) -> dict[Key, int]:
    """The queue counts as kept, leaving out combinations that fell to zero."""
    q = QueueCount
    rows: Any = session.execute(
        select(q.status, q.team_key, q.round_id, q.area_id, q.kind,
               q.personal_data, q.n).where(q.n != 0)
    )  # fmt: skip
    return {(s, t, r, a, k, bool(p)): n for s, t, r, a, k, p, n in rows}


def rebuild(session: Session) -> int:
    """Recount from scratch (in the caller's transaction); returns the rows."""
    session.execute(delete(QueueCount))
    columns = ["status", "team_key", "round_id", "area_id", "kind",
               "personal_data", "n"]  # fmt: skip
    session.execute(insert(QueueCount).from_select(columns, _recount_query()))
    return int(session.scalar(select(func.count()).select_from(QueueCount)) or 0)


@click.command("rebuild-aggregates")
@with_appcontext
def rebuild_aggregates_command() -> None:
    """Recount the maintained queue counts from the submissions themselves."""
    session = db.get_session()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
    rows = rebuild(session)
    db.commit(session)
    click.echo(f"Queue counts rebuilt: {rows} combinations.")
