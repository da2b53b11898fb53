"""A campaign's upcoming events as public data: what, when, where (no closer than the town) and
how many are coming; never a person's name, email or an online meeting's link."""
from __future__ import annotations

from datetime import datetime

from campaign.events import calendar_files, store


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def public_rows(campaign_id: int, slug: str, *, now: datetime) -> list[dict]:
    """Each upcoming published event with its RSVP counts, JSON-ready, soonest first."""
    events = store.upcoming(campaign_id, now=now)
    counts = store.counts([event.id for event in events])
    return [{
        "id": event.uuid,
        "title": event.title,
        "url": calendar_files.page_url(event, slug),
        "starts_at": _iso(event.starts_at),
        "ends_at": _iso(event.ends_at),
        "timezone": event.timezone,
        "online": bool(event.online_url),
        "town": "" if event.online_url else event.town,
        "region": "" if event.online_url else event.region,
        "country": "" if event.online_url else event.country,
        "capacity": event.capacity,
        "going_count": counts[event.id][0],
        "waiting_count": counts[event.id][1],
    } for event in events]
