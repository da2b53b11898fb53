"""Delivery packets: for each representative, the petition and the constituents who signed.

A packet lists each confirmed constituent's name and town (never an email or an address),
or only their number when the campaign delivers counts only. Its manifest line carries the
count and a SHA-256 of the signer list, whose exact text is defined by `canonical_list`, so
an office can check that what it holds is what was sent.
"""
from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select

from campaign.counts import constituents
from campaign.extensions import db
from campaign.models import Campaign, Representative, Signature, SignatureStatus
from campaign.places import towns

NAMES_CHECK = (
    "To check it: write each signer listed below on a line of its own, without its number: the "
    "name, a tab, the town, in the order listed, each line ending with a line feed, in UTF-8. "
    "The SHA-256 of that text (e.g. `sha256sum list.txt`) is the value above."
)
COUNTS_ONLY = ("The organizers chose to deliver the number of constituents who signed, without "
               "their names.")
ANONYMIZED = ("The signers' names were deleted when the campaign's personal data was purged; "
              "their number remains.")
COUNTS_CHECK = (
    "Names are not shared in this packet. The value is the SHA-256 of the signatures' "
    "reference numbers, held by the organizer: one per line in ascending order, each line "
    "ending with a line feed."
)


@dataclass(frozen=True)
class Signer:
    """A name and a town, as printed in a packet."""

    name: str
    town: str


@dataclass(frozen=True)
class Packet:
    """One representative's packet: the petition, who they are, and their constituents."""

    campaign_title: str
    petition_text: str
    target: str
    article_headline: str
    article_source: str
    article_url: str
    article_published: str
    representative: Representative
    seat_label: str  # "Minnesota's 5th congressional district", "Minnesota (whole state)"
    count: int
    first_signed: datetime | None
    last_signed: datetime | None
    # None when the campaign delivers counts only.
    signers: list[Signer] | None
    sha256: str
    in_shared: int  # signers in postcodes shared with this district: not counted here
    generated_at: datetime
    anonymized: bool = False  # `flask purge` deleted the names: counts only, whatever the choice

    @property
    def with_names(self) -> bool:
        return self.signers is not None

    @property
    def check_text(self) -> str:
        return NAMES_CHECK if self.with_names else COUNTS_CHECK

    @property
    def no_names_text(self) -> str:
        """Why a packet has no names."""
        return ANONYMIZED if self.anonymized else COUNTS_ONLY

    @property
    def page_size(self) -> str:
        return "Letter" if self.representative.country == "US" else "A4"


def printed_name(full_name: str) -> str:
    """The name as a packet prints it: NFC, whitespace runs made single spaces."""
    return " ".join(unicodedata.normalize("NFC", full_name).split())


def canonical_list(signers: Iterable[Signer]) -> str:
    """The text the manifest hashes: "name<TAB>town<LF>" per signer, in the printed order."""
    return "".join(f"{signer.name}\t{signer.town}\n" for signer in signers)


def sha256_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _constituent_filter(campaign_id: int, representative: Representative) -> list[ColumnElement[bool]]:
    # The same rule as constituents.seat_count, so a packet's count is the page's count.
    where = [Signature.campaign_id == campaign_id, Signature.status == SignatureStatus.CONFIRMED]
    if representative.district:
        return [*where, Signature.district == representative.district]
    return [*where, Signature.country == representative.country,
            Signature.region == representative.region]


def constituent_signers(campaign_id: int, representative: Representative) -> list[Signer]:
    """Names and towns of the seat's confirmed constituents, sorted as printed."""
    rows = db.session.execute(
        select(Signature.full_name, Signature.postcode, Signature.country, Signature.region)
        .where(*_constituent_filter(campaign_id, representative))
    )
    signers = [Signer(printed_name(name), towns.town_of(country, postcode, region))
               for name, postcode, country, region in rows]
    signers.sort(key=lambda s: (s.name.casefold(), s.name, s.town))
    return signers


def reference_digest(campaign_id: int, representative: Representative) -> str:
    """SHA-256 of the constituents' signature ids, one per line ascending (counts-only packets)."""
    ids = db.session.scalars(
        select(Signature.id).where(*_constituent_filter(campaign_id, representative))
        .order_by(Signature.id)
    )
    digest = hashlib.sha256()
    for signature_id in ids:
        digest.update(f"{signature_id}\n".encode())
    return digest.hexdigest()


def build(campaign: Campaign, representative: Representative, *, in_shared: int,
          now: datetime) -> Packet:
    """The packet of one representative (in_shared: constituents.Seat.in_shared)."""
    count, first, last = db.session.execute(
        select(func.count(), func.min(Signature.created_at), func.max(Signature.created_at))
        .where(*_constituent_filter(campaign.id, representative))
    ).one()
    anonymized = campaign.anonymized_at is not None
    with_names = campaign.deliver_names and not anonymized
    signers = constituent_signers(campaign.id, representative) if with_names else None
    digest = (sha256_of(canonical_list(signers)) if signers is not None
              else reference_digest(campaign.id, representative))
    article = campaign.article
    return Packet(
        campaign_title=campaign.title, petition_text=campaign.petition_text,
        target=campaign.target,
        article_headline=article.headline if article else "",
        article_source=article.source if article else "",
        article_url=(article.source_url or "") if article else "",
        article_published=article.published_text if article else "",
        representative=representative, seat_label=constituents.seat_label(representative),
        count=count, first_signed=first, last_signed=last, signers=signers,
        sha256=digest, in_shared=in_shared, generated_at=now, anonymized=anonymized,
    )

