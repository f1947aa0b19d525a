"""`portal purge` (daily, from cron) and `portal legal-hold`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from portal import db
from portal.audit.service import AuditAction, record
from portal.board.quarters import today
from portal.models import Submission
from portal.retention.purge import Policy, purge


@click.command("purge")
@with_appcontext
def purge_command() -> None:
    """Delete or overwrite what has outlived its retention period (idempotent)."""
    session = db.get_session()
    done = purge(
        session,
        Policy.from_config(current_app.config),
        today(),
        current_app.instance_path,
    )
    db.commit(session)
    click.echo(
        f"Words overwritten: {done.unused_input} unused, {done.old_input} past the "
        f"input period ({done.held} kept under legal hold). Deleted: {done.drafts} "
        f"drafts, {done.login_failures} failed sign-ins, {done.handoffs} receipt "
        f"hand-offs, {done.carries} sign-in carries, {done.audit_rows} audit rows "
        f"past their period. Evidence files removed: {done.evidence_files}."
    )


@click.command("legal-hold")
@click.argument("submission_id")
@click.option("--on/--off", "hold", default=True, help="Hold (default) or release.")
@with_appcontext
def legal_hold_command(submission_id: str, hold: bool) -> None:
    """Keep an item of input whatever the retention rules say, or release it."""
    session = db.get_session()
    item = session.get(Submission, submission_id.strip())
    if item is None:
        raise click.ClickException("There is no such item of input.")
    item.legal_hold = hold
    record(session, None, AuditAction.LEGAL_HOLD_CHANGED, "submission", item.id,
           after={"hold": hold})  # fmt: skip
    db.commit(session)
    click.echo(f"Item {item.id} is {'on' if hold else 'off'} legal hold.")
