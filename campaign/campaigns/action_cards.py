"""The call to action as cards ready to display: links built here, templates only show them."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from campaign.campaigns import sharing
from campaign.links import public_url
from campaign.models import Action, ActionKind, Campaign
from campaign.places import countries, regions
from campaign.representatives import greetings, official_names, officials

# An example letter's own greeting ("Dear Senator,"): each letter is greeted by whom it goes to.
_OWN_GREETING = re.compile(r"^\s*Dear\b[^,:;!?\n]{0,60}(?:[,:]|\n)\s*")


@dataclass(frozen=True)
class Signer:
    """Who just signed, from their own session: used to prefill letters."""

    name: str
    place: str


@dataclass
class Card:
    kind: str
    title: str
    text: str
    section: str = ""
    items: list[dict] = field(default_factory=list)
    contacts: list[dict] = field(default_factory=list)
    organizations: list[dict] = field(default_factory=list)
    what_to_say: list[str] = field(default_factory=list)
    letter: str = ""
    letter_mailto: str = ""
    share_links: list[sharing.ShareLink] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)
    event: dict | None = None
    petition_titles: list[str] = field(default_factory=list)
    # A meeting card's link to the campaign's events.
    events_url: str = ""
    # A host card's link to the form that offers to host one.
    host_url: str = ""
    # Contact and letter cards start with a postcode box for the visitor's own representatives.
    lookup_country: str = ""
    postcode_word: str = ""


def signature_block(signer: Signer | None) -> str:
    """How a letter ends: the signer's name and town, or blanks to fill in."""
    if signer is None:
        return "Sincerely,\n[Your name]\n[Your town]"
    return f"Sincerely,\n{signer.name}\n{signer.place}".rstrip()


def letter_text(campaign: Campaign, signer: Signer | None) -> str:
    """The campaign's example letter (or its petition text), signed, without a greeting."""
    examples = ((a.details or {}).get("letter") or {} for a in campaign.actions)
    example = next((e["example"] for e in examples if e.get("example")), campaign.petition_text)
    return f"{_OWN_GREETING.sub('', example, count=1)}\n\n{signature_block(signer)}"


def addressed(letter: str, addressees: list[tuple[str, str, str]], country: str) -> str:
    """The letter under a greeting of its readers, (title, name, family name) each; with none
    known yet, under a greeting that names no one ("Dear Senator or Representative,")."""
    return f"{greetings.greeting_to(addressees, country)}\n\n{letter}"


def place_of(region: str, postcode: str, country: str) -> str:
    """A signer's town or area as they may want it under a letter."""
    return ", ".join(part for part in (region or postcode, countries.name_of(country)) if part)


def build(campaign: Campaign, page_url: str, signer: Signer | None = None) -> list[Card]:
    """Every action of the campaign, in order, as a card."""
    letter = letter_text(campaign, signer)
    matches = {(m.action_id, m.contact_index): m for m in officials.match_campaign(campaign)}
    return [_card(action, campaign, page_url, letter, matches) for action in campaign.actions]


def share_links(campaign: Campaign, page_url: str) -> list[sharing.ShareLink]:
    """The share card's channels (the same channels when there is no share card), without
    building every card: matching officials for the contact cards is the costly part."""
    share = next((action for action in campaign.actions if action.kind == ActionKind.SHARE), None)
    return sharing.share_links(page_url, campaign.title, _hashtags(campaign, share), campaign.title)


def _hashtags(campaign: Campaign, share: Action | None) -> list[str]:
    return list(((share.details or {}).get("hashtags") if share else None) or campaign.hashtags)


def _card(action: Action, campaign: Campaign, page_url: str, letter: str,
          matches: dict[tuple[int | None, int], officials.Match]) -> Card:
    details = action.details or {}
    card = Card(kind=action.kind, title=action.title, text=action.body, section=details.get("section", ""),
                items=[i for i in details.get("items", []) if i.get("label") or i.get("text")])
    subject, country = campaign.title, campaign.default_country
    if action.kind in (ActionKind.CONTACT, ActionKind.LETTER):
        card.lookup_country = country
        card.postcode_word = "ZIP code" if country == "US" else "postcode"
    if action.kind == ActionKind.CONTACT:
        card.contacts = [_contact(c, subject, letter, matches.get((action.id, index)), country)
                         for index, c in enumerate(details.get("contacts", []))]
    if details.get("letter") or action.kind == ActionKind.LETTER:
        card.what_to_say = list((details.get("letter") or {}).get("what_to_say", []))
        card.letter = addressed(letter, [c["addressee"] for c in card.contacts], country)
    # Only to someone: a mail with an empty "To" leaves the visitor guessing whom to write to.
    recipients = [c for c in card.contacts if c["email"]]
    if card.letter and recipients:
        card.letter_mailto = sharing.mailto(
            ",".join(c["email"] for c in recipients), subject=subject,
            body=addressed(letter, [c["addressee"] for c in recipients], country))
    elif action.kind == ActionKind.SHARE:
        card.hashtags = _hashtags(campaign, action)
        card.share_links = sharing.share_links(page_url, campaign.title, card.hashtags, campaign.title)
    elif action.kind == ActionKind.ORGANIZATIONS:
        card.organizations = list(details.get("organizations", []))
    elif action.kind in (ActionKind.EVENT, ActionKind.HOST):
        card.event = details.get("event") or {}
        if action.kind == ActionKind.EVENT:  # "Find a meeting near you"
            card.events_url = public_url("events.listing", slug=campaign.slug)
        if action.kind == ActionKind.HOST:  # "Offer to host"
            card.host_url = public_url("hosting.offer", slug=campaign.slug)
    elif action.kind == ActionKind.PETITION:
        card.petition_titles = list(details.get("petition_titles", []))
    return card


def _contact(contact: dict, subject: str, letter: str, match: officials.Match | None,
             country: str) -> dict:
    """A contact as shown: a matched official's own record, never the article's details;
    otherwise an email only once verified, and an address or phone only from a verified
    contact or one an organizer entered."""
    if match is not None and match.official is not None:
        return _official_contact(match.official, subject, letter)
    named = official_names.read(contact.get("name", ""), contact.get("office", ""), country)
    # "Sen. Marta Lindqvist (D-Minn.)" as the article wrote it: greeted "Dear Senator Lindqvist".
    addressee = (greetings.title_for(named.office_text),
                 official_names.bare_name(contact.get("name", ""), country), "")
    verified = bool(contact.get("email_verified") and contact.get("email"))
    trusted = verified or bool(contact.get("by_organizer"))
    shown = {key: contact.get(key, "") if trusted else "" for key in ("address", "phone", "contact_form")}
    return {
        "name": contact.get("name", ""),
        "office": contact.get("office", ""),
        **shown,
        "tel": sharing.tel(shown["phone"]),
        "email": contact["email"] if verified else "",
        "mailto": sharing.mailto(contact["email"], subject=subject,
                                 body=addressed(letter, [addressee], country)) if verified else "",
        "unverified": not trusted and any(contact.get(k) for k in ("email", "address", "phone", "contact_form")),
        "official": False,
        "addressee": addressee,
    }


def _official_contact(official: officials.Official, subject: str, letter: str) -> dict:
    """A matched official as the official record has them."""
    area = official.district or (regions.state_name(official.region) if official.country == "US"
                                 else official.region)
    title = greetings.title_for(official.office) if official.country == "US" else ""
    addressee = (title, official.name, official.family_name)
    return {
        "name": official.name,
        "office": ", ".join(part for part in (official.office_label, area) if part),
        "address": official.address,
        "phone": official.phone,
        "tel": sharing.tel(official.phone),
        "contact_form": official.contact_form_url,
        "email": official.email,
        "mailto": sharing.mailto(official.email, subject=subject,
                                 body=addressed(letter, [addressee], official.country))
        if official.email else "",
        "unverified": False,
        "official": True,
        "addressee": addressee,
    }
