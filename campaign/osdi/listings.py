"""What the API lists: a key owner's campaigns and their signatures, outreaches and events,
each in a stable order (modified date, then id) so that paging never skips or repeats a row."""
from __future__ import annotations

from sqlalchemy import Select, func, select

from campaign.accounts.memberships import visible_campaigns
from campaign.extensions import db
from campaign.models import (
    Campaign,
    Event,
    Organizer,
    Outreach,
    Representative,
    Rsvp,
    RsvpStatus,
    Signature,
    SignatureStatus,
)
from campaign.osdi import filters


def campaigns(owner: Organizer, conditions: list[filters.Condition]) -> Select:
    """The campaigns the owner may see, oldest change first."""
    query = visible_campaigns(owner).order_by(None)
    return _filtered(query, Campaign.updated_at, conditions).order_by(Campaign.updated_at,
                                                                       Campaign.id)


def campaign(owner: Organizer, uuid: str) -> Campaign | None:
    """The campaign with this uuid if the owner may see it; else None (unknown or not theirs)."""
    return db.session.scalar(visible_campaigns(owner).where(Campaign.uuid == uuid))


def campaign_by_id(campaign_id: int) -> Campaign | None:
    """A campaign by its row id (for rows already found through a visible campaign)."""
    return db.session.get(Campaign, campaign_id)


def confirmed_counts(campaign_ids: list[int]) -> dict[int, int]:
    """Confirmed signatures per campaign, uncached (the export's and the dashboard's figure)."""
    rows = db.session.execute(
        select(Signature.campaign_id, func.count())
        .where(Signature.campaign_id.in_(campaign_ids), Signature.status == SignatureStatus.CONFIRMED)
        .group_by(Signature.campaign_id)) if campaign_ids else []
    counts = dict.fromkeys(campaign_ids, 0)
    counts.update({campaign_id: count for campaign_id, count in rows})
    return counts


def signatures(campaign_id: int, conditions: list[filters.Condition]) -> Select:
    """A campaign's signatures, every status, by (modified date, id): its index's order."""
    query = select(Signature).where(Signature.campaign_id == campaign_id)
    return _filtered(query, Signature.updated_at, conditions).order_by(Signature.updated_at,
                                                                        Signature.id)


def signature(campaign_id: int, uuid: str) -> Signature | None:
    """One signature of this campaign."""
    return db.session.scalar(select(Signature).where(Signature.campaign_id == campaign_id,
                                                     Signature.uuid == uuid))


def people(owner: Organizer, conditions: list[filters.Condition]) -> Select:
    """The signers of every campaign the owner may see, by (modified date, id)."""
    visible = visible_campaigns(owner).order_by(None).with_only_columns(Campaign.id)
    query = select(Signature).where(Signature.campaign_id.in_(visible.scalar_subquery()))
    return _filtered(query, Signature.updated_at, conditions).order_by(Signature.updated_at,
                                                                        Signature.id)


def person(owner: Organizer, uuid: str) -> Signature | None:
    """The signature behind a person, if it belongs to a campaign the owner may see."""
    visible = visible_campaigns(owner).order_by(None).with_only_columns(Campaign.id)
    return db.session.scalar(select(Signature).where(
        Signature.uuid == uuid, Signature.campaign_id.in_(visible.scalar_subquery())))


def outreaches(campaign_id: int, conditions: list[filters.Condition]) -> Select:
    """A campaign's outreaches, oldest first (an outreach never changes: created is modified)."""
    query = select(Outreach).where(Outreach.campaign_id == campaign_id)
    return _filtered(query, Outreach.created_at, conditions).order_by(Outreach.created_at,
                                                                       Outreach.id)


def outreach(campaign_id: int, uuid: str) -> Outreach | None:
    """One outreach of this campaign."""
    return db.session.scalar(select(Outreach).where(Outreach.campaign_id == campaign_id,
                                                    Outreach.uuid == uuid))


def outreaches_of_visitor(campaign_id: int, visitor_key: str,
                          representative_ids: list[int]) -> list[Outreach]:
    """The outreaches one visitor (an API request) recorded to these representatives."""
    return list(db.session.scalars(select(Outreach).where(
        Outreach.campaign_id == campaign_id, Outreach.visitor_key == visitor_key,
        Outreach.representative_id.in_(representative_ids)).order_by(Outreach.id)))


def outreach_count(campaign_id: int) -> int:
    """How many outreaches a campaign's visitors recorded."""
    return db.session.scalar(select(func.count()).where(Outreach.campaign_id == campaign_id)) or 0


def targets() -> Select:
    """The representatives a visitor may contact, in a stable order."""
    return select(Representative).order_by(Representative.country, Representative.region,
                                           Representative.district, Representative.id)


def representatives_by_uuid(uuids: list[str]) -> dict[str, Representative]:
    """The representatives with these uuids, by uuid (unknown ones are missing)."""
    rows = db.session.scalars(select(Representative).where(Representative.uuid.in_(uuids)))
    return {row.uuid: row for row in rows}


def events(owner: Organizer, conditions: list[filters.Condition]) -> Select:
    """The events of every campaign the owner may see, by (modified date, id)."""
    visible = visible_campaigns(owner).order_by(None).with_only_columns(Campaign.id)
    query = select(Event).where(Event.campaign_id.in_(visible.scalar_subquery()))
    return _filtered(query, Event.updated_at, conditions).order_by(Event.updated_at, Event.id)


def event(owner: Organizer, uuid: str) -> Event | None:
    """One event of a campaign the owner may see."""
    visible = visible_campaigns(owner).order_by(None).with_only_columns(Campaign.id)
    return db.session.scalar(select(Event).where(
        Event.uuid == uuid, Event.campaign_id.in_(visible.scalar_subquery())))


def attendances(event_id: int, conditions: list[filters.Condition]) -> Select:
    """An event's RSVPs, by (modified date, id)."""
    query = select(Rsvp).where(Rsvp.event_id == event_id)
    return _filtered(query, Rsvp.updated_at, conditions).order_by(Rsvp.updated_at, Rsvp.id)


def attendance(event_id: int, uuid: str) -> Rsvp | None:
    """One RSVP of this event."""
    return db.session.scalar(select(Rsvp).where(Rsvp.event_id == event_id, Rsvp.uuid == uuid))


def accepted_counts(event_ids: list[int]) -> dict[int, int]:
    """Seats taken per event (going RSVPs with their guests), in one GROUP BY."""
    rows = db.session.execute(
        select(Rsvp.event_id, func.coalesce(func.sum(Rsvp.guests + 1), 0))
        .where(Rsvp.event_id.in_(event_ids), Rsvp.status == RsvpStatus.GOING)
        .group_by(Rsvp.event_id)) if event_ids else []
    counts = dict.fromkeys(event_ids, 0)
    counts.update({event_id: int(seats) for event_id, seats in rows})
    return counts


def _filtered(query: Select, column, conditions: list[filters.Condition]) -> Select:
    condition = filters.condition_on(column, conditions)
    return query if condition is None else query.where(condition)
