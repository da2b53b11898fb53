"""Articles, the campaigns made from them, and their actions."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false, true

from campaign.clock import utcnow
from campaign.extensions import db
from campaign.models.types import UTCDateTime, check_in, new_uuid


class CampaignStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class ActionKind(enum.StrEnum):
    PETITION = "petition"
    CONTACT = "contact"
    LETTER = "letter"
    ORGANIZATIONS = "organizations"
    SHARE = "share"
    EVENT = "event"
    HOST = "host"
    TEXT = "text"


class Article(db.Model):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    headline: Mapped[str] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(200), default="")
    source_url: Mapped[str | None] = mapped_column(String(2000))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The date as the source printed it, with its own time zone name.
    published_text: Mapped[str] = mapped_column(String(200), default="")
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Paragraphs separated by blank lines.
    body: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    campaigns: Mapped[list[Campaign]] = relationship(back_populates="article")

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.body.split("\n\n") if p.strip()]

    def __repr__(self) -> str:
        return f"<Article {self.id} {self.headline[:40]!r}>"


class Campaign(db.Model):
    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint(check_in("status", CampaignStatus), name="status"),
        CheckConstraint("goal > 0", name="goal_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    # What the API names it by (OSDI identifiers), never the sequential id.
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    # The language the campaign is written in (a code of LANGUAGES); translations add others.
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), default=CampaignStatus.DRAFT)
    petition_text: Mapped[str] = mapped_column(Text, default="")
    target: Mapped[str] = mapped_column(String(300), default="")
    goal: Mapped[int] = mapped_column(Integer, default=1000)
    # Fixed by the organizer: the goal stays where they put it, never climbing the ladder
    # (counts.goals) when the count reaches it.
    goal_fixed: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Whether reaching a goal may email a short milestone update to consenting signers (off).
    milestone_emails: Mapped[bool] = mapped_column(default=False, server_default=false())
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    commentary: Mapped[str] = mapped_column(Text, default="")
    hashtags: Mapped[list[str]] = mapped_column(JSON, default=list)
    require_confirmation: Mapped[bool] = mapped_column(default=True)
    # The country preselected on the sign form.
    default_country: Mapped[str] = mapped_column(String(2), default="US")
    # Delivery packets list each constituent's name and town, or only the count when False.
    deliver_names: Mapped[bool] = mapped_column(default=True, server_default=true())
    # Confirmed signatures at which the petition is due for delivery and an answer (as the UK
    # e-petitions' 10,000); None: no threshold.
    response_threshold: Mapped[int | None] = mapped_column(Integer)
    # Fields the importer drafted from the article and no organizer has edited or kept yet:
    # {"title": where it came from, ...}.
    drafted_fields: Mapped[dict[str, str]] = mapped_column(JSON, default=dict, server_default="{}")
    # Set by `flask purge` once the signers' personal data is gone; counts stay.
    anonymized_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    article: Mapped[Article | None] = relationship(back_populates="campaigns")
    actions: Mapped[list[Action]] = relationship(
        back_populates="campaign", order_by="Action.position", cascade="all, delete-orphan"
    )

    def accepts_signatures(self, now: datetime) -> bool:
        """Open, and not past its closing date."""
        return self.status == CampaignStatus.OPEN and (self.closes_at is None or now < self.closes_at)

    def __repr__(self) -> str:
        return f"<Campaign {self.slug} {self.status}>"


class Action(db.Model):
    __tablename__ = "actions"
    __table_args__ = (CheckConstraint(check_in("kind", ActionKind), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(20), default=ActionKind.TEXT)
    title: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    # Kind-specific parts: contacts, organizations, hashtags, the letter's example...
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    campaign: Mapped[Campaign] = relationship(back_populates="actions")

    def __repr__(self) -> str:
        return f"<Action {self.id} {self.kind} #{self.position}>"
