"""`portal backup` and `portal restore` on the suite's database (SQLite's online
backup, or pg_dump/pg_restore on PostgreSQL), taken while another process keeps
writing: the copy is one consistent moment, restores whole into a fresh database,
and a damaged file is refused with nothing changed."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from portal import db
from portal.audit.service import verify_chain
from portal.models import AuditEvent, LoginFailure, Role, User
from tests.factories import make_user

# Inserts login_failures rows keyed w1, w2, ... each in its own transaction until
# the stop file appears; prints how many it committed.
WRITER = """
import datetime, os, sys
from sqlalchemy import create_engine, insert, MetaData, Table
url, stop = sys.argv[1], sys.argv[2]
wait = {"timeout": 30} if url.startswith("sqlite") else {}
engine = create_engine(url, connect_args=wait)
table = Table("login_failures", MetaData(), autoload_with=engine)
n = 0
while not os.path.exists(stop):
    n += 1
    row = {"account_key": f"w{n}", "failed_at": datetime.datetime.now()}
    with engine.begin() as connection:
        connection.execute(insert(table).values(**row))
    print(n, flush=True)
"""


def _keys(url: str) -> list[int]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            select(LoginFailure.account_key).where(LoginFailure.account_key.like("w%"))
        )
        keys = sorted(int(key[1:]) for (key,) in rows)
    engine.dispose()
    return keys


def test_a_backup_taken_during_writes_restores_one_consistent_moment(
    app: Flask,
    session: Session,
    make_app: Callable[..., Flask],
    database_url: str,
    empty_database_url: str,
    tmp_path: Path,
) -> None:
    make_user(session, Role.ADMIN, email="keeper@council.example")
    stop = tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, database_url, str(stop)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert writer.stdout is not None
        while int(writer.stdout.readline() or 0) < 50:
            pass  # the writer is well under way
        target = tmp_path / "portal.backup"
        done = app.test_cli_runner().invoke(args=["portal", "backup", str(target)])
        assert done.exit_code == 0, done.output
        taken = len(_keys(database_url))
        while int(writer.stdout.readline() or 0) < taken + 50:
            pass  # and it kept writing after the backup
    finally:
        stop.touch()
        writer.communicate(timeout=60)
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600

    restored = make_app(DATABASE_URL=empty_database_url)
    done = restored.test_cli_runner().invoke(
        args=["portal", "restore", str(target), "--yes"]
    )
    assert done.exit_code == 0, done.output
    keys = _keys(empty_database_url)
    assert keys and keys == list(range(1, len(keys) + 1)), "one moment: a prefix"
    assert len(keys) < len(_keys(database_url)), "taken while writes went on"
    with restored.app_context():
        copy = db.get_session()
        assert copy.scalar(select(User.email)) == "keeper@council.example"
        last = copy.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert last is not None and last.action == "database_restored"
        assert list(verify_chain(copy)) == [], "the chain still verifies"


def test_a_damaged_backup_is_refused_and_changes_nothing(
    app: Flask, session: Session, tmp_path: Path
) -> None:
    make_user(session, Role.ADMIN, email="still@council.example")
    damaged = tmp_path / "damaged.backup"
    damaged.write_bytes(b"SQLite format 3\x00" + os.urandom(4096))
    done = app.test_cli_runner().invoke(
        args=["portal", "restore", str(damaged), "--yes"]
    )
    assert done.exit_code != 0
    assert "Nothing was changed" in done.output
    session.rollback()
    assert session.scalar(select(func.count()).select_from(User)) == 1
    missing = app.test_cli_runner().invoke(
        args=["portal", "restore", str(tmp_path / "none"), "--yes"]
    )
    assert missing.exit_code != 0 and "There is no file" in missing.output
