"""Which districts a postcode lies in, from the imported postcode → district mapping.

A postcode may lie in several districts (a ZIP code split by a district line). The most
specific entry wins: a full ZIP+4 or UK postcode before its 5-digit ZIP or outward code.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Row, Select, bindparam, select

from campaign import database
from campaign.extensions import db
from campaign.models import PostcodeDistrict
from campaign.places import regions

# Joins the candidate district codes of a shared postcode in Signature.district_choices.
CHOICES_SEPARATOR = " "
# Postcodes per query when many are looked up at once (SQLite allows 32,766 parameters).
MANY_CHUNK = 500


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

    @property
    def district_choices(self) -> str:
        """What Signature.district_choices stores: a shared postcode's candidates, else ""."""
        return CHOICES_SEPARATOR.join(self.districts) if self.shared else ""


def lookup_keys(country: str, postcode: str) -> list[str]:
    """The postcode as stored, then the broader forms a mapping may list it by."""
    keys = [postcode] if postcode else []
    if country == "US" and len(postcode) > 5:
        keys.append(postcode[:5])  # ZIP+4 → ZIP
    elif " " in postcode:
        keys.append(postcode.split(" ", 1)[0])  # UK "SW1A 1AA" → outward code "SW1A"
    return keys


def lookup(country: str, postcode: str) -> Place:
    """The region and candidate districts of a postcode (already cleaned by the sign form).

    One SELECT on the (country, postcode) index: it runs on every signature.
    """
    keys = lookup_keys(country, postcode)
    rows = database.execute_plain(_LOOKUP, {"country": country, "keys": keys}).all() if keys else []
    return _place(country, postcode, rows)


def lookup_many(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Place]:
    """lookup() of many (country, postcode) pairs, with one query per country and chunk."""
    wanted = set(pairs)
    keys_by_country: dict[str, set[str]] = defaultdict(set)
    for country, postcode in wanted:
        keys_by_country[country].update(lookup_keys(country, postcode))
    rows_by_key: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for country, keys in keys_by_country.items():
        ordered = sorted(keys)
        for start in range(0, len(ordered), MANY_CHUNK):
            chunk = ordered[start:start + MANY_CHUNK]
            for row in db.session.execute(_LOOKUP, {"country": country, "keys": chunk}):
                rows_by_key[country, row.postcode].append(row)
    return {
        (country, postcode): _place(country, postcode, [
            row for key in lookup_keys(country, postcode) for row in rows_by_key[country, key]
        ])
        for country, postcode in wanted
    }


# Built once: building a select() per signature cost more than running it (bench/README.md).
_LOOKUP = (
    select(PostcodeDistrict.postcode, PostcodeDistrict.region, PostcodeDistrict.district)
    .where(PostcodeDistrict.country == bindparam("country"),
           PostcodeDistrict.postcode.in_(bindparam("keys", expanding=True)))
)


def lookup_query(country: str, keys: Sequence[str]) -> Select:
    """The mapping rows of these postcode keys: read on the (country, postcode) index."""
    return _LOOKUP.params(country=country, keys=list(keys))


def _place(country: str, postcode: str, rows: Sequence[Row]) -> Place:
    """The Place from the mapping rows found for the postcode's lookup keys."""
    fallback = regions.region_for(country, postcode)
    for key in lookup_keys(country, postcode):  # the most specific key that the mapping knows
        matching = [row for row in rows if row.postcode == key]
        if matching:
            # A ZIP across a state line has rows in both states: prefer the ZIP's own state,
            # and never let the order of rows decide.
            found = sorted({row.region for row in matching if row.region})
            region = fallback if fallback in found else (found[0] if found else fallback)
            return Place(country, postcode, region,
                         tuple(sorted({row.district for row in matching})))
    return Place(country, postcode, fallback, ())


def assignment(country: str, postcode: str) -> tuple[str, str]:
    """What a new signature stores: (district, district_choices)."""
    place = lookup(country, postcode)
    return place.district, place.district_choices


def choices_of(district_choices: str) -> list[str]:
    return [code for code in district_choices.split(CHOICES_SEPARATOR) if code]
