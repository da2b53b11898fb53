"""A campaign's webhooks: registering, changing, pausing and deleting them, and their deliveries."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from campaign import audit
from campaign.extensions import db
from campaign.models import (
    Campaign,
    DeliveryState,
    Organizer,
    Webhook,
    WebhookDelivery,
    WebhookEvent,
)
from campaign.webhooks import addresses, headers

MAX_PER_CAMPAIGN = 10
EVENTS = tuple(event.value for event in WebhookEvent)


class InvalidHook(ValueError):
    """A hook that cannot be registered as asked; the message says why, `field` where."""

    def __init__(self, message, field: str = "url") -> None:
        super().__init__(message)
        self.field = field


def check_address(url: str) -> str:
    """The URL if a hook may send there now (https, a public address); InvalidHook otherwise."""
    config = current_app.config
    try:
        addresses.check(url, allow_http=config["WEBHOOK_ALLOW_HTTP"],
                        allow_private=config["WEBHOOK_ALLOW_PRIVATE"])
    except addresses.AddressRefused as refused:
        raise InvalidHook(str(refused)) from None
    return url.strip()


def _events(chosen: list[str]) -> list[str]:
    events = [event for event in EVENTS if event in set(chosen)]
    if not events or len(events) != len(set(chosen)):
        raise InvalidHook(_l("Choose at least one of the events."), "events")
    return events


def host_of(hook: Webhook) -> str:
    """The hook's host name: what the audit log and the emails name (a URL's path or query
    may hold a receiver's token)."""
    return urlsplit(hook.url).hostname or ""


def create(campaign: Campaign, url: str, events: list[str], *, organizer: Organizer,
           now: datetime) -> Webhook:
    """Register a hook for the campaign's events, with a new secret; InvalidHook otherwise."""
    events = _events(events)
    count = db.session.scalar(select(func.count(Webhook.id)).where(Webhook.campaign_id == campaign.id))
    if count >= MAX_PER_CAMPAIGN:
        raise InvalidHook(_l("A campaign has at most %(max)s webhooks: delete one first.",
                             max=MAX_PER_CAMPAIGN))
    hook = Webhook(campaign_id=campaign.id, created_by=organizer.id, url=check_address(url),
                   events=events, secret=headers.new_secret(), active=True,
                   consecutive_failures=0, disabled_reason="", created_at=now)
    db.session.add(hook)
    db.session.flush()
    audit.record("webhook.created", organizer=organizer, campaign=campaign, webhook_id=hook.id,
                 host=host_of(hook), events=events)
    return hook


def set_events(campaign: Campaign, hook: Webhook, events: list[str], *,
               organizer: Organizer) -> None:
    """Change which events the hook gets (from the next one queued)."""
    hook.events = _events(events)
    audit.record("webhook.events_changed", organizer=organizer, campaign=campaign,
                 webhook_id=hook.id, events=hook.events)


def rotate_secret(campaign: Campaign, hook: Webhook, *, organizer: Organizer) -> None:
    """A new secret: deliveries from now on are signed with it, the old one stops working."""
    hook.secret = headers.new_secret()
    audit.record("webhook.secret_rotated", organizer=organizer, campaign=campaign,
                 webhook_id=hook.id)


def pause(campaign: Campaign, hook: Webhook, *, organizer: Organizer) -> None:
    """Stop queuing and sending: deliveries already queued wait until it is resumed."""
    hook.active = False
    audit.record("webhook.paused", organizer=organizer, campaign=campaign, webhook_id=hook.id)


def resume(campaign: Campaign, hook: Webhook, *, organizer: Organizer, now: datetime) -> None:
    """Send again (a disabled hook too, with its failures forgotten); the address is checked
    again first (InvalidHook when it is refused now)."""
    check_address(hook.url)
    hook.active = True
    hook.disabled_at = None
    hook.disabled_reason = ""
    hook.consecutive_failures = 0
    hook.failing_since = None
    audit.record("webhook.resumed", organizer=organizer, campaign=campaign, webhook_id=hook.id)


def delete(campaign: Campaign, hook: Webhook, *, organizer: Organizer) -> None:
    """Delete the hook and its deliveries (queued ones are never sent)."""
    audit.record("webhook.deleted", organizer=organizer, campaign=campaign, webhook_id=hook.id,
                 host=host_of(hook))
    db.session.execute(WebhookDelivery.__table__.delete().where(
        WebhookDelivery.webhook_id == hook.id))
    db.session.delete(hook)


def hooks_of(campaign: Campaign) -> list[Webhook]:
    """The campaign's hooks, oldest first."""
    return list(db.session.scalars(
        select(Webhook).where(Webhook.campaign_id == campaign.id).order_by(Webhook.id)))


def hook_of(campaign: Campaign, hook_id: int) -> Webhook | None:
    """One hook of this campaign (None for another campaign's)."""
    return db.session.scalar(select(Webhook).where(Webhook.id == hook_id,
                                                   Webhook.campaign_id == campaign.id))


@dataclass(frozen=True)
class DeliveryLine:
    """One delivery as the organizer's page shows it."""

    uuid: str
    event: str
    state: str
    attempts: int
    created_at: datetime
    last_attempt_at: datetime | None
    last_status: int | None
    last_error: str
    next_attempt_at: datetime | None  # only while queued


def recent_deliveries(hook_ids: list[int], per_hook: int = 10) -> dict[int, list[DeliveryLine]]:
    """The latest deliveries of each hook, newest first: one query for them all."""
    if not hook_ids:
        return {}
    rank = func.row_number().over(partition_by=WebhookDelivery.webhook_id,
                                  order_by=WebhookDelivery.id.desc()).label("rank")
    ranked = (select(WebhookDelivery.id, rank)
              .where(WebhookDelivery.webhook_id.in_(hook_ids)).subquery())
    rows = db.session.scalars(
        select(WebhookDelivery).join(ranked, ranked.c.id == WebhookDelivery.id)
        .where(ranked.c.rank <= per_hook).order_by(WebhookDelivery.id.desc()))
    found: dict[int, list[DeliveryLine]] = {hook_id: [] for hook_id in hook_ids}
    for d in rows:
        found[d.webhook_id].append(DeliveryLine(
            uuid=d.uuid, event=d.event, state=d.state, attempts=d.attempts,
            created_at=d.created_at, last_attempt_at=d.last_attempt_at,
            last_status=d.last_status, last_error=d.last_error,
            next_attempt_at=d.next_attempt_at if d.state == DeliveryState.QUEUED else None))
    return found
