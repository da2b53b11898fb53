"""Failures as visitors see them in production: a page and a reference, never a stack trace or SQL;
the database away is a 503 to retry, with the transaction rolled back and one log line."""
from __future__ import annotations

import shutil
import sqlite3

import psycopg
import pytest
from sqlalchemy import event, text
from sqlalchemy import exc as sa_exc

import config
from campaign import create_app
from campaign.extensions import db
from campaign.mail import outbox
from campaign.models import OutboxMessage
from tests.helpers import count_rows

SECRET_IN_ERROR = "SELECT email FROM signatures WHERE email = 'ada@example.org'"


def _outage(kind: str) -> Exception:
    """The error a view meets when the database is down, restarting, locked or full up."""
    driver = psycopg.OperationalError("server closed the connection unexpectedly")
    return {
        "operational": sa_exc.OperationalError(SECRET_IN_ERROR, {"email": "ada@example.org"}, driver),
        "invalidated": sa_exc.InterfaceError(SECRET_IN_ERROR, None, Exception("connection closed"),
                                             connection_invalidated=True),
        "pool timeout": sa_exc.TimeoutError("QueuePool limit of size 5 overflow 10 reached"),
        "psycopg": driver,
        "sqlite locked": sqlite3.OperationalError("database is locked"),
    }[kind]


@pytest.fixture
def production(sqlite_template, tmp_path):
    """The app with the production configuration, and views that fail on demand."""
    path = tmp_path / "production.sqlite"
    shutil.copy(sqlite_template, path)
    app = create_app(config.ProductionConfig, SECRET_KEY="production-test", BASE_URL="http://localhost",
                     SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}", AUTO_UPGRADE=False,
                     LOAD_SAMPLE=False, MAIL_BACKEND="memory", OUTBOX_EMBEDDED_WORKER=False,
                     RATELIMIT_STORAGE_URI="memory://")

    def crash():
        raise RuntimeError(SECRET_IN_ERROR)

    def queue_then_fail(kind: str):
        # Something written first, then the database goes away: none of it may stay.
        outbox.enqueue(kind="test", to_address="ada@example.org", subject="Hi", body="Hi")
        db.session.flush()
        if kind == "real":
            db.session.execute(text("SELECT email FROM no_such_table WHERE email = :e"),
                               {"e": "ada@example.org"})
        raise _outage(kind)

    def integrity():
        raise sa_exc.IntegrityError(SECRET_IN_ERROR, None, Exception("duplicate key"))

    for path_, view in [("/crash", crash), ("/crash.json", crash), ("/integrity", integrity)]:
        app.add_url_rule(path_, path_, view)
    app.add_url_rule("/away/<kind>", "away", queue_then_fail)
    app.add_url_rule("/away/<kind>/count.json", "away_json", queue_then_fail)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def assert_nothing_leaks(body: str) -> None:
    for leak in ["Traceback", "SELECT", "sqlalchemy", "psycopg", "ada@example.org", "signatures",
                 "no_such_table", 'File "']:
        assert leak not in body


def test_production_configuration_never_debugs_or_propagates(production):
    assert production.debug is False
    assert production.testing is False
    assert production.config["PROPAGATE_EXCEPTIONS"] is False
    # A server's connections drop on a restart: PostgreSQL pings; a SQLite file needs no ping.
    on_postgresql = production.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")
    assert production.config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_pre_ping", False) is on_postgresql
    assert production.config["SQLALCHEMY_ENGINE_OPTIONS"]["hide_parameters"] is True


def test_an_unhandled_error_is_a_page_with_a_reference_logged_once(production, capsys):
    answer = production.test_client().get("/crash?token=abcDEF1234567890ghijKLMN")
    assert answer.status_code == 500
    assert "Something went wrong" in answer.text
    reference = answer.headers["X-Request-ID"]
    assert f"<code>{reference}</code>" in answer.text
    assert_nothing_leaks(answer.text)
    log = capsys.readouterr().err
    [line] = [line for line in log.splitlines() if "unhandled error" in line]
    assert f"[{reference}] campaign.errors: unhandled error on GET /crash" in line
    assert "RuntimeError" in log and "Traceback" in log  # the exception, for whoever fixes it
    for private in ["ada@example.org", "abcDEF1234567890ghijKLMN"]:
        assert private not in log


def test_an_unhandled_error_on_a_json_path_is_json(production):
    answer = production.test_client().get("/crash.json")
    assert answer.status_code == 500
    assert answer.get_json() == {"error": "Something went wrong", "status": 500,
                                 "reference": answer.headers["X-Request-ID"]}


def test_a_database_error_that_is_not_an_outage_is_a_500(production):
    answer = production.test_client().get("/integrity")
    assert answer.status_code == 500
    assert "Retry-After" not in answer.headers
    assert_nothing_leaks(answer.text)


@pytest.mark.parametrize("kind", ["real", "operational", "invalidated", "pool timeout", "psycopg",
                                  "sqlite locked"])
def test_database_away_is_a_503_to_retry_with_nothing_stored(production, capsys, kind):
    answer = production.test_client().get(f"/away/{kind}")
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "5"
    assert "We could not save or read that right now" in answer.text
    assert "Nothing was lost" in answer.text and "try again" in answer.text
    reference = answer.headers["X-Request-ID"]
    assert f"<code>{reference}</code>" in answer.text
    assert_nothing_leaks(answer.text)
    with production.app_context():
        assert count_rows(OutboxMessage) == 0  # rolled back
    log = capsys.readouterr().err
    [line] = [line for line in log.splitlines() if reference in line]
    assert f"[{reference}] campaign.errors: database unavailable on GET away" in line
    assert "Traceback" not in log and "ada@example.org" not in log


def test_database_away_on_a_json_path_is_json(production):
    answer = production.test_client().get("/away/operational/count.json")
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "5"
    assert answer.get_json() == {"error": "Please try again in a moment", "status": 503,
                                 "reference": answer.headers["X-Request-ID"]}


def test_a_connection_lost_after_the_answer_does_not_turn_it_into_an_error(production, capsys):
    """The server can die between a view's last query and the end of the request."""
    armed = []

    def answered_then_lost():
        db.session.execute(text("SELECT 1"))  # a transaction is open when the view returns
        armed.append(True)  # its rollback, at the end of the request, will fail
        return "fine"

    def rollback_fails(connection):
        if armed:
            armed.clear()
            raise sa_exc.OperationalError("ROLLBACK", None, Exception("server closed the connection"))

    production.add_url_rule("/lost", "lost", answered_then_lost)
    client = production.test_client()
    with production.app_context():
        engine = db.engine
    event.listen(engine, "rollback", rollback_fails)
    try:
        answer = client.get("/lost")
    finally:
        event.remove(engine, "rollback", rollback_fails)
    assert (answer.status_code, answer.text) == (200, "fine")
    assert "closing the session failed, connection discarded" in capsys.readouterr().err
    assert client.get("/healthz").status_code == 200  # the pool serves again
