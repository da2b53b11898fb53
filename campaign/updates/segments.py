"""Who an update goes to: the confirmed signers who allowed contact, all or a segment of them."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, func, select

from campaign.extensions import db
from campaign.models import Campaign, Representative, Signature, SignatureStatus
from campaign.updates import bounces


class InvalidSegment(ValueError):
    """A segment that names nothing real (an unknown representative...); the message says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Segment:
    """Which opted-in signers: empty fields do not narrow. Dates are UTC days."""

    country: str = ""  # ISO code, "US"
    region: str = ""  # a US state's code, "MN", or another country's region as stored
    district: str = ""  # "MN-05"
    representative_id: int | None = None  # the signers of this representative's seat
    signed_from: date | None = None  # signed on or after this day
    signed_before: date | None = None  # signed before this day

    def describe(self) -> dict:
        """The segment as plain values for the audit log and the update's record (no empty ones)."""
        return {key: value.isoformat() if isinstance(value, date) else value
                for key, value in asdict(self).items() if value not in ("", None)}


def _day(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def conditions(campaign: Campaign, segment: Segment) -> list[ColumnElement[bool]]:
    """The conditions on Signature for this campaign's recipients in the segment."""
    found = [Signature.campaign_id == campaign.id,
             Signature.status == SignatureStatus.CONFIRMED,
             Signature.contact_ok.is_(True),
             ~bounces.bounced()]
    if segment.country:
        found.append(Signature.country == segment.country.upper())
    if segment.region:
        found.append(Signature.region == segment.region.upper())
    if segment.district:
        found.append(Signature.district == segment.district.upper())
    if segment.representative_id is not None:
        found += _seat(segment.representative_id)
    if segment.signed_from and segment.signed_before and segment.signed_from >= segment.signed_before:
        raise InvalidSegment("signed_before", _("“Signed before” must be a later day than “signed on or after”."))
    if segment.signed_from:
        found.append(Signature.created_at >= _day(segment.signed_from))
    if segment.signed_before:
        found.append(Signature.created_at < _day(segment.signed_before))
    return found


def _seat(representative_id: int) -> list[ColumnElement[bool]]:
    """A representative's constituents, counted as the delivery packets count them: a district
    seat's signers whose district is its own, a seat of a whole region every signer there."""
    representative = db.session.get(Representative, representative_id)
    if representative is None:
        raise InvalidSegment("representative_id", _("No representative has that id."))
    if representative.district:
        return [Signature.country == representative.country,
                Signature.district == representative.district]
    return [Signature.country == representative.country,
            Signature.region == representative.region]


def count(campaign: Campaign, segment: Segment) -> int:
    """How many signers the update would go to now."""
    return db.session.scalar(select(func.count(Signature.id)).where(*conditions(campaign, segment)))


def choices(campaign: Campaign) -> dict[str, list]:
    """What the segment form offers: the countries, regions and districts of opted-in
    signers, and the representatives of those districts and regions, in a few GROUP BYs."""
    opted_in = (Signature.campaign_id == campaign.id,
                Signature.status == SignatureStatus.CONFIRMED, Signature.contact_ok.is_(True))
    places = db.session.execute(
        select(Signature.country, Signature.region, Signature.district)
        .where(*opted_in).group_by(Signature.country, Signature.region, Signature.district)).all()
    countries = sorted({c for c, _, _ in places if c})
    regions = sorted({r for _, r, _ in places if r})
    districts = sorted({d for _, _, d in places if d})
    pairs = {(c, r) for c, r, _ in places if r}
    representatives = [
        (rep.id, f"{rep.name} ({rep.office}, {rep.district or rep.region})")
        for rep in db.session.scalars(
            select(Representative).where(Representative.country.in_(countries or [""]))
            .order_by(Representative.region, Representative.district, Representative.name))
        if rep.district in districts or (not rep.district and (rep.country, rep.region) in pairs)]
    return {"countries": countries, "regions": regions, "districts": districts,
            "representatives": representatives}
