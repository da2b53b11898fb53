"""Database set-up: SQLite pragmas and write locks, schema upgrades under a lock."""
from __future__ import annotations

import contextlib
import contextvars
import fcntl
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import flask_migrate
from flask import Flask
from sqlalchemy import event, text
from sqlalchemy.engine import Engine, make_url

from campaign.extensions import db

# On SQLite a transaction that reads and then writes fails at once (SQLITE_BUSY_SNAPSHOT)
# if another connection wrote in between; taking the write lock at BEGIN avoids that.
# Requests that only read (GET, HEAD) set this to False so readers never queue behind writers.
sqlite_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "sqlite_write_intent", default=True
)

SQLITE_BUSY_TIMEOUT_MS = 15000
MIGRATION_LOCK_KEY = 0x43414D50  # "CAMP", the PostgreSQL advisory lock around migrations


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy emit BEGIN itself (pysqlite's own handling breaks SAVEPOINT).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    # FULL: a commit the visitor was told about survives a power cut, not only a crash.
    cursor.execute("PRAGMA synchronous = FULL")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


@event.listens_for(Engine, "connect")
def _configure_postgresql(dbapi_connection, connection_record) -> None:
    if not type(dbapi_connection).__module__.startswith("psycopg"):
        return
    # PostgreSQL's JIT compiles each large aggregate for up to 75 ms and saves nothing on
    # queries like ours (bench/dashboard_results.md). Committed, or the SET would be undone.
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    dbapi_connection.commit()


@event.listens_for(Engine, "begin")
def _begin_sqlite(conn) -> None:
    if conn.dialect.name != "sqlite":
        return
    conn.exec_driver_sql("BEGIN IMMEDIATE" if sqlite_write_intent.get() else "BEGIN")


def fit_engine_options(config: dict) -> None:
    """No pre-ping on SQLite: a file does not drop connections, and the ping was a query a request."""
    if make_url(config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() == "sqlite":
        options = dict(config["SQLALCHEMY_ENGINE_OPTIONS"])
        options.pop("pool_pre_ping", None)
        config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def init_app(app: Flask) -> None:
    """Mark read-only requests so SQLite lets them read without the write lock."""

    @app.before_request
    def _read_only_methods_read_deferred() -> None:
        from flask import request

        sqlite_write_intent.set(request.method not in ("GET", "HEAD", "OPTIONS"))


def read_first() -> None:
    """Begin this request's reads without SQLite's write lock (see start_writing)."""
    sqlite_write_intent.set(False)


def start_writing() -> None:
    """End the reads and take the write lock for what follows (SQLite; nothing elsewhere).

    The lock is then held only for the inserts and the commit, not for the form checks.
    """
    if sqlite_write_intent.get() or db.engine.dialect.name != "sqlite":
        sqlite_write_intent.set(True)
        return
    db.session.commit()  # ends the read transaction; loaded objects stay usable
    sqlite_write_intent.set(True)


def execute_plain(statement, params=None):
    """Run a Core statement (an INSERT of a table) on the session's connection, in its transaction.

    Skips the ORM's per-statement work (entity inspection, the bulk-insert path), which cost
    more than the statement itself on the sign path; nothing is added to the session.
    """
    return db.session.connection().execute(statement, params)


@contextlib.contextmanager
def separate_write() -> Iterator:
    """A short transaction of its own, committed at once, whatever the request is doing."""
    token = sqlite_write_intent.set(True)
    try:
        with db.engine.begin() as connection:
            yield connection
    finally:
        sqlite_write_intent.reset(token)


@contextlib.contextmanager
def migration_lock() -> Iterator[None]:
    """Hold a lock across processes so that web workers starting together migrate once."""
    url = make_url(str(db.engine.url))
    if url.get_backend_name() == "postgresql":
        with db.engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK_KEY})
                conn.commit()
    elif url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        path = Path(url.database)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(f"{path}.migrate-lock", "w") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)
    else:
        yield


def upgrade_schema() -> None:
    """Bring the schema up to the newest migration (inside an app context)."""
    flask_migrate.upgrade()
