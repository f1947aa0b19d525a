"""Alembic environment. Run through `flask --app wsgi portal init` (portal.db.upgrade),
which passes the app's connection in, or through portal.db.alembic_config in tests."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from portal.models import Base, UTCDateTime, built_on

config = context.config
target_metadata = Base.metadata


def render_item(type_: str, obj: object, _context: object) -> str | bool:
    """Write our UTCDateTime as a plain DateTime: migrations must not import app code
    that may change later."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.begin() as new_connection:
            _run(new_connection)
    finally:
        engine.dispose()  # no pooled connection left open behind the command


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things: batch mode rebuilds tables instead.
        render_as_batch=True,
        compare_type=True,
        render_item=render_item,
        include_object=built_on(connection.dialect.name),  # type: ignore[attr-defined]
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
