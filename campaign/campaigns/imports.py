"""Storing an imported article as a campaign: created once, then updated in place."""
from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from campaign.articles import ImportedAction, ImportedArticle, Report
from campaign.campaigns import store
from campaign.extensions import db
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
    article.headline = imported.headline[:500] or "Untitled article"
    article.source = imported.source[:200]
    article.published_text = imported.published_text[:200]
    article.published_at = imported.published_at
    article.categories = list(imported.categories)
    article.body = "\n\n".join(imported.paragraphs)


def _new_campaign(imported, article, slug, open_now, notes, fields) -> Campaign:
    slug = slug or _free_slug(store.slugify(imported.headline))
    fields.setdefault("title", article.headline[:300])
    if "petition_text" not in fields:
        fields["petition_text"] = _petition_text(imported)
        notes.append("The petition text was taken from the article: review it before opening.")
    status = CampaignStatus.OPEN if open_now else CampaignStatus.DRAFT
    return store.create(slug=slug, article=article, status=status, **fields)


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
