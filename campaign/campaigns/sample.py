"""The sample campaign a newcomer sees on a fresh database, imported from the project's own article."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from campaign.articles import read_article
from campaign.campaigns.imports import import_article
from campaign.extensions import db
from campaign.models import Campaign

ARTICLE_FILE = Path(__file__).parent / "sample_articles" / "article-library-grants.txt"
SLUG = "keep-library-grants"


def load_if_empty() -> Campaign | None:
    """Import the sample campaign, open, when the database has no campaign at all."""
    if db.session.scalar(select(func.count(Campaign.id))):
        return None
    imported = read_article(ARTICLE_FILE.read_text(encoding="utf-8"))
    outcome = import_article(
        imported,
        slug=SLUG,
        open_now=True,
        title="Keep federal library grants funded",
        petition_text=(
            "We ask Congress to keep the federal grants to state library agencies funded at no "
            "less than this year's level, so that no rural branch closes for want of them."
        ),
        target="The US Senate and House Appropriations Committees",
        goal=5000,
        default_country="US",
    )
    db.session.commit()
    return outcome.campaign
