"""Sending an update: organizer pages, the outbox in hourly batches, a real SMTP server."""
from __future__ import annotations

import csv
import io
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

import config
from campaign import create_app
from campaign.campaigns import store
from campaign.clock import utcnow
from campaign.extensions import db
from campaign.mail import outbox
from campaign.models import (
    AuditEntry,
    OutboxStatus,
    RecipientStatus,
    Update,
    UpdateRecipient,
    UpdateStatus,
)
from campaign.updates import bounces, sending
from tests.helpers import count_rows, outbox_messages
from tests.mail.test_outbox import deliver, use_smtp
from tests.updates.builders import add_signers

ORGANIZER = "org@example.org"


@pytest.fixture
def campaign_slug(app, make_campaign, make_organizer):
    slug = make_campaign(title="Keep the river clean")
    make_organizer(ORGANIZER, campaigns_owned=[slug])
    return slug


def signers(app, slug: str, *rows: dict) -> dict[str, int]:
    with app.app_context():
        made = add_signers(slug, *rows)
        db.session.remove()
    return made


def write_update(client, slug: str, *, title: str = "The vote is on Tuesday",
                 body: str = "**Call** your senator before the vote.") -> int:
    response = client.post(f"/organizer/c/{slug}/updates", data={"title": title, "body": body})
    assert response.status_code == 303, response.text[:500]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def send(client, slug: str, update_id: int, expected: int, **segment):
    return client.post(f"/organizer/c/{slug}/updates/{update_id}/send",
                       data={**segment, "expected": str(expected)})


def export_rows(client, slug: str) -> dict[str, dict]:
    response = client.get(f"/organizer/c/{slug}/signers.csv")
    assert response.status_code == 200
    return {row["email"]: row for row in csv.DictReader(io.StringIO(response.text))}


def test_an_update_to_one_state_reaches_only_its_opted_in_signers_who_leave_in_one_click(
        app, client, login, campaign_slug, smtp_server):
    """The issue's "done when": one state, only they receive it, one click out, the export says so."""
    slug = campaign_slug
    signers(app, slug,
            {"email": "ann@example.org", "full_name": "Ann Lee"},
            {"email": "bo@example.org", "full_name": "Bo Berg", "district": "MN-03"},
            {"email": "quiet@example.org", "contact_ok": False},
            {"email": "ny@example.org", "region": "NY", "district": "NY-10"},
            {"email": "pat@example.org", "status": "pending", "confirmed_at": None})
    use_smtp(app, smtp_server.port)
    login(client, ORGANIZER)
    update_id = write_update(client, slug)

    page = client.get(f"/organizer/c/{slug}/updates/{update_id}", query_string={"region": "MN"})
    assert page.status_code == 200
    assert "2 signers" in page.text and "Send to 2 signers" in page.text
    assert "<strong>Call</strong> your senator" in page.text  # the preview
    assert send(client, slug, update_id, 2, region="MN").status_code == 303
    assert deliver(app) == outbox.DeliveryReport(sent=2)

    received = {m.recipients: m.message for m in smtp_server.messages}
    assert sorted(received) == [("ann@example.org",), ("bo@example.org",)]
    links = {}
    for (address,), message in received.items():
        assert message["Subject"] == "The vote is on Tuesday · Keep the river clean"
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        link = message["List-Unsubscribe"].strip("<>")
        body = message.get_content()
        assert link in body and "**Call** your senator" in body
        assert "Remove this signature" in body
        links[address] = urlsplit(link).path

    visitor = app.test_client()
    # Ann's mail client makes the RFC 8058 POST; Bo opens the link and presses the button.
    one_click = visitor.post(links["ann@example.org"], data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 200 and "No more updates" in one_click.text
    opened = visitor.get(links["bo@example.org"])
    assert opened.status_code == 200 and "Stop the updates" in opened.text
    assert export_rows(client, slug)["bo@example.org"]["contact_ok"] == "true"  # not yet
    assert visitor.post(links["bo@example.org"], data={"List-Unsubscribe": "One-Click"}).status_code == 200

    rows = export_rows(client, slug)
    assert {email: row["contact_ok"] for email, row in rows.items()} == {
        "ann@example.org": "false", "bo@example.org": "false", "quiet@example.org": "false",
        "ny@example.org": "true", "pat@example.org": "true"}
    assert rows["ann@example.org"]["status"] == "confirmed"  # the signature stays
    with app.app_context():
        entries = list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
        sent_entry = next(e for e in entries if e.action == "update.sent")
        assert sent_entry.detail["recipients"] == 2 and sent_entry.detail["segment"] == {"region": "MN"}
        assert sent_entry.organizer_id is not None
        assert [e.action for e in entries].count("signer.unsubscribed") == 2
        assert "@" not in repr([e.detail for e in entries])  # no addresses in the audit


def test_an_update_appears_on_the_campaign_page_at_once(app, client, login, campaign_slug):
    signers(app, campaign_slug, {"email": "ann@example.org"})
    visitor = app.test_client()
    assert "Updates" not in visitor.get(f"/c/{campaign_slug}").text  # cached for visitors
    login(client, ORGANIZER)
    update_id = write_update(client, campaign_slug, body="Hear us <script>alert(1)</script> **now**")
    assert 'id="updates-heading"' not in visitor.get(f"/c/{campaign_slug}").text  # a draft
    assert send(client, campaign_slug, update_id, 1).status_code == 303
    page = visitor.get(f"/c/{campaign_slug}").text
    assert 'id="updates-heading"' in page and "The vote is on Tuesday" in page
    assert "<strong>now</strong>" in page and "<script>alert" not in page


def test_the_hourly_cap_holds_and_a_restarted_worker_resumes_without_repeats(
        app, client, login, campaign_slug, smtp_server, clock):
    addresses = [f"s{n}@example.org" for n in range(5)]
    signers(app, campaign_slug, *({"email": address} for address in addresses))
    use_smtp(app, smtp_server.port)
    app.config["UPDATE_EMAILS_PER_HOUR"] = 2
    login(client, ORGANIZER)
    update_id = write_update(client, campaign_slug)
    assert send(client, campaign_slug, update_id, 5).status_code == 303

    # The worker writes its first batch to the outbox, then its process dies before sending.
    with app.app_context():
        assert sending.feed(utcnow()) == 2
        db.session.commit()
    restarted = create_app(config.TestingConfig, **{
        key: app.config[key] for key in ("SQLALCHEMY_DATABASE_URI", "MAIL_BACKEND", "SMTP_HOST",
                                         "SMTP_PORT", "SMTP_TLS", "SMTP_USER", "SMTP_TIMEOUT",
                                         "UPDATE_EMAILS_PER_HOUR")})
    try:
        assert deliver(restarted).sent == 2
        assert deliver(restarted).sent == 0  # the hour's budget is spent
        clock.move(minutes=61)
        assert deliver(restarted).sent == 2
        clock.move(minutes=61)
        assert deliver(restarted).sent == 1
        clock.move(minutes=61)
        assert deliver(restarted).sent == 0
    finally:
        with restarted.app_context():
            db.engine.dispose()
    assert sorted(m.recipients[0] for m in smtp_server.messages) == addresses
    assert all(smtp_server.rcpt_count(address) == 1 for address in addresses)
    login(client, ORGANIZER)  # three hours idle ended the session
    page = client.get(f"/organizer/c/{campaign_slug}/updates/{update_id}")
    assert "5 sent to the outbox, 0 waiting" in page.text


def test_a_permanent_refusal_stops_the_campaigns_updates_to_that_address(
        app, client, login, campaign_slug, smtp_server, clock):
    emails = {signature_id: email for email, signature_id in signers(
        app, campaign_slug, {"email": "gone@example.org"}, {"email": "ann@example.org"}).items()}
    use_smtp(app, smtp_server.port)
    smtp_server.script("rcpt", "550 5.1.1 No such user", address="gone@example.org", times=None)
    app.config["UPDATE_EMAILS_PER_HOUR"] = 2
    login(client, ORGANIZER)
    first, second = write_update(client, campaign_slug), write_update(client, campaign_slug, title="Next")
    assert send(client, campaign_slug, first, 2).status_code == 303
    assert send(client, campaign_slug, second, 2).status_code == 303  # queued behind the first

    report = deliver(app)
    assert (report.sent, report.failed) == (1, 1)
    clock.move(minutes=61)
    assert deliver(app).sent == 1  # the second update: Ann only
    assert smtp_server.rcpt_count("gone@example.org") == 1
    assert [m.recipients for m in smtp_server.messages] == [("ann@example.org",)] * 2
    with app.app_context():
        statuses = sorted((r.update_id, emails[r.signature_id], r.status)
                          for r in db.session.scalars(select(UpdateRecipient)))
        assert statuses == [(first, "ann@example.org", RecipientStatus.ENQUEUED),
                            (first, "gone@example.org", RecipientStatus.ENQUEUED),
                            (second, "ann@example.org", RecipientStatus.ENQUEUED),
                            (second, "gone@example.org", RecipientStatus.SKIPPED)]
        failed = [m for m in outbox_messages() if m.status == OutboxStatus.FAILED]
        assert [(m.kind, m.body) for m in failed] == [(bounces.UPDATE_KIND, "")]
    # A third update counts the address out from the start.
    login(client, ORGANIZER)  # the hour idle ended the session
    third = write_update(client, campaign_slug, title="Third")
    assert "Send to 1 signer" in client.get(f"/organizer/c/{campaign_slug}/updates/{third}").text


def test_a_send_is_refused_when_the_number_of_recipients_changed(app, client, login, campaign_slug):
    signers(app, campaign_slug, {"email": "ann@example.org"}, {"email": "bo@example.org"})
    login(client, ORGANIZER)
    update_id = write_update(client, campaign_slug)
    assert "Send to 2 signers" in client.get(f"/organizer/c/{campaign_slug}/updates/{update_id}").text
    signers(app, campaign_slug, {"email": "cy@example.org"})
    refused = send(client, campaign_slug, update_id, 2)
    assert refused.status_code == 409
    assert "changed from 2 to 3" in refused.text and "Send to 3 signers" in refused.text
    with app.app_context():
        assert count_rows(UpdateRecipient) == 0 and outbox_messages() == []
        assert db.session.get(Update, update_id).status == UpdateStatus.DRAFT
    assert send(client, campaign_slug, update_id, 3).status_code == 303
    again = send(client, campaign_slug, update_id, 3)
    assert again.status_code == 409 and "sent already" in again.text
    with app.app_context():
        assert count_rows(UpdateRecipient) == 3


def test_a_test_goes_to_the_organizer_alone(app, client, login, campaign_slug):
    signers(app, campaign_slug, {"email": "ann@example.org"})
    login(client, ORGANIZER)
    update_id = write_update(client, campaign_slug)
    response = client.post(f"/organizer/c/{campaign_slug}/updates/{update_id}/test")
    assert response.status_code == 303
    assert "A test is on its way" in client.get(response.headers["Location"]).text
    with app.app_context():
        [message] = outbox_messages()
        assert (message.to_address, message.kind) == (ORGANIZER, bounces.TEST_KIND)
        assert message.subject.startswith("[Test] The vote is on Tuesday")
        assert "**Call** your senator" in message.body
        assert count_rows(UpdateRecipient) == 0
        assert db.session.get(Update, update_id).status == UpdateStatus.DRAFT


@pytest.mark.parametrize(("data", "message"), [
    ({"title": "", "body": "Text"}, "An update needs a title."),
    ({"title": "Two\nlines", "body": "Text"}, "line breaks or control characters"),
    ({"title": "Title", "body": "   "}, "An update needs some text."),
    ({"title": "x" * 201, "body": "Text"}, "at most 200 characters"),
])
def test_a_bad_update_is_refused_with_its_reason(app, client, login, campaign_slug, data, message):
    login(client, ORGANIZER)
    response = client.post(f"/organizer/c/{campaign_slug}/updates", data=data)
    assert response.status_code == 422 and message in response.text
    with app.app_context():
        assert count_rows(Update) == 0


@pytest.mark.parametrize(("query", "message"), [
    ({"region": "XX"}, "Not a valid choice"),
    ({"signed_from": "yesterday"}, "Not a valid date value"),
    ({"representative_id": "999"}, "Not a valid choice"),
    ({"signed_from": "2026-03-02", "signed_before": "2026-03-01"}, "must be a later day"),
])
def test_a_bad_segment_is_a_400_with_its_reason(app, client, login, campaign_slug, query, message):
    signers(app, campaign_slug, {"email": "ann@example.org"})
    login(client, ORGANIZER)
    update_id = write_update(client, campaign_slug)
    page = client.get(f"/organizer/c/{campaign_slug}/updates/{update_id}", query_string=query)
    assert page.status_code == 400 and message in page.text
    refused = send(client, campaign_slug, update_id, 1, **query)
    assert refused.status_code == 422
    with app.app_context():
        assert count_rows(UpdateRecipient) == 0


def test_a_bad_expected_count_sends_nothing(app, client, login, campaign_slug):
    signers(app, campaign_slug, {"email": "ann@example.org"})
    login(client, ORGANIZER)
    update_id = write_update(client, campaign_slug)
    assert client.post(f"/organizer/c/{campaign_slug}/updates/{update_id}/send",
                       data={"expected": "many"}).status_code == 422
    with app.app_context():
        assert count_rows(UpdateRecipient) == 0


def test_a_sent_update_can_no_longer_be_edited(app, client, login, campaign_slug):
    signers(app, campaign_slug, {"email": "ann@example.org"})
    login(client, ORGANIZER)
    update_id = write_update(client, campaign_slug)
    assert send(client, campaign_slug, update_id, 1).status_code == 303
    refused = client.post(f"/organizer/c/{campaign_slug}/updates/{update_id}/edit",
                          data={"title": "Changed", "body": "Changed"})
    assert refused.status_code == 409
    with app.app_context():
        assert db.session.get(Update, update_id).title == "The vote is on Tuesday"


def test_only_organizers_of_the_campaign_see_or_send_its_updates(
        app, client, login, campaign_slug, make_campaign, make_organizer):
    signers(app, campaign_slug, {"email": "ann@example.org"})
    login(client, ORGANIZER)
    update_id = write_update(client, campaign_slug)
    other = app.test_client()
    assert other.get(f"/organizer/c/{campaign_slug}/updates").status_code == 302  # to the login
    make_organizer("stranger@example.org", campaigns_owned=[make_campaign()])
    login(other, "stranger@example.org")
    assert other.get(f"/organizer/c/{campaign_slug}/updates").status_code == 404
    assert other.get(f"/organizer/c/{campaign_slug}/updates/{update_id}").status_code == 404
    assert send(other, campaign_slug, update_id, 1).status_code == 404
    assert other.post(f"/organizer/c/{campaign_slug}/updates/{update_id}/test").status_code == 404
    assert client.get(f"/organizer/c/{campaign_slug}/updates/{update_id + 100}").status_code == 404
    with app.app_context():
        assert count_rows(UpdateRecipient) == 0 and outbox_messages() == []
        assert store.get_by_slug(campaign_slug) is not None
