"""A campaign's text in another language than its own; the count stays the campaign's."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from campaign.clock import utcnow
from campaign.extensions import db
from campaign.models.types import UTCDateTime


class CampaignTranslation(db.Model):
    __tablename__ = "campaign_translations"
    __table_args__ = (
        UniqueConstraint("campaign_id", "language", name="uq_campaign_translations_campaign_id_language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))  # a code of LANGUAGES ("es")
    title: Mapped[str] = mapped_column(String(300), default="")
    target: Mapped[str] = mapped_column(String(300), default="")
    petition_text: Mapped[str] = mapped_column(Text, default="")
    commentary: Mapped[str] = mapped_column(Text, default="")
    article_headline: Mapped[str] = mapped_column(String(500), default="")
    article_body: Mapped[str] = mapped_column(Text, default="")
    # {str(action id): {"title": ..., "body": ...}}: "" or missing falls back on the original.
    actions: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<CampaignTranslation {self.campaign_id} {self.language}>"
