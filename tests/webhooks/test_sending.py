"""Sending deliveries to a real receiver: signed, retried, never redirected, timed out, disabled."""
from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from campaign import clock as clock_module
from campaign.campaigns import store
from campaign.extensions import db
from campaign.models import (
    AuditEntry,
    DeliveryState,
    OutboxMessage,
    Webhook,
    WebhookDelivery,
)
from campaign.webhooks import headers, queue, sending
from tests.certificates import make_certificates
from tests.webhooks.conftest import SECRET, confirm_by_email, deliveries, send_round
from tests.webhooks.receiver import Answer, Receiver, readme_verify


def _queue_pings(app, hook_id: int, count: int) -> None:
    with app.app_context():
        hook = db.session.get(Webhook, hook_id)
        for _ in range(count):
            queue.ping(hook, now=clock_module.utcnow())  # the test's clock, if stopped
        db.session.commit()
        db.session.remove()


def test_a_confirmation_reaches_the_receiver_signed(local_app, client, make_campaign, make_hook,
                                                    signer, clock):
    verify = readme_verify()
    slug = make_campaign()
    with Receiver() as receiver:
        make_hook(slug, receiver.url)
        confirm_by_email(local_app, client, slug, signer(email="ada@example.org"))
        [queued] = deliveries(local_app)
        assert (queued.event, queued.state, queued.attempts) == ("signature.confirmed", "queued", 0)
        assert send_round(local_app).delivered == 1
    [got] = receiver.received
    assert got.path == "/hook"
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["Campaign-Webhook-Id"] == queued.uuid
    assert got.headers["Campaign-Webhook-Event"] == "signature.confirmed"
    assert got.headers["Campaign-Webhook-Timestamp"] == str(int(clock.now.timestamp()))
    assert got.body == queued.body.encode()  # exactly what was queued, as stored
    now = clock.now.timestamp()
    assert verify(SECRET, got.headers, got.body, now=now)
    document = json.loads(got.body)
    person = document["_embedded"]["osdi:person"]
    assert person["email_addresses"][0]["address"] == "ada@example.org"
    assert person["given_name"] == "Ada" and person["family_name"] == "Lovelace"
    assert document["status"] == "confirmed" and document["identifiers"][0].startswith("campaign:")
    assert document["_links"]["osdi:person"]["href"].startswith("http://localhost/api/v1/people/")
    [done] = deliveries(local_app)
    assert (done.state, done.attempts, done.last_status, done.last_error) == ("delivered", 1, 200, "")
    assert done.body == ""  # the signer's data is not kept once delivered


def test_a_tampered_body_a_wrong_secret_or_an_old_timestamp_fail_verification(
        local_app, make_campaign, make_hook, clock):
    verify = readme_verify()
    slug = make_campaign()
    with Receiver() as receiver:
        hook_id = make_hook(slug, receiver.url)
        _queue_pings(local_app, hook_id, 1)
        send_round(local_app)
    [got] = receiver.received
    now = clock.now.timestamp()
    assert verify(SECRET, got.headers, got.body, now=now)
    tampered = got.body.replace(b'"ping":true', b'"ping":false')
    assert tampered != got.body
    assert not verify(SECRET, got.headers, tampered, now=now)
    assert not verify("whsec_someone-else", got.headers, got.body, now=now)
    assert not verify(SECRET, got.headers, got.body, now=now + 301)  # replayed 5 min later
    assert verify(SECRET, got.headers, got.body, now=now + 299)
    # A replay with a new timestamp needs a new signature, which takes the secret.
    moved = {**got.headers, "Campaign-Webhook-Timestamp": str(int(now) + 600)}
    assert not verify(SECRET, moved, got.body, now=now + 600)
    assert not verify(SECRET, {**got.headers, "Campaign-Webhook-Signature": ""}, got.body, now=now)
    # The app's own signing and the README's check agree.
    assert got.headers["Campaign-Webhook-Signature"] == headers.signature(
        SECRET, int(got.headers["Campaign-Webhook-Timestamp"]), got.body)


def test_a_failing_receiver_gets_the_delivery_again_later(local_app, make_campaign, make_hook,
                                                          clock):
    slug = make_campaign()
    with Receiver(500, 200) as receiver:
        hook_id = make_hook(slug, receiver.url)
        _queue_pings(local_app, hook_id, 1)
        assert send_round(local_app).retried == 1
        [first] = deliveries(local_app)
        assert (first.state, first.attempts, first.last_status, first.last_error) == (
            "queued", 1, 500, "HTTP 500")
        assert first.next_attempt_at == first.last_attempt_at + sending.backoff(1)
        assert send_round(local_app).handled == 0  # not due yet: nothing sent
        assert len(receiver.received) == 1
        clock.move(seconds=61)
        assert send_round(local_app).delivered == 1
    assert [r.headers["Campaign-Webhook-Id"] for r in receiver.received] == [first.uuid] * 2
    [done] = deliveries(local_app)
    assert (done.state, done.attempts, done.last_status) == ("delivered", 2, 200)
    with local_app.app_context():
        hook = db.session.get(Webhook, hook_id)
        assert (hook.consecutive_failures, hook.failing_since) == (0, None)


def test_the_backoff_doubles_up_to_an_hour():
    assert [sending.backoff(n).total_seconds() / 60 for n in range(1, 10)] == [
        1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_a_redirect_is_not_followed(local_app, make_campaign, make_hook):
    slug = make_campaign()
    with Receiver() as elsewhere, Receiver(Answer(302, location=elsewhere.url)) as receiver:
        hook_id = make_hook(slug, receiver.url)
        _queue_pings(local_app, hook_id, 1)
        assert send_round(local_app).retried == 1
    assert len(receiver.received) == 1
    assert elsewhere.received == []
    [delivery] = deliveries(local_app)
    assert delivery.state == "queued" and delivery.last_status == 302
    assert delivery.last_error.startswith("HTTP 302: redirect to")
    assert "not followed" in delivery.last_error and elsewhere.url in delivery.last_error


def test_a_slow_receiver_times_out(local_app, make_campaign, make_hook):
    local_app.config["WEBHOOK_TIMEOUT_SECONDS"] = 0.5
    slug = make_campaign()
    with Receiver(Answer(200, delay=3)) as receiver:
        hook_id = make_hook(slug, receiver.url)
        _queue_pings(local_app, hook_id, 1)
        started = time.monotonic()
        assert send_round(local_app).retried == 1
        took = time.monotonic() - started
    assert took < 2.5
    assert len(receiver.received) == 1
    [delivery] = deliveries(local_app)
    assert (delivery.state, delivery.last_status) == ("queued", None)
    assert delivery.last_error == "timed out after 0.5 s"


def test_a_delivery_is_given_up_after_a_day(local_app, make_campaign, make_hook, clock):
    local_app.config["WEBHOOK_DISABLE_AFTER"] = 1000  # only the delivery's own limit here
    slug = make_campaign()
    with Receiver(default=503) as receiver:
        hook_id = make_hook(slug, receiver.url)
        _queue_pings(local_app, hook_id, 1)
        queued_at = clock.now
        while deliveries(local_app)[0].state == "queued":
            assert clock.now - queued_at < sending.timedelta(hours=25)
            send_round(local_app)
            clock.move(minutes=10)
    [delivery] = deliveries(local_app)
    assert delivery.state == "failed" and delivery.last_status == 503
    # 0, 1, 3, 7, 15, 31, 63 minutes, then hourly while within the day.
    assert delivery.attempts == len(receiver.received) == 7 + 22
    assert delivery.last_attempt_at - queued_at <= sending.timedelta(hours=24)


def test_a_hook_failing_for_a_day_is_disabled_and_its_owner_emailed(
        local_app, make_campaign, make_hook, clock):
    local_app.config["WEBHOOK_DISABLE_AFTER"] = 5
    slug = make_campaign(title="River")
    with Receiver(default=500) as receiver:
        hook_id = make_hook(slug, receiver.url, owner="maker@example.org")
        _queue_pings(local_app, hook_id, 6)  # six failures at once: not yet a day of them
        send_round(local_app)
        with local_app.app_context():
            hook = db.session.get(Webhook, hook_id)
            assert hook.active and hook.consecutive_failures == 6 and hook.disabled_at is None
        started = clock.now
        while clock.now - started < sending.timedelta(hours=23):
            clock.move(hours=1)
            send_round(local_app)
        with local_app.app_context():
            assert db.session.get(Webhook, hook_id).active  # failing, but not for a day yet
        clock.move(hours=1, minutes=1)
        send_round(local_app)
        sent_before = len(receiver.received)
        clock.move(hours=2)
        with local_app.app_context():  # a disabled hook gets no new deliveries
            campaign_id = store.get_by_slug(slug).id
            assert queue.enqueue(campaign_id, "signature.confirmed", {}, now=clock.now) == 0
        assert send_round(local_app).handled == 0
        assert len(receiver.received) == sent_before
    with local_app.app_context():
        hook = db.session.get(Webhook, hook_id)
        assert not hook.active and hook.disabled_at is not None
        assert "attempts in a row failed" in hook.disabled_reason
        [mail] = db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "webhook_disabled"))
        assert mail.to_address == "maker@example.org"
        assert mail.subject == "Webhook disabled · River"
        assert receiver.url in mail.body
        assert f"/organizer/c/{slug}/webhooks/{hook_id}" in mail.body
        states = db.session.scalars(select(WebhookDelivery.state).where(
            WebhookDelivery.webhook_id == hook_id, WebhookDelivery.state == DeliveryState.QUEUED))
        assert list(states) == []  # none left waiting: given up when disabled
        assert db.session.scalar(select(AuditEntry.action).where(
            AuditEntry.action == "webhook.disabled")) == "webhook.disabled"


def test_the_campaign_owners_hear_when_the_creator_is_gone(local_app, make_campaign, make_hook,
                                                           make_organizer, clock):
    local_app.config.update(WEBHOOK_DISABLE_AFTER=1, WEBHOOK_RETRY_HOURS=1)
    slug = make_campaign()
    make_organizer("owner-a@example.org", campaigns_owned=[slug])
    with Receiver(default=500) as receiver:
        hook_id = make_hook(slug, receiver.url, owner="owner-a@example.org")
        with local_app.app_context():
            db.session.get(Webhook, hook_id).created_by = None
            db.session.commit()
        for _ in range(3):
            _queue_pings(local_app, hook_id, 1)
            send_round(local_app)
            clock.move(minutes=40)
    with local_app.app_context():
        assert not db.session.get(Webhook, hook_id).active
        assert [m.to_address for m in db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "webhook_disabled"))] == ["owner-a@example.org"]


def test_a_private_address_is_refused_at_send_time(app, make_campaign, make_hook):
    app.config["WEBHOOK_ALLOW_HTTP"] = True  # private addresses stay refused
    slug = make_campaign()
    with Receiver() as receiver:
        hook_id = make_hook(slug, receiver.url)
        _queue_pings(app, hook_id, 1)
        assert send_round(app).retried == 1
    assert receiver.received == []
    [delivery] = deliveries(app)
    assert delivery.last_error.startswith("address refused: 127.0.0.1 is a private, local or reserved")


def test_a_paused_hook_keeps_its_queued_deliveries_until_resumed(local_app, make_campaign,
                                                                 make_hook):
    slug = make_campaign()
    with Receiver() as receiver:
        hook_id = make_hook(slug, receiver.url)
        _queue_pings(local_app, hook_id, 1)
        with local_app.app_context():
            db.session.get(Webhook, hook_id).active = False
            db.session.commit()
        assert send_round(local_app).handled == 0
        with local_app.app_context():
            db.session.get(Webhook, hook_id).active = True
            db.session.commit()
        assert send_round(local_app).delivered == 1
    assert len(receiver.received) == 1


def test_two_concurrent_rounds_never_send_one_delivery_twice(local_app, make_campaign, make_hook):
    slug = make_campaign()
    with Receiver() as receiver:
        hook_id = make_hook(slug, receiver.url)
        _queue_pings(local_app, hook_id, 40)
        start = threading.Barrier(2)

        def work() -> int:
            start.wait()
            sent = 0
            with local_app.app_context():
                while report := sending.send_due(limit=3):
                    if not report.handled:
                        break
                    sent += report.delivered
                db.session.remove()
            return sent

        with ThreadPoolExecutor(2) as pool:
            rounds = [pool.submit(work) for _ in range(2)]
            sent = [future.result(timeout=60) for future in rounds]  # raises what a round raised
    ids = [r.headers["Campaign-Webhook-Id"] for r in receiver.received]
    assert len(ids) == 40 and len(set(ids)) == 40
    assert sum(sent) == 40
    assert {d.state for d in deliveries(local_app)} == {"delivered"}


def test_the_send_command_reports_what_it_did(local_app, make_campaign, make_hook):
    slug = make_campaign()
    with Receiver(500, 200) as receiver:
        hook_id = make_hook(slug, receiver.url)
        _queue_pings(local_app, hook_id, 2)
        result = local_app.test_cli_runner().invoke(args=["webhooks", "send"])
    assert result.exit_code == 0, result.output
    assert ("delivered 1, to retry 1, failed 0, still queued 1, old deliveries removed 0"
            in result.output.splitlines()), result.output


def test_the_worker_sends_soon_after_the_commit(local_app, make_campaign, make_hook):
    local_app.config["WEBHOOK_POLL_SECONDS"] = 60  # so only the wake-up can explain a quick send
    slug = make_campaign()
    with Receiver() as receiver:
        hook_id = make_hook(slug, receiver.url)
        worker = local_app.extensions["campaign_webhooks"]
        worker.start_thread()
        try:
            time.sleep(0.2)  # its first round, with nothing to send, is over
            _queue_pings(local_app, hook_id, 1)
            deadline = time.monotonic() + 10
            while not receiver.received and time.monotonic() < deadline:
                time.sleep(0.02)
        finally:
            worker.stop()
            worker.thread.join(10)
    assert len(receiver.received) == 1



def test_a_delivery_over_https_to_a_receiver_with_a_private_ca(local_app, make_campaign,
                                                               make_hook, clock, tmp_path):
    certificates = make_certificates(tmp_path)
    local_app.config.update(WEBHOOK_ALLOW_HTTP=False, WEBHOOK_CA_FILE=str(certificates.ca_file))
    slug = make_campaign()
    with Receiver(tls=certificates.server_context()) as receiver:
        hook_id = make_hook(slug, f"https://localhost:{receiver.port}/hook")
        _queue_pings(local_app, hook_id, 1)
        assert send_round(local_app).delivered == 1
    [got] = receiver.received
    assert readme_verify()(SECRET, got.headers, got.body, now=clock.now.timestamp())
