"""The database being away: down, restarting, locked, or out of connections; and failing fast."""
from __future__ import annotations

import contextlib
import logging
import sqlite3

from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine

from campaign.extensions import db

log = logging.getLogger(__name__)


def _driver_errors() -> tuple[tuple[type[Exception], ...], tuple[type[Exception], ...]]:
    try:
        import psycopg
    except ImportError:  # installed without the postgres extra
        return (sqlite3.OperationalError,), (sqlite3.Error,)
    # A standby after a failover refuses every write with ReadOnlySqlTransaction (SQLSTATE
    # 25006), an InternalError to psycopg, until the app reaches the new primary: an outage.
    away = (sqlite3.OperationalError, psycopg.OperationalError,
            psycopg.errors.ReadOnlySqlTransaction)
    return away, (sqlite3.Error, psycopg.Error)


# Errors of the drivers themselves, for the rare call that SQLAlchemy does not wrap. SQLite's
# "attempt to write a readonly database" is an OperationalError already.
DRIVER_OUTAGES, _DRIVER_ERRORS = _driver_errors()
# Anything a database call can raise: what a clean-up after a failure must survive.
DATABASE_ERRORS: tuple[type[Exception], ...] = (sa_exc.SQLAlchemyError, *_DRIVER_ERRORS)

# A server that does not answer at all must not hold a request (or /healthz) for minutes.
POSTGRES_CONNECT_TIMEOUT_SECONDS = 5


def is_outage(error: BaseException) -> bool:
    """Whether the error means "try again shortly" rather than a fault in the request or code.

    OperationalError covers a refused or dropped connection, a server shutting down or
    starting up, a statement timeout and SQLite's "database is locked" after its busy
    timeout; TimeoutError is a pool with no free connection; a database turned read-only
    (a standby after a failover) refuses writes until it is a primary again.
    """
    if isinstance(error, (sa_exc.OperationalError, sa_exc.TimeoutError, *DRIVER_OUTAGES)):
        return True
    if not isinstance(error, sa_exc.DBAPIError):
        return False
    return error.connection_invalidated or isinstance(error.orig, DRIVER_OUTAGES)


def describe(error: BaseException) -> str:
    """One line for the log: the error's kind and the driver's first line, without SQL."""
    cause = error.orig if isinstance(error, sa_exc.DBAPIError) and error.orig else error
    lines = str(cause).strip().splitlines()
    return f"{type(cause).__module__}.{type(cause).__name__}: {lines[0][:300] if lines else ''}"


def roll_back() -> None:
    """End the session's failed transaction; a connection that died with it is discarded."""
    try:
        db.session.rollback()
    except DATABASE_ERRORS as error:
        log.warning("rollback failed, connection discarded: %s", describe(error))
        _discard_connections()


def end_session(_error: BaseException | None = None) -> None:
    """Close the session at the end of a request or round, never raising.

    The server can die between a request's last query and this close, whose rollback then
    fails: that must neither turn an answer already made into a 500 nor keep the dead
    connection out of the pool.
    """
    try:
        db.session.remove()
    except DATABASE_ERRORS as error:
        log.warning("closing the session failed, connection discarded: %s", describe(error))
        _discard_connections()
        db.session.remove()


def _discard_connections() -> None:
    # invalidate() closes the session's connections without a rollback, returning them to
    # the pool as dead, so the pool opens fresh ones when the server is back.
    with contextlib.suppress(*DATABASE_ERRORS):
        db.session().invalidate()


@event.listens_for(Engine, "do_connect")
def _connect_fast_or_fail(dialect, connection_record, cargs, cparams) -> None:
    if dialect.name == "postgresql":
        cparams.setdefault("connect_timeout", POSTGRES_CONNECT_TIMEOUT_SECONDS)
