"""A realistic national-scale dataset for the benchmarks, built through SQLAlchemy
Core on SQLite or PostgreSQL.

Shape (per run, fixed seed): the bundled framework; three rounds; 100 teams;
2,000 contributors plus the moderators, a planner and an administrator; N
submissions over 90 days, 10% anonymous, 3% facilitated; 70% moderated (55%
approved, 10% rejected, 3% returned, 2% duplicate), 0.5% with the safeguarding
lead; 8% flagged for personal data. Approved items carry one or two
recommendation tags, a theme tag and their key phrases, as the lifecycle would
leave them. The maintained aggregates are recounted at the end, as
`portal rebuild-aggregates` would.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import insert, select

from portal import create_app, db
from portal.demo import load_bundled_framework
from portal.models import (
    Area,
    EngagementRound,
    Recommendation,
    RecommendationTag,
    Submission,
    SubmissionPhrase,
    Team,
    Theme,
    ThemeTag,
    User,
    UserRole,
    round_areas,
    utcnow,
)
from portal.submissions.aggregates import rebuild

TEAMS = 100
CONTRIBUTORS = 2_000
DAYS = 90
BATCH = 10_000
WORDS = (
    "supervision cancelled rota agency workers caseloads plans drift managers "
    "reflective time visits court reports team turnover training handover "
    "children families placements reviews chronology assessment audit quality "
    "parents school health police strategy meeting threshold referral duty"
).split()
PHRASES = [
    "protected time for supervision",
    "fewer agency workers",
    "smaller caseloads",
    "better handovers between teams",
    "time to see children",
    "training on chronologies",
    "consistent managers",
    "less duplication of recording",
    "stable placements",
    "reflective group supervision",
]


@dataclass
class Built:
    app: Flask
    rows: int
    moderators: dict[str, int]  # "team", "independent" -> user id
    planner: int
    round_ids: list[int]
    recommendation_id: int
    deep_day: date


def make_app(url: str, **settings: Any) -> Flask:
    return create_app(
        {
            "SECRET_KEY": "bench",
            "DATABASE_URL": url,
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
            "RATELIMIT_ENABLED": False,
            **settings,
        }
    )


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def _people(connection: Any, team_ids: list[int]) -> dict[str, int]:
    def add(email: str, role: str, team: int | None, **extra: Any) -> int:
        uid = connection.execute(
            insert(User)
            .values(
                email=email,
                display_name=email.split("@")[0],
                password_hash="!",
                team_id=team,
                **extra,
            )
            .returning(User.id)
        ).scalar_one()
        connection.execute(insert(UserRole).values(user_id=uid, role=role))
        return int(uid)

    return {
        "team": add("team.moderator@bench.example", "moderator", team_ids[0]),
        "independent": add(
            "independent@bench.example", "moderator", None, independent_moderator=True
        ),
        "planner": add("planner@bench.example", "planner", None),
    }


def _recount_and_analyse(app: Flask, engine: Any, url: str) -> None:
    """As `portal rebuild-aggregates` would, then fresh planner statistics."""
    with app.app_context():
        session = db.get_session()
        session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
        rebuild(session)
        session.commit()
    with engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
        connection.commit()
    if not url.startswith("sqlite"):
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql("VACUUM ANALYZE")


def build(url: str, rows: int, seed: int = 7) -> Built:
    app = make_app(url)
    db.upgrade(app)
    engine = db.writer(db.get_engine(app))
    with app.app_context():
        session = db.get_session()
        load_bundled_framework(session)
        session.commit()
        areas = list(session.scalars(select(Area.id)))
        codes = dict(
            session.execute(select(Recommendation.id, Recommendation.code)).all()
        )
        recommendations = list(codes)
    rng = random.Random(seed)
    today = date.today()
    with engine.begin() as connection:
        connection.execute(
            insert(Team), [{"name": f"Team {i}", "kind": "team"} for i in range(TEAMS)]
        )
        team_ids = [r[0] for r in connection.execute(select(Team.id))]
        people = _people(connection, team_ids)
        connection.execute(
            insert(User),
            [
                {
                    "email": f"c{n}@bench.example",
                    "display_name": f"C {n}",
                    "password_hash": "!",
                    "team_id": rng.choice(team_ids),
                }
                for n in range(CONTRIBUTORS)
            ],
        )
        writers = list(
            connection.execute(
                select(User.id, User.team_id).where(User.email.like("c%@bench.example"))
            )
        )
        connection.execute(insert(Theme), [{"name": p.capitalize()} for p in PHRASES])
        theme_names = dict(connection.execute(select(Theme.id, Theme.name)).all())
        themes = list(theme_names)
        now = utcnow()
        round_ids = []
        for n in range(3):
            rid = connection.execute(
                insert(EngagementRound)
                .values(
                    title=f"Round {n + 1}",
                    purpose="",
                    opens_at=now - timedelta(days=DAYS),
                    closes_at=now + timedelta(days=30),
                    status="open",
                )
                .returning(EngagementRound.id)
            ).scalar_one()
            round_ids.append(int(rid))
            connection.execute(
                insert(round_areas), [{"round_id": rid, "area_id": a} for a in areas]
            )
    statuses = (
        ["pending"] * 295
        + ["approved"] * 550
        + ["rejected"] * 100
        + ["returned"] * 30
        + ["duplicate"] * 20
        + ["safeguarding"] * 5
    )
    start = today - timedelta(days=DAYS)
    batch: list[dict[str, Any]] = []
    tags: list[dict[str, Any]] = []
    theme_tags: list[dict[str, Any]] = []
    phrases: list[dict[str, Any]] = []

    def flush(connection: Any) -> None:
        for model, values in (
            (Submission, batch),
            (RecommendationTag, tags),
            (ThemeTag, theme_tags),
            (SubmissionPhrase, phrases),
        ):
            if values:
                connection.execute(insert(model), values)
                values.clear()

    with engine.begin() as connection:
        if not url.startswith("sqlite"):
            # A bulk load, as an import would run it: PostgreSQL's per-row
            # triggers (aggregates, foreign keys) off for this transaction, the
            # aggregates recounted at the end. Row by row through PL/pgSQL, a
            # million rows took over 48 minutes.
            connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        for n in range(rows):
            item_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            draw = rng.random()
            kind = (
                "anonymous"
                if draw < 0.10
                else "facilitated"
                if draw < 0.13
                else "named"
            )
            author, team = rng.choice(writers)
            status = rng.choice(statuses)
            day = start + timedelta(days=rng.randrange(DAYS))
            flagged = rng.random() < 0.08
            batch.append(
                {
                    "id": item_id,
                    "round_id": rng.choice(round_ids),
                    "area_id": rng.choice(areas),
                    "kind": kind,
                    "status": status,
                    "author_id": author if kind == "named" else None,
                    "recorded_by_id": people["planner"]
                    if kind == "facilitated"
                    else None,
                    "submitted_on": day,
                    "obstacles": _text(rng, rng.randrange(20, 60)),
                    "biggest_difference": rng.choice(PHRASES).capitalize()
                    + ". "
                    + _text(rng, rng.randrange(5, 20)),
                    "practice_example": _text(rng, rng.randrange(0, 30)),
                    "priority": rng.randrange(1, 6),
                    "team_id": team if rng.random() < 0.9 else None,
                    "has_personal_data": flagged,
                    "pii_flags": [
                        {"kind": "name", "answer": "obstacles", "start": 0, "end": 5}
                    ]
                    if flagged
                    else None,
                    "safeguarding_flag": status == "safeguarding",
                    "idempotency_key": f"{seed}-{n:058d}",
                    "redactions": 0,
                    "recommendation_codes": None,
                    "theme_names": None,
                }
            )
            if status == "approved":
                chosen = rng.sample(recommendations, rng.choice((1, 1, 2)))
                for rec in chosen:
                    tags.append({"submission_id": item_id, "recommendation_id": rec})
                theme = rng.choice(themes)
                theme_tags.append({"submission_id": item_id, "theme_id": theme})
                # As the triggers keep them (migration 0026): PostgreSQL's bulk
                # load has its triggers off, and a recount after it would
                # rewrite every approved row.
                batch[-1]["recommendation_codes"] = "; ".join(
                    sorted(codes[rec] for rec in chosen)
                )
                batch[-1]["theme_names"] = theme_names[theme]
                phrase = rng.choice(PHRASES)
                phrases.append(
                    {"submission_id": item_id, "key": phrase, "text": phrase}
                )
            if len(batch) >= BATCH:
                flush(connection)
        flush(connection)
    _recount_and_analyse(app, engine, url)
    return Built(
        app=app,
        rows=rows,
        moderators={"team": people["team"], "independent": people["independent"]},
        planner=people["planner"],
        round_ids=round_ids,
        recommendation_id=recommendations[0],
        deep_day=start + timedelta(days=DAYS // 2),
    )
