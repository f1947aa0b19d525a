"""`portal link-account`: tie an existing account to its directory identity."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from portal import db
from portal.accounts import directory, sso
from portal.errors import DomainError


@click.command("link-account")
@click.argument("email")
@click.argument("object_id")
@with_appcontext
def link_account_command(email: str, object_id: str) -> None:
    """Link the account with EMAIL to the directory person with OBJECT_ID (Entra
    ID: the user's "Object ID"), keeping its named input. From the next sign-in
    its roles and team come from directory groups, and its password stops
    working."""
    if not sso.enabled():
        raise click.ClickException("Single sign-on is not set up (SSO_ISSUER).")
    session = db.get_session()
    issuer = str(current_app.config["SSO_ISSUER"]).rstrip("/")
    try:
        directory.link(session, None, email, issuer, object_id)
        db.commit(session)
    except DomainError as error:
        db.rollback(session)
        raise click.ClickException(error.message) from None
    click.echo(f"{email} now signs in with the council account {object_id}.")
