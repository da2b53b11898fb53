"""Outreach: visitors saying they contacted a representative, once per visitor and channel."""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from campaign.extensions import db
from campaign.models import Outreach, OutreachChannel, Representative
from campaign.models.types import new_uuid
from campaign.webhooks import queue as webhooks

CHANNELS = tuple(OutreachChannel)


def visitor_key(secret_key: str, visitor_id: str) -> str:
    """A salted hash of a browser's random id: counts it once, and cannot lead back to it."""
    key = f"visitor:{secret_key}".encode()
    return hmac.new(key, visitor_id.encode(), hashlib.sha256).hexdigest()


def channels_for(representative: Representative) -> tuple[str, ...]:
    """The ways a visitor may say they reached this office: email only where it has one."""
    return tuple(c.value for c in CHANNELS if c != OutreachChannel.EMAIL or representative.email)


def record(campaign_id: int, representative: Representative, channel: str, visitor: str, *,
           now: datetime) -> bool:
    """Note one visitor's contact by one channel; False when they had said so already.

    INSERT ... ON CONFLICT DO NOTHING on the unique (campaign, representative, channel,
    visitor): a repeat or a double click is settled by the database, not counted twice.
    """
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(Outreach.__table__)
        .values(campaign_id=campaign_id, representative_id=representative.id,
                representative_name=representative.name, channel=channel, visitor_key=visitor,
                created_at=now, uuid=new_uuid())
        .on_conflict_do_nothing(
            index_elements=["campaign_id", "representative_id", "channel", "visitor_key"])
        .returning(Outreach.__table__.c.id)
    )
    new_id = db.session.execute(statement).scalar()
    if new_id is not None:
        webhooks.outreach_recorded(campaign_id, new_id, now=now)
    return new_id is not None


def contacted_by(campaign_id: int, visitor: str,
                 representative_ids: Iterable[int]) -> dict[int, set[str]]:
    """The channels by which this visitor said they contacted each of these representatives."""
    ids = list(representative_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Outreach.representative_id, Outreach.channel).where(
            Outreach.campaign_id == campaign_id,
            Outreach.representative_id.in_(ids),
            # Naming every channel lets the lookup use the whole unique index.
            Outreach.channel.in_([c.value for c in CHANNELS]),
            Outreach.visitor_key == visitor,
        )
    )
    found: dict[int, set[str]] = {}
    for representative_id, channel in rows:
        found.setdefault(representative_id, set()).add(channel)
    return found


def counts(campaign_id: int) -> dict[int, dict[str, int]]:
    """Outreaches of a campaign: representative id → channel → count, in one GROUP BY.

    Outreaches whose representative a later import removed keep only their name, and are
    not in this map.
    """
    rows = db.session.execute(
        select(Outreach.representative_id, Outreach.channel, func.count())
        .where(Outreach.campaign_id == campaign_id, Outreach.representative_id.is_not(None))
        .group_by(Outreach.representative_id, Outreach.channel)
    )
    found: dict[int, dict[str, int]] = {}
    for representative_id, channel, count in rows:
        found.setdefault(representative_id, {})[channel] = count
    return found
