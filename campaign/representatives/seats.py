"""Who represents a place: the seats of its region (senators) and of its districts."""
from __future__ import annotations

from sqlalchemy import and_, or_, select

from campaign.extensions import db
from campaign.models import Representative
from campaign.places.districts import Place

# Seats elected by a whole region come first, then district seats; then by name.
_OFFICE_ORDER = {"senator": 0, "representative": 1, "delegate": 1, "mp": 1}


def for_place(place: Place) -> list[Representative]:
    """The region-wide seats and the seats of every candidate district of the place.

    A shared postcode lists each candidate district's member, so the visitor can tell
    which is theirs; an unknown postcode lists only the region-wide seats.
    """
    seats = []
    if place.districts:
        seats.append(Representative.district.in_(place.districts))
    if place.region:
        seats.append(and_(Representative.region == place.region, Representative.district == ""))
    if not seats:
        return []
    found = db.session.scalars(
        select(Representative).where(Representative.country == place.country, or_(*seats))
    ).all()
    return sorted(found, key=lambda r: (r.district != "", _OFFICE_ORDER.get(r.office, 2), r.district, r.name))


def for_district(country: str, region: str, district: str) -> list[Representative]:
    """The members who sit for one district (usually one)."""
    return list(db.session.scalars(
        select(Representative)
        .where(Representative.country == country, Representative.region == region,
               Representative.district == district)
        .order_by(Representative.name)
    ))
