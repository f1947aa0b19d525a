"""`portal backup FILE` and `portal restore FILE`, safe while the portal runs.

SQLite: SQLite's online backup copies a consistent snapshot page by page while
other connections keep writing (a copy of the file would miss what the WAL holds),
then ``PRAGMA integrity_check`` proves the copy sound before it is kept. A restore
checks the file the same way first, and copies it into the live database with the
same API under the write lock, so other connections see the old database or the
restored one, never a mixture. PostgreSQL: ``pg_dump`` (one snapshot, custom
format) and ``pg_restore --single-transaction``.

Either way the restored database is brought to the current schema and its audit
trail gets a row saying a restore happened, so the trail itself shows the gap
between the backup and the restore.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import make_url

from portal import db
from portal.audit.service import AuditAction, record

# A restore must never leave half a database: a bad file is refused before
# anything is touched.


class BackupError(Exception):
    """The backup or restore could not be done; nothing was changed."""


def _libpq_url(url: str) -> str:
    """``postgresql+psycopg://...`` as pg_dump understands it."""
    return (
        make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    )


def _sqlite_path(url: str) -> str:
    path = make_url(url).database
    if not path or path == ":memory:":
        raise BackupError("An in-memory database cannot be backed up.")
    return path


def _integrity(path: str) -> None:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as check:
        try:
            result = check.execute("PRAGMA integrity_check").fetchall()
            has_schema = check.execute(
                "SELECT count(*) FROM sqlite_master WHERE name = 'alembic_version'"
            ).fetchone()[0]
        except sqlite3.DatabaseError as error:
            raise BackupError(f"Not a sound SQLite database: {error}") from None
    if result != [("ok",)]:
        raise BackupError("The database failed its integrity check.")
    if not has_schema:
        raise BackupError("This is not a Frontline Voice database.")


def backup(url: str, target: Path, busy_timeout: float = 5) -> None:
    """Write a consistent copy of the database to ``target`` (owner-only)."""
    target = target.resolve()
    if url.startswith("sqlite"):
        source = sqlite3.connect(_sqlite_path(url), timeout=busy_timeout)
        # Written beside the target and renamed at the end: a failed backup never
        # leaves a file that looks like a good one.
        fd, partial = tempfile.mkstemp(dir=target.parent, suffix=".partial")
        os.close(fd)
        try:
            copy = sqlite3.connect(partial)
            with copy:
                # In one step, under one read snapshot: writers carry on in the
                # WAL meanwhile. (In steps, each write by another connection
                # would restart the copy, and a busy portal might never finish.)
                source.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")
            copy.close()
            _integrity(partial)
            os.chmod(partial, 0o600)
            os.replace(partial, target)
        finally:
            source.close()
            if os.path.exists(partial):
                os.unlink(partial)
        return
    _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}",
          f"--dbname={_libpq_url(url)}"])  # fmt: skip
    os.chmod(target, 0o600)


def restore(url: str, source: Path, busy_timeout: float = 5) -> None:
    """Replace the database's contents with the backup in ``source``."""
    if not source.is_file():
        raise BackupError(f"There is no file {source}.")
    if url.startswith("sqlite"):
        # Check a private copy, so the file cannot change between check and use.
        with tempfile.TemporaryDirectory() as folder:
            checked = os.path.join(folder, "restore.sqlite3")
            shutil.copyfile(source, checked)
            _integrity(checked)
            backup_db = sqlite3.connect(checked)
            live = sqlite3.connect(_sqlite_path(url), timeout=busy_timeout)
            try:
                with live:
                    backup_db.backup(live)
            finally:
                live.close()
                backup_db.close()
        return
    _run(["pg_restore", "--list", str(source)], quiet=True)  # a readable archive?
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner",
          "--single-transaction", "--exit-on-error", f"--dbname={_libpq_url(url)}",
          str(source)])  # fmt: skip


def _run(command: list[str], quiet: bool = False) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed.") from None
    if done.returncode != 0:
        # The tool's own message, without the connection string it was given.
        message = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{command[0]} failed: {message[-1] if message else ''}")


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(file: Path) -> None:
    """Write a consistent, checked copy of the database to FILE (owner-only)."""
    config = current_app.config
    try:
        backup(config["DATABASE_URL"], file, config["SQLITE_BUSY_TIMEOUT_SECONDS"])
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up to {file} ({file.stat().st_size:,} bytes), checked.")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the database without asking.")
@with_appcontext
def restore_command(file: Path, yes: bool) -> None:
    """Replace the whole database with the backup in FILE, then bring it to the
    current schema and record the restore in the audit trail."""
    config = current_app.config
    if not yes:
        click.confirm(
            "This replaces everything in the database with the backup. Go on?",
            abort=True,
        )
    try:
        restore(config["DATABASE_URL"], file, config["SQLITE_BUSY_TIMEOUT_SECONDS"])
    except BackupError as error:
        raise click.ClickException(f"{error} Nothing was changed.") from None
    db.get_engine().dispose()  # no connection remembers the old database
    db.upgrade(current_app._get_current_object())  # type: ignore[attr-defined]
    session = db.get_session()
    record(session, None, AuditAction.DATABASE_RESTORED, "database", None)
    db.commit(session)
    click.echo(f"Restored from {file}. Run `portal audit-anchor` now: the anchors "
               "written since that backup no longer match, as expected.")  # fmt: skip
