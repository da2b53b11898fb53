"""Queueing deliveries: one row per active hook that listens, written in the caller's transaction.

A delivery is written with the change that caused it (a confirmation, a removal...), so it is
sent exactly when that change commits, and never lost if the process dies before sending.
Call `enqueue(campaign_id, event, document, now=now)`, or the shortcut for the event, e.g.
`queue.rsvp_confirmed(rsvp, now=now)` once an RSVP is confirmed.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from flask import current_app, has_request_context, request
from sqlalchemy import insert, select, true

from campaign import database
from campaign.extensions import db
from campaign.models import (
    Campaign,
    DeliveryState,
    Outreach,
    Rsvp,
    Signature,
    Webhook,
    WebhookDelivery,
    WebhookEvent,
)
from campaign.models.types import new_uuid
from campaign.osdi import documents
from campaign.osdi.identifiers import identifier, osdi_date

PING = "ping"  # the organizer's test delivery: sent to one hook, whatever its events
WAKE = "webhooks_wake"  # session.info key: wake the sender once the transaction commits


def base_url() -> str:
    """Where the documents' links point: BASE_URL, else the address of the request."""
    base = current_app.config.get("BASE_URL")
    if not base and has_request_context():
        base = request.host_url
    return (base or "http://localhost").rstrip("/")


def encode(document: dict) -> str:
    """The exact JSON text sent (and signed): compact, UTF-8 kept as is."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


def listening(campaign_id: int, event: str) -> list[Webhook]:
    """The campaign's active hooks subscribed to event (paused and disabled ones are not)."""
    hooks = db.session.scalars(select(Webhook).where(
        Webhook.campaign_id == campaign_id, Webhook.active == true()).order_by(Webhook.id))
    return [hook for hook in hooks if event in (hook.events or ())]


def enqueue(campaign_id: int, event: str, document: dict | Callable[[], dict], *,
            now: datetime) -> int:
    """Queue the document for every active hook of the campaign listening to event; how many.

    document may be a function that makes it: it is then only made when some hook listens.
    """
    hooks = listening(campaign_id, event)
    if not hooks:
        return 0
    body = encode(document() if callable(document) else document)
    for hook in hooks:
        _insert(hook.id, event, body, now)
    return len(hooks)


def _insert(webhook_id: int, event: str, body: str, now: datetime) -> None:
    database.execute_plain(insert(WebhookDelivery.__table__), {
        "uuid": new_uuid(), "webhook_id": webhook_id, "event": event, "body": body,
        "state": DeliveryState.QUEUED, "attempts": 0, "created_at": now,
        "next_attempt_at": now, "last_error": "",
    })
    db.session.info[WAKE] = True


def ping(hook: Webhook, *, now: datetime) -> None:
    """Queue a test delivery to this hook alone."""
    campaign = db.session.get(Campaign, hook.campaign_id)
    _insert(hook.id, PING, encode({
        "ping": True,
        "webhook": identifier(hook.uuid),
        "petition": identifier(campaign.uuid),
        "created_date": osdi_date(now),
        "message": "A test delivery from Campaign: your endpoint is reached and can verify "
                   "the signature.",
    }), now)


# The events -------------------------------------------------------------------------------

def signature_document(signature: Signature, *, whole_person: bool = True) -> dict:
    """A signature's OSDI document with its person embedded (only their identifiers when
    whole_person is False: a removed signer's name and email are not sent again)."""
    base = base_url()
    document = documents.signature(signature, base_url=base)
    person = documents.person(signature, base_url=base, bouncing=False)
    if not whole_person:
        person = {"identifiers": person["identifiers"], "_links": person["_links"]}
    document["_embedded"] = {"osdi:person": person}
    return document


def signature_confirmed(signature: Signature, *, now: datetime) -> int:
    """A signature started counting (confirmed, or needing no confirmation, or released)."""
    return enqueue(signature.campaign_id, WebhookEvent.SIGNATURE_CONFIRMED,
                   lambda: signature_document(signature), now=now)


def signature_removed(signature: Signature, *, now: datetime) -> int:
    """A signature that had counted is deleted (by its signer or an organizer)."""
    if signature.confirmed_at is None:  # never announced: nobody needs to forget it
        return 0
    return enqueue(signature.campaign_id, WebhookEvent.SIGNATURE_REMOVED,
                   lambda: signature_document(signature, whole_person=False), now=now)


def outreach_recorded(campaign_id: int, outreach_id: int, *, now: datetime) -> int:
    """A visitor said they contacted a representative."""
    return enqueue(campaign_id, WebhookEvent.OUTREACH_RECORDED,
                   lambda: documents.outreach(db.session.get(Outreach, outreach_id),
                                              base_url=base_url()), now=now)


def rsvp_confirmed(rsvp: Rsvp, *, now: datetime) -> int:
    """An RSVP was confirmed by its email link."""
    return enqueue(rsvp.event.campaign_id, WebhookEvent.RSVP_CONFIRMED,
                   lambda: documents.attendance(rsvp, base_url=base_url()), now=now)
