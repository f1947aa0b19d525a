"""`flask --app wsgi portal send-digests`: the quarterly digest, for cron."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from portal import db
from portal.mailer import send as mailer_send
from portal.mailer import smtp_configured
from portal.outcomes import digest


@click.command("send-digests")
@with_appcontext
def send_digests_command() -> None:
    """Email each opted-in named contributor their digest for the latest "You
    said, we did" publication, once. Without SMTP settings, print them instead
    (and mark nothing sent, so they go once SMTP is set)."""
    config = current_app.config
    session = db.get_session()
    due = digest.due(session, config["SERVICE_NAME"], config["BASE_URL"])
    if not due:
        click.echo("No digest is due.")
        return
    if not smtp_configured(config):
        click.echo("SMTP is not configured (SMTP_HOST); these emails would be sent:")
        for item in due:
            message = item.message
            click.echo(
                f"\nTo: {message.to}\nSubject: {message.subject}\n\n{message.body}"
            )
        return
    sent = mailer_send(config, [item.message for item in due])
    digest.mark_sent(session, due)
    db.commit(session)
    click.echo(f"Sent {sent} digest email(s).")
