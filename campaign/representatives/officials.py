"""Officials named in a campaign's articles, matched to the imported representatives.

A named official is matched by name (case, accents, middle names and initials, titles such
as "Sen." set aside) and, where the article says them, office, state and district. The
result says whether they matched, with the representative's own contact data, or why not.
Two queries for a whole campaign: the country's names, then the matched representatives.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from campaign import cache
from campaign.extensions import db
from campaign.models import Campaign, Representative
from campaign.places import regions
from campaign.representatives import greetings, official_names
from campaign.representatives.official_names import Named

MATCHED = "matched"
NO_DATA = "no-data"  # no representative of the country is imported
NO_NAME = "no-name"  # nobody of that name
OFFICE = "office"  # someone of that name, in another office
REGION = "region"  # someone of that name, for another state or district
AMBIGUOUS = "ambiguous"  # several of that name, and nothing in the article to choose

_US_OFFICES = {"senator": "U.S. Senator", "representative": "U.S. Representative",
               "delegate": "Delegate to the U.S. House"}


@dataclass(frozen=True)
class Official:
    """A representative's own record, as plain values: what a card may show to reach them."""

    id: int
    name: str
    family_name: str  # as the data file gives it ("Cortez Masto"), else read from the name
    office: str  # as imported: senator, representative, mp...
    office_label: str  # "U.S. Senator", "Member of Parliament"...
    party: str
    country: str
    region: str
    district: str
    email: str
    phone: str
    address: str
    contact_form_url: str
    website: str


@dataclass(frozen=True)
class Match:
    """One official an article names, and whether they are an imported representative, and why."""

    name: str  # as the article names them
    office: str  # as the article gives it
    action_id: int | None
    contact_index: int  # the contact's place in its action's list
    status: str  # MATCHED, NO_DATA, NO_NAME, OFFICE, REGION or AMBIGUOUS
    reason: str
    official: Official | None = None

    @property
    def matched(self) -> bool:
        return self.official is not None


@dataclass(frozen=True)
class _Candidate:
    id: int
    name: str
    words: tuple[str, ...]
    family: tuple[str, ...]  # the family name's words, as imported; () when none was
    office: str
    region: str
    district: str


def match_campaign(campaign: Campaign) -> list[Match]:
    """Every official the campaign's actions name, in order, matched against its country's list."""
    named = [
        (action.id, index, contact.get("name", ""), contact.get("office", ""))
        for action in campaign.actions
        for index, contact in enumerate((action.details or {}).get("contacts") or [])
    ]
    return match_contacts(campaign.default_country, named)


def match_contacts(country: str, named: Iterable[tuple[int | None, int, str, str]]) -> list[Match]:
    """(action id, contact index, name, office) tuples, each matched among the country's list."""
    named = list(named)
    if not named:
        return []
    candidates = _candidates(country)
    decided = [_decide(country, action_id, index, name, office, candidates)
               for action_id, index, name, office in named]
    ids = {rep_id for rep_id, _match in decided if rep_id is not None}
    records = {r.id: r for r in db.session.scalars(
        select(Representative).where(Representative.id.in_(ids)))} if ids else {}
    return [_with_official(match, records.get(rep_id)) for rep_id, match in decided]


def _with_official(match: Match, record: Representative | None) -> Match:
    if record is None:
        if match.status != MATCHED:
            return match
        # Deleted by an import between the two queries: as good as not imported.
        return Match(match.name, match.office, match.action_id, match.contact_index, NO_NAME,
                     _("No imported representative is named %(name)s.", name=match.name))
    return Match(match.name, match.office, match.action_id, match.contact_index, match.status,
                 match.reason, official_of(record))


def official_of(record: Representative) -> Official:
    """A representative's record as plain values."""
    return Official(
        id=record.id, name=record.name,
        family_name=record.family_name or greetings.family_name(record.name),
        office=record.office, office_label=office_label(record.country, record.office),
        party=record.party, country=record.country, region=record.region, district=record.district,
        email=record.email, phone=record.phone, address=record.address,
        contact_form_url=_web_link(record.contact_form_url), website=_web_link(record.website),
    )


def office_label(country: str, office: str) -> str:
    """An office as shown: "U.S. Senator", "Member of Parliament", "Councillor"."""
    if country == "US" and office in _US_OFFICES:
        return _US_OFFICES[office]
    return "Member of Parliament" if office == "mp" else office.replace("_", " ").capitalize()


def _web_link(url: str) -> str:
    # Imported data, shown as a link: only web addresses, never javascript: or data: ones.
    return url if url.lower().startswith(("https://", "http://")) else ""


def _candidates(country: str) -> list[_Candidate]:
    """The country's representatives as comparable names (one query, reused for seconds)."""
    def load() -> list[_Candidate]:
        rows = db.session.execute(
            select(Representative.id, Representative.name, Representative.family_name,
                   Representative.office, Representative.region, Representative.district)
            .where(Representative.country == country)
        )
        return [_Candidate(row.id, row.name, official_names.words_of(row.name),
                           official_names.words_of(row.family_name), row.office, row.region,
                           row.district) for row in rows]

    return cache.cached(("officials", country), load)


def _decide(country: str, action_id: int | None, index: int, name: str, office: str,
            candidates: list[_Candidate]) -> tuple[int | None, Match]:
    """(the matched representative's id or None, the match without the record yet)."""
    def result(status: str, reason: str, rep_id: int | None = None) -> tuple[int | None, Match]:
        return rep_id, Match(name, office, action_id, index, status, reason)

    said = official_names.read(name, office, country)
    if not candidates:
        return result(NO_DATA, _("No representatives of %(country)s are imported yet.", country=country))
    found = [c for c in candidates
             if official_names.names_agree(said.words, c.words, c.family)]
    if not said.words or not found:
        return result(NO_NAME, _("No imported representative is named %(name)s.", name=name or _("(no name)")))
    if said.offices:
        in_office = [c for c in found if c.office in said.offices]
        if not in_office:
            return result(OFFICE, _not_in_office(found, said.office_text))
        found = in_office
    region = _region_said(said, country, candidates)
    if region:
        in_region = [c for c in found if _same_region(c.region, region)]
        if not in_region:
            return result(REGION, _elsewhere(_place(country, region), found))
        found = in_region
    if said.district:
        in_district = [c for c in found if not c.district or c.district == said.district]
        if not in_district:
            return result(REGION, _elsewhere(said.district, found))
        found = in_district
    if len(found) > 1:
        return result(AMBIGUOUS, _("%(num)s representatives match %(name)s: %(list)s; the article does not "
                                   "say which.", num=len(found), name=name, list=_list(found)))
    [chosen] = found
    return result(MATCHED, _("Matched to %(official)s.", official=_describe(chosen)), chosen.id)


def _region_said(said: Named, country: str, candidates: list[_Candidate]) -> str:
    """The state the article gives; outside the US only a region some representative sits for."""
    if not said.region or country == "US":
        return said.region
    known = {official_names.fold(c.region) for c in candidates if c.region}
    return said.region if official_names.fold(said.region) in known else ""


def _same_region(stored: str, said: str) -> bool:
    return official_names.fold(stored) == official_names.fold(said)


def _describe(candidate: _Candidate) -> str:
    return f"{candidate.name} ({candidate.office}, {candidate.district or candidate.region})"


def _list(found: list[_Candidate]) -> str:
    listed = ", ".join(_describe(c) for c in found[:5])
    return _("%(list)s and others", list=listed) if len(found) > 5 else listed


def _not_in_office(found: list[_Candidate], office: str) -> str:
    """Why the representatives of that name do not count: none holds the office the article gives."""
    if office:
        return ngettext("%(list)s is not a %(office)s.", "%(list)s are not a %(office)s.", len(found),
                        list=_list(found), office=office.lower())
    return ngettext("%(list)s is not in that office.", "%(list)s are not in that office.", len(found),
                    list=_list(found))


def _elsewhere(said: str, found: list[_Candidate]) -> str:
    """Why the representatives of that name do not count: they sit for another place."""
    return ngettext("The article says %(place)s; %(list)s sits for %(places)s.",
                    "The article says %(place)s; %(list)s sit for %(places)s.", len(found),
                    place=said, list=_list(found), places=_places(found))


def _place(country: str, region: str) -> str:
    return regions.state_name(region) if country == "US" else region


def _places(found: list[_Candidate]) -> str:
    return ", ".join(sorted({c.district or c.region for c in found}))
