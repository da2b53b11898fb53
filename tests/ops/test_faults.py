"""Faults of real services while people sign: nothing a signer was told is lost, nobody gets a 500.

The mail server is tests/smtp_server.py on a real port; PostgreSQL is a private server of the
test's own (tests/pg_cluster.py), stopped and started again mid-run; the app runs under
gunicorn (tests/live_app.py) where it must be killed or must recover on its own. Each test
takes seconds, and all run in the normal suite (marker "faults").
"""
from __future__ import annotations

import email
import email.policy
import itertools
import shutil
import sqlite3
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Self

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy import exc as sa_exc

import config
from campaign import create_app, database
from campaign.campaigns import sample, store
from campaign.extensions import db
from campaign.mail import backends, outbox
from campaign.models import CampaignStatus, OutboxMessage, OutboxStatus, Signature, SignatureStatus
from tests import pg_cluster
from tests.helpers import confirm_link, count_rows, outbox_messages, signatures
from tests.live_app import Answer, LiveApp, Visitor, fetch, production_env
from tests.smtp_server import SmtpServer

pytestmark = pytest.mark.faults


def use_smtp(app, port: int) -> None:
    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=port,
                      SMTP_TLS="none", SMTP_USER=None, SMTP_TIMEOUT=5)


def wait_until(condition, *, timeout: float = 15, what: str = "the condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


def outbox_statuses(app) -> Counter:
    with app.app_context():
        statuses = Counter(m.status for m in outbox_messages())
        db.session.remove()
    return statuses


@pytest.fixture
def worker(app, monkeypatch):
    """The app's outbox worker thread, retrying within milliseconds instead of minutes, and
    counting its delivery rounds (`rounds`)."""
    monkeypatch.setattr(outbox, "backoff", lambda attempts: timedelta(milliseconds=50))
    app.config["OUTBOX_POLL_SECONDS"] = 0.05
    running = app.extensions["campaign_outbox"]
    running.rounds = 0
    one_round = running.run_once

    def counted_round() -> outbox.DeliveryReport:
        report = one_round()
        running.rounds += 1
        return report

    monkeypatch.setattr(running, "run_once", counted_round)
    yield running
    running.stop()
    if running.thread is not None:
        running.thread.join(timeout=10)
        assert not running.thread.is_alive()


def more_rounds(worker, rounds: int = 6) -> None:
    """Wait while the worker does a few more rounds: at least the poll interval apart, so more
    than the 50 ms backoff passes, and a message wrongly left due would be sent again."""
    done = worker.rounds
    wait_until(lambda: worker.rounds >= done + rounds, what=f"{rounds} more delivery rounds")


def sign_from_threads(app, slug: str, bodies: list[dict], threads: int = 4) -> list[int]:
    """POST every body from a few threads at once; return the status codes in order."""
    statuses = [0] * len(bodies)

    def sign_share(offset: int) -> None:
        client = app.test_client()
        for index in range(offset, len(bodies), threads):
            statuses[index] = client.post(f"/c/{slug}/sign", data=bodies[index]).status_code

    workers = [threading.Thread(target=sign_share, args=(n,)) for n in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=60)
    return statuses


# --------------------------------------------------------------------------- the mail server


def test_mail_server_refusing_connections_while_people_sign(app, client, make_campaign, signer,
                                                            worker, closed_port):
    use_smtp(app, closed_port.getsockname()[1])  # nothing listens there: connections are refused
    slug = make_campaign()
    worker.start_thread()
    addresses = [f"signer{n}@example.org" for n in range(12)]
    statuses = sign_from_threads(app, slug, [signer(email=a) for a in addresses])
    assert statuses == [303] * len(addresses)

    def all_tried_twice() -> bool:
        with app.app_context():
            attempts = [m.attempts for m in outbox_messages()]
            db.session.remove()
        return len(attempts) == len(addresses) and min(attempts) >= 2

    wait_until(all_tried_twice, what="the worker to try every message while the server is down")
    assert outbox_statuses(app) == {OutboxStatus.PENDING: len(addresses)}

    with SmtpServer(sock=closed_port) as server:
        wait_until(lambda: outbox_statuses(app) == {OutboxStatus.SENT: len(addresses)},
                   what="every message to be delivered once the server is back")
        more_rounds(worker)  # nothing may be sent again
    received = Counter(r for m in server.messages for r in m.recipients)
    assert set(received) == set(addresses)
    assert max(received.values()) == 1  # the issue allows two; leases keep it to one here
    with app.app_context():
        assert [s.status for s in signatures()] == [SignatureStatus.PENDING] * len(addresses)
    for message in server.messages[:3]:
        page = client.get(confirm_link(message.message.get_content()))
        assert page.status_code == 200 and "Confirm my signature" in page.text


def test_mail_server_answering_451_then_250_delivers_once(app, client, make_campaign, signer,
                                                          worker, smtp_server):
    use_smtp(app, smtp_server.port)
    smtp_server.script("rcpt", "451 4.7.1 Greylisted, try again later", times=1)
    assert client.post(f"/c/{make_campaign()}/sign", data=signer()).status_code == 303
    worker.start_thread()
    wait_until(lambda: outbox_statuses(app) == {OutboxStatus.SENT: 1}, what="delivery")
    more_rounds(worker)
    assert smtp_server.rcpt_count("ada@example.org") == 2  # refused once, then accepted
    assert [m.recipients for m in smtp_server.messages] == [("ada@example.org",)]
    with app.app_context():
        [message] = outbox_messages()
        assert (message.attempts, message.token_nonce) == (1, None)
        assert "451" in message.last_error


def test_mail_server_refusing_one_address_for_good(app, client, make_campaign, signer, worker,
                                                   smtp_server):
    use_smtp(app, smtp_server.port)
    smtp_server.script("rcpt", "550 5.1.1 No such user", address="nobody@example.org", times=None)
    slug = make_campaign()
    addresses = ["ada@example.org", "nobody@example.org", "grace@example.org"]
    for address in addresses:
        assert client.post(f"/c/{slug}/sign", data=signer(email=address)).status_code == 303
    worker.start_thread()
    wait_until(lambda: OutboxStatus.PENDING not in outbox_statuses(app), what="every message handled")
    more_rounds(worker)  # retry rounds: none may touch the refused one
    assert smtp_server.rcpt_count("nobody@example.org") == 1
    assert sorted(m.recipients[0] for m in smtp_server.messages) == ["ada@example.org", "grace@example.org"]
    with app.app_context():
        by_address = {m.to_address: m for m in outbox_messages()}
        refused = by_address["nobody@example.org"]
        assert (refused.status, refused.attempts) == (OutboxStatus.FAILED, 1)
        assert "550" in refused.last_error
        assert len(signatures()) == 3  # a bounce loses no signature
    health = client.get("/healthz").get_json()
    assert health["status"] == "ok"  # one bad address is not an outage
    assert health["mail_queue"]["failed_last_day"] == 1
    assert health["mail_queue"]["pending"] == 0


# --------------------------------------------------------------------------- the worker


def test_outbox_worker_outlives_a_database_outage(app, monkeypatch, caplog):
    """Rounds that fail (their rollback too) are logged once and slow the worker down; when
    the database is back, what they had leased is sent at once, not after the lease."""
    for address in ["a@example.org", "b@example.org", "c@example.org"]:
        with app.app_context():
            outbox.enqueue(kind="test", to_address=address, subject="Hello", body="Hello")
            db.session.commit()
    running = outbox.Worker(app)
    app.config["OUTBOX_POLL_SECONDS"] = 0.5
    real_as_email = outbox._as_email

    def database_gone(message, config):
        if message.to_address == "b@example.org":
            raise sa_exc.OperationalError("UPDATE outbox_messages", None,
                                          Exception("server closed the connection"))
        return real_as_email(message, config)

    def rollback_fails():
        raise sa_exc.OperationalError("ROLLBACK", None, Exception("no connection"))

    pauses = []
    with monkeypatch.context() as outage:
        outage.setattr(outbox, "_as_email", database_gone)
        outage.setattr(db.session, "rollback", rollback_fails)
        for _ in range(3):
            assert running.run_once() == outbox.DeliveryReport()
            pauses.append(running.pause())
    assert [m["To"] for m in backends.memory_outbox] == ["a@example.org"]
    running.run_once()
    pauses.append(running.pause())
    assert pauses == [1.0, 2.0, 4.0, 0.5]
    assert sorted(m["To"] for m in backends.memory_outbox) == ["a@example.org", "b@example.org",
                                                            "c@example.org"]
    assert outbox_statuses(app) == {OutboxStatus.SENT: 3}
    logged = [r.getMessage() for r in caplog.records if r.name == "campaign.mail.outbox"]
    logged = [line for line in logged if not line.startswith("sent outbox message")]
    assert logged[0].startswith("outbox paused, database unavailable")
    assert logged[1:] == ["outbox delivery resumed after 3 failed rounds"]


# --------------------------------------------------------------------------- PostgreSQL restarted


@pytest.fixture
def private_postgres():
    """A PostgreSQL server of this test's own, removed afterwards whatever happens."""
    bin_dir = pg_cluster.server_binaries()
    if bin_dir is None:
        pytest.skip(f"PostgreSQL server binaries are not installed ({pg_cluster.INSTALL_ROOT}/*/bin)")
    cluster = pg_cluster.PrivatePostgres(bin_dir)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


class SigningCrowd:
    """Threads that sign one new address after another, recording every answer."""

    def __init__(self, port: int, slug: str, threads: int = 4) -> None:
        self.port, self.slug = port, slug
        self.numbers = itertools.count()
        self.lock = threading.Lock()
        self.pages: list[Answer] = []
        self.posts: list[tuple[str, Answer]] = []
        self.failures: list[str] = []
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._sign) for _ in range(threads)]

    def __enter__(self) -> Self:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def successes_since(self, moment: float) -> int:
        with self.lock:
            return sum(1 for _, a in self.posts if a.status == 303 and a.at > moment)

    def refusals_since(self, moment: float) -> int:
        """Pages and posts answered 503 since a moment."""
        with self.lock:
            answers = self.pages + [a for _, a in self.posts]
            return sum(1 for a in answers if a.status == 503 and a.at > moment)

    def _sign(self) -> None:
        while not self.stopping.is_set():
            address = f"crowd{next(self.numbers)}@example.org"
            fields = {"full_name": "Crowd Signer", "email": address, "postcode": "02139",
                      "country": "US", "comment": ""}
            try:
                page, answer = Visitor(self.port).sign(self.slug, fields)
            except OSError as error:  # the app itself must never go away
                with self.lock:
                    self.failures.append(repr(error))
                continue
            with self.lock:
                self.pages.append(page)
                if answer is not None:
                    self.posts.append((address, answer))
            if 503 in (page.status, answer and answer.status):
                time.sleep(0.05)  # as a person would wait a moment, not hammer


def test_postgresql_restarted_during_signing(private_postgres, tmp_path):
    private_postgres.create_database("campaign")
    url = private_postgres.url("campaign")
    env = production_env(tmp_path, DATABASE_URL=url, LOAD_SAMPLE="1",
                         OUTBOX_EMBEDDED_WORKER="1", OUTBOX_POLL_SECONDS="0.2")
    with LiveApp(env, tmp_path / "gunicorn.log", workers=2) as live:
        workers = live.worker_pids()
        with SigningCrowd(live.port, sample.SLUG) as crowd:
            wait_until(lambda: crowd.successes_since(0) >= 5, what="signing to start")
            private_postgres.stop("immediate")  # a crash: no goodbye to the clients
            stopped = time.monotonic()
            wait_until(lambda: crowd.refusals_since(stopped) >= 2,
                       what=f"signers to meet the stopped database\n{live.log_tail()}")
            down = fetch(live.port, "GET", "/healthz")
            private_postgres.start()
            restarted = time.monotonic()
            wait_until(lambda: crowd.successes_since(restarted) >= 8, timeout=30,
                       what=f"signing to work again after the restart\n{live.log_tail()}")
        up = fetch(live.port, "GET", "/healthz")
        assert live.worker_pids() == workers  # the app recovered without being restarted
        engine = create_engine(url)
        try:
            wait_until(lambda: _waiting_mail(engine) == 0, timeout=30,
                       what="the embedded outbox worker to deliver after the restart")
            stored = _stored_signatures(engine)
            without_mail = _signatures_without_confirmation_mail(engine)
        finally:
            engine.dispose()

    assert crowd.failures == []
    assert {page.status for page in crowd.pages} <= {200, 503}
    assert {answer.status for _, answer in crowd.posts} <= {303, 503}, live.log_tail()
    refusals = [a for a in crowd.pages + [a for _, a in crowd.posts] if a.status == 503]
    assert refusals, "no request met the stopped database"
    for refusal in refusals:
        assert refusal.headers["retry-after"].isdigit()
        assert "try again" in refusal.text and "Traceback" not in refusal.text
    accepted = {address for address, answer in crowd.posts if answer.status == 303}
    assert accepted <= stored  # every signer told "signed" is there
    tried = {address for address, _ in crowd.posts}
    assert stored <= tried
    assert without_mail == 0  # no signature without its confirmation email: no partial rows
    mailed = Counter(_recipients(tmp_path / "mail"))
    assert set(mailed) == stored
    # One sent as the server died was not marked sent: it goes again, never a third time.
    assert max(mailed.values()) <= 2
    assert (down.status, down.headers["retry-after"]) == (503, "5")
    assert up.status == 200 and '"status":"ok"' in up.text.replace(" ", "")


def _stored_signatures(engine) -> set[str]:
    with engine.connect() as connection:
        return set(connection.scalars(select(Signature.email)))


def _waiting_mail(engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(
            select(func.count()).select_from(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.PENDING)
        )


def _signatures_without_confirmation_mail(engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(text(
            "SELECT count(*) FROM signatures s WHERE NOT EXISTS "
            "(SELECT 1 FROM outbox_messages o WHERE o.to_address = s.email)"
        ))


def _recipients(mail_dir: Path) -> list[str]:
    messages = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
                for p in sorted(mail_dir.glob("*.eml"))]
    return [m["To"].addresses[0].addr_spec for m in messages]


# --------------------------------------------------------------------------- the app killed


def test_app_killed_right_after_answering_keeps_the_signature_and_its_email(
        app, make_campaign, signer, tmp_path):
    slug = make_campaign()
    env = production_env(tmp_path, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
                         AUTO_UPGRADE="0", LOAD_SAMPLE="0", OUTBOX_EMBEDDED_WORKER="0")
    first = LiveApp(env, tmp_path / "first.log")
    first.start()
    try:
        # SIGKILL to master and workers the moment the status line arrives.
        _, answer = Visitor(first.port).sign(slug, signer(), on_status=lambda status: first.kill())
    finally:
        first.stop()
    assert answer is not None and answer.status == 303, first.log_tail()
    assert first.proc.returncode == -9
    with app.app_context():
        [stored] = signatures()
        assert (stored.email, stored.status) == ("ada@example.org", SignatureStatus.PENDING)
        assert [m.status for m in outbox_messages()] == [OutboxStatus.PENDING]  # not sent yet
        db.session.remove()

    mail_dir = tmp_path / "mail"
    again = production_env(tmp_path, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
                           AUTO_UPGRADE="0", LOAD_SAMPLE="0", OUTBOX_EMBEDDED_WORKER="1",
                           OUTBOX_POLL_SECONDS="0.2")
    with LiveApp(again, tmp_path / "second.log") as second:
        wait_until(lambda: any(mail_dir.glob("*.eml")), what=f"the email\n{second.log_tail()}")
        [eml] = list(mail_dir.glob("*.eml"))
        message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
        assert message["To"].addresses[0].addr_spec == "ada@example.org"
        page = fetch(second.port, "GET", confirm_link(message.get_body(("plain",)).get_content()))
        assert page.status == 200 and "Confirm my signature" in page.text


# --------------------------------------------------------------------------- SQLite locked


@pytest.fixture
def sqlite_app(sqlite_template, tmp_path, monkeypatch):
    """The app on its own SQLite file, with a busy timeout a test can outwait."""
    monkeypatch.setattr(database, "SQLITE_BUSY_TIMEOUT_MS", 300)
    path = tmp_path / "locked.sqlite"
    shutil.copy(sqlite_template, path)
    app = create_app(config.TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    with app.app_context():
        store.create(slug="river", title="Keep the river clean", petition_text="Stop the dumping.",
                         target="The County Board", goal=100, status=CampaignStatus.OPEN)
        db.session.commit()
        db.session.remove()
    yield app, path
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_sqlite_locked_longer_than_the_busy_timeout(sqlite_app, signer):
    app, path = sqlite_app
    client = app.test_client()
    other_writer = sqlite3.connect(path, isolation_level=None)
    other_writer.execute("BEGIN IMMEDIATE")  # holds the write lock until it ends
    try:
        started = time.monotonic()
        refused = client.post("/c/river/sign", data=signer())
        waited = time.monotonic() - started
        page = client.get("/c/river")  # readers do not wait for a writer
    finally:
        other_writer.execute("ROLLBACK")
        other_writer.close()
    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "5"
    assert "Nothing was lost" in refused.text and "try again" in refused.text
    assert refused.headers["X-Request-ID"] in refused.text
    assert waited >= 0.3  # it waited for the lock before giving up
    assert page.status_code == 200
    with app.app_context():
        assert (count_rows(Signature), count_rows(OutboxMessage)) == (0, 0)

    assert client.post("/c/river/sign", data=signer()).status_code == 303
    with app.app_context():
        assert (count_rows(Signature), count_rows(OutboxMessage)) == (1, 1)
