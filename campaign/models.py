"""Typed database models: articles, campaigns, actions, signatures, tokens and the outbox."""
from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import true

from .clock import utcnow
from .extensions import db

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets 64-bit ids.
BigId = BigInteger().with_variant(Integer, "sqlite")


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _check_in(column: str, values: type[enum.StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class CampaignStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class SignatureStatus(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    INVALIDATED = "invalidated"
    # Stored for an organizer to review (a block list matched): not counted, answered as usual.
    HELD = "held"


class ActionKind(enum.StrEnum):
    PETITION = "petition"
    CONTACT = "contact"
    LETTER = "letter"
    ORGANIZATIONS = "organizations"
    SHARE = "share"
    EVENT = "event"
    HOST = "host"
    TEXT = "text"


class OrganizerRole(enum.StrEnum):
    ADMIN = "admin"  # sees and manages every campaign
    ORGANIZER = "organizer"  # sees the campaigns they own or were added to


class MemberRole(enum.StrEnum):
    OWNER = "owner"
    MEMBER = "member"


class OutreachChannel(enum.StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    FORM = "form"
    LETTER = "letter"


class RuleKind(enum.StrEnum):
    """An organizer's list entry: addresses and networks allowed or blocked, blocked emails."""

    ALLOW_IP = "allow_ip"  # a shared address (a school, a rally's wifi): no per-address limit
    BLOCK_IP = "block_ip"  # an address or a CIDR range
    BLOCK_DOMAIN = "block_domain"  # an email domain
    BLOCK_EMAIL = "block_email"  # one address, compared by its duplicate key


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


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
        CheckConstraint(_check_in("status", CampaignStatus), name="status"),
        CheckConstraint("goal > 0", name="goal_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(16), default=CampaignStatus.DRAFT)
    petition_text: Mapped[str] = mapped_column(Text, default="")
    target: Mapped[str] = mapped_column(String(300), default="")
    goal: Mapped[int] = mapped_column(Integer, default=1000)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    commentary: Mapped[str] = mapped_column(Text, default="")
    hashtags: Mapped[list[str]] = mapped_column(JSON, default=list)
    require_confirmation: Mapped[bool] = mapped_column(default=True)
    # The country preselected on the sign form.
    default_country: Mapped[str] = mapped_column(String(2), default="US")
    # Delivery packets list each constituent's name and town, or only the count when False.
    deliver_names: Mapped[bool] = mapped_column(default=True, server_default=true())
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
    __table_args__ = (CheckConstraint(_check_in("kind", ActionKind), name="kind"),)

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


def _postcode_area_of_row(context) -> str:
    from .regions import postcode_area  # the ZIP data module, only when a row needs it

    row = context.get_current_parameters()
    return postcode_area(row.get("country") or "", row.get("postcode") or "")


class Signature(db.Model):
    __tablename__ = "signatures"
    __table_args__ = (
        # One signature per person and campaign, settled by the database under any race.
        UniqueConstraint("campaign_id", "email_key", name="uq_signatures_campaign_id_email_key"),
        CheckConstraint(_check_in("status", SignatureStatus), name="status"),
        # Counts by status, and the latest confirmed signers, read from one index.
        Index("ix_signatures_campaign_id_status_confirmed_at", "campaign_id", "status", "confirmed_at"),
        Index("ix_signatures_campaign_id_created_at", "campaign_id", "created_at"),
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


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint(_check_in("status", OutboxStatus), name="status"),
        Index("ix_outbox_messages_status_next_attempt_at", "status", "next_attempt_at"),
        Index(
            "ix_outbox_messages_campaign_id_recipient_key_created_at",
            "campaign_id",
            "recipient_key",
            "created_at",
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # Stable across retries, so a receiving server can drop a repeat.
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="SET NULL")
    )
    # The signer's duplicate key, to cap how many emails one address gets.
    recipient_key: Mapped[str | None] = mapped_column(String(320))
    # Random input from which the confirmation token is derived at send time, then erased.
    token_nonce: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A worker holds a message until then while it sends, so two workers do not both send it.
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} {self.status}>"


class Organizer(db.Model):
    __tablename__ = "organizers"
    __table_args__ = (CheckConstraint(_check_in("role", OrganizerRole), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased: one account per address however it is typed.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=OrganizerRole.ORGANIZER)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    first_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list[CampaignMember]] = relationship(
        back_populates="organizer", cascade="all, delete-orphan"
    )

    @property
    def is_admin(self) -> bool:
        return self.role == OrganizerRole.ADMIN

    def __repr__(self) -> str:
        return f"<Organizer {self.id} {self.role}>"


class OrganizerSession(db.Model):
    """A login: the cookie carries a random token, the database its hash and last use."""

    __tablename__ = "organizer_sessions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organizer_id: Mapped[int] = mapped_column(
        ForeignKey("organizers.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organizer: Mapped[Organizer] = relationship()

    def __repr__(self) -> str:
        return f"<OrganizerSession {self.id} organizer={self.organizer_id}>"


class CampaignMember(db.Model):
    __tablename__ = "campaign_members"
    __table_args__ = (CheckConstraint(_check_in("role", MemberRole), name="role"),)

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    organizer_id: Mapped[int] = mapped_column(
        ForeignKey("organizers.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(16), default=MemberRole.MEMBER)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organizer: Mapped[Organizer] = relationship(back_populates="memberships")
    campaign: Mapped[Campaign] = relationship()

    def __repr__(self) -> str:
        return f"<CampaignMember campaign={self.campaign_id} organizer={self.organizer_id} {self.role}>"


class AuditEntry(db.Model):
    """Who did what and when, with counts but never a signer's personal data."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_campaign_id_at", "campaign_id", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    organizer_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizers.id", ondelete="SET NULL")
    )
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(60))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)

    def __repr__(self) -> str:
        return f"<AuditEntry {self.id} {self.action}>"


class Representative(db.Model):
    """Someone who represents a place: a senator, a representative, an MP, a councillor."""

    __tablename__ = "representatives"
    __table_args__ = (
        # Importers update in place by this key, so outreaches keep pointing at the same row.
        UniqueConstraint("source", "external_id", name="uq_representatives_source_external_id"),
        Index("ix_representatives_country_region_district", "country", "region", "district"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Which import brought it: "us-congress", or the name given to a plain CSV import.
    source: Mapped[str] = mapped_column(String(40))
    # The source's own id (bioguide for Congress).
    external_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
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
        CheckConstraint(_check_in("channel", OutreachChannel), name="channel"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    # Kept if a later import drops the representative: the count was told to the visitor.
    representative_id: Mapped[int | None] = mapped_column(
        ForeignKey("representatives.id", ondelete="SET NULL"), index=True
    )
    representative_name: Mapped[str] = mapped_column(String(200), default="")
    channel: Mapped[str] = mapped_column(String(10))
    # A salted hash of the visitor's browser id: enough to count once, nothing to trace.
    visitor_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Outreach {self.id} campaign={self.campaign_id} {self.channel}>"


class ListRule(db.Model):
    """An allow-list or block-list entry; campaign NULL applies to every campaign (admins only)."""

    __tablename__ = "list_rules"
    __table_args__ = (
        UniqueConstraint("campaign_id", "kind", "value", name="uq_list_rules_campaign_id_kind_value"),
        CheckConstraint(_check_in("kind", RuleKind), name="kind"),
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
