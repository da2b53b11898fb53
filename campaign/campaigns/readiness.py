"""What a campaign still needs looked at before it opens: drafted fields, unchecked emails, officials."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from campaign.campaigns import fallback_asks, store
from campaign.languages import choice, translations
from campaign.models import Campaign
from campaign.representatives import officials

DRAFTABLE = ("title", "target", "petition_text")
FIELD_NAMES = {"title": _l("Title"), "target": _l("Target"), "petition_text": _l("Petition text")}


@dataclass(frozen=True)
class OpenItem:
    """One thing to look at: its kind ("draft", "email" or "official") and what to say about it."""

    kind: str
    text: str


@dataclass(frozen=True)
class DraftedField:
    """A field the importer may have drafted, as the review step shows it."""

    name: str
    label: str
    value: str
    source: str  # where it came from; "" once an organizer edited or kept it
    drafted: bool


def drafted_fields(campaign: Campaign) -> list[DraftedField]:
    """The title, target and petition text, each with where its draft came from if still a draft."""
    marks = campaign.drafted_fields or {}
    return [DraftedField(name, str(FIELD_NAMES[name]), getattr(campaign, name) or "", marks.get(name, ""),
                         name in marks) for name in DRAFTABLE]


def clear_edited(campaign: Campaign, before: dict[str, object]) -> list[str]:
    """Drop the mark of each drafted field whose value differs from before; the names dropped."""
    marks = dict(campaign.drafted_fields or {})
    edited = [name for name in marks if before.get(name) != getattr(campaign, name, None)]
    if edited:
        campaign.drafted_fields = {name: source for name, source in marks.items() if name not in edited}
    return edited


def keep_draft(campaign: Campaign, name: str) -> bool:
    """An organizer keeps a drafted field as it is: its mark goes. False when it had none."""
    marks = dict(campaign.drafted_fields or {})
    if name not in marks:
        return False
    del marks[name]
    campaign.drafted_fields = marks
    store.touch(campaign)
    return True


def unchecked_emails(campaign: Campaign) -> list[OpenItem]:
    """Each contact whose imported email nobody has checked yet."""
    return [
        OpenItem("email", _("The email of %(name)s in “%(action)s” (%(email)s) is unchecked.",
                            name=contact["name"], action=action.title, email=contact["email"])
                 if contact.get("name") else
                 _("The email of a contact in “%(action)s” (%(email)s) is unchecked.",
                   action=action.title, email=contact["email"]))
        for action in campaign.actions
        for contact in (action.details or {}).get("contacts") or []
        if contact.get("email") and not contact.get("email_verified")
    ]


@dataclass(frozen=True)
class TranslationGap:
    """A translation of the campaign and the texts it still lacks (none: complete)."""

    language: str
    name: str  # the language's name in itself
    missing: list[translations.MissingPart]


def translation_gaps(campaign: Campaign) -> list[TranslationGap]:
    """Each translation with the parts of the original it does not translate yet; shown at
    review, they do not hold the opening back (the original shows in their place)."""
    return [TranslationGap(t.language, choice.autonym(t.language), translations.missing_parts(campaign, t.language))
            for t in translations.translations_of(campaign)]


def official_matches(campaign: Campaign) -> list[officials.Match]:
    """Every official the actions name, matched against the imported representatives."""
    return officials.match_campaign(campaign)


def open_items(campaign: Campaign, matches: list[officials.Match] | None = None) -> list[OpenItem]:
    """Everything still to look at: drafted fields not yet edited, unchecked emails, unmatched officials."""
    items = [OpenItem("draft", _draft_item(field)) for field in drafted_fields(campaign) if field.drafted]
    items += unchecked_emails(campaign)
    for match in official_matches(campaign) if matches is None else matches:
        if not match.matched:
            named = f"{match.office} {match.name}".strip()
            items.append(OpenItem("official", _("%(official)s is not matched to an imported representative: "
                                                "%(reason)s", official=named, reason=match.reason)))
    return items


def _draft_item(field: DraftedField) -> str:
    if field.name == "title" and field.source.startswith(fallback_asks.LAST_RESORT):
        # No ask was found in the article: the generic one needs a person more than the others.
        return _("Title is still the importer's draft, a last resort made from the headline: "
                 "write the ask or keep it.")
    return _("%(field)s is still the importer's draft: edit it or keep it.", field=field.label)

