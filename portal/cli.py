"""`flask --app wsgi portal ...`: thin wrappers over the same services the pages use,
so every change is audited the same way. Each command is one transaction."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal import db, demo
from portal.accounts import passwords, service
from portal.audit import anchor
from portal.audit.service import verify_chain
from portal.errors import DomainError, InvalidInput
from portal.framework.importer import read_file
from portal.framework.service import import_framework
from portal.mailer import Message, smtp_configured
from portal.mailer import send as mailer_send
from portal.models import AuditEvent, Role, utcnow
from portal.moderation.notify import waiting_messages
from portal.privacy import local_formats
from portal.submissions import release
from portal.submissions.phrases import phrases_missing, rebuild_phrases
from portal.summaries import export_parts, exports, pack

portal_cli = AppGroup("portal", help="Set up and administer Frontline Voice.")
ROLE_NAMES = [r.value for r in Role]


@contextmanager
def _transaction() -> Iterator[Session]:
    """One session for the command: commit on success, nothing on any error."""
    session = db.get_session()
    try:
        yield session
        db.commit(session)
    except DomainError as error:
        db.rollback(session)
        raise click.ClickException(error.message) from None
    except BaseException:
        db.rollback(session)
        raise


def _user_or_fail(session: Session, email: str) -> Any:
    user = service.find_user_by_email(session, email)
    if user is None:
        raise click.ClickException(f"No account has the email address {email}")
    return user


@portal_cli.command("init")
def init_command() -> None:
    """Migrate the database and load the bundled inspection framework (idempotent).
    Run by a person, it then asks for the council's office postcodes and case
    reference formats if none are set."""
    db.upgrade(current_app)
    with _transaction() as session:
        summary = demo.load_bundled_framework(session)
    click.echo(f"Database is up to date. Framework {summary.describe()}.")
    with _transaction() as session:
        if phrases_missing(session):
            click.echo(
                f"Key phrases found for {rebuild_phrases(session)} approved items."
            )
    config = current_app.config
    if config["OFFICE_POSTCODES"] or config["CASE_REFERENCE_PATTERNS"]:
        return
    if sys.stdin.isatty() and not config["DEMO"]:
        click.get_current_context().invoke(configure_privacy_command)
    else:
        click.echo(
            "Personal-data check: no office postcodes or case-reference formats are "
            "set. Run `flask --app wsgi portal configure-privacy` to add them."
        )


@portal_cli.command("rebuild-phrases")
def rebuild_phrases_command() -> None:
    """Recompute the key phrases of every approved item (summaries count them);
    needed once after upgrading to migration 0011, and safe to run again."""
    with _transaction() as session:
        count = rebuild_phrases(session)
    click.echo(f"Key phrases rebuilt for {count} approved items.")


@portal_cli.command("configure-privacy")
@click.option("--office-postcode", "postcodes", multiple=True, help="e.g. CW1 4HQ")
@click.option(
    "--case-example", "examples", multiple=True, help="e.g. LCS1234567 or CP/2022/0417"
)
def configure_privacy_command(
    postcodes: tuple[str, ...] = (), examples: tuple[str, ...] = ()
) -> None:
    """Set the office postcodes (never flagged) and the case-system reference
    formats (always flagged), given as examples; written to instance/config.py."""
    if not postcodes and not examples:
        postcodes = _ask("Your council's office postcodes, comma-separated")
        examples = _ask(
            "An example reference from each case system (LCS1234567, CP/2022/0417), "
            "comma-separated"
        )
    try:
        offices = [local_formats.office_postcode(p) for p in postcodes]
        patterns = [local_formats.pattern_from_example(e) for e in examples]
    except InvalidInput as error:
        raise click.ClickException(error.message) from error
    path = Path(current_app.instance_path) / "config.py"
    _write_private(path, local_formats.config_lines(offices, patterns), append=True)
    click.echo(
        f"Saved {len(offices)} office postcode(s) and {len(patterns)} case "
        f"reference format(s) to {path}. Restart the portal to use them."
    )


def _ask(question: str) -> tuple[str, ...]:
    answer = click.prompt(question, default="", show_default=False)
    return tuple(part.strip() for part in str(answer).split(",") if part.strip())


@portal_cli.command("create-user")
@click.argument("email")
@click.option("--name", required=True, help="Full name as colleagues know it.")
@click.option(
    "--role", "roles", multiple=True, required=True, type=click.Choice(ROLE_NAMES)
)
@click.option(
    "--team", "team_id", type=int, default=None, help="Team id (see the admin pages)."
)
@click.option(
    "--password-stdin",
    "piped",
    is_flag=True,
    help="Read the password from stdin instead of generating one.",
)
def create_user_command(
    email: str, name: str, roles: tuple[str, ...], team_id: int | None, piped: bool
) -> None:
    """Create an account with a generated one-time password (or one from stdin)."""
    password = (
        sys.stdin.readline().rstrip("\n") if piped else passwords.generate_password()
    )
    if piped:
        problem = passwords.password_problem(
            password, email, current_app.config["PASSWORD_MIN_LENGTH"]
        )
        if problem:
            raise click.ClickException(problem)
    with _transaction() as session:
        user = service.create_user(
            session,
            None,
            email=email,
            display_name=name,
            roles=roles,
            password_hash=passwords.hash_password(
                password, current_app.config["PASSWORD_HASH_METHOD"]
            ),
            team_id=team_id,
            must_change_password=not piped,
        )
    click.echo(f"Created {user.email} ({', '.join(sorted(roles))}).")
    if not piped:
        click.echo(
            f"One-time password (shown once; changed at first sign-in): {password}"
        )


@portal_cli.command("set-roles")
@click.argument("email")
@click.option(
    "--role", "roles", multiple=True, required=True, type=click.Choice(ROLE_NAMES)
)
def set_roles_command(email: str, roles: tuple[str, ...]) -> None:
    """Replace an account's roles."""
    with _transaction() as session:
        service.set_roles(session, None, _user_or_fail(session, email), roles)
    click.echo(f"{email} now has: {', '.join(sorted(roles))}.")


@portal_cli.command("disable-user")
@click.argument("email")
def disable_user_command(email: str) -> None:
    """Disable an account and end its sessions."""
    with _transaction() as session:
        service.disable_user(session, None, _user_or_fail(session, email))
    click.echo(f"{email} is disabled and signed out everywhere.")


@portal_cli.command("import-framework")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--inspection",
    "inspection_key",
    default=None,
    help="For CSV files: the key of the inspection the recommendations belong to.",
)
def import_framework_command(file: Path, inspection_key: str | None) -> None:
    """Import an inspection framework from JSON, or recommendations from CSV."""
    with _transaction() as session:
        summary = import_framework(session, None, read_file(file, inspection_key))
    click.echo(f"Imported {file.name}: {summary.describe()}.")


@portal_cli.command("verify-audit")
def verify_audit_command() -> None:
    """Check the audit trail's keyed hash chain and compare it with the latest
    anchor outside the database; exit 1 if rows were changed, removed or cut off,
    or if a purge is allowed right now."""
    session = db.get_session()
    problems = [f"Audit row {p.event_id}: {p.problem}" for p in verify_chain(session)]
    total = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    latest, file_problems = anchor.latest_anchor(session, _anchor_file())
    problems += file_problems
    if latest is not None:
        problems += anchor.check_against(session, latest)
    if anchor.purge_allowed(session):
        problems.append("A purge of audit rows is allowed right now")
    if problems:
        for problem in problems[:50]:
            click.echo(problem, err=True)
        raise click.ClickException(
            f"The audit trail has been tampered with: {len(problems)} problem(s) "
            f"in {total} rows."
        )
    click.echo(f"Audit trail intact: {total} rows, hash chain verified.")
    if latest is None:
        click.echo("No anchor yet: run 'portal audit-anchor' from cron.")
    else:
        since = total - latest.rows
        click.echo(
            f"Last anchored row {latest.last_id} at {latest.at}; "
            f"{since} {'row' if since == 1 else 'rows'} written since."
        )


def _anchor_file() -> Path:
    configured = current_app.config.get("AUDIT_ANCHOR_FILE")
    return Path(configured or Path(current_app.instance_path) / "audit-anchors.jsonl")


@portal_cli.command("audit-anchor")
@click.option("--email", help="Also send the anchor line to this auditor's address.")
def audit_anchor_command(email: str | None) -> None:
    """Append the audit chain's head to the anchor file outside the database (for
    cron, every few minutes), and optionally mail it to an auditor."""
    session = db.get_session()
    written = anchor.write_anchor(session, _anchor_file())
    if written is None:
        click.echo("The audit trail is empty: nothing to anchor.")
        return
    line = (f"Audit anchor {written.at}: row {written.last_id}, "
            f"{written.rows} rows, hash {written.row_hash}")  # fmt: skip
    if email and smtp_configured(current_app.config):
        mailer_send(current_app.config, [Message(email, "Audit anchor", line)])
    elif email:
        click.echo(f"No SMTP settings: would send to {email}:")
    click.echo(line)


@portal_cli.command("notify-moderators")
def notify_moderators_command() -> None:
    """Email each moderator and safeguarding lead how many items wait for them
    (counts only). For cron. Without SMTP settings, print what would be sent."""
    config = current_app.config
    messages = waiting_messages(
        db.get_session(), config["SERVICE_NAME"], config["BASE_URL"]
    )
    if not messages:
        click.echo("Nothing is waiting for anyone.")
        return
    if smtp_configured(config):
        click.echo(f"Sent {mailer_send(config, messages)} notification email(s).")
        return
    click.echo("SMTP is not configured (SMTP_HOST); these emails would be sent:")
    for message in messages:
        click.echo(f"\nTo: {message.to}\nSubject: {message.subject}\n\n{message.body}")


@portal_cli.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx", "docx", "md"]),
    default="csv",
    show_default=True,
    help="csv/xlsx: approved input; docx/md: the seminar pack.",
)
@click.option(
    "--round",
    "round_ids",
    type=int,
    multiple=True,
    help="Round id (repeat for several; none means every round).",
)
@click.option(
    "--authors/--no-authors", default=False, help="Include the names of named writers."
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True
)
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=None,
    help="CSV and XLSX: processes writing parts of the file at once "
    "[default: 2 with two cores or more; 1 for a CSV on PostgreSQL].",
)
def export_command(
    fmt: str, round_ids: tuple[int, ...], authors: bool, output: Path, jobs: int | None
) -> None:
    """Export approved input (with tags) to a file, with a progress bar on a
    terminal. Audited like an export from the pages."""
    request = exports.ExportRequest(
        list(round_ids), authors, current_app.config["SUPPRESS_TEXT_MINIMUM"]
    )
    if fmt in ("docx", "md"):
        _export_pack(fmt, list(round_ids), output)
        return
    with _transaction() as session:
        total = exports.count_rows(session, request)
        exports.record_export(session, None, request, fmt, total)
    _create_private(output)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        with click.progressbar(length=total, label="Exporting", file=sys.stderr) as bar:
            export_parts.write_file(app, request, fmt, output, total, jobs, bar.update)
    except export_parts.PartFailed as error:
        output.unlink(missing_ok=True)
        raise click.ClickException(str(error)) from None
    except Exception as error:
        # The type only, as a failing part reports: a message can quote a cell.
        output.unlink(missing_ok=True)
        raise click.ClickException(
            f"The export failed ({type(error).__name__}); no file was left."
        ) from None
    click.echo(f"Wrote {total} rows to {output}.")


def _export_pack(fmt: str, round_ids: list[int], output: Path) -> None:
    config = current_app.config
    with _transaction() as session:
        built = pack.build_pack(
            session,
            round_ids,
            council=config["COUNCIL_NAME"],
            minimum=config["SUPPRESS_COUNT_MINIMUM"],
            today=utcnow().date(),
        )
        exports.record_export(
            session,
            None,
            exports.ExportRequest(round_ids, False, 0),
            f"pack-{fmt}",
            len(built.sections),
        )
    _create_private(output)
    if fmt == "md":
        output.write_text(pack.to_markdown(built), encoding="utf-8")
    else:
        output.write_bytes(
            pack.to_docx(built, current_app.config["PROTECTIVE_MARKING"])
        )
    click.echo(f"Wrote the seminar pack ({len(built.sections)} sections) to {output}.")


@portal_cli.command("seed-demo")
def seed_demo_command() -> None:
    """Add demo teams, one account per role and placeholder recommendations."""
    with _transaction() as session:
        accounts = demo.seed_demo(session, current_app.config["PASSWORD_HASH_METHOD"])
    new = [a for a in accounts if a.password]
    path = Path(current_app.instance_path) / "demo-accounts.txt"
    if new:
        _write_private(path, _demo_lines(new), append=path.exists())
        click.echo(
            "Demo accounts (passwords shown once, also in instance/demo-accounts.txt):"
        )
        for line in _demo_lines(new):
            click.echo("  " + line)
    else:
        click.echo(f"Demo accounts already exist; their passwords are in {path}.")


def _demo_lines(accounts: list[demo.DemoAccount]) -> list[str]:
    return [
        f"{a.email}  {a.password}  ({', '.join(r.label for r in a.roles)})"
        for a in accounts
    ]


def _create_private(path: Path) -> None:
    """Exports hold staff input: the file is readable by its owner only, before
    anything is written to it (writers that reopen it keep the mode)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
    path.chmod(0o600)


@portal_cli.command("release-anonymous")
@click.option(
    "--include-today",
    is_flag=True,
    help="Also release what arrived today (only when the day's input is complete, "
    "or for a demonstration).",
)
def release_anonymous_command(include_today: bool) -> None:
    """Release held anonymous input into moderation: every item from before today,
    in one transaction, in random order. For cron, shortly after midnight."""
    with _transaction() as session:
        done = release.release(session, utcnow().date(), include_today=include_today)
    click.echo(f"Released {done.items} anonymous items from {done.days} days.")


def _write_private(path: Path, lines: list[str], append: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
    with os.fdopen(os.open(path, flags, 0o600), "a" if append else "w") as handle:
        handle.write("\n".join(lines) + "\n")


def init_app(app: Flask) -> None:
    from portal.accounts.commands import link_account_command
    from portal.backup import backup_command, restore_command
    from portal.outcomes.commands import send_digests_command
    from portal.retention.commands import legal_hold_command, purge_command
    from portal.submissions.aggregates import rebuild_aggregates_command

    for command in (
        send_digests_command,
        purge_command,
        legal_hold_command,
        link_account_command,
        backup_command,
        restore_command,
        rebuild_aggregates_command,
    ):
        portal_cli.add_command(command)
    app.cli.add_command(portal_cli)
