"""Deliveries of a petition to offices, and each office's answer."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from campaign.clock import utcnow
from campaign.extensions import db
from campaign.models.types import BigId, UTCDateTime, check_in


class DeliveryMethod(enum.StrEnum):
    EMAIL = "email"
    POST = "post"
    IN_PERSON = "in_person"
    WEB_FORM = "web_form"


class AnswerStatus(enum.StrEnum):
    SUPPORTS = "supports"
    OPPOSES = "opposes"
    NO_POSITION = "no_position"
    DECLINED = "declined"


# The office a delivery went to: the campaign's own target, or "representative:<id>".
TARGET_OFFICE = "target"


class Delivery(db.Model):
    """The petition delivered to one office of a campaign, and that office's answer, if any."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("campaign_id", "office_key", name="uq_deliveries_campaign_id_office_key"),
        CheckConstraint(check_in("method", DeliveryMethod), name="method"),
        CheckConstraint(f"answer_status IS NULL OR {check_in('answer_status', AnswerStatus)}",
                        name="answer_status"),
        # An answer has a status and a date, or it is no answer at all.
        CheckConstraint("(answer_status IS NULL AND answered_on IS NULL) OR "
                        "(answer_status IS NOT NULL AND answered_on IS NOT NULL)",
                        name="answer_complete"),
        CheckConstraint("answered_on IS NULL OR answered_on >= delivered_on",
                        name="answered_after_delivery"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    office_key: Mapped[str] = mapped_column(String(40))
    # Kept if a later import drops the representative: the record stays with the name below.
    representative_id: Mapped[int | None] = mapped_column(
        ForeignKey("representatives.id", ondelete="SET NULL"), index=True
    )
    office_name: Mapped[str] = mapped_column(String(300))
    delivered_on: Mapped[date]
    method: Mapped[str] = mapped_column(String(12))
    # SHA-256 (hex) of the packet PDF delivered, when one was.
    packet_sha256: Mapped[str | None] = mapped_column(String(64))
    answer_status: Mapped[str | None] = mapped_column(String(12))
    answered_on: Mapped[date | None]
    answer_quote: Mapped[str] = mapped_column(Text, default="")
    answer_url: Mapped[str] = mapped_column(String(2000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<Delivery {self.id} campaign={self.campaign_id} {self.office_key} {self.answer_status}>"
