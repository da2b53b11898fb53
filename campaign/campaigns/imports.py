"""Storing an imported article as a campaign: created once, then updated in place."""
from __future__ import annotations

import copy
import dataclasses
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from campaign.articles import ImportedAction, ImportedArticle, Report, detect_language
from campaign.campaigns import drafting, store
from campaign.extensions import db
from campaign.languages import choice, translations
from campaign.models import Action, ActionKind, Article, Campaign, CampaignStatus

PETITION_TEXT_MAX = 1000


@dataclass
class ImportOutcome:
    """What an import did, and the importer's report with notes of our own."""

    campaign: Campaign
    created: bool
    report: Report
    notes: list[str]


def import_article(
    imported: ImportedArticle, *, slug: str | None = None, open_now: bool = False,
    match_existing: bool = True, **fields
) -> ImportOutcome:
    """Create the article's campaign, or update it in place keeping its signatures.

    An existing campaign is found by slug, else by the article's source and headline. On
    update the article, commentary, hashtags and actions follow the file; what organizers
    own (title, petition text, goal, target, status) stays as they set it. With
    match_existing=False a new campaign is always made (the slug must then be free).
    """
    notes: list[str] = []
    campaign = _existing_campaign(imported, slug) if match_existing else None
    if campaign is None:
        article = Article()
        db.session.add(article)
    else:
        article = campaign.article or Article()
        campaign.article = article
    _fill_article(article, imported)
    if campaign is None:
        campaign = _new_campaign(imported, article, slug, open_now, notes, fields)
        created = True
        _take_language(campaign, imported, notes)
    else:
        created = False
        if open_now:
            campaign.status = CampaignStatus.OPEN
    store.touch(campaign)
    campaign.commentary = "\n\n".join(imported.commentary)
    campaign.hashtags = _hashtags(imported)
    _replace_actions(campaign, imported)
    db.session.flush()
    return ImportOutcome(campaign=campaign, created=created, report=imported.report, notes=notes)


def _take_language(campaign: Campaign, imported: ImportedArticle, notes: list[str]) -> None:
    """A new campaign is in the article's language when the text tells it clearly (else the default)."""
    found = detect_language("\n\n".join([imported.headline, *imported.paragraphs, *imported.commentary]))
    if found and found in translations.supported() and found != campaign.language:
        campaign.language = found
        notes.append(_("The article reads as %(language)s: the campaign's language is set to it "
                       "(change it under Translations).", language=choice.autonym(found)))


def _existing_campaign(imported: ImportedArticle, slug: str | None) -> Campaign | None:
    if slug:
        campaign = store.get_by_slug(slug)
        if campaign is not None:
            return campaign
    return db.session.scalar(
        select(Campaign)
        .join(Article, Campaign.article_id == Article.id)
        .where(Article.source == imported.source[:200], Article.headline == imported.headline[:500])
        .order_by(Campaign.id)
        .limit(1)
    )


def _fill_article(article: Article, imported: ImportedArticle) -> None:
    if store.has_control_characters(imported.headline):  # shown on the page and in the review
        raise store.InvalidCampaign("The headline cannot contain line breaks or control characters.")
    article.headline = imported.headline[:500] or "Untitled article"
    article.source = imported.source[:200]
    article.published_text = imported.published_text[:200]
    article.published_at = imported.published_at
    article.categories = list(imported.categories)
    article.body = "\n\n".join(imported.paragraphs)


def _new_campaign(imported, article, slug, open_now, notes, fields) -> Campaign:
    drafted = _drafted_fields(imported, article, fields, notes)
    slug = slug or _free_slug(title_slug(fields["title"]))
    status = CampaignStatus.OPEN if open_now else CampaignStatus.DRAFT
    campaign = store.create(slug=slug, article=article, status=status, **fields)
    campaign.drafted_fields = drafted
    return campaign


DRAFTED_NAMES = {"title": "the title", "target": "the target", "petition_text": "the petition text"}


def _drafted_fields(imported: ImportedArticle, article: Article, fields: dict,
                    notes: list[str]) -> dict[str, str]:
    """Fill the fields the caller left out from drafting's rules: {field: where it came from}.

    A field no rule fits keeps what the importer took before (no target, the first words of
    the petition action) and its reason, so the review step flags it; the title always has one
    (T5, a last resort), the headline kept only should that ever fail.
    """
    draft = drafting.draft_ask(imported)
    fallbacks = {"title": article.headline[:300], "target": "", "petition_text": _petition_text(imported)}
    drafted: dict[str, str] = {}
    for name, fallback in fallbacks.items():
        if name in fields:
            continue
        proposal = getattr(draft, name)
        fields[name] = proposal.value if proposal.found else fallback
        drafted[name] = proposal.source if proposal.found else f"{proposal.source}: {NOT_DRAFTED[name]}"
        if not proposal.found:
            notes.append(f"No rule fit {DRAFTED_NAMES[name]} ({proposal.source}): {NOT_DRAFTED[name]}.")
    if drafted:
        names = ", ".join(DRAFTED_NAMES[name] for name in drafted)
        notes.append(f"Drafted from the article: {names}. Review them before opening.")
    return drafted


NOT_DRAFTED = {"title": "the headline stays", "target": "left empty",
               "petition_text": "the first words of the petition action or commentary stay"}


SLUG_WORDS_MAX = 60
# A last-resort title's opening says nothing of the campaign: its slug starts at the topic.
_SLUG_LEAD = re.compile(r"^(?:tell-[a-z0-9-]+?-to-|ask-your-representatives-to-)?act-on-(?:the-news-that-)?(?:the-)?")


def title_slug(title: str) -> str:
    """A short slug from the campaign's title: whole words, at most SLUG_WORDS_MAX characters."""
    slug = _SLUG_LEAD.sub("", store.slugify(title)) or store.slugify(title)
    while len(slug) > SLUG_WORDS_MAX and "-" in slug:
        slug = slug.rsplit("-", 1)[0]
    return slug[:SLUG_WORDS_MAX]


def _free_slug(base: str) -> str:
    slug, number = base[:70], 2
    while store.get_by_slug(slug) is not None:
        slug, number = f"{base[:70]}-{number}", number + 1
    return slug


def _petition_text(imported: ImportedArticle) -> str:
    """A first draft of what signers put their name to: the petition action, else the commentary."""
    for action in _actions(imported):
        if action.kind == "petition" and (action.text or action.petition_titles):
            return (action.text or "; ".join(action.petition_titles))[:PETITION_TEXT_MAX]
    if imported.commentary:
        return imported.commentary[0][:PETITION_TEXT_MAX]
    return imported.headline[:PETITION_TEXT_MAX]


def _actions(imported: ImportedArticle) -> list[ImportedAction]:
    return [action for section in imported.sections for action in section.actions]


def _hashtags(imported: ImportedArticle) -> list[str]:
    tags: list[str] = []
    for action in _actions(imported):
        tags.extend(tag for tag in action.hashtags if tag not in tags)
    return tags


def _replace_actions(campaign: Campaign, imported: ImportedArticle) -> None:
    """New actions from the file; contacts an organizer verified stay verified."""
    verified = {
        (contact["name"], contact["email"])
        for action in campaign.actions
        for contact in action.details.get("contacts", [])
        if contact.get("email_verified")
    }
    campaign.actions.clear()
    db.session.flush()
    for section in imported.sections:
        for action in section.actions:
            details = action_details(action, section.title)
            for contact in details["contacts"]:
                if (contact["name"], contact["email"]) in verified:
                    contact["email_verified"] = True
            campaign.actions.append(
                Action(kind=action.kind, title=action.title[:300], body=action.text, details=details,
                       position=len(campaign.actions))
            )
    if imported.closing:  # the article's last word after its actions, kept in its place
        campaign.actions.append(Action(kind=ActionKind.TEXT, title="", body=imported.closing,
                                       details={}, position=len(campaign.actions)))


def action_details(action: ImportedAction, section: str) -> dict:
    """An imported action's parts as JSON-ready values."""
    details = dataclasses.asdict(action)
    for key in ("number", "kind", "title", "text"):
        details.pop(key)
    details["section"] = section
    return details


def verify_contact(campaign: Campaign, name: str, email: str | None = None) -> int:
    """Mark the campaign's contacts of this name verified (correcting the email if given)."""
    changed = 0
    for action in campaign.actions:
        details = copy.deepcopy(action.details)
        for contact in details.get("contacts", []):
            if contact["name"].casefold() == name.casefold():
                if email is not None:
                    contact["email"] = email
                contact["email_verified"] = bool(contact["email"])
                changed += 1
        if details != action.details:
            action.details = details
            flag_modified(action, "details")
            store.touch(campaign)
    return changed
