"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import create_engine, inspect, text

from portal import db
from portal.models import Base, built_on


def test_models_and_migrations_agree(app: Flask) -> None:
    # The test database was built from empty by `alembic upgrade head` (conftest),
    # on SQLite or PostgreSQL: autogenerate must find nothing left to do.
    with db.get_engine(app).connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "render_as_batch": True,
                "include_object": built_on(connection.dialect.name),
            },
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], f"Models changed without a migration: {differences}"


def test_database_is_at_the_single_head(app: Flask) -> None:
    script = ScriptDirectory.from_config(db.alembic_config(app.config["DATABASE_URL"]))
    assert len(script.get_heads()) == 1, "merge the migration branches"
    with db.get_engine(app).connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    assert current == script.get_current_head()


def test_upgrade_downgrade_upgrade_from_empty(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'roundtrip.sqlite3'}"
    config = db.alembic_config(url)
    command.upgrade(config, "head")
    engine = create_engine(url)
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    command.downgrade(config, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    command.upgrade(config, "head")
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_sqlite_uses_wal_and_foreign_keys(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'pragmas.sqlite3'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    engine.dispose()


def test_0004_backfills_the_personal_data_flag(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'backfill.sqlite3'}"
    config = db.alembic_config(url)
    command.upgrade(config, "0003")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO inspections (id, key, name, local_authority, judgement,"
            " source) VALUES (1, 'k', 'n', 'la', 'j', '')"
        )
        connection.exec_driver_sql(
            "INSERT INTO areas (id, inspection_id, code, title, description,"
            " addressed_to, position, about_management) VALUES (1, 1, 'A', 't', '',"
            " 'lscb', 1, 0)"
        )
        connection.exec_driver_sql(
            "INSERT INTO engagement_rounds (id, title, purpose, opens_at, closes_at,"
            " status, created_at) VALUES (1, 'r', '', '2015-01-01', '2015-02-01',"
            " 'open', '2015-01-01')"
        )
        for n, flags in enumerate(["null", '[{"kind": "phone"}]', None]):
            connection.exec_driver_sql(
                "INSERT INTO submissions (id, round_id, area_id, kind, status,"
                " submitted_on, obstacles, biggest_difference, practice_example,"
                " pii_flags, safeguarding_flag, idempotency_key, redactions)"
                " VALUES (?, 1, 1, 'named', 'pending', '2015-01-02', '', '', '', ?, 0,"
                " ?, 0)",
                (f"id-{n}", flags, f"key-{n}"),
            )
    command.upgrade(config, "head")
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT id, has_personal_data FROM submissions ORDER BY id"
        ).all()
    assert rows == [("id-0", 0), ("id-1", 1), ("id-2", 0)]
    engine.dispose()


def test_0009_turns_stored_narrative_html_into_what_planners_now_type(
    tmp_path: Path,
) -> None:
    from portal.formatting import narrative_html

    url = f"sqlite:///{tmp_path / 'narratives.sqlite3'}"
    config = db.alembic_config(url)
    command.upgrade(config, "0008")
    engine = create_engine(url)
    stored = {
        1: "<p><strong>Supervision</strong> matters to <em>everyone</em></p>"
        "<ul><li>Protected time</li><li>Fewer <b>handovers</b></li></ul>"
        '<p>See <a href="https://council.example/plan?a=1&amp;b=2">the plan</a>'
        "<br>today &amp; tomorrow</p>",
        2: "<ol><li>What would help?</li><li>Who leads?</li></ol>",
        3: "Plain words &amp; no tags",
    }
    with engine.begin() as connection:
        for note_id, html in stored.items():
            connection.exec_driver_sql(
                "INSERT INTO summary_notes (id, subject_type, subject_id,"
                " key_messages, questions, updated_at) VALUES (?, 'area', ?, ?, '',"
                " '2015-01-01')",
                (note_id, note_id, html),
            )
    command.upgrade(config, "head")
    with engine.connect() as connection:
        typed = dict(
            connection.exec_driver_sql(
                "SELECT id, key_messages FROM summary_notes"
            ).all()
        )
    engine.dispose()
    assert typed[1] == (
        "**Supervision** matters to _everyone_\n\n- Protected time\n"
        "- Fewer **handovers**\n\n"
        "See [the plan](https://council.example/plan?a=1&b=2)\ntoday & tomorrow"
    )
    assert typed[2] == "1. What would help?\n2. Who leads?"
    assert typed[3] == "Plain words & no tags"
    # Shown again, each reads as it did before the migration.
    assert narrative_html(typed[1]) == (
        "<p><strong>Supervision</strong> matters to <em>everyone</em></p>"
        "<ul><li>Protected time</li><li>Fewer <strong>handovers</strong></li></ul>"
        '<p>See <a href="https://council.example/plan?a=1&amp;b=2">the plan</a>'
        "<br>today &amp; tomorrow</p>"
    )
    assert narrative_html(typed[2]) == stored[2]


def test_0025_splits_the_summary_facts_and_its_triggers_keep_them(
    empty_database_url: str,
) -> None:
    """Approved, tagged input counted by 0019's facts; after 0025 the two narrower
    tables hold the same items, the new triggers keep them as items change, and
    the downgrade puts the single table back with the same figures."""
    from sqlalchemy.orm import Session

    from portal.submissions.aggregates import facts_maintained, facts_recounted

    config = db.alembic_config(empty_database_url)
    command.upgrade(config, "0024")
    engine = create_engine(empty_database_url)
    # (id, round, area, kind, status, priority, team, role, people, tagged)
    items = [
        ("a", 1, 1, "named", "approved", 5, 1, 1, None, True),
        ("b", 1, 1, "anonymous", "approved", 5, 1, None, None, True),
        ("c", 2, 2, "facilitated", "approved", None, None, 1, 6, True),
        ("d", 1, 2, "named", "approved", 3, None, None, None, False),
        ("e", 1, 1, "named", "pending", 4, 1, 1, None, True),
    ]
    with engine.begin() as connection:

        def run(sql: str, **values: object) -> None:
            connection.execute(text(sql), values)

        run(
            "INSERT INTO inspections (id, key, name, local_authority, judgement,"
            " source) VALUES (1, 'k', 'n', 'la', 'j', '')"
        )
        for area in (1, 2):
            run(
                "INSERT INTO areas (id, inspection_id, code, title, description,"
                " addressed_to, position, about_management, examples) VALUES"
                " (:area, 1, :code, 't', '', 'lscb', :area, false, '[]')",
                area=area,
                code=f"A{area}",
            )
        run(
            "INSERT INTO recommendations (id, inspection_id, code, text,"
            " addressed_to, is_placeholder, position) VALUES"
            " (1, 1, 'R1', 't', 'lscb', false, 1)"
        )
        run(
            "INSERT INTO teams (id, name, kind, created_at) VALUES"
            " (1, 'North', 'team', '2015-01-01')"
        )
        run(
            "INSERT INTO role_groups (id, name, created_at) VALUES"
            " (1, 'Manager', '2015-01-01')"
        )
        for round_id in (1, 2):
            run(
                "INSERT INTO engagement_rounds (id, title, purpose, opens_at,"
                " closes_at, status, created_at) VALUES (:id, 'r', '', '2015-01-01',"
                " '2015-02-01', 'open', '2015-01-01')",
                id=round_id,
            )
        for n, (
            item,
            round_id,
            area,
            kind,
            status,
            rating,
            team,
            role,
            people,
            tagged,
        ) in enumerate(items):
            run(
                "INSERT INTO submissions (id, round_id, area_id, kind, status,"
                " submitted_on, obstacles, biggest_difference, practice_example,"
                " priority, team_id, role_group_id, attendees, safeguarding_flag,"
                " idempotency_key, redactions, has_personal_data, legal_hold) VALUES"
                " (:id, :round, :area, :kind, :status, '2015-01-02', '', '', '',"
                " :rating, :team, :role, :people, false, :key, 0, false, false)",
                id=item,
                round=round_id,
                area=area,
                kind=kind,
                status=status,
                rating=rating,
                team=team,
                role=role,
                people=people,
                key=f"key-{n}",
            )
            if tagged:
                run(
                    "INSERT INTO recommendation_tags (submission_id,"
                    " recommendation_id, applied_at, from_suggestion) VALUES"
                    " (:id, 1, '2015-01-03', false)",
                    id=item,
                )
    # fmt: skip
    facts = (
        "SELECT subject_type, subject_id, round_id, kind, priority, team_key,"
        " role_key, n, attendees FROM subject_facts WHERE n <> 0"
    )
    with engine.connect() as connection:
        before = connection.exec_driver_sql(facts).all()
    assert len(before) == 7, "0019's triggers counted the approved items"

    command.upgrade(config, "head")
    with Session(engine) as session:
        assert facts_maintained(session) == facts_recounted(session)
        named_fives = ("counts", "recommendation", 1, 1, "named", 5)
        assert facts_maintained(session)[named_fives] == (1, 0)
        for change in (
            "UPDATE submissions SET priority = 2, team_id = 1, attendees = 9"
            " WHERE id = 'c'",
            "UPDATE submissions SET status = 'approved' WHERE id = 'e'",
            "DELETE FROM recommendation_tags WHERE submission_id = 'a'",
        ):
            session.execute(text(change))
        session.commit()
        assert facts_maintained(session) == facts_recounted(session)
        assert named_fives not in facts_maintained(session), "a was untagged"
        assert facts_maintained(session)[
            ("contexts", "recommendation", 1, 2, 1, 1)
        ] == (1,), "c moved to a team"

    command.downgrade(config, "0024")
    with engine.connect() as connection:
        after = connection.exec_driver_sql(facts).all()
    assert ("recommendation", 1, 2, "facilitated", 2, 1, 1, 1, 9) in after
    assert ("recommendation", 1, 1, "named", 4, 1, 1, 1, 0) in after
    assert ("recommendation", 1, 1, "named", 5, 1, 1, 1, 0) not in after
    engine.dispose()
