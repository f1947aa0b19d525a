"""Benchmark: the moderation queue at national scale.

Builds a throwaway SQLite database with N submissions (default 100,000 and
1,000,000), then times the queue page as a moderator sees it (full HTTP request
through the app: scope rules, keyset page, counts, template) for a team moderator
and an independent moderator, first page and a deep page. Run: `make bench`.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import insert, select

from portal import create_app, db
from portal.demo import load_bundled_framework
from portal.models import (
    Area,
    EngagementRound,
    Submission,
    Team,
    User,
    UserRole,
    utcnow,
)

TEAMS = 100
DAYS = 90
RUNS = 15


def build(rows: int, folder: Path) -> tuple[object, dict[str, int]]:
    app = create_app(
        {
            "SECRET_KEY": "bench",
            "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "TESTING": True,
        }
    )
    db.upgrade(app)
    engine = db.writer(db.get_engine(app))
    with app.app_context():
        session = db.get_session()
        load_bundled_framework(session)
        session.commit()
        areas = list(session.scalars(select(Area.id)))
    with engine.begin() as connection:
        connection.execute(
            insert(Team), [{"name": f"Team {i}", "kind": "team"} for i in range(TEAMS)]
        )
        team_ids = [r[0] for r in connection.execute(select(Team.id))]
        now = utcnow()
        round_id = connection.execute(
            insert(EngagementRound)
            .values(
                title="Bench round",
                purpose="",
                opens_at=now - timedelta(days=DAYS),
                closes_at=now + timedelta(days=1),
                status="open",
            )
            .returning(EngagementRound.id)
        ).scalar_one()
        users = []
        for name, team, independent in (("team", team_ids[0], False),
                                        ("independent", None, True)):  # fmt: skip
            uid = connection.execute(
                insert(User)
                .values(
                    email=f"{name}@bench.example",
                    display_name=name,
                    password_hash="!",  # noqa: S106 - never signs in
                    team_id=team,
                    independent_moderator=independent,
                )
                .returning(User.id)
            ).scalar_one()
            connection.execute(insert(UserRole).values(user_id=uid, role="moderator"))
            users.append(uid)
    rng = random.Random(7)
    statuses = ["pending"] * 3 + ["approved"] * 5 + ["rejected"] * 2
    start = date.today() - timedelta(days=DAYS)
    text = "Supervision is cancelled when the rota is short and plans drift. " * 4
    batch = []
    with engine.begin() as connection:
        for n in range(rows):
            batch.append(
                {
                    "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "round_id": round_id,
                    "area_id": rng.choice(areas),
                    "kind": "anonymous" if rng.random() < 0.1 else "named",
                    "status": rng.choice(statuses),
                    "submitted_on": start + timedelta(days=rng.randrange(DAYS)),
                    "obstacles": text,
                    "biggest_difference": "More time.",
                    "practice_example": "",
                    "priority": 3,
                    "team_id": rng.choice(team_ids),
                    "safeguarding_flag": False,
                    "idempotency_key": f"{n:064d}",
                    "redactions": 0,
                }
            )
            if len(batch) == 20_000:
                connection.execute(insert(Submission), batch)
                batch.clear()
        if batch:
            connection.execute(insert(Submission), batch)
    with engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
    return app, {"team": users[0], "independent": users[1]}


def time_page(app: object, user_id: int, query: str) -> tuple[float, float]:
    client = app.test_client()  # type: ignore[attr-defined]
    now = int(time.time())
    with client.session_transaction() as cookie:
        cookie.update({"_user_id": f"{user_id}:0", "t0": now, "seen": now})
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        response = client.get("/moderation" + query)
        timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"queue page answered {response.status_code}")
    return statistics.median(timings), max(timings)


def deep_cursor(app: object, user_id: int) -> str:
    """A cursor about half-way through the waiting items."""
    with app.app_context():  # type: ignore[attr-defined]
        session = db.get_session()
        day = date.today() - timedelta(days=DAYS // 2)
        item = session.scalar(
            select(Submission)
            .where(Submission.status == "pending", Submission.submitted_on == day)
            .limit(1)
        )
        return f"?after={day.isoformat()}_{item.id if item else ''}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    args = parser.parse_args()
    print(
        f"{'rows':>9} {'moderator':<12} {'page':<6} {'median ms':>10} {'worst ms':>9}"
    )
    for rows in args.rows:
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            app, users = build(rows, Path(folder))
            print(f"# built {rows:,} rows in {time.perf_counter() - started:.0f} s")
            for name, user_id in users.items():
                for label, query in (
                    ("first", ""),
                    ("deep", deep_cursor(app, user_id)),
                ):
                    median, worst = time_page(app, user_id, query)
                    cells = f"{rows:>9,} {name:<12} {label:<6}"
                    print(f"{cells} {median:>10.1f} {worst:>9.1f}")
            db.get_engine(app).dispose()  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
