"""Disabling a hook that keeps failing, and telling its owner by email.

The rule: a hook is disabled when WEBHOOK_DISABLE_AFTER attempts in a row have failed
(across all its deliveries, with no success between) and the first of them was at least
WEBHOOK_RETRY_HOURS ago: a receiver down for a day, not one that missed a burst.
"""
from __future__ import annotations

import contextlib
import logging
from datetime import datetime

from flask import current_app, has_request_context, render_template
from flask_babel import gettext as _
from sqlalchemy import select, true, update

from campaign import audit
from campaign.extensions import db
from campaign.links import public_url
from campaign.mail import outbox
from campaign.models import (
    Campaign,
    CampaignMember,
    DeliveryState,
    MemberRole,
    Organizer,
    Webhook,
    WebhookDelivery,
)

log = logging.getLogger(__name__)

DISABLED_KIND = "webhook_disabled"


def disable(hook: Webhook, *, now: datetime) -> bool:
    """Disable the hook, fail its queued deliveries and email its owner; False if it was
    disabled (or paused) already, by another worker perhaps: then nothing is done twice."""
    failures = db.session.scalar(select(Webhook.consecutive_failures).where(Webhook.id == hook.id))
    reason = f"{failures} attempts in a row failed, for over {_hours()} hours"
    changed = db.session.execute(
        update(Webhook).where(Webhook.id == hook.id, Webhook.active == true())
        .values(active=False, disabled_at=now, disabled_reason=reason)
        .execution_options(synchronize_session=False)).rowcount
    if not changed:
        return False
    db.session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.webhook_id == hook.id,
               WebhookDelivery.state == DeliveryState.QUEUED)
        .values(state=DeliveryState.FAILED, body="", last_error="the hook was disabled")
        .execution_options(synchronize_session=False))
    campaign = db.session.get(Campaign, hook.campaign_id)
    audit.record("webhook.disabled", organizer=None, campaign=campaign, webhook_id=hook.id,
                 failures=failures)
    _tell_owners(hook, campaign, reason)
    log.warning("webhook %s of campaign %s disabled: %s", hook.id, campaign.id, reason)
    return True


def _hours() -> int:
    return current_app.config["WEBHOOK_RETRY_HOURS"]


def owners(hook: Webhook) -> list[Organizer]:
    """Who hears about the hook: the organizer who made it, else the campaign's owners."""
    if hook.created_by is not None:
        creator = db.session.get(Organizer, hook.created_by)
        if creator is not None:
            return [creator]
    return list(db.session.scalars(
        select(Organizer).join(CampaignMember, CampaignMember.organizer_id == Organizer.id)
        .where(CampaignMember.campaign_id == hook.campaign_id,
               CampaignMember.role == MemberRole.OWNER)
        .order_by(Organizer.id)))


def _tell_owners(hook: Webhook, campaign: Campaign, reason: str) -> None:
    with _links_context():
        page = public_url("organizer.webhook", slug=campaign.slug, hook_id=hook.id)
        for organizer in owners(hook):
            body = render_template("email/webhook_disabled.txt", campaign=campaign, hook=hook,
                                   reason=reason, link=page)
            outbox.enqueue(kind=DISABLED_KIND, to_address=organizer.email,
                           subject=_("Webhook disabled · %(title)s", title=campaign.title), body=body,
                           campaign_id=campaign.id)


def _links_context() -> contextlib.AbstractContextManager:
    """Outside a request (the worker), one to build links in: absolute under BASE_URL."""
    if has_request_context():
        return contextlib.nullcontext()
    return current_app.test_request_context("/", base_url=current_app.config.get("BASE_URL") or None)
