"""Alembic environment: runs migrations on the app's own engine, inside the app context."""
from alembic import context
from flask import current_app

from campaign.models import UTCDateTime

db = current_app.extensions["migrate"].db


def render_item(type_, obj, autogen_context):
    """Write our column types as plain SQLAlchemy ones, so migrations never import the app."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _sqlite_foreign_keys(connection, on: bool) -> None:
    """Turn SQLite's foreign keys on or off, on the driver's connection outside any transaction
    (inside one the pragma does nothing)."""
    if connection.dialect.name == "sqlite":
        pragma = f"PRAGMA foreign_keys = {'ON' if on else 'OFF'}"
        connection.connection.driver_connection.execute(pragma)


def run_migrations_online() -> None:
    with db.engine.connect() as connection:
        # Batch mode rebuilds a table by copying it and dropping the old one: with foreign keys
        # on, dropping the old campaigns table would delete every signature and outreach by
        # cascade. Off while migrating, as SQLite's documentation advises for table rebuilds.
        _sqlite_foreign_keys(connection, False)
        try:
            _run(connection)
        finally:
            _sqlite_foreign_keys(connection, True)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=db.metadata,
        # SQLite cannot ALTER most things: batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported; run them on a database.")
run_migrations_online()
