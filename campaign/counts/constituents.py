"""Constituents who signed, per representative: aggregate counts over confirmed signatures.

A district seat counts the confirmed signers whose district is the seat's; a seat elected by a
whole region (a senator) counts every confirmed signer of its country and region. Signers in
postcodes shared by several districts are counted apart, by their candidate districts, and
never split between the seats. Every figure comes from a GROUP BY that reads one index:
no signature is loaded.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import ColumnElement, func, select

from campaign import cache
from campaign.delivery import exports
from campaign.extensions import db
from campaign.models import OutreachChannel, Representative, Signature, SignatureStatus
from campaign.places import countries, districts, regions
from campaign.representatives import outreach

CHANNELS = tuple(channel.value for channel in OutreachChannel)
CSV_COLUMNS = (
    "kind", "representative", "office", "party", "country", "region", "district",
    "district_name", "constituents", "in_shared_postcodes",
    *(f"outreach_{channel}" for channel in CHANNELS),
)


@dataclass(frozen=True)
class DistrictCounts:
    """Confirmed signers by district, in shared postcodes by candidate districts, and the rest."""

    by_district: dict[str, int]
    shared: dict[tuple[str, ...], int]
    unknown: int


@dataclass(frozen=True)
class Seat:
    """A representative with their constituents who signed and the outreaches they received."""

    id: int
    name: str
    office: str
    party: str
    country: str
    region: str
    district: str  # "" for a seat of the whole region
    district_name: str
    constituents: int
    # Signers in postcodes shared with other districts, one of which is this seat's.
    in_shared: int = 0
    outreach: dict[str, int] = field(default_factory=dict)

    @property
    def outreach_total(self) -> int:
        return sum(self.outreach.values())

    @property
    def place(self) -> str:
        """The seat's district code, or its region for a seat of the whole region."""
        return self.district or self.region

    @property
    def label(self) -> str:
        return seat_label(self)


def seat_label(seat: Seat | Representative) -> str:
    """The place a seat stands for, in words: its district's name, or "Minnesota (whole state)"."""
    if seat.district_name:
        return seat.district_name
    if seat.country == "US":
        place = regions.state_name(seat.region)
    else:
        place = seat.region or countries.name_of(seat.country)
    if not seat.district:
        return f"{place} (whole {'state' if seat.country == 'US' else 'region'})"
    return f"{place}, district {seat.district}"


@dataclass(frozen=True)
class SharedGroup:
    """Signers whose postcode lies in all of these districts; which one is theirs is unknown."""

    districts: tuple[str, ...]
    count: int
    members: tuple[str, ...]  # the district seats' representatives, by name


@dataclass(frozen=True)
class Report:
    """Everything the representatives page, its downloads and the packets list count."""

    confirmed: int
    seats: list[Seat]
    shared: list[SharedGroup]
    unknown_district: int


def _confirmed(campaign_id: int) -> list[ColumnElement[bool]]:
    return [Signature.campaign_id == campaign_id, Signature.status == SignatureStatus.CONFIRMED]


def district_counts(campaign_id: int) -> DistrictCounts:
    """Confirmed signers grouped by (district, district_choices): one pass of that index."""
    rows = db.session.execute(
        select(Signature.district, Signature.district_choices, func.count())
        .where(*_confirmed(campaign_id))
        .group_by(Signature.district, Signature.district_choices)
    )
    by_district: Counter[str] = Counter()
    shared: Counter[tuple[str, ...]] = Counter()
    unknown = 0
    for district, choices, count in rows:
        if district:
            by_district[district] += count
        elif candidates := districts.choices_of(choices):
            shared[tuple(sorted(candidates))] += count
        else:
            unknown += count
    return DistrictCounts(dict(by_district), dict(shared), unknown)


def region_counts(campaign_id: int) -> dict[tuple[str, str], int]:
    """Confirmed signers by (country, region): one pass of the places index."""
    rows = db.session.execute(
        select(Signature.country, Signature.region, func.count())
        .where(*_confirmed(campaign_id))
        .group_by(Signature.country, Signature.region)
    )
    return {(country, region): count for country, region, count in rows}


def cached_region_counts(campaign_id: int) -> dict[tuple[str, str], int]:
    """region_counts(), shared by the public page's map and JSON for TALLY_CACHE_SECONDS."""
    return cache.cached((campaign_id, "regions"), lambda: region_counts(campaign_id))


def cached_district_counts(campaign_id: int) -> DistrictCounts:
    """district_counts(), reused by public readers for TALLY_CACHE_SECONDS."""
    return cache.cached((campaign_id, "districts"), lambda: district_counts(campaign_id))


# The public map may lag the count: its states are recounted this many tally lifetimes apart.
MAP_LIFETIMES = 10


def map_state_counts(campaign_id: int) -> dict[str, int]:
    """US state counts for the public page's map, recounted in the background when stale.

    At a million signatures a recount reads the places index for a few hundred milliseconds:
    every 30 seconds (by default) in a thread, not every 3 while visitors wait.
    """
    return cache.refreshed_in_background(
        (campaign_id, "map"), lambda: us_state_counts(region_counts(campaign_id)),
        current_app.config["TALLY_CACHE_SECONDS"] * MAP_LIFETIMES)


def us_state_counts(by_region: dict[tuple[str, str], int]) -> dict[str, int]:
    """The US part of region counts: state code → signers ("" for a ZIP of no known state)."""
    return {region: count for (country, region), count in by_region.items() if country == "US"}


def seat_count(representative: Representative, by_district: DistrictCounts,
               by_region: dict[tuple[str, str], int]) -> int:
    """The confirmed constituents of one seat, from the grouped counts."""
    if representative.district:
        return by_district.by_district.get(representative.district, 0)
    return by_region.get((representative.country, representative.region), 0)


def shared_with(campaign_id: int, district: str) -> int:
    """Confirmed signers in postcodes shared between this district and others."""
    return _shared_by_district(district_counts(campaign_id).shared)[district] if district else 0


def _shared_by_district(shared: dict[tuple[str, ...], int]) -> Counter[str]:
    """District code → signers in shared postcodes that may lie in it."""
    counts: Counter[str] = Counter()
    for codes, count in shared.items():
        for code in codes:
            counts[code] += count
    return counts


def report(campaign_id: int) -> Report:
    """Every representative with constituents who signed, in shared postcodes, or contacted."""
    by_district = district_counts(campaign_id)
    by_region = region_counts(campaign_id)
    contacted = outreach.counts(campaign_id)
    signer_countries = {country for country, _ in by_region}
    candidates = db.session.scalars(
        select(Representative).where(Representative.country.in_(signer_countries))
    ).all() if signer_countries else []
    if missing := set(contacted) - {r.id for r in candidates}:
        candidates = [*candidates, *db.session.scalars(
            select(Representative).where(Representative.id.in_(missing)))]
    in_shared = _shared_by_district(by_district.shared)
    seats = []
    for representative in candidates:
        seat = Seat(
            id=representative.id, name=representative.name, office=representative.office,
            party=representative.party, country=representative.country,
            region=representative.region, district=representative.district,
            district_name=representative.district_name,
            constituents=seat_count(representative, by_district, by_region),
            in_shared=in_shared[representative.district] if representative.district else 0,
            outreach={channel: contacted.get(representative.id, {}).get(channel, 0)
                      for channel in CHANNELS},
        )
        if seat.constituents or seat.in_shared or seat.outreach_total:
            seats.append(seat)
    seats.sort(key=_seat_order)
    return Report(
        confirmed=sum(by_region.values()),
        seats=seats,
        shared=shared_groups(by_district.shared, candidates),
        unknown_district=by_district.unknown,
    )


def shared_groups(shared: dict[tuple[str, ...], int],
                  representatives: list[Representative]) -> list[SharedGroup]:
    """The shared-postcode groups, largest first, each with its districts' members by name."""
    members: dict[str, list[str]] = {}
    for representative in representatives:
        if representative.district:
            members.setdefault(representative.district, []).append(representative.name)
    return [
        SharedGroup(codes, count, tuple(name for code in codes for name in sorted(members.get(code, []))))
        for codes, count in sorted(shared.items(), key=lambda item: (-item[1], item[0]))
    ]


def _seat_order(seat: Seat) -> tuple:
    # By place, the region's own seats (senators) before its districts, then by name.
    return (seat.country, seat.region, seat.district != "", seat.district, seat.office, seat.name)


def report_csv(found: Report) -> str:
    """The report as CSV: a "seat" row per representative, then "shared" and "unknown" rows."""
    rows: list[tuple] = []
    for seat in found.seats:
        rows.append(("seat", seat.name, seat.office, seat.party, seat.country, seat.region,
                     seat.district, seat.district_name, seat.constituents, seat.in_shared,
                     *(seat.outreach.get(channel, 0) for channel in CHANNELS)))
    for group in found.shared:
        rows.append(("shared", " / ".join(group.members), "", "", "", "", " ".join(group.districts),
                     "", group.count, "", *("" for _ in CHANNELS)))
    rows.append(("unknown", "", "", "", "", "", "", "", found.unknown_district, "",
                 *("" for _ in CHANNELS)))
    return exports.csv_table(CSV_COLUMNS, rows)


def report_json(found: Report, *, slug: str, generated_at: datetime) -> str:
    """The report as a JSON document."""
    document = {
        "campaign": slug,
        "generated_at": generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "confirmed_signatures": found.confirmed,
        "representatives": [
            {"name": seat.name, "office": seat.office, "party": seat.party,
             "country": seat.country, "region": seat.region, "district": seat.district,
             "district_name": seat.district_name, "constituents": seat.constituents,
             "in_shared_postcodes": seat.in_shared, "outreach": dict(seat.outreach)}
            for seat in found.seats
        ],
        "shared_postcodes": [
            {"districts": list(group.districts), "representatives": list(group.members),
             "signature_count": group.count}
            for group in found.shared
        ],
        "unknown_district": found.unknown_district,
    }
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"
