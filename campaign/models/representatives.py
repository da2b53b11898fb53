"""Representatives, postcode-to-district rows, and outreaches to representatives."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from campaign.clock import utcnow
from campaign.extensions import db
from campaign.models.types import BigId, UTCDateTime, check_in, new_uuid


class OutreachChannel(enum.StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    FORM = "form"
    LETTER = "letter"


class Representative(db.Model):
    """Someone who represents a place: a senator, a representative, an MP, a councillor."""

    __tablename__ = "representatives"
    __table_args__ = (
        # Importers update in place by this key, so outreaches keep pointing at the same row.
        UniqueConstraint("source", "external_id", name="uq_representatives_source_external_id"),
        Index("ix_representatives_country_region_district", "country", "region", "district"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    # Which import brought it: "us-congress", or the name given to a plain CSV import.
    source: Mapped[str] = mapped_column(String(40))
    # The source's own id (bioguide for Congress).
    external_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    # How a letter names them ("Van Hollen", "Cortez Masto"): the data file's own field where it
    # has one; "" for rows written without it, which fall back on greetings.family_name(name).
    family_name: Mapped[str] = mapped_column(String(100), default="", server_default="")
    office: Mapped[str] = mapped_column(String(40))  # senator, representative, mp, councillor...
    party: Mapped[str] = mapped_column(String(100), default="")
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str] = mapped_column(String(100), default="")  # USPS state code in the US
    # District code ("MN-05", "AK-AL"); "" for a seat elected by the whole region.
    district: Mapped[str] = mapped_column(String(40), default="")
    district_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    phone: Mapped[str] = mapped_column(String(60), default="")
    address: Mapped[str] = mapped_column(String(500), default="")
    contact_form_url: Mapped[str] = mapped_column(String(2000), default="")
    website: Mapped[str] = mapped_column(String(2000), default="")
    # Other ids of the same person (govtrack, wikidata...).
    ids: Mapped[dict] = mapped_column(JSON, default=dict)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Representative {self.id} {self.office} {self.region} {self.district}>"


class PostcodeDistrict(db.Model):
    """One postcode in one district: a postcode in several districts has several rows."""

    __tablename__ = "postcode_districts"
    __table_args__ = (
        UniqueConstraint("source", "country", "postcode", "district",
                         name="uq_postcode_districts_source_country_postcode_district"),
        Index("ix_postcode_districts_country_postcode", "country", "postcode"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    source: Mapped[str] = mapped_column(String(40))
    country: Mapped[str] = mapped_column(String(2))
    # As stored on signatures: "55401", "SW1A 1AA"; or a leading part ("SW1A") matching more.
    postcode: Mapped[str] = mapped_column(String(16))
    region: Mapped[str] = mapped_column(String(100), default="")
    district: Mapped[str] = mapped_column(String(40))

    def __repr__(self) -> str:
        return f"<PostcodeDistrict {self.country} {self.postcode} {self.district}>"


class Outreach(db.Model):
    """A visitor saying they contacted a representative: one per visitor, representative and channel."""

    __tablename__ = "outreaches"
    __table_args__ = (
        UniqueConstraint("campaign_id", "representative_id", "channel", "visitor_key",
                         name="uq_outreaches_campaign_id_representative_id_channel_visitor_key"),
        CheckConstraint(check_in("channel", OutreachChannel), name="channel"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    # Kept if a later import drops the representative: the count was told to the visitor.
    representative_id: Mapped[int | None] = mapped_column(
        ForeignKey("representatives.id", ondelete="SET NULL"), index=True
    )
    representative_name: Mapped[str] = mapped_column(String(200), default="")
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    channel: Mapped[str] = mapped_column(String(10))
    # A salted hash of the visitor's browser id: enough to count once, nothing to trace.
    visitor_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Outreach {self.id} campaign={self.campaign_id} {self.channel}>"
