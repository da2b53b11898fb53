"""The sample campaign a newcomer sees on a fresh database, loaded from the project's own article."""
from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import func, select

from . import campaigns
from .extensions import db
from .models import ActionKind, Article, Campaign, CampaignStatus

ARTICLE_FILE = Path(__file__).parent / "sample" / "article-library-grants.txt"
SLUG = "keep-library-grants"
_MARKER = re.compile(r"^sign (?:the|our) petition", re.IGNORECASE)
_NUMBERED = re.compile(r"(?:^|\s)\d+\.\s+\*\*(.+?)\*\*:?\s*")
_ITEM = re.compile(r"\s*-\s+")


def _actions_of(section: str) -> list[tuple[str, str]]:
    """Numbered `1. **Title**: text - **Label**: text` items as (title, lines) pairs."""
    parts = _NUMBERED.split(section)
    actions = []
    for title, body in zip(parts[1::2], parts[2::2]):
        lines = [line.replace("**", "").strip() for line in _ITEM.split(body)]
        actions.append((title.strip(), "\n".join(line for line in lines if line)))
    return actions


def _read_article(text: str) -> tuple[Article, list[str], list[tuple[str, str]]]:
    """The article, the commentary paragraphs and the action sections of a sample file."""
    lines = [line.rstrip() for line in text.splitlines()]
    headline, byline, *rest = lines
    source, _, published = byline.partition(" -- ")
    categories: list[str] = []
    if rest and rest[0].startswith("Categories:"):
        categories = [c.strip() for c in rest.pop(0).removeprefix("Categories:").split(",") if c.strip()]
    news, commentary, sections = [], [], []
    part = news
    for line in filter(None, (line.strip() for line in rest)):
        marker = _MARKER.match(line)
        if marker and part is news:
            part = commentary
            line = line[marker.end():].strip()
            if not line:
                continue
        if line.startswith("### "):
            sections.append((line[4:].strip(), ""))
            part = None
            continue
        if part is None:
            title, body = sections[-1]
            sections[-1] = (title, f"{body}\n{line}".strip())
        else:
            part.append(line)
    article = Article(
        headline=headline.strip(),
        source=source.strip(),
        published_text=published.strip(),
        categories=categories,
        body="\n\n".join(news),
    )
    return article, commentary, sections


def load_if_empty() -> Campaign | None:
    """Create the sample campaign, open, when the database has no campaign at all."""
    if db.session.scalar(select(func.count(Campaign.id))):
        return None
    article, commentary, sections = _read_article(ARTICLE_FILE.read_text(encoding="utf-8"))
    db.session.add(article)
    campaign = campaigns.create(
        slug=SLUG,
        title="Keep federal library grants funded",
        petition_text=(
            "We ask Congress to keep the federal grants to state library agencies funded at no "
            "less than this year's level, so that no rural branch closes for want of them."
        ),
        target="The US Senate and House Appropriations Committees",
        goal=5000,
        article=article,
        commentary="\n\n".join(commentary),
        hashtags=["SaveOurLibraries", "LibrariesWork"],
        status=CampaignStatus.OPEN,
        default_country="US",
    )
    for _, section in sections:
        for title, body in _actions_of(section):
            kind = ActionKind.PETITION if "petition" in title.lower() else ActionKind.TEXT
            campaigns.add_action(campaign, kind=kind, title=title, body=body)
    db.session.commit()
    return campaign
