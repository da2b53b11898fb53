"""The call to action as cards ready to display: links built here, templates only show them."""
from __future__ import annotations

from dataclasses import dataclass, field

from campaign.campaigns import sharing
from campaign.models import Action, ActionKind, Campaign
from campaign.places import countries


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


def signature_block(signer: Signer | None) -> str:
    """How a letter ends: the signer's name and town, or blanks to fill in."""
    if signer is None:
        return "Sincerely,\n[Your name]\n[Your town]"
    return f"Sincerely,\n{signer.name}\n{signer.place}".rstrip()


def letter_text(campaign: Campaign, signer: Signer | None) -> str:
    """The campaign's example letter (or its petition text), signed."""
    examples = ((a.details or {}).get("letter") or {} for a in campaign.actions)
    example = next((e["example"] for e in examples if e.get("example")), campaign.petition_text)
    return f"{example}\n\n{signature_block(signer)}"


def place_of(region: str, postcode: str, country: str) -> str:
    """A signer's town or area as they may want it under a letter."""
    return ", ".join(part for part in (region or postcode, countries.name_of(country)) if part)


def build(campaign: Campaign, page_url: str, signer: Signer | None = None) -> list[Card]:
    """Every action of the campaign, in order, as a card."""
    letter = letter_text(campaign, signer)
    return [_card(action, campaign, page_url, letter) for action in campaign.actions]


def _card(action: Action, campaign: Campaign, page_url: str, letter: str) -> Card:
    details = action.details or {}
    card = Card(kind=action.kind, title=action.title, text=action.body, section=details.get("section", ""),
                items=[i for i in details.get("items", []) if i.get("label") or i.get("text")])
    subject = campaign.title
    if details.get("letter") or action.kind == ActionKind.LETTER:
        card.what_to_say = list((details.get("letter") or {}).get("what_to_say", []))
        card.letter = letter
        card.letter_mailto = sharing.mailto("", subject=subject, body=letter)
    if action.kind == ActionKind.CONTACT:
        card.contacts = [_contact(c, subject, letter) for c in details.get("contacts", [])]
    elif action.kind == ActionKind.SHARE:
        card.hashtags = list(details.get("hashtags") or campaign.hashtags)
        card.share_links = sharing.share_links(page_url, campaign.title, card.hashtags, campaign.title)
    elif action.kind == ActionKind.ORGANIZATIONS:
        card.organizations = list(details.get("organizations", []))
    elif action.kind in (ActionKind.EVENT, ActionKind.HOST):
        card.event = details.get("event") or {}
    elif action.kind == ActionKind.PETITION:
        card.petition_titles = list(details.get("petition_titles", []))
    return card


def _contact(contact: dict, subject: str, letter: str) -> dict:
    """A contact as shown: an email only once an organizer has verified it."""
    verified = bool(contact.get("email_verified") and contact.get("email"))
    return {
        "name": contact.get("name", ""),
        "office": contact.get("office", ""),
        "address": contact.get("address", ""),
        "phone": contact.get("phone", ""),
        "tel": sharing.tel(contact.get("phone", "")),
        "contact_form": contact.get("contact_form", ""),
        "email": contact["email"] if verified else "",
        "mailto": sharing.mailto(contact["email"], subject=subject, body=letter) if verified else "",
        "unverified": bool(contact.get("email")) and not verified,
    }
