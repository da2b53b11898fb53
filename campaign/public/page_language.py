"""Which language a campaign's public page speaks, and the campaign's texts in it.

The interface language is chosen by campaign.languages.choice (?lang=, then the browser's, then
the campaign's own); the campaign's text follows it wherever a translation exists.
"""
from __future__ import annotations

from babel import Locale
from flask import current_app, g
from flask_babel import get_locale

from campaign.languages import choice, translations
from campaign.links import public_url
from campaign.models import Campaign


def note_language(campaign: Campaign) -> None:
    """The campaign's own language: the page speaks it when the visitor asks for none of ours.

    Set before anything is translated, since the language is chosen once per request."""
    g.campaign_language = campaign.language


def interface_language() -> str:
    """The language of this page's interface (a code of LANGUAGES, or "en")."""
    language = str(get_locale())
    return language if language in current_app.config["LANGUAGES"] else "en"


def shown(campaign: Campaign) -> translations.CampaignView:
    """The campaign's texts in this page's language, where it has them."""
    return translations.localized(campaign, interface_language())


def page_languages(campaign: Campaign) -> list[dict]:
    """Each language the campaign is written in, with its page (the count is the same on each)."""
    return [{"code": code, "name": choice.autonym(code), "dir": choice.direction(code),
             "url": public_url("public.campaign", slug=campaign.slug, lang=code)}
            for code in translations.languages_of(campaign)]


def alternates(campaign: Campaign) -> list[dict]:
    """The campaign page's hreflang alternates: one per language its text is written in."""
    return [*({"hreflang": page["code"], "href": page["url"]} for page in page_languages(campaign)),
            {"hreflang": "x-default", "href": public_url("public.campaign", slug=campaign.slug, lang=None)}]


def written_in(campaign: translations.CampaignView) -> str | None:
    """The name of the language the campaign's text is in, in the page's language, when the two
    differ (a Spanish page of a campaign not yet translated into Spanish); None when they agree."""
    interface = interface_language()
    if campaign.language == interface:
        return None
    try:
        return Locale.parse(campaign.language).get_display_name(interface) or campaign.language
    except (ValueError, LookupError):
        return campaign.language
