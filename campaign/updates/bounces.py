"""Addresses an update could not reach: undeliverable for that campaign from then on.

Derived from the outbox, never stored: an address is undeliverable for a campaign once an
update email to it about that campaign failed for good (a permanent SMTP refusal, a 5xx, or
OUTBOX_MAX_ATTEMPTS tries). No later update of the campaign is sent to it.
"""
from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import ColumnElement, exists, select

from campaign.extensions import db
from campaign.models import OutboxMessage, OutboxStatus, Signature

# The outbox kinds of update emails: to signers, and the test an organizer sends themself.
UPDATE_KIND = "update"
TEST_KIND = "update_test"


def bounced() -> ColumnElement[bool]:
    """A condition on Signature: an update about its campaign to its address failed for good."""
    # One probe of the outbox's (campaign_id, recipient_key, created_at) index per signature.
    return exists().where(OutboxMessage.campaign_id == Signature.campaign_id,
                          OutboxMessage.recipient_key == Signature.email_key,
                          OutboxMessage.kind == UPDATE_KIND,
                          OutboxMessage.status == OutboxStatus.FAILED)


def bounced_among(campaign_id: int, email_keys: Collection[str]) -> set[str]:
    """Which of these addresses (duplicate keys) are undeliverable for the campaign, in one query."""
    if not email_keys:
        return set()
    return set(db.session.scalars(
        select(OutboxMessage.recipient_key).distinct().where(
            OutboxMessage.campaign_id == campaign_id,
            OutboxMessage.recipient_key.in_(list(email_keys)),
            OutboxMessage.kind == UPDATE_KIND,
            OutboxMessage.status == OutboxStatus.FAILED)))
