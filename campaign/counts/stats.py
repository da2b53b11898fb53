"""Dashboard figures for a campaign, each counted by an aggregate query in the database.

Every count is of confirmed signatures (the ones that count towards the goal) unless its
name says otherwise: Totals also has pending (and of those, undeliverable), invalidated and
signed today. Times are UTC.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, column, func, select, true, values

from campaign import cache
from campaign.clock import utcnow
from campaign.counts import tallies
from campaign.extensions import db
from campaign.models import Campaign, Signature, SignatureStatus, UTCDateTime
from campaign.places import countries, regions
from campaign.signing import bounces

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
# Signatures come in by the hour at first, so the chart is hourly for this long, then daily.
HOURLY_SPAN = timedelta(hours=48)
# Breakdowns list this many groups; the rest are summed as "other".
TOP_ROWS = 25
DIRECT = "direct"


@dataclass(frozen=True)
class Totals:
    """Confirmed, pending, invalidated, signed today (pending or confirmed), and the goal;
    undeliverable counts the pending ones whose confirmation email failed for good."""

    confirmed: int = 0
    pending: int = 0
    invalidated: int = 0
    today: int = 0
    goal: int = 0
    undeliverable: int = 0

    @property
    def progress(self) -> int:
        return tallies.progress_percent(self.confirmed, self.goal)


@dataclass(frozen=True)
class Bucket:
    """Confirmed signatures with confirmed_at in [start, end); unit is "hour" or "day"."""

    start: datetime
    end: datetime
    count: int
    unit: str


@dataclass(frozen=True)
class Row:
    """One group of a breakdown: its key, what to call it, how many, and its share of the total."""

    key: str
    label: str
    count: int
    percent: float


@dataclass(frozen=True)
class Breakdown:
    """The largest groups first; signatures in the groups past TOP_ROWS are summed in `other`."""

    rows: list[Row]
    total: int
    other: int = 0

    @property
    def other_percent(self) -> float:
        return _percent(self.other, self.total)


@dataclass(frozen=True)
class Share:
    """How many of `total` did something (allowed contact), and the percentage."""

    count: int
    total: int

    @property
    def percent(self) -> float:
        return _percent(self.count, self.total)


@dataclass(frozen=True)
class Geography:
    """Where confirmed signers are: by country, by US state, by postcode area."""

    countries: Breakdown
    states: Breakdown
    areas: Breakdown


@dataclass(frozen=True)
class Overview:
    """Everything the campaign's dashboard shows."""

    totals: Totals
    over_time: list[Bucket]
    places: Geography
    sources: Breakdown
    contact: Share
    counted_at: datetime


def overview(campaign: Campaign, *, now: datetime) -> Overview:
    """The dashboard's figures; the chart runs up to now while the campaign takes signatures."""
    totals = totals_for([campaign], now=now)[campaign.id]
    until = now if campaign.accepts_signatures(now) else None
    return Overview(
        totals=totals,
        over_time=over_time(campaign.id, until=until),
        places=geography(campaign.id),
        sources=by_source(campaign.id, total=totals.confirmed),
        contact=contact_share(campaign.id, total=totals.confirmed),
        counted_at=now,
    )


def recent_overview(campaign: Campaign) -> Overview:
    """overview(), at most DASHBOARD_CACHE_SECONDS old, recounted in the background.

    At a million signatures a recount takes about half a second (bench/dashboard_results.md);
    this way only the first view of a campaign waits for one.
    """
    key = (campaign.id, "overview", campaign.goal, campaign.status, campaign.closes_at)
    return cache.refreshed_in_background(
        key, lambda: overview(campaign, now=utcnow()), current_app.config["DASHBOARD_CACHE_SECONDS"]
    )


def totals_for(campaigns: list[Campaign], *, now: datetime) -> dict[int, Totals]:
    """Totals per campaign: counts by status in one GROUP BY, signed today in another, and
    the undeliverable in a third."""
    ids = [c.id for c in campaigns]
    if not ids:
        return {}
    # Two queries, so that each reads one index: (campaign_id, status, ...) for the statuses,
    # (campaign_id, created_at) for the few rows of today.
    by_status: dict[tuple[int, str], int] = {
        (campaign_id, status): count
        for campaign_id, status, count in db.session.execute(
            select(Signature.campaign_id, Signature.status, func.count())
            .where(Signature.campaign_id.in_(ids))
            .group_by(Signature.campaign_id, Signature.status)
        )
    }
    midnight = _midnight(now.astimezone(UTC))
    today = dict(
        db.session.execute(
            select(Signature.campaign_id, func.count())
            .where(
                Signature.campaign_id.in_(ids),
                Signature.created_at >= midnight,
                # Not invalidated ones, nor held ones (a block list matched): neither counts.
                Signature.status.in_((SignatureStatus.PENDING, SignatureStatus.CONFIRMED)),
            )
            .group_by(Signature.campaign_id)
        ).all()
    )
    undeliverable = _undeliverable_counts(ids)
    return {
        c.id: Totals(
            confirmed=by_status.get((c.id, SignatureStatus.CONFIRMED), 0),
            pending=by_status.get((c.id, SignatureStatus.PENDING), 0),
            invalidated=by_status.get((c.id, SignatureStatus.INVALIDATED), 0),
            today=today.get(c.id, 0),
            goal=c.goal,
            undeliverable=undeliverable.get(c.id, 0),
        )
        for c in campaigns
    }


def _undeliverable_counts(ids: list[int]) -> dict[int, int]:
    """Pending signatures whose latest confirmation email failed, per campaign: an EXISTS on
    the outbox's (campaign_id, recipient_key) index for each pending row, in the database."""
    return dict(db.session.execute(
        select(Signature.campaign_id, func.count())
        .where(Signature.campaign_id.in_(ids), bounces.undeliverable())
        .group_by(Signature.campaign_id)
    ).all())


def over_time(campaign_id: int, *, until: datetime | None = None) -> list[Bucket]:
    """Confirmed signatures by hour for 48 hours from the first, then by UTC day, gaps as 0."""
    # Two scalar subqueries: SQLite reads min() or max() from an index only when alone.
    confirmed = _confirmed(campaign_id)
    first, last = db.session.execute(
        select(
            select(func.min(Signature.confirmed_at)).where(*confirmed).scalar_subquery(),
            select(func.max(Signature.confirmed_at)).where(*confirmed).scalar_subquery(),
        )
    ).one()
    if first is None:
        return []
    spans = _spans(first, max(last, until) if until else last)
    counts = _counts_in(campaign_id, [(lo, hi) for lo, hi, _ in spans])
    return [Bucket(lo, hi, counts.get(lo, 0), unit) for lo, hi, unit in spans]


def _spans(first: datetime, end: datetime) -> list[tuple[datetime, datetime, str]]:
    """The buckets' [start, end) and unit, from first's hour until the one holding end."""
    start = first.replace(minute=0, second=0, microsecond=0)
    boundary = start + HOURLY_SPAN
    spans = []
    moment = start
    while moment <= end and moment < boundary:
        spans.append((moment, moment + HOUR, "hour"))
        moment += HOUR
    while moment <= end:
        # The first day may start part-way, where the hourly buckets stop.
        next_day = _midnight(moment) + DAY
        spans.append((moment, next_day, "day"))
        moment = next_day
    return spans


def _counts_in(campaign_id: int, spans: list[tuple[datetime, datetime]]) -> dict[datetime, int]:
    """Confirmed signatures per [start, end) span, keyed by start, in one statement."""
    # A count per bucket reads only that bucket's slice of the (campaign_id, status,
    # confirmed_at) index; grouping by a truncated time would compute and sort a key for
    # every row instead (at a million: 10 times slower on SQLite, 1.5 on PostgreSQL). Nor
    # does it need time-zone or dialect arithmetic: the bounds are UTC instants.
    bounds = values(
        column("lo", UTCDateTime), column("hi", UTCDateTime), name="buckets"
    ).data(spans).cte("buckets")
    count = (
        select(func.count())
        .where(
            *_confirmed(campaign_id),
            Signature.confirmed_at >= bounds.c.lo,
            Signature.confirmed_at < bounds.c.hi,
        )
        .scalar_subquery()
    )
    return dict(db.session.execute(select(bounds.c.lo, count)).all())


def geography(campaign_id: int) -> Geography:
    """Confirmed signatures by country, US state (from the ZIP) and postcode area, in one query."""
    # One GROUP BY country, region and postcode area (stored at signing): a few thousand
    # groups at most, however many signatures, in the column order of the index
    # (campaign_id, status, country, region, postcode_area), so one pass of that index
    # answers it. The three breakdowns are sums of these groups.
    groups = db.session.execute(
        select(Signature.country, Signature.region, Signature.postcode_area, func.count())
        .where(*_confirmed(campaign_id))
        .group_by(Signature.country, Signature.region, Signature.postcode_area)
    )
    per_country: Counter[str] = Counter()
    per_state: Counter[str] = Counter()
    per_area: Counter[str] = Counter()
    for country, region, area, count in groups:
        per_country[country] += count
        if country == "US":
            per_state[region] += count
        if area:
            per_area[f"{country} {area}"] += count
    return Geography(
        countries=_ranked(per_country, lambda code: f"{countries.name_of(code)} ({code})"),
        # Sixty states and territories at most: all are listed.
        states=_ranked(per_state, _state_label, every=True),
        areas=_ranked(per_area, str),
    )


def _state_label(code: str) -> str:
    return f"{regions.state_name(code)} ({code})" if code else "Unknown ZIP"


def by_source(campaign_id: int, *, total: int) -> Breakdown:
    """Confirmed signatures by share channel or referrer ("ref"); none is "direct"."""
    # Any "ref" a link carried is a group: only the largest are fetched, ties in key order.
    rows = db.session.execute(
        select(Signature.source, func.count())
        .where(*_confirmed(campaign_id))
        .group_by(Signature.source)
        .order_by(func.count().desc(), Signature.source)
        .limit(TOP_ROWS)
    ).all()
    return _breakdown(rows, total, lambda source: source or DIRECT)


def contact_share(campaign_id: int, *, total: int) -> Share:
    """How many confirmed signers allowed the campaign to contact them."""
    allowed = db.session.scalar(
        select(func.count()).where(*_confirmed(campaign_id), Signature.contact_ok == true())
    )
    return Share(allowed or 0, total)


def _confirmed(campaign_id: int) -> list[ColumnElement[bool]]:
    return [Signature.campaign_id == campaign_id, Signature.status == SignatureStatus.CONFIRMED]


def _breakdown(rows, total: int, label) -> Breakdown:
    listed = [Row(key, label(key), count, _percent(count, total)) for key, count in rows]
    # max(): under READ COMMITTED the total may come from an earlier snapshot than the rows.
    return Breakdown(listed, total, other=max(0, total - sum(row.count for row in listed)))


def _ranked(counts: Counter[str], label, *, every: bool = False) -> Breakdown:
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return _breakdown(ranked if every else ranked[:TOP_ROWS], sum(counts.values()), label)


def _percent(part: int, whole: int) -> float:
    return round(part * 100 / whole, 1) if whole else 0.0


def _midnight(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)
