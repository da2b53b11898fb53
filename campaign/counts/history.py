"""The count over time: confirmed signatures per hour (UTC), as open data with no personal data.

One GROUP BY on the hour of confirmed_at, read from the (campaign_id, status, confirmed_at)
index; the hour is cut by the database (date_bin on PostgreSQL, the stored text's first 13
characters on SQLite), and
the hours without a signature are filled in here, with the running total.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import Select, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from campaign import cache
from campaign.clock import utcnow
from campaign.delivery import exports
from campaign.extensions import db
from campaign.models import Signature, SignatureStatus

HOUR = timedelta(hours=1)
# Recounted in the background at most this many tally lifetimes apart (30 s by default).
HISTORY_LIFETIMES = 10
CSV_HEADER = ("hour_utc", "signatures", "total")


@dataclass(frozen=True)
class Hour:
    """One hour of the history: when it began (UTC), signatures confirmed in it, and the total by its end."""

    start: datetime
    signatures: int
    total: int

    @property
    def iso(self) -> str:
        """2026-03-01T12:00:00Z."""
        return self.start.strftime("%Y-%m-%dT%H:%M:%SZ")


class utc_hour(FunctionElement):
    """A UTC timestamp column cut to its hour, by the database."""

    name = "utc_hour"
    inherit_cache = True


@compiles(utc_hour)
def _hour_text(element, compiler, **kw) -> str:
    # SQLite stores UTCDateTime values as 'YYYY-MM-DD HH:MM:SS.ffffff' text, already in UTC
    # (delivery.exports.utc_text relies on it too): its first 13 characters are the hour, cut
    # in half the time strftime('%Y-%m-%d %H', ...) takes to parse the date.
    return f"substr({compiler.process(element.clauses, **kw)}, 1, 13)"


@compiles(utc_hour, "postgresql")
def _date_bin(element, compiler, **kw) -> str:
    # date_bin (PostgreSQL 14+) cuts by whole hours from a UTC midnight whatever the session's
    # time zone, and costs a third less per row than date_trunc('hour', x AT TIME ZONE 'UTC').
    column = compiler.process(element.clauses, **kw)
    return f"date_bin('1 hour', {column}, TIMESTAMPTZ '2000-01-01 00:00:00+00')"


def _as_utc(value: datetime | str) -> datetime:
    if isinstance(value, str):
        value = datetime.strptime(value, "%Y-%m-%d %H")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def select_hours(campaign_id: int) -> Select:
    """The GROUP BY: (hour, confirmed signatures) for each UTC hour that has any."""
    hour = utc_hour(Signature.confirmed_at)
    return (select(hour, func.count())
            .where(Signature.campaign_id == campaign_id, Signature.status == SignatureStatus.CONFIRMED,
                   Signature.confirmed_at.is_not(None))
            .group_by(hour))


def hourly_counts(campaign_id: int) -> dict[datetime, int]:
    """Confirmed signatures per UTC hour that has any, in one GROUP BY."""
    return {_as_utc(start): count for start, count in db.session.execute(select_hours(campaign_id))}


def filled(counts: dict[datetime, int], *, until: datetime | None) -> list[Hour]:
    """Every hour from the first with a signature to until's hour (else the last), with running totals."""
    if not counts:
        return []
    start = min(counts)
    end = max(counts)
    if until is not None:
        end = max(end, until.astimezone(UTC).replace(minute=0, second=0, microsecond=0))
    hours, total = [], 0
    while start <= end:
        count = counts.get(start, 0)
        total += count
        hours.append(Hour(start, count, total))
        start += HOUR
    return hours


def history(campaign_id: int, *, open_now: bool, now: datetime) -> list[Hour]:
    """The campaign's hours, uncached: up to now's hour while it is open, else to its last signature."""
    return filled(hourly_counts(campaign_id), until=now if open_now else None)


def cached_history(campaign_id: int, *, open_now: bool) -> list[Hour]:
    """history(), recounted in the background when stale (every 30 s by default), not per view."""
    ttl = current_app.config["TALLY_CACHE_SECONDS"] * HISTORY_LIFETIMES
    return cache.refreshed_in_background(
        (campaign_id, "history", open_now),
        lambda: history(campaign_id, open_now=open_now, now=utcnow()), ttl)


def cache_seconds() -> float:
    """How long the history is reused here, so shared caches may keep it as long."""
    return current_app.config["TALLY_CACHE_SECONDS"] * HISTORY_LIFETIMES


def document(slug: str, url: str, hours: list[Hour], *, counted_at: datetime) -> dict:
    """The history as a JSON-ready document: plain numbers and UTC times, no signer."""
    return {
        "slug": slug,
        "url": url,
        "interval": "hour",
        "time_zone": "UTC",
        "from": hours[0].iso if hours else None,
        "until": hours[-1].iso if hours else None,
        "signature_count": hours[-1].total if hours else 0,
        "hours": [{"hour": hour.iso, "signatures": hour.signatures, "total": hour.total} for hour in hours],
        "counted_at": counted_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def csv_text(hours: list[Hour]) -> str:
    """The history as CSV (hour_utc, signatures, total), every cell formula-neutralized."""
    return exports.csv_table(CSV_HEADER, ((hour.iso, hour.signatures, hour.total) for hour in hours))


def days(hours: list[Hour]) -> list[Hour]:
    """The hours summed by UTC day (each starting at midnight), for the chart's text alternative."""
    by_day: dict[datetime, Hour] = {}
    for hour in hours:
        day = hour.start.replace(hour=0)
        earlier = by_day.get(day)
        by_day[day] = Hour(day, hour.signatures + (earlier.signatures if earlier else 0), hour.total)
    return list(by_day.values())
