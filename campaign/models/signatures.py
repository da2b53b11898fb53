"""Signatures, their confirmation tokens, and the allow and block lists applied to them."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from campaign.clock import utcnow
from campaign.extensions import db
from campaign.models.types import BigId, UTCDateTime, check_in, new_uuid

if TYPE_CHECKING:
    from campaign.models.campaigns import Campaign


class SignatureStatus(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    INVALIDATED = "invalidated"
    # Stored for an organizer to review (a block list matched): not counted, answered as usual.
    HELD = "held"


class RuleKind(enum.StrEnum):
    """An organizer's list entry: addresses and networks allowed or blocked, blocked emails."""

    ALLOW_IP = "allow_ip"  # a shared address (a school, a rally's wifi): no per-address limit
    BLOCK_IP = "block_ip"  # an address or a CIDR range
    BLOCK_DOMAIN = "block_domain"  # an email domain
    BLOCK_EMAIL = "block_email"  # one address, compared by its duplicate key


def _postcode_area_of_row(context) -> str:
    from campaign.places.regions import (
        postcode_area,  # the ZIP data module, only when a row needs it
    )

    row = context.get_current_parameters()
    return postcode_area(row.get("country") or "", row.get("postcode") or "")


class Signature(db.Model):
    __tablename__ = "signatures"
    __table_args__ = (
        # One signature per person and campaign, settled by the database under any race.
        UniqueConstraint("campaign_id", "email_key", name="uq_signatures_campaign_id_email_key"),
        CheckConstraint(check_in("status", SignatureStatus), name="status"),
        # Counts by status, and the latest confirmed signers, read from one index.
        Index("ix_signatures_campaign_id_status_confirmed_at", "campaign_id", "status", "confirmed_at"),
        Index("ix_signatures_campaign_id_created_at", "campaign_id", "created_at"),
        # The API's pages of signatures changed since a date.
        Index("ix_signatures_campaign_id_updated_at", "campaign_id", "updated_at"),
        # The latest signers who chose to be named: found in order even when few choose it.
        Index("ix_signatures_campaign_id_status_show_name_confirmed_at",
              "campaign_id", "status", "show_name", "confirmed_at"),
        # The organizer's breakdowns read these instead of a million table rows.
        Index("ix_signatures_campaign_id_status_source", "campaign_id", "status", "source"),
        Index("ix_signatures_campaign_id_status_contact_ok", "campaign_id", "status", "contact_ok"),
        # Places (country, US state, postcode area) and districts, each one index-only pass.
        Index("ix_signatures_campaign_id_status_country_region_postcode_area",
              "campaign_id", "status", "country", "region", "postcode_area"),
        Index("ix_signatures_campaign_id_status_district_district_choices",
              "campaign_id", "status", "district", "district_choices"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    full_name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str] = mapped_column(String(320))
    # The normalized address used to find duplicates (see signer_input.duplicate_key).
    email_key: Mapped[str] = mapped_column(String(320))
    postcode: Mapped[str] = mapped_column(String(16), default="")
    country: Mapped[str] = mapped_column(String(2))
    region: Mapped[str] = mapped_column(String(100), default="")
    # The signer's district code ("MN-05"), when their postcode lies in exactly one or they chose.
    district: Mapped[str] = mapped_column(String(40), default="")
    # A postcode shared by several districts: their codes, space-separated, until the signer
    # picks one; counted apart, never split.
    district_choices: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # The postcode's area (stats.postcode_area), stored for the organizer's breakdown.
    postcode_area: Mapped[str] = mapped_column(String(8), default=_postcode_area_of_row,
                                               server_default="")
    comment: Mapped[str] = mapped_column(Text, default="")
    comment_hidden: Mapped[bool] = mapped_column(default=False)
    show_name: Mapped[bool] = mapped_column(default=False)
    contact_ok: Mapped[bool] = mapped_column(default=False)
    # Which share channel or referrer brought the signer ("ref" on the campaign link).
    source: Mapped[str] = mapped_column(String(100), default="")
    # Salted hashes of the signer's address and of its network (IPv4 /24, IPv6 /48): enough to
    # find a flood from one place, never the address itself.
    ip_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")
    ip_net_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")
    status: Mapped[str] = mapped_column(String(16), default=SignatureStatus.PENDING)
    # Why a signature is held for review ("block_ip", "block_domain"...); "" otherwise.
    held_reason: Mapped[str] = mapped_column(String(40), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Any change to the row (confirmed, moderated, edited): the API's modified_date.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # The language the signer used: their emails go out in it.
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")

    campaign: Mapped[Campaign] = relationship()

    def __repr__(self) -> str:
        # No name or email: reprs end up in logs.
        return f"<Signature {self.id} campaign={self.campaign_id} {self.status}>"


class ConfirmationToken(db.Model):
    __tablename__ = "confirmation_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    signature_id: Mapped[int] = mapped_column(
        ForeignKey("signatures.id", ondelete="CASCADE"), index=True
    )
    # SHA-256 of the token; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    signature: Mapped[Signature] = relationship()

    def __repr__(self) -> str:
        return f"<ConfirmationToken {self.id} signature={self.signature_id}>"


class ListRule(db.Model):
    """An allow-list or block-list entry; campaign NULL applies to every campaign (admins only)."""

    __tablename__ = "list_rules"
    __table_args__ = (
        UniqueConstraint("campaign_id", "kind", "value", name="uq_list_rules_campaign_id_kind_value"),
        CheckConstraint(check_in("kind", RuleKind), name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    # An address or CIDR range, a domain in IDNA ASCII lower case, or an email's duplicate key.
    value: Mapped[str] = mapped_column(String(320))
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("organizers.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<ListRule {self.id} {self.kind}>"
