"""What an edit changed in a campaign, for its audit line: old and new values, or "changed"."""
from __future__ import annotations

from datetime import datetime

from campaign.models import Campaign

# Short settings, recorded with their old and new values.
VALUED = ("title", "slug", "target", "goal", "status", "closes_at", "default_country",
          "require_confirmation", "deliver_names", "goal_fixed", "milestone_emails",
          "response_threshold")
# Long texts, recorded only as "changed": the audit log is no copy of the campaign.
TEXTS = ("petition_text", "commentary", "hashtags")
ARTICLE_TEXTS = ("headline", "source", "source_url", "published_text", "categories", "body")
CHANGED = "changed"


def _plain(value):
    """A value as the audit log's JSON holds it: dates as ISO 8601 text."""
    return value.isoformat() if isinstance(value, datetime) else value


def snapshot(campaign: Campaign) -> dict[str, object]:
    """The campaign's audited fields and its article's, as plain values, to compare later."""
    values = {name: _plain(getattr(campaign, name)) for name in VALUED + TEXTS}
    article = campaign.article
    for name in ARTICLE_TEXTS:
        values[f"article.{name}"] = getattr(article, name) if article is not None else None
    return values


def diff(before: dict[str, object], after: dict[str, object]) -> dict[str, object]:
    """Each field that differs: {"old": ..., "new": ...}, or "changed" for a long text."""
    return {
        name: {"old": before[name], "new": after[name]} if name in VALUED else CHANGED
        for name in after
        if before.get(name) != after[name]
    }
