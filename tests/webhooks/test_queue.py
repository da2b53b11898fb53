"""Queueing: each event writes one delivery per active hook listening, with the change itself."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from campaign.abuse import list_rules
from campaign.accounts import organizers
from campaign.campaigns import store
from campaign.clock import utcnow
from campaign.events import rsvps
from campaign.extensions import db
from campaign.models import (
    Event,
    EventStatus,
    Rsvp,
    RsvpStatus,
    RuleKind,
    Signature,
    SignatureStatus,
    WebhookEvent,
)
from campaign.signing import moderation, signatures
from campaign.webhooks import queue
from tests import representative_data as data
from tests.webhooks.conftest import confirm_by_email, deliveries

URL = "https://93.184.215.14/hook"  # never reached: these tests only queue


def _events(app) -> list[tuple[int, str]]:
    return [(d.webhook_id, d.event) for d in deliveries(app)]


def test_a_confirmation_queues_one_delivery_per_hook_listening(app, client, make_campaign,
                                                               make_hook, signer):
    slug, elsewhere = make_campaign(), make_campaign()
    everything = make_hook(slug, URL)
    removals_only = make_hook(slug, URL, events=[WebhookEvent.SIGNATURE_REMOVED])
    paused = make_hook(slug, URL, active=False)
    other_campaign = make_hook(elsewhere, URL, owner="other@example.org")
    assert client.post(f"/c/{slug}/sign", data=signer()).status_code == 303
    assert _events(app) == []  # pending: nothing counts yet
    confirm_by_email(app, client, slug, signer(email="bob@example.org", full_name="Bob Stone"))
    assert _events(app) == [(everything, "signature.confirmed")]
    assert {removals_only, paused, other_campaign}.isdisjoint({h for h, _ in _events(app)})
    [delivery] = deliveries(app)
    document = json.loads(delivery.body)
    assert document["_embedded"]["osdi:person"]["email_addresses"][0]["address"] == "bob@example.org"


def test_a_campaign_needing_no_confirmation_queues_at_signing(app, client, make_campaign,
                                                              make_hook, signer):
    slug = make_campaign(require_confirmation=False)
    hook = make_hook(slug, URL)
    assert client.post(f"/c/{slug}/sign", data=signer()).status_code == 303
    assert _events(app) == [(hook, "signature.confirmed")]
    document = json.loads(deliveries(app)[0].body)
    assert document["status"] == "confirmed" and document["confirmed_date"] is not None
    assert client.post(f"/c/{slug}/sign", data=signer()).status_code == 303  # a repeat
    assert len(deliveries(app)) == 1


def test_a_held_signature_released_where_none_needs_confirming_is_announced(
        app, client, make_campaign, make_hook, make_organizer, signer):
    slug = make_campaign(require_confirmation=False)
    hook = make_hook(slug, URL)
    with app.app_context():
        list_rules.add(store.get_by_slug(slug), RuleKind.BLOCK_DOMAIN, "spam.example",
                       organizer=organizers.get_by_email("hook-owner@example.org"))
        db.session.commit()
        list_rules.forget()
    assert client.post(f"/c/{slug}/sign", data=signer(email="x@spam.example")).status_code == 303
    assert _events(app) == []  # held: not counted, not announced
    with app.test_request_context():  # the thank-you email links to the page
        campaign = store.get_by_slug(slug)
        query = moderation.filtered(campaign, moderation.SignerFilter(), app.config["SECRET_KEY"])
        assert moderation.release(campaign, query, now=utcnow(),
                                  organizer=organizers.get_by_email("hook-owner@example.org")) == 1
        db.session.commit()
    assert _events(app) == [(hook, "signature.confirmed")]


def test_removing_a_signature_that_counted_is_announced_without_the_persons_details(
        app, client, make_campaign, make_hook, signer):
    slug = make_campaign()
    hook = make_hook(slug, URL, events=[WebhookEvent.SIGNATURE_REMOVED])
    confirm_by_email(app, client, slug, signer(email="ada@example.org"))
    assert client.post(f"/c/{slug}/sign", data=signer(email="pat@example.org")).status_code == 303
    with app.app_context():
        campaign = store.get_by_slug(slug)
        for signature in db.session.scalars(select(Signature).order_by(Signature.id)):
            moderation.delete_signer(campaign, signature, organizer=None, by="signer")
        db.session.commit()
    [delivery] = deliveries(app)  # the pending one was never announced: nothing to take back
    assert (delivery.webhook_id, delivery.event) == (hook, "signature.removed")
    document = json.loads(delivery.body)
    person = document["_embedded"]["osdi:person"]
    assert set(person) == {"identifiers", "_links"}
    assert person["identifiers"] == document["identifiers"]  # a person is a signature here
    assert "ada@example.org" not in delivery.body and "Ada" not in delivery.body


def test_an_organizer_deleting_a_signer_is_announced(app, client, make_campaign, make_hook,
                                                     signer, login):
    slug = make_campaign(require_confirmation=False)
    hook = make_hook(slug, URL, events=[WebhookEvent.SIGNATURE_REMOVED])
    assert client.post(f"/c/{slug}/sign", data=signer()).status_code == 303
    with app.app_context():
        signature_id = db.session.scalar(select(Signature.id))
    organizer = app.test_client()
    login(organizer, "hook-owner@example.org")
    response = organizer.post(f"/organizer/c/{slug}/signers/{signature_id}/delete",
                              data={"sure": "y"})
    assert response.status_code == 303, response.text[:300]
    assert _events(app) == [(hook, "signature.removed")]


def test_an_outreach_is_announced_once(app, client, make_campaign, make_hook):
    reps = data.load(app)
    slug = make_campaign()
    hook = make_hook(slug, URL, events=[WebhookEvent.OUTREACH_RECORDED])
    form = {"channel": "phone", "country": "US", "postcode": "55401"}
    casey = reps[data.MEMBER_MN_05]
    for _ in range(2):  # a double click: one outreach
        assert client.post(f"/c/{slug}/representatives/{casey}/contacted",
                           data=form).status_code == 303
    assert _events(app) == [(hook, "outreach.recorded")]
    document = json.loads(deliveries(app)[0].body)
    assert document["type"] == "phone"
    assert document["targets"][0]["name"] == data.MEMBER_MN_05


def test_nothing_is_queued_for_paused_hooks_or_unsubscribed_events(app, make_campaign, make_hook):
    slug = make_campaign()
    make_hook(slug, URL, active=False)
    make_hook(slug, URL, events=[WebhookEvent.RSVP_CONFIRMED])
    with app.app_context():
        campaign_id = store.get_by_slug(slug).id
        made = []
        assert queue.enqueue(campaign_id, WebhookEvent.SIGNATURE_CONFIRMED,
                             lambda: made.append(1) or {}, now=utcnow()) == 0
        assert made == []  # the document is not even made when nobody listens
        db.session.commit()
    assert deliveries(app) == []


def test_a_delivery_is_queued_only_if_its_cause_commits(app, make_campaign, make_hook):
    slug = make_campaign()
    make_hook(slug, URL)
    with app.app_context():
        campaign_id = store.get_by_slug(slug).id
        assert queue.enqueue(campaign_id, WebhookEvent.OUTREACH_RECORDED, {"a": 1},
                             now=utcnow()) == 1
        db.session.rollback()
    assert deliveries(app) == []


@pytest.mark.parametrize("status", [SignatureStatus.CONFIRMED, SignatureStatus.INVALIDATED])
def test_confirming_again_queues_nothing(app, make_campaign, make_hook, status):
    slug = make_campaign()
    make_hook(slug, URL)
    with app.app_context():
        campaign = store.get_by_slug(slug)
        signature = Signature(campaign_id=campaign.id, full_name="Ada Lovelace",
                              email="ada@example.org", email_key="ada@example.org",
                              country="US", postcode="02139", status=status)
        db.session.add(signature)
        db.session.flush()
        assert not signatures.confirm(signature, now=utcnow())
        db.session.commit()
    assert deliveries(app) == []


def test_a_confirmed_rsvp_is_announced_with_its_person(app, make_campaign, make_hook):
    slug = make_campaign()
    hook = make_hook(slug, URL, events=[WebhookEvent.RSVP_CONFIRMED])
    with app.test_request_context():  # the attendee's email links to the event
        campaign = store.get_by_slug(slug)
        start = utcnow() + timedelta(days=10)
        event = Event(campaign_id=campaign.id, title="Town hall", starts_at=start,
                      ends_at=start + timedelta(hours=1), timezone="America/Chicago",
                      address="1 Main St", postcode="55401", status=EventStatus.PUBLISHED,
                      published_at=utcnow())
        db.session.add(event)
        db.session.flush()
        rsvp = Rsvp(event_id=event.id, full_name="Grace Hopper", email="grace@example.org",
                    email_key="grace@example.org", status=RsvpStatus.PENDING)
        db.session.add(rsvp)
        db.session.commit()
        assert rsvps.confirm(event, rsvp, now=utcnow()) == RsvpStatus.GOING
        db.session.commit()
    [delivery] = deliveries(app)
    assert (delivery.webhook_id, delivery.event) == (hook, "rsvp.confirmed")
    document = json.loads(delivery.body)
    assert document["status"] == "accepted"
    person = document["_embedded"]["osdi:person"]
    assert person["email_addresses"][0]["address"] == "grace@example.org"
