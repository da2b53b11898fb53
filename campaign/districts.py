"""Which districts a postcode lies in, from the imported postcode → district mapping.

A postcode may lie in several districts (a ZIP code split by a district line). The most
specific entry wins: a full ZIP+4 or UK postcode before its 5-digit ZIP or outward code.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from . import regions
from .extensions import db
from .models import PostcodeDistrict

# Joins the candidate district codes of a shared postcode in Signature.district_choices.
CHOICES_SEPARATOR = " "


@dataclass(frozen=True)
class Place:
    """Where a postcode is: its region (US state) and the districts it may lie in, sorted."""

    country: str
    postcode: str
    region: str
    districts: tuple[str, ...]

    @property
    def district(self) -> str:
        """The one district, or "" when the postcode is unknown or shared."""
        return self.districts[0] if len(self.districts) == 1 else ""

    @property
    def shared(self) -> bool:
        return len(self.districts) > 1


def lookup_keys(country: str, postcode: str) -> list[str]:
    """The postcode as stored, then the broader forms a mapping may list it by."""
    keys = [postcode] if postcode else []
    if country == "US" and len(postcode) > 5:
        keys.append(postcode[:5])  # ZIP+4 → ZIP
    elif " " in postcode:
        keys.append(postcode.split(" ", 1)[0])  # UK "SW1A 1AA" → outward code "SW1A"
    return keys


def lookup(country: str, postcode: str) -> Place:
    """The region and candidate districts of a postcode (already cleaned by the sign form)."""
    keys = lookup_keys(country, postcode)
    rows = db.session.execute(
        select(PostcodeDistrict.postcode, PostcodeDistrict.region, PostcodeDistrict.district)
        .where(PostcodeDistrict.country == country, PostcodeDistrict.postcode.in_(keys))
    ).all() if keys else []
    for key in keys:  # the most specific key that the mapping knows
        matching = [row for row in rows if row.postcode == key]
        if matching:
            region = next((row.region for row in matching if row.region), "")
            return Place(country, postcode, region or regions.region_for(country, postcode),
                         tuple(sorted({row.district for row in matching})))
    return Place(country, postcode, regions.region_for(country, postcode), ())


def assignment(country: str, postcode: str) -> tuple[str, str]:
    """What a new signature stores: (district, district_choices)."""
    place = lookup(country, postcode)
    if place.shared:
        return "", CHOICES_SEPARATOR.join(place.districts)
    return place.district, ""


def choices_of(district_choices: str) -> list[str]:
    return [code for code in district_choices.split(CHOICES_SEPARATOR) if code]
