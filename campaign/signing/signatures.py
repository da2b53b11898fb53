"""Signatures: recording a signer once per campaign, and what visitors may see of signers."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, exists, or_, select, true
from sqlalchemy.dialects import postgresql, sqlite

from campaign import cache, database
from campaign.abuse import list_rules
from campaign.extensions import db
from campaign.models import Campaign, CampaignStatus, Signature, SignatureStatus
from campaign.models.types import new_uuid
from campaign.places import countries, districts, regions
from campaign.signing import signer_mail
from campaign.signing.signer_input import duplicate_key
from campaign.webhooks import queue as webhooks


class CampaignClosed(Exception):
    """The campaign does not take signatures (closed, past its date, or a draft)."""


@dataclass(frozen=True)
class SignerDetails:
    """What a signer entered, already cleaned by the form."""

    full_name: str
    email: str
    country: str
    postcode: str = ""
    comment: str = ""
    show_name: bool = False
    contact_ok: bool = False
    source: str = ""
    ip_hash: str = ""
    ip_net_hash: str = ""
    # Matched against the block lists, never stored.
    ip_address: str = ""
    # The language of the page they signed on: their emails speak it.
    language: str = "en"


@dataclass(frozen=True)
class Signed:
    """What sign() did: whether the public count changed, and the new row's id (None for a repeat).

    True exactly when the count changed, as sign() answered before it said more.
    """

    count_changed: bool
    new_id: int | None = None

    def __bool__(self) -> bool:
        return self.count_changed


def sign(campaign: Campaign, details: SignerDetails, *, now: datetime) -> Signed:
    """Record a signature, or answer a repeat by email; the caller cannot tell which.

    The unique (campaign, email_key) constraint settles races: the insert is an
    INSERT ... ON CONFLICT DO NOTHING, so under any concurrency exactly one row is made and
    the others learn, in the same statement, that this person has signed already. Returns
    whether the public count changed (a signature that counts at once) and the new row's id,
    which only the signer's own session may keep.
    """
    if not campaign.accepts_signatures(now):
        raise CampaignClosed(campaign.slug)
    email_key = duplicate_key(details.email)
    # On a block list: stored for an organizer to review, answered like any other signature.
    held_reason = list_rules.rules_for(campaign.slug).block_reason(details.ip_address, email_key)
    counts_at_once = not campaign.require_confirmation and not held_reason
    # One indexed SELECT: the state and the candidate districts from the imported mapping.
    place = districts.lookup(details.country, details.postcode)
    values = {
        "campaign_id": campaign.id,
        "full_name": details.full_name,
        "email": details.email,
        "email_key": email_key,
        "postcode": details.postcode,
        "country": details.country,
        "region": place.region,
        "postcode_area": regions.postcode_area(details.country, details.postcode),
        "district": place.district,
        "district_choices": place.district_choices,
        "held_reason": held_reason,
        "comment": details.comment,
        "comment_hidden": False,
        "show_name": details.show_name,
        "contact_ok": details.contact_ok,
        "source": details.source[:100],
        "ip_hash": details.ip_hash,
        "ip_net_hash": details.ip_net_hash,
        "status": (SignatureStatus.HELD if held_reason
                else SignatureStatus.CONFIRMED if counts_at_once else SignatureStatus.PENDING),
        "created_at": now,
        "confirmed_at": now if counts_at_once else None,
        "updated_at": now,
        "uuid": new_uuid(),
        "language": details.language,
    }
    new_id = database.execute_plain(_insert_unless_signed(), {**values, "open_at": now}).scalar()
    if new_id is None and not _open_now(campaign.id, now):
        raise CampaignClosed(campaign.slug)  # closed (elsewhere) since this process read it
    if held_reason:  # no email, to a new or an earlier signer: held ones are reviewed first
        return Signed(count_changed=False, new_id=new_id)
    if new_id is None:
        _answer_repeat(campaign, values["email_key"], now)
        return Signed(count_changed=False)
    signature = Signature(id=new_id, **values)  # not added: the row is already written
    if counts_at_once:
        signer_mail.send_thanks(campaign, signature, now=now, first=True)
        webhooks.signature_confirmed(signature, now=now)
    else:
        signer_mail.send_confirmation(campaign, signature, now=now, first=True)
    return Signed(count_changed=counts_at_once, new_id=new_id)


@functools.cache
def _insert_statement(dialect: str):
    """INSERT ... SELECT the values WHERE the campaign is open ... ON CONFLICT DO NOTHING.

    The campaign's state is read in the statement that writes: a campaign closed a moment
    ago, in any process, takes no new signature, whatever its row said when the request began.
    """
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table, campaigns = Signature.__table__, Campaign.__table__
    columns = [column for column in table.columns if column.key != "id"]
    now = bindparam("open_at", type_=campaigns.c.closes_at.type)
    campaign_open = exists().where(
        campaigns.c.id == bindparam("campaign_id"),
        campaigns.c.status == CampaignStatus.OPEN,
        or_(campaigns.c.closes_at.is_(None), campaigns.c.closes_at > now),
    )
    values = select(*[bindparam(column.key, type_=column.type) for column in columns]).where(campaign_open)
    return (insert(table).from_select([column.key for column in columns], values)
            .on_conflict_do_nothing(index_elements=["campaign_id", "email_key"])
            .returning(table.c.id))


def _open_now(campaign_id: int, now: datetime) -> bool:
    """Whether the campaign takes signatures, as the database says now (not a cached row)."""
    row = db.session.execute(
        select(Campaign.status, Campaign.closes_at).where(Campaign.id == campaign_id)
    ).one_or_none()
    return row is not None and Campaign.accepts_signatures(row, now)  # the model's rule, on these columns


def _insert_unless_signed():
    """One statement, built once per database kind, run with each signer's values."""
    return _insert_statement(db.engine.dialect.name)


def _locked_signature(campaign: Campaign, key: str) -> Signature | None:
    # Locked so that concurrent repeats take turns at the daily email limit.
    return db.session.scalar(
        select(Signature)
        .where(Signature.campaign_id == campaign.id, Signature.email_key == key)
        .with_for_update()
    )


def _answer_repeat(campaign: Campaign, key: str, now: datetime) -> None:
    existing = _locked_signature(campaign, key)
    if existing is None:  # deleted between our insert and this read: nothing to answer
        return
    if existing.status == SignatureStatus.PENDING:
        signer_mail.send_confirmation_again(campaign, existing, now=now)
    elif existing.status == SignatureStatus.CONFIRMED:
        signer_mail.send_already_signed(campaign, existing, now=now)


def resend_confirmation(campaign: Campaign, email: str, *, now: datetime) -> None:
    """Send a new link if this address has a pending signature here; otherwise nothing."""
    existing = _locked_signature(campaign, duplicate_key(email))
    if existing is not None and existing.status == SignatureStatus.PENDING and campaign.accepts_signatures(now):
        signer_mail.send_confirmation_on_request(campaign, existing, now=now)


@dataclass(frozen=True)
class PublicSigner:
    """What a visitor may see of a signer who agreed to be named: never email or postcode."""

    name: str
    place: str
    comment: str
    signed_at: datetime


def latest_public_query(campaign_id: int, limit: int):
    # "= true", not "IS TRUE": only an equality lets PostgreSQL read the show_name index.
    return (
        select(Signature.full_name, Signature.region, Signature.country, Signature.comment,
               Signature.comment_hidden, Signature.confirmed_at)
        .where(
            Signature.campaign_id == campaign_id,
            Signature.status == SignatureStatus.CONFIRMED,
            Signature.show_name == true(),
        )
        .order_by(Signature.confirmed_at.desc(), Signature.id.desc())
        .limit(limit)
    )


def latest_public(campaign_id: int, limit: int = 10) -> list[PublicSigner]:
    """The latest confirmed signers who ticked "show my name", newest first."""

    def compute() -> list[PublicSigner]:
        rows = db.session.execute(latest_public_query(campaign_id, limit))
        return [
            PublicSigner(
                name=row.full_name,
                place=row.region or countries.name_of(row.country),
                comment="" if row.comment_hidden else row.comment,
                signed_at=row.confirmed_at,
            )
            for row in rows
        ]

    return cache.cached((campaign_id, "latest", limit), compute)


def confirm(signature: Signature, *, now: datetime) -> bool:
    """Count a pending signature; False when there was nothing to do (already confirmed...)."""
    if signature.status != SignatureStatus.PENDING:
        return False
    signature.status = SignatureStatus.CONFIRMED
    signature.confirmed_at = now
    webhooks.signature_confirmed(signature, now=now)
    return True

