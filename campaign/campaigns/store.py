"""Campaigns: finding them for visitors, creating them, opening and closing them."""
from __future__ import annotations

import re
import threading
import time
import unicodedata
from datetime import datetime

from flask import Flask, current_app, has_app_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, select
from sqlalchemy.orm import Session, make_transient_to_detached, object_session

from campaign.clock import utcnow
from campaign.extensions import db
from campaign.models import Action, Article, Campaign, CampaignStatus
from campaign.places import countries

SLUG_SHAPE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX = 80


class InvalidCampaign(ValueError):
    """A campaign's fields break a rule; the message says which."""


TITLE_CONTROLS = _l("The title cannot contain line breaks or control characters.")
# C0 and C1 controls (tab, CR, LF, NEL...) and the Unicode line and paragraph separators:
# the title is the subject of every email about the campaign, and a header cannot hold them.
_CONTROL_CATEGORIES = {"Cc", "Zl", "Zp"}


def has_control_characters(text: str) -> bool:
    """True when text holds a line break, a tab or another control character."""
    return any(unicodedata.category(char) in _CONTROL_CATEGORIES for char in text)


def _check_title(title: str) -> None:
    if not title.strip():
        raise InvalidCampaign(_("A campaign needs a title."))
    if has_control_characters(title):
        raise InvalidCampaign(str(TITLE_CONTROLS))


def is_valid_slug(slug: str) -> bool:
    """Lower-case letters and digits in hyphen-separated words, at most 80 characters."""
    return len(slug) <= SLUG_MAX and bool(SLUG_SHAPE.match(slug))


def slugify(text: str) -> str:
    """A slug made from a title."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    slug = "-".join(words)[:SLUG_MAX].strip("-")
    return slug or "campaign"


def get_public(slug: str) -> Campaign | None:
    """The campaign a visitor may see at this slug: open or closed, never a draft."""
    if not is_valid_slug(slug):
        return None
    return db.session.scalar(
        select(Campaign).where(
            Campaign.slug == slug,
            Campaign.status.in_([CampaignStatus.OPEN, CampaignStatus.CLOSED]),
        )
    )


def get_public_recent(slug: str) -> Campaign | None:
    """get_public(), as read by this process within CAMPAIGN_CACHE_SECONDS.

    For the pages every visitor opens and for signing, which read it on each request. A change
    committed in this process drops it at once; one made elsewhere shows within that time.
    Signing does not rely on it being current: the signature's INSERT checks that the
    campaign is open (signatures.sign).
    """
    rows = _public_rows()
    values = rows.get(slug)
    if values is not None:
        return _attached(values)
    campaign = get_public(slug)
    if campaign is not None:
        rows.put(slug, {attr.key: getattr(campaign, attr.key) for attr in Campaign.__mapper__.column_attrs})
    return campaign


class _RowCache:
    """Column values of public campaigns by slug, each for CAMPAIGN_CACHE_SECONDS; one per app."""

    MAX_ENTRIES = 1000

    def __init__(self) -> None:
        self._rows: dict[str, tuple[float, dict]] = {}
        self._lock = threading.Lock()

    def get(self, slug: str) -> dict | None:
        hit = self._rows.get(slug)
        return hit[1] if hit is not None and hit[0] > time.monotonic() else None

    def put(self, slug: str, values: dict) -> None:
        seconds = current_app.config["CAMPAIGN_CACHE_SECONDS"]
        if seconds <= 0:
            return
        with self._lock:
            if len(self._rows) >= self.MAX_ENTRIES:  # slugs of campaigns since renamed or closed
                self._rows.clear()
            self._rows[slug] = (time.monotonic() + seconds, values)

    def forget(self, campaign_ids: set[int]) -> None:
        with self._lock:
            for slug in [s for s, (_, values) in self._rows.items() if values["id"] in campaign_ids]:
                del self._rows[slug]


def _public_rows() -> _RowCache:
    return current_app.extensions["campaign_rows"]


def _attached(values: dict) -> Campaign:
    """A Campaign in this request's session made from cached values, without a query.

    Its relationships (article, actions) load on first use, as for a queried one.
    """
    existing = db.session.identity_map.get(db.session.identity_key(Campaign, values["id"]))
    if existing is not None:
        return existing
    # Filled as a query fills a loaded object: straight into __dict__, no per-attribute events
    # (the constructor's events cost more than the query this replaces).
    campaign = Campaign.__mapper__.class_manager.new_instance()
    campaign.__dict__.update({key: list(value) if isinstance(value, list) else value
                              for key, value in values.items()})
    make_transient_to_detached(campaign)
    db.session.add(campaign)
    return campaign


def init_app(app: Flask) -> None:
    app.extensions["campaign_rows"] = _RowCache()


@event.listens_for(Campaign, "after_update")
def _note_change(_mapper, _connection, campaign: Campaign) -> None:
    session = object_session(campaign)
    if session is not None:
        session.info.setdefault("changed_campaigns", set()).add(campaign.id)


def note_changed(campaign_id: int) -> None:
    """Drop the campaign's cached row once this transaction commits: for a change made by a
    Core UPDATE, which the ORM's after_update does not see."""
    db.session.info.setdefault("changed_campaigns", set()).add(campaign_id)


@event.listens_for(Session, "after_commit")
def _forget_changed_rows(session: Session) -> None:
    changed = session.info.pop("changed_campaigns", None)
    if changed and has_app_context() and "campaign_rows" in current_app.extensions:
        _public_rows().forget(changed)


@event.listens_for(Session, "after_rollback")
def _nothing_changed(session: Session) -> None:
    session.info.pop("changed_campaigns", None)


def get_by_slug(slug: str) -> Campaign | None:
    """Any campaign at this slug, drafts included (for commands)."""
    return db.session.scalar(select(Campaign).where(Campaign.slug == slug))


def list_open(now: datetime) -> list[Campaign]:
    """Campaigns taking signatures now, newest first."""
    campaigns = db.session.scalars(
        select(Campaign)
        .where(Campaign.status == CampaignStatus.OPEN)
        .order_by(Campaign.created_at.desc(), Campaign.id.desc())
    )
    return [c for c in campaigns if c.accepts_signatures(now)]


def create(
    *,
    slug: str,
    title: str,
    petition_text: str,
    target: str = "",
    goal: int = 1000,
    article: Article | None = None,
    commentary: str = "",
    hashtags: list[str] | None = None,
    status: str = CampaignStatus.DRAFT,
    require_confirmation: bool = True,
    default_country: str = "US",
    closes_at: datetime | None = None,
) -> Campaign:
    """A new campaign, added to the session (the caller commits)."""
    if not is_valid_slug(slug):
        raise InvalidCampaign(_("The slug takes lower-case letters, digits and single hyphens."))
    if get_by_slug(slug) is not None:
        raise InvalidCampaign(_("A campaign with the slug %(slug)s already exists.", slug=repr(slug)))
    if goal < 1:
        raise InvalidCampaign(_("The goal must be at least 1 signature."))
    _check_title(title)
    campaign = Campaign(
        slug=slug,
        title=title.strip(),
        petition_text=petition_text.strip(),
        target=target.strip(),
        goal=goal,
        article=article,
        commentary=commentary.strip(),
        hashtags=hashtags or [],
        status=status,
        require_confirmation=require_confirmation,
        default_country=default_country,
        closes_at=closes_at,
    )
    db.session.add(campaign)
    db.session.flush()
    return campaign


def add_action(campaign: Campaign, *, kind: str, title: str, body: str = "", details=None) -> Action:
    """Append an action to the end of the campaign's call to action."""
    action = Action(
        kind=kind, title=title, body=body, details=details or {}, position=len(campaign.actions)
    )
    campaign.actions.append(action)
    return action


def set_status(campaign: Campaign, status: str) -> None:
    """Open, close or return a campaign to draft."""
    if status not in set(CampaignStatus):
        raise InvalidCampaign(f"Unknown status {status!r}.")
    campaign.status = status


def update(campaign: Campaign, **fields) -> None:
    """Change a campaign's own fields, with the same rules as create()."""
    slug = fields.get("slug", campaign.slug)
    if slug != campaign.slug:
        if not is_valid_slug(slug):
            raise InvalidCampaign(_("The address takes lower-case letters, digits and single hyphens."))
        if get_by_slug(slug) is not None:
            raise InvalidCampaign(_("Another campaign already uses /c/%(slug)s.", slug=slug))
    if "title" in fields:
        _check_title(fields["title"])
    if "goal" in fields and (fields["goal"] is None or fields["goal"] < 1):
        raise InvalidCampaign(_("The goal must be at least 1 signature."))
    if "default_country" in fields and not countries.is_assigned(fields["default_country"]):
        raise InvalidCampaign(_("The default country must be a two-letter ISO code such as US or GB."))
    for name, value in fields.items():
        setattr(campaign, name, value.strip() if isinstance(value, str) and name != "slug" else value)


def touch(campaign: Campaign) -> None:
    """Mark the campaign changed (its article or actions too), so cached pages are rebuilt."""
    campaign.updated_at = utcnow()
