"""A campaign's counts as a public document, no personal data.

In the spirit of the UK Parliament petitions' JSON: the total, then by country, by US state
and by district with the district's representatives, with ISO 8601 UTC timestamps.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from campaign.clock import utcnow
from campaign.counts import constituents
from campaign.delivery import accountability
from campaign.events import summaries
from campaign.extensions import db
from campaign.languages import translations
from campaign.links import public_url
from campaign.models import Campaign, Representative
from campaign.places import countries, regions


def iso(moment: datetime | None) -> str | None:
    """2026-03-01T12:00:00Z, or None."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def _districts_with_members(codes: list[str]) -> dict[str, tuple[str, list[str]]]:
    """District code → (its name, its members' names), for the codes given."""
    found: dict[str, tuple[str, list[str]]] = {}
    if not codes:
        return found
    rows = db.session.execute(
        select(Representative.district, Representative.district_name, Representative.name)
        .where(Representative.district.in_(codes)).order_by(Representative.name)
    )
    for code, name, member in rows:
        found.setdefault(code, (name, []))[1].append(member)
    return found


def _languages(campaign: Campaign) -> list[dict]:
    """Each language the campaign is written in, with its title and the address of its page."""
    return [{"code": code, "title": translations.localized(campaign, code).title,
             "url": public_url("public.campaign", slug=campaign.slug, lang=code)}
            for code in translations.languages_of(campaign)]


def document(campaign: Campaign) -> dict:
    """The public document of a campaign's confirmed signatures (plain values, JSON-ready)."""
    by_region = constituents.cached_region_counts(campaign.id)
    by_district = constituents.cached_district_counts(campaign.id)
    per_country: dict[str, int] = {}
    for (country, _), count in by_region.items():
        per_country[country] = per_country.get(country, 0) + count
    states = constituents.us_state_counts(by_region)
    members = _districts_with_members(sorted(by_district.by_district)
                                      + sorted({c for codes in by_district.shared for c in codes}))
    data = {
        "slug": campaign.slug,
        "title": campaign.title,
        "url": public_url("public.campaign", slug=campaign.slug),
        # The campaign's own language first, then each translation: one page each, one count.
        "language": campaign.language,
        "languages": _languages(campaign),
        "state": campaign.status,
        "petition": campaign.petition_text,
        "goal": campaign.goal,
        "created_at": iso(campaign.created_at),
        "updated_at": iso(campaign.updated_at),
        "signature_count": sum(by_region.values()),
        "signatures_by_country": sorted(
            ({"name": countries.name_of(code), "code": code, "signature_count": count}
             for code, count in per_country.items()), key=lambda row: row["name"]),
        "signatures_by_region": sorted(
            ({"name": regions.state_name(code), "code": code, "signature_count": count}
             for code, count in states.items() if code), key=lambda row: row["name"]),
        "signatures_by_district": [
            {"code": code, "name": members.get(code, ("", []))[0],
             "representative": members.get(code, ("", []))[1], "signature_count": count}
            for code, count in sorted(by_district.by_district.items())
        ],
        "signatures_in_shared_postcodes": [
            {"districts": list(codes),
             "representative": [name for code in codes for name in members.get(code, ("", []))[1]],
             "signature_count": count}
            for codes, count in sorted(by_district.shared.items())
        ],
        "signatures_with_unknown_district": by_district.unknown,
        "response_threshold": campaign.response_threshold,
        "accountability": accountability.document_rows(
            accountability.rows(campaign, today=utcnow().date())),
        "counted_at": iso(utcnow()),
        "events": summaries.public_rows(campaign.id, campaign.slug, now=utcnow()),
    }
    if campaign.closes_at:
        data["closing_at"] = iso(campaign.closes_at)
    return data
