"""A campaign's texts in other languages: storing its translations, and the campaign as seen
in one language, each text falling back on the original where it has no translation.

The count, the goal and the signatures stay the campaign's: a translation holds text only.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from campaign import cache
from campaign.campaigns import store
from campaign.extensions import db
from campaign.models import Campaign, CampaignTranslation

# The translated texts of the campaign itself and of its article, in the order an editor sees them.
FIELDS = ("title", "target", "petition_text", "article_headline", "article_body", "commentary")
ACTION_FIELDS = ("title", "body")


class TranslationRefused(ValueError):
    """The language cannot take a translation (unknown, or the campaign's own language)."""


@dataclass(frozen=True)
class TranslationValues:
    """A translation's texts as plain values; "" means "as in the original"."""

    title: str = ""
    target: str = ""
    petition_text: str = ""
    article_headline: str = ""
    article_body: str = ""
    commentary: str = ""
    # {str(action id): {"title": ..., "body": ...}}
    actions: dict[str, dict[str, str]] = field(default_factory=dict)


def supported() -> list[str]:
    """The languages a campaign may be written or translated in (LANGUAGES)."""
    return list(current_app.config["LANGUAGES"])


# Storing --------------------------------------------------------------------------------------

def get(campaign: Campaign, language: str) -> CampaignTranslation | None:
    """The campaign's translation into a language, if it has one."""
    return db.session.scalar(select(CampaignTranslation).where(
        CampaignTranslation.campaign_id == campaign.id, CampaignTranslation.language == language))


def translations_of(campaign: Campaign) -> list[CampaignTranslation]:
    """Every translation of the campaign, by language."""
    return list(db.session.scalars(select(CampaignTranslation).where(
        CampaignTranslation.campaign_id == campaign.id).order_by(CampaignTranslation.language)))


def values_of(translation: CampaignTranslation | None) -> TranslationValues:
    """A stored translation's texts (all empty for none yet)."""
    if translation is None:
        return TranslationValues()
    return TranslationValues(**{name: getattr(translation, name) or "" for name in FIELDS},
                             actions=dict(translation.actions or {}))


def save(campaign: Campaign, language: str, values: TranslationValues) -> CampaignTranslation:
    """Add or replace the campaign's translation into a language (the caller commits).

    Actions no longer in the campaign are dropped; empty texts fall back on the original.
    """
    _check_language(campaign, language)
    translation = get(campaign, language) or _added(campaign, language)
    for name in FIELDS:
        setattr(translation, name, (getattr(values, name) or "").strip())
    known = {str(action.id) for action in campaign.actions}
    translation.actions = {
        key: {part: (texts.get(part) or "").strip() for part in ACTION_FIELDS}
        for key, texts in values.actions.items()
        if key in known and any((texts.get(part) or "").strip() for part in ACTION_FIELDS)
    }
    store.touch(campaign)  # cached pages in every language are rebuilt
    db.session.flush()
    return translation


def _added(campaign: Campaign, language: str) -> CampaignTranslation:
    """A new, empty translation; if another request added it a moment ago, that one."""
    try:
        with db.session.begin_nested():
            translation = CampaignTranslation(campaign_id=campaign.id, language=language, actions={})
            db.session.add(translation)
        return translation
    except IntegrityError:
        return get(campaign, language)


def remove(campaign: Campaign, language: str) -> bool:
    """Delete the campaign's translation into a language; False when it had none."""
    translation = get(campaign, language)
    if translation is None:
        return False
    db.session.delete(translation)
    store.touch(campaign)
    db.session.flush()
    return True


def set_own_language(campaign: Campaign, language: str) -> None:
    """Say which language the campaign's own texts are written in."""
    if language not in supported():
        raise TranslationRefused(f"{language!r} is not one of the site's languages.")
    if language != campaign.language and get(campaign, language) is not None:
        raise TranslationRefused("The campaign has a translation into that language: remove it first.")
    campaign.language = language
    store.touch(campaign)


def _check_language(campaign: Campaign, language: str) -> None:
    if language not in supported():
        raise TranslationRefused(f"{language!r} is not one of the site's languages.")
    if language == campaign.language:
        raise TranslationRefused("That is the campaign's own language: edit the campaign itself.")


# Reading --------------------------------------------------------------------------------------

def _texts(campaign: Campaign) -> dict[str, TranslationValues]:
    """Every translation's texts, read once per version of the campaign (edits move updated_at)."""
    return cache.cached((campaign.id, "translations", campaign.updated_at), lambda: {
        translation.language: values_of(translation) for translation in translations_of(campaign)})


def languages_of(campaign: Campaign) -> list[str]:
    """The campaign's own language first, then each language it is translated into."""
    return [campaign.language, *(code for code in sorted(_texts(campaign)) if code != campaign.language)]


def content_language(campaign: Campaign, wanted: str) -> str:
    """The language the campaign's text is shown in for a visitor who wants `wanted`."""
    return wanted if wanted in languages_of(campaign) else campaign.language


class _Seen:
    """An object seen with some of its texts replaced; everything else is the original's."""

    def __init__(self, original: object, **replaced: object) -> None:
        self.__dict__.update(replaced)
        self.original = original

    def __getattr__(self, name: str):
        return getattr(self.original, name)


class ArticleView(_Seen):
    """An article with its headline and body in another language."""

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.body.split("\n\n") if p.strip()]


class CampaignView(_Seen):
    """A campaign as shown in one language: `language` is the language of its text."""

    @cached_property
    def actions(self) -> list:
        """Its actions, each with the title and text of the translation where it has them."""
        return [_action_seen(action, self.action_texts.get(str(action.id)) or {})
                for action in self.original.actions]

    def lang_attr(self, name: str) -> Markup:
        """` lang="en"` where a text ("title", "article_body"...) is shown in another language
        than the one asked for (no translation of it), so that readers pronounce it right."""
        shown = self.text_languages.get(name, self.own_language)
        return Markup(' lang="%s"') % shown if shown != self.wanted else Markup("")


def localized(campaign: Campaign, language: str) -> CampaignView:
    """The campaign's texts in a language, each falling back on the original (actions one by one).

    The view reads like the campaign (slug, status, goal... are the original's) and is for
    display only: change the campaign itself, never the view.
    """
    if isinstance(campaign, CampaignView):
        campaign = campaign.original
    values = _texts(campaign).get(language) if language != campaign.language else None
    return _view(campaign, language, values)


def localized_all(campaigns: list[Campaign], language: str) -> list[CampaignView]:
    """Several campaigns in one language (a list of them), their translations read at once."""
    wanted = [c.id for c in campaigns if c.language != language]
    found = {t.campaign_id: values_of(t) for t in db.session.scalars(select(CampaignTranslation).where(
        CampaignTranslation.campaign_id.in_(wanted), CampaignTranslation.language == language))} if wanted else {}
    return [_view(c, language, found.get(c.id)) for c in campaigns]


def _view(campaign: Campaign, language: str, values: TranslationValues | None) -> CampaignView:
    if values is None:
        return CampaignView(campaign, language=campaign.language, own_language=campaign.language,
                            wanted=language, text_languages={}, action_texts={})
    own = {name: getattr(values, name) for name in ("title", "target", "petition_text", "commentary")
           if getattr(values, name)}
    article = campaign.article
    if article is not None:
        article = ArticleView(article, headline=values.article_headline or article.headline,
                              body=values.article_body or article.body)
    text_languages = {name: language for name in FIELDS if getattr(values, name)}
    return CampaignView(campaign, language=language, own_language=campaign.language, wanted=language,
                        text_languages=text_languages, article=article, action_texts=values.actions, **own)


def _action_seen(action, texts: dict[str, str]):
    replaced = {part: texts[part] for part in ACTION_FIELDS if texts.get(part)}
    return _Seen(action, **replaced) if replaced else action


# Reviewing ------------------------------------------------------------------------------------

FIELD_LABELS = {
    "title": _l("Title"), "target": _l("Target"), "petition_text": _l("Petition statement"),
    "article_headline": _l("Article headline"), "article_body": _l("Article text"),
    "commentary": _l("Commentary"),
}


@dataclass(frozen=True)
class MissingPart:
    """A text of the original with no translation: its field ("title", "action:12:body"...) and
    the action's title where it is one."""

    name: str
    label: object  # a lazy string: shown in the reader's language
    action_title: str = ""


def original_texts(campaign: Campaign) -> dict[str, str]:
    """The campaign's own texts under the names a translation uses."""
    article = campaign.article
    return {"title": campaign.title, "target": campaign.target, "petition_text": campaign.petition_text,
            "article_headline": article.headline if article else "",
            "article_body": article.body if article else "", "commentary": campaign.commentary}


def missing_parts(campaign: Campaign, language: str) -> list[MissingPart]:
    """Each text the original has and the translation into a language lacks."""
    values = values_of(get(campaign, language))
    missing = [MissingPart(name, FIELD_LABELS[name])
               for name, text in original_texts(campaign).items()
               if text.strip() and not getattr(values, name)]
    for action in campaign.actions:
        texts = values.actions.get(str(action.id)) or {}
        for part in ACTION_FIELDS:
            if (getattr(action, part) or "").strip() and not texts.get(part):
                missing.append(MissingPart(f"action:{action.id}:{part}", _action_label(part), action.title))
    return missing


def _action_label(part: str) -> str:
    return _l("Action title") if part == "title" else _l("Action text")



# Emails ---------------------------------------------------------------------------------------

@contextmanager
def speaking(language: str) -> Iterator[None]:
    """Render what is inside (subjects and bodies of emails) in a language of LANGUAGES."""
    with force_locale(language if language in supported() else "en"):
        yield


def link_language(campaign: Campaign, language: str) -> str | None:
    """The ?lang= for a link to the campaign sent to someone who speaks `language`: None when
    the campaign's own language will do."""
    if isinstance(campaign, CampaignView):
        campaign = campaign.original
    return language if language != campaign.language and language in supported() else None
