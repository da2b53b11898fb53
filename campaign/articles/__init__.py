"""Read an article file (headline, source and date, news, commentary, actions) into plain values."""
from campaign.articles.dates import parse_published
from campaign.articles.language import detect as detect_language
from campaign.articles.reader import read_article
from campaign.articles.results import (
    KINDS,
    Contact,
    Event,
    ImportedAction,
    ImportedArticle,
    Item,
    Letter,
    Organization,
    Problem,
    Report,
    Section,
    to_json,
)

__all__ = [
    "KINDS",
    "Contact",
    "Event",
    "ImportedAction",
    "ImportedArticle",
    "Item",
    "Letter",
    "Organization",
    "Problem",
    "Report",
    "Section",
    "detect_language",
    "parse_published",
    "read_article",
    "to_json",
]
