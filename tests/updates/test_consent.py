"""Unsubscribing from a campaign's updates: the RFC 8058 one-click POST, and the link's page."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from campaign.campaigns import store
from campaign.clock import utcnow
from campaign.extensions import db
from campaign.mail import outbox
from campaign.models import (
    AuditEntry,
    OutboxMessage,
    RecipientStatus,
    Signature,
    SignatureStatus,
    Update,
    UpdateRecipient,
)
from campaign.signing import removal_links
from campaign.updates import bounces
from tests.helpers import count_rows, database_snapshot
from tests.updates.builders import add_signers

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture
def world(app, make_campaign):
    """A campaign, Ann who allowed contact, an update queued for her and one in the outbox."""
    slug = make_campaign()
    with app.test_request_context():
        ids = add_signers(slug, {"email": "ann@example.org", "full_name": "Ann Lee"})
        campaign = store.get_by_slug(slug)
        signature = db.session.get(Signature, ids["ann@example.org"])
        update = Update(campaign_id=campaign.id, title="Soon", body="News", status="sent",
                        segment={}, recipient_count=1, sent_at=utcnow())
        db.session.add(update)
        db.session.flush()
        db.session.add(UpdateRecipient(update_id=update.id, signature_id=signature.id))
        outbox.enqueue(kind=bounces.UPDATE_KIND, to_address=signature.email, subject="Earlier",
                       body="News", campaign_id=campaign.id, recipient_key=signature.email_key)
        link = removal_links.unsubscribe_link(campaign, signature, now=utcnow())
        db.session.commit()
        db.session.remove()
    return slug, urlsplit(link).path


def state(app) -> dict:
    with app.app_context():
        signature = db.session.scalars(select(Signature)).one()
        found = {"contact_ok": signature.contact_ok, "status": signature.status,
                 "recipients": [r.status for r in db.session.scalars(select(UpdateRecipient))],
                 "outbox": count_rows(OutboxMessage),
                 "audit": [(e.action, e.detail) for e in db.session.scalars(select(AuditEntry))]}
        db.session.remove()
    return found


def test_the_one_click_post_withdraws_consent_and_keeps_the_signature(app, world):
    _, path = world
    response = app.test_client().post(path, data=ONE_CLICK)
    assert response.status_code == 200
    assert "No more updates" in response.text and "a***@e***.org" in response.text
    assert response.headers["Cache-Control"] == "no-store"
    after = state(app)
    assert after["contact_ok"] is False and after["status"] == SignatureStatus.CONFIRMED
    assert after["recipients"] == [RecipientStatus.SKIPPED] and after["outbox"] == 0
    [(action, detail)] = after["audit"]
    assert action == "signer.unsubscribed" and "ann" not in repr(detail).lower()
    # A second click (or the client retrying) is harmless.
    assert app.test_client().post(path, data=ONE_CLICK).status_code == 200
    assert len(state(app)["audit"]) == 1


def test_the_link_shows_a_button_and_only_its_post_withdraws(app, world):
    _, path = world
    client = app.test_client()
    with app.app_context():
        before = database_snapshot()
    page = client.get(path)
    assert page.status_code == 200 and "Stop the updates" in page.text
    assert '<form method="post">' in page.text
    with app.app_context():
        assert database_snapshot() == before  # a mail scanner opening it changes nothing
    assert client.post(path, data=ONE_CLICK).status_code == 200
    assert state(app)["contact_ok"] is False
    assert "already gets no updates" in client.get(path).text


@pytest.mark.parametrize("mangle", [
    lambda path: path[:-2] + ("AA" if not path.endswith("AA") else "BB"),  # a forged MAC
    lambda path: path.rsplit("/", 1)[0] + "/not-a-token",
    lambda path: path.replace("/c/", "/c/no-such-campaign-", 1),
])
def test_a_bad_link_is_a_404_and_changes_nothing(app, world, mangle):
    _, path = world
    client = app.test_client()
    assert client.get(mangle(path)).status_code == 404
    assert client.post(mangle(path), data=ONE_CLICK).status_code == 404
    assert state(app)["contact_ok"] is True


def test_a_link_for_another_campaign_is_refused(app, world, make_campaign):
    slug, path = world
    other = make_campaign()
    refused = app.test_client().post(path.replace(f"/c/{slug}/", f"/c/{other}/"), data=ONE_CLICK)
    assert refused.status_code == 404
    assert state(app)["contact_ok"] is True


def test_an_expired_link_is_a_410(app, world, clock):
    _, path = world
    clock.move(days=app.config["REMOVAL_LINK_DAYS"] + 1)
    assert app.test_client().post(path, data=ONE_CLICK).status_code == 410
    assert state(app)["contact_ok"] is True


def test_a_removed_signature_kills_its_link(app, world):
    _, path = world
    with app.app_context():
        db.session.delete(db.session.scalars(select(Signature)).one())
        db.session.commit()
    assert app.test_client().get(path).status_code == 404


def test_unsubscribing_needs_no_csrf_token(app, world):
    """RFC 8058: the mail client posts without any session; the signed token is the proof."""
    _, path = world
    app.config["WTF_CSRF_ENABLED"] = True
    assert app.test_client().post(path, data=ONE_CLICK).status_code == 200
    assert state(app)["contact_ok"] is False
