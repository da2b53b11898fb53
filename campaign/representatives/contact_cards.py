"""A visitor's representatives as cards ready to display: contact links, a letter, what they did.

Built here from districts.lookup() and representatives.for_place(); templates only show them.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from campaign import cache
from campaign.campaigns import action_cards, sharing
from campaign.extensions import db
from campaign.models import Campaign, OutreachChannel, Representative
from campaign.places import districts, regions, towns
from campaign.representatives import greetings, outreach, seats

_US_OFFICES = {
    "senator": (_l("U.S. Senator"), "Senator"),
    "representative": (_l("U.S. Representative"), "Representative"),
    "delegate": (_l("Delegate to the U.S. House"), "Delegate"),
}
_OTHER_OFFICES = {"mp": _l("Member of Parliament")}

# What the visitor says they did, and how it reads once noted.
_WAYS = {
    OutreachChannel.EMAIL: (_l("By email"), _l("Contacted by email ✓")),
    OutreachChannel.PHONE: (_l("By phone"), _l("Contacted by phone ✓")),
    OutreachChannel.FORM: (_l("Through their web form"), _l("Contacted through their web form ✓")),
    OutreachChannel.LETTER: (_l("By letter"), _l("Contacted by letter ✓")),
}


@dataclass(frozen=True)
class Way:
    """One "I contacted them" button, or its ✓ once the visitor pressed it."""

    channel: str
    label: str
    done_label: str
    done: bool


@dataclass(frozen=True)
class RepresentativeCard:
    id: int
    name: str
    office: str
    party: str
    area: str  # the state, or the district's name
    phone: str
    tel: str
    contact_form_url: str
    address: str
    website: str
    email: str  # "" unless the office publishes one
    mailto: str
    letter: str
    ways: tuple[Way, ...]


@dataclass(frozen=True)
class Section:
    """The members for one part of the place: its state-wide seats, or one district."""

    heading: str
    district: str  # the district's code; "" for state-wide seats
    area: str
    cards: list[RepresentativeCard] = field(default_factory=list)


@dataclass(frozen=True)
class Lookup:
    place: districts.Place
    town: str
    sections: list[Section]

    @property
    def found(self) -> bool:
        return any(section.cards for section in self.sections)

    @property
    def postcode_word(self) -> str:
        return "ZIP code" if self.place.country == "US" else "postcode"

    def district_options(self) -> list[tuple[str, str]]:
        """(code, "area: member names") for each candidate district of a shared postcode."""
        return [
            (s.district, f"{s.area}: {', '.join(c.name for c in s.cards) or 'no member listed'}")
            for s in self.sections if s.district
        ]


def find(campaign: Campaign, country: str, postcode: str, signer: action_cards.Signer | None,
         contacted: Callable[[list[int]], dict[int, set[str]]] | None = None) -> Lookup:
    """The representatives of a postcode, each with the campaign's letter addressed to them.

    contacted(ids) tells which channels this visitor already marked for each representative.
    """
    place = districts.lookup(country, postcode)
    found = seats.for_place(place)
    marked = contacted([r.id for r in found]) if contacted and found else {}
    letter = action_cards.letter_text(campaign, signer)
    cards = {r.id: _card(r, campaign.title, letter, marked.get(r.id, set())) for r in found}
    return Lookup(place, _town(place), _sections(place, found, cards))


def _sections(place: districts.Place, found: list[Representative],
              cards: dict[int, RepresentativeCard]) -> list[Section]:
    """The state-wide seats first, then a section per candidate district, even a vacant one."""
    sections = []
    state_wide = [cards[r.id] for r in found if not r.district]
    if state_wide:
        sections.append(Section(_state_wide_heading(found), "",
                                _region_label(place.country, place.region), state_wide))
    for code in place.districts:
        members = [r for r in found if r.district == code]
        area = district_label(place.country, code,
                              next((r.district_name for r in members if r.district_name), ""))
        if place.shared:
            heading = area
        else:
            heading = _("Your representative") if len(members) < 2 else _("Your representatives")
        sections.append(Section(heading, code, area, [cards[r.id] for r in members]))
    return sections


def _town(place: districts.Place) -> str:
    if place.country != "US" or not towns.us_city(place.postcode):
        return ""
    return towns.town_of(place.country, place.postcode, place.region)


def representatives_known(country: str) -> bool:
    """Whether any representative of the country is loaded (cached for seconds)."""
    def any_loaded() -> bool:
        return db.session.scalar(
            select(Representative.id).where(Representative.country == country).limit(1)
        ) is not None

    return cache.cached(("representatives-known", country), any_loaded)


def district_label(country: str, code: str, stored_name: str = "") -> str:
    """A district's name: as imported, else "Minnesota's 5th congressional district"."""
    if stored_name:
        return stored_name
    state, _dash, number = code.partition("-")
    if country == "US" and state:
        if number == "AL":
            return _("%(state)s (at large)", state=regions.state_name(state))
        if number.isdigit():
            return _("%(state)s's %(ordinal)s congressional district",
                     state=regions.state_name(state), ordinal=_ordinal(int(number)))
    return code


def _ordinal(n: int) -> str:
    if not str(get_locale() or "en").startswith("en"):
        # Other languages write their ordinals as their catalog says ("5.º" in Spanish).
        return _("%(number)s.", number=n)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _region_label(country: str, region: str) -> str:
    return regions.state_name(region) if country == "US" and region else region


def _state_wide_heading(found: list[Representative]) -> str:
    senators = [r for r in found if not r.district and r.office == "senator"]
    if senators and len(senators) == len([r for r in found if not r.district]):
        return _("Your senator") if len(senators) == 1 else _("Your senators")
    return _("Representing your whole region")


def _web_link(url: str) -> str:
    # Imported data, shown as a link: only web addresses, never javascript: or data: ones.
    return url if url.lower().startswith(("https://", "http://")) else ""


def _office(representative: Representative) -> tuple[str, str]:
    """(the office as shown, the title a letter greets them with)."""
    if representative.country == "US" and representative.office in _US_OFFICES:
        shown, title = _US_OFFICES[representative.office]
        return str(shown), title
    office = representative.office
    return str(_OTHER_OFFICES.get(office, office.replace("_", " ").capitalize())), ""


def _area(representative: Representative) -> str:
    if representative.district:
        return district_label(representative.country, representative.district,
                              representative.district_name)
    return _region_label(representative.country, representative.region)


def _card(representative: Representative, subject: str, letter: str,
          marked: set[str]) -> RepresentativeCard:
    office, title = _office(representative)
    greeting = greetings.greeting(title, representative.name, representative.family_name)
    addressed = f"{greeting}\n\n{letter}"
    return RepresentativeCard(
        id=representative.id,
        name=representative.name,
        office=office,
        party=representative.party,
        area=_area(representative),
        phone=representative.phone,
        tel=sharing.tel(representative.phone),
        contact_form_url=_web_link(representative.contact_form_url),
        address=representative.address,
        website=_web_link(representative.website),
        email=representative.email,
        mailto=sharing.mailto(representative.email, subject=subject, body=addressed)
        if representative.email else "",
        letter=addressed,
        ways=tuple(Way(channel, *map(str, _WAYS[OutreachChannel(channel)]), done=channel in marked)
                   for channel in outreach.channels_for(representative)),
    )
