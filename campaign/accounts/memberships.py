"""Which organizers may see which campaigns: memberships, and the query of an organizer's campaigns."""
from __future__ import annotations

from sqlalchemy import Select, select

from campaign.extensions import db
from campaign.models import Campaign, CampaignMember, MemberRole, Organizer


def visible_campaigns(organizer: Organizer) -> Select:
    """A query for the campaigns this organizer may see: all for admins, else their own."""
    query = select(Campaign).order_by(Campaign.created_at.desc(), Campaign.id.desc())
    if organizer.is_admin:
        return query
    return query.join(CampaignMember, CampaignMember.campaign_id == Campaign.id).where(
        CampaignMember.organizer_id == organizer.id
    )


def visible_campaign(organizer: Organizer, slug: str) -> Campaign | None:
    """The campaign at slug, drafts included, if this organizer may see it; else None."""
    return db.session.scalar(visible_campaigns(organizer).where(Campaign.slug == slug))


def add_member(campaign: Campaign, organizer: Organizer, role: str = MemberRole.MEMBER) -> None:
    """Give an organizer access to a campaign (idempotent)."""
    existing = db.session.get(CampaignMember, (campaign.id, organizer.id))
    if existing is None:
        db.session.add(CampaignMember(campaign_id=campaign.id, organizer_id=organizer.id, role=role))
    elif role == MemberRole.OWNER:
        existing.role = role
