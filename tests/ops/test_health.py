"""GET /healthz: the database and the mail queue for monitors, in counts and ages only."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

import config
from campaign import create_app
from campaign.clock import utcnow
from campaign.extensions import db
from campaign.mail import outbox
from campaign.models import OutboxMessage, OutboxStatus


def queue(app, address: str, *, age: timedelta = timedelta(0), status: str = OutboxStatus.PENDING):
    """A message queued `age` ago, in a given state."""
    with app.app_context():
        outbox.enqueue(kind="test", to_address=address, subject="Hello", body="Hello")
        db.session.execute(
            update(OutboxMessage).where(OutboxMessage.to_address == address)
            .values(created_at=utcnow() - age, next_attempt_at=utcnow() - age, status=status)
        )
        db.session.commit()


def test_healthy_app_answers_ok_with_figures_and_nothing_personal(app, client, make_campaign, signer):
    slug = make_campaign()
    assert client.post(f"/c/{slug}/sign", data=signer()).status_code == 303
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    assert "Retry-After" not in answer.headers
    report = answer.get_json()
    assert report["status"] == "ok"
    assert report["database"]["ok"] is True and report["database"]["milliseconds"] >= 0
    queue_report = report["mail_queue"]
    assert (queue_report["pending"], queue_report["failed_last_day"]) == (1, 0)
    assert 0 <= queue_report["oldest_pending_seconds"] < 60
    assert queue_report["delayed"] is False
    assert queue_report["max_delay_seconds"] == 30 * 60
    for private in ["ada@example.org", "Ada", "Lovelace", "02139", app.config["SECRET_KEY"],
                    app.config["SQLALCHEMY_DATABASE_URI"]]:
        assert private not in answer.text


def test_mail_waiting_too_long_is_degraded(app, client):
    queue(app, "late@example.org", age=timedelta(minutes=45))
    queue(app, "new@example.org")
    answer = client.get("/healthz")
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "60"
    report = answer.get_json()
    assert report["status"] == "degraded" and report["database"]["ok"] is True
    assert report["mail_queue"]["pending"] == 2
    assert report["mail_queue"]["delayed"] is True
    assert 45 * 60 <= report["mail_queue"]["oldest_pending_seconds"] < 46 * 60
    app.config["HEALTH_MAIL_DELAY_MINUTES"] = 60
    assert client.get("/healthz").status_code == 200


def test_failed_mail_of_the_last_day_is_counted(app, client):
    queue(app, "bounced@example.org", age=timedelta(hours=3), status=OutboxStatus.FAILED)
    queue(app, "old-bounce@example.org", age=timedelta(days=2), status=OutboxStatus.FAILED)
    queue(app, "sent@example.org", age=timedelta(hours=1), status=OutboxStatus.SENT)
    report = client.get("/healthz").get_json()
    assert report["status"] == "ok"  # a bounce is reported, not an outage
    assert report["mail_queue"] == {"pending": 0, "oldest_pending_seconds": None,
                                    "failed_last_day": 1, "delayed": False,
                                    "max_delay_seconds": 1800}


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_unreachable_database_is_down(kind, tmp_path, closed_port):
    port = closed_port.getsockname()[1]
    url = {
        "sqlite": f"sqlite:///{tmp_path}/missing-folder/campaign.sqlite",
        "postgresql": f"postgresql+psycopg://campaign:s3cret@127.0.0.1:{port}/campaign",
    }[kind]
    app = create_app(config.TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "5"
    assert answer.headers["Cache-Control"] == "no-store"
    report = answer.get_json()
    assert (report["status"], report["database"], report["mail_queue"]) == ("down", {"ok": False}, None)
    for secret in ["s3cret", "campaign:", str(port), "missing-folder", "Error"]:
        assert secret not in answer.text
    with app.app_context():
        db.engine.dispose()
