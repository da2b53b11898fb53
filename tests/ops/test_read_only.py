"""A database that turns read-only (a PostgreSQL standby after a failover, a SQLite file or
connection opened read-only) is a database away: 503 to retry, nothing half-stored, never a 500.
"""
from __future__ import annotations

import sqlite3

import psycopg
import pytest
from sqlalchemy import event, select
from sqlalchemy import exc as sa_exc

from campaign.extensions import db
from campaign.models import AuditEntry, Campaign, OutboxMessage, Signature
from campaign.ops import outages
from tests.helpers import count_rows, database_snapshot


class ReadOnly:
    """Turns every connection the app checks out read-only while `on`, writable again after."""

    def __init__(self, engine) -> None:
        self.on = False
        self.engine = engine
        event.listen(engine, "checkout", self._apply)

    def _apply(self, dbapi_connection, connection_record, connection_proxy) -> None:
        if isinstance(dbapi_connection, sqlite3.Connection):
            # SQLite answers "attempt to write a readonly database" (SQLITE_READONLY).
            dbapi_connection.execute(f"PRAGMA query_only = {int(self.on)}")
            return
        # A standby: "cannot execute INSERT in a read-only transaction" (SQLSTATE 25006).
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET default_transaction_read_only = {'on' if self.on else 'off'}")
        dbapi_connection.commit()

    def remove(self) -> None:
        event.remove(self.engine, "checkout", self._apply)


@pytest.fixture
def read_only(app):
    with app.app_context():
        switch = ReadOnly(db.engine)
    yield switch
    switch.remove()


def _snapshot(app) -> dict:
    with app.app_context():
        snapshot = database_snapshot()
        db.session.remove()
    return snapshot


def _assert_retry_page(answer) -> None:
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "5"
    assert "Nothing was lost" in answer.text and "try again" in answer.text


def test_signing_on_a_read_only_database_is_a_503_with_nothing_stored(
        app, client, make_campaign, signer, read_only):
    slug = make_campaign()
    assert client.get(f"/c/{slug}").status_code == 200
    before = _snapshot(app)
    read_only.on = True
    answer = client.post(f"/c/{slug}/sign", data=signer())
    page = client.get(f"/c/{slug}")  # reading still works on a standby
    read_only.on = False
    _assert_retry_page(answer)
    assert page.status_code == 200
    assert _snapshot(app) == before
    # Writable again: the same signature goes through, with its email.
    assert client.post(f"/c/{slug}/sign", data=signer()).status_code == 303
    with app.app_context():
        assert (count_rows(Signature), count_rows(OutboxMessage)) == (1, 1)


def test_an_organizer_save_on_a_read_only_database_is_a_503_with_nothing_changed(
        app, client, make_organizer, login, read_only):
    login(client, make_organizer())
    assert client.post("/organizer/new/form", data={
        "title": "Fix", "slug": "fix", "petition_text": "P", "goal": "5",
        "default_country": "US"}).status_code == 303
    edit = {"title": "Fix the bridge", "slug": "fix", "petition_text": "P", "goal": "50",
            "default_country": "US"}
    before = _snapshot(app)
    read_only.on = True
    answer = client.post("/organizer/c/fix/edit", data=edit)
    read_only.on = False
    _assert_retry_page(answer)
    assert _snapshot(app) == before
    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "fix"))
        assert (campaign.title, campaign.goal) == ("Fix", 5)
        audited = count_rows(AuditEntry)
    assert client.post("/organizer/c/fix/edit", data=edit).status_code == 303
    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "fix"))
        assert (campaign.title, campaign.goal) == ("Fix the bridge", 50)
        assert count_rows(AuditEntry) >= audited


@pytest.mark.parametrize("error", [
    psycopg.errors.ReadOnlySqlTransaction("cannot execute INSERT in a read-only transaction"),
    sa_exc.InternalError("INSERT INTO signatures ...", None, psycopg.errors.ReadOnlySqlTransaction(
        "cannot execute INSERT in a read-only transaction")),
    sa_exc.OperationalError("INSERT INTO signatures ...", None, sqlite3.OperationalError(
        "attempt to write a readonly database")),
])
def test_a_read_only_database_is_an_outage(error):
    assert outages.is_outage(error)


def test_other_internal_errors_are_not_outages():
    error = sa_exc.InternalError("SELECT ...", None, psycopg.errors.InFailedSqlTransaction(
        "current transaction is aborted"))
    assert not outages.is_outage(error)
