"""The abuse watch: per hour, the addresses, networks and email domains with unusually many
signatures on a campaign, for an organizer to look at and invalidate.

A source is unusual in an hour when it signed at least `min_count` times and at least
`factor` times the median of the other sources in that hour (1 when there are none): on a
normal hour nearly every address signs once, so the bar is max(min_count, factor). Addresses
and networks are known only by their salted hashes (campaign/network.py). Invalidated
signatures are left out, so a flood that was dealt with leaves the list.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, column, func, literal, null, select, union_all, values

from campaign import cache
from campaign.clock import utcnow
from campaign.extensions import db
from campaign.models import Campaign, Signature, SignatureStatus, UTCDateTime

HOUR = timedelta(hours=1)
# Sources fetched per kind, the largest first: enough for any page an organizer reads.
MAX_CANDIDATES = 100
SHORT_HASH = 12
# Sources are told apart by their hashes' first 64 bits: shorter keys group faster, and the
# signer list's hash filter matches them as prefixes.
KEY_CHARS = 16


@dataclass(frozen=True)
class SourceKind:
    """One way of telling where signatures came from, and the signer list's filter for it."""

    name: str
    label: str
    filter_name: str


IP = SourceKind("ip", "IP address", "ip_hash")
NETWORK = SourceKind("network", "Network (/24, IPv6 /48)", "ip_net_hash")
DOMAIN = SourceKind("domain", "Email domain", "email_domain")
KINDS = {kind.name: kind for kind in (IP, NETWORK, DOMAIN)}


@dataclass(frozen=True)
class Flag:
    """One source with unusually many signatures in one hour."""

    kind: SourceKind
    key: str  # the hash's first KEY_CHARS characters, or the domain
    hour: datetime  # its start, UTC
    count: int
    usual: float  # the median signatures of the other sources in that hour

    @property
    def label(self) -> str:
        """What to show: the domain, or the hash's first characters (enough to filter on)."""
        return self.key if self.kind is DOMAIN else self.key[:SHORT_HASH]

    @property
    def filter_args(self) -> dict[str, str]:
        """The signer list's filter for every signature of this source."""
        return {self.kind.filter_name: self.key}


@dataclass(frozen=True)
class Watch:
    """What the campaign's overview shows under "Unusual activity"."""

    flags: list[Flag]
    since: datetime
    hours: int
    min_count: int
    factor: float
    held: int  # signatures held for review (a block list matched), of any age
    counted_at: datetime


# How long each campaign's last count took (about 10 µs a signature in the window): one big
# enough to make it slow is recounted less often, never for more than a tenth of the time.
_last_seconds: dict[int, float] = {}


def recent(campaign: Campaign) -> Watch:
    """The watch with the configured settings, recounted in the background like the overview."""
    config = current_app.config

    def compute() -> Watch:
        started = time.monotonic()
        result = watch(campaign.id, now=utcnow(), hours=config["ABUSE_WATCH_HOURS"],
                       min_count=config["ABUSE_WATCH_MIN_SIGNATURES"],
                       factor=config["ABUSE_WATCH_FACTOR"],
                       common_domains=config["ABUSE_WATCH_COMMON_DOMAINS"])
        _last_seconds[campaign.id] = time.monotonic() - started
        return result

    every = config["DASHBOARD_CACHE_SECONDS"]
    if every > 0:
        every = max(every, 10 * _last_seconds.get(campaign.id, 0.0))
    return cache.refreshed_in_background((campaign.id, "abuse-watch"), compute, every)


def watch(campaign_id: int, *, now: datetime, hours: int = 48, min_count: int = 5,
          factor: float = 10.0, common_domains: list[str] | tuple[str, ...] = ()) -> Watch:
    """Unusual sources per hour over the last `hours` hours (the current one included)."""
    since = now.replace(minute=0, second=0, microsecond=0) - (hours - 1) * HOUR
    histograms: dict[tuple[str, datetime], list[tuple[int, int]]] = {}
    candidates = []
    rows = db.session.execute(_statement(campaign_id, since, hours, min_count, common_domains))
    for kind, hour, key, count, sources in rows:
        if key is None:  # a histogram row: that hour, `sources` sources signed `count` times each
            histograms.setdefault((kind, hour), []).append((count, sources))
        else:
            candidates.append((kind, hour, key, count))
    flags = []
    for kind, hour, key, count in candidates:
        usual = _median_of_others(histograms.get((kind, hour), []), count)
        if count >= max(min_count, math.ceil(factor * usual)):
            flags.append(Flag(KINDS[kind], key, hour, count, usual))
    flags.sort(key=lambda f: (f.hour, f.count), reverse=True)
    return Watch(flags=flags, since=since, hours=hours, min_count=min_count, factor=factor,
                 held=_held_count(campaign_id), counted_at=now)


def _median_of_others(histogram: list[tuple[int, int]], own: int) -> float:
    """The median of counts given as (count, how many sources had it), leaving one source with
    `own` out; 1 when no other source signed (a lone flood in a quiet hour is still a flood)."""
    ordered = sorted((count, sources - (count == own)) for count, sources in histogram)
    ordered = [(count, sources) for count, sources in ordered if sources > 0]
    total = sum(sources for _, sources in ordered)
    if total == 0:
        return 1.0

    def at(position: int) -> int:
        seen = 0
        for count, sources in ordered:
            seen += sources
            if position < seen:
                return count
        return ordered[-1][0]

    # The middle one (odd) or the mean of the middle two (even).
    return (at((total - 1) // 2) + at(total // 2)) / 2


def _domain(email_key):
    """The part of an email key after its "@" (keys have exactly one)."""
    if db.engine.dialect.name == "postgresql":
        return func.split_part(email_key, "@", 2)
    return func.substr(email_key, func.instr(email_key, "@") + 1)


def _statement(campaign_id: int, since: datetime, hours: int, min_count: int,
               common_domains: list[str] | tuple[str, ...]):
    """One statement, one pass over the window's rows: for each kind of source, the histogram
    of signatures per source and hour, and the sources with at least min_count in an hour.

    Rows are (kind, hour, key, count, sources): a histogram row has key NULL; a candidate
    row has sources NULL.
    """
    spans = [(since + i * HOUR, since + (i + 1) * HOUR) for i in range(hours)]
    buckets = (values(column("lo", UTCDateTime), column("hi", UTCDateTime), name="hours")
               .data(spans).cte("hours"))
    # The window's rows read along the (campaign_id, created_at) index, each with its hour.
    recent = (
        select(buckets.c.lo.label("hour"), func.substr(Signature.ip_hash, 1, KEY_CHARS).label("ip"),
               func.substr(Signature.ip_net_hash, 1, KEY_CHARS).label("network"),
               _domain(Signature.email_key).label("domain"))
        .join(buckets, and_(Signature.created_at >= buckets.c.lo,
                            Signature.created_at < buckets.c.hi))
        .where(Signature.campaign_id == campaign_id, Signature.created_at >= since,
               Signature.status != SignatureStatus.INVALIDATED)
        .cte("recent")
    )
    arms = []
    for kind in KINDS:
        key = recent.c[kind]
        per_source = (select(recent.c.hour, key.label("key"), func.count().label("n"))
                      .where(key != "").group_by(recent.c.hour, key).cte(f"{kind}_counts"))
        arms.append(select(literal(kind), per_source.c.hour, null(), per_source.c.n, func.count())
                    .group_by(per_source.c.hour, per_source.c.n))
        wanted = per_source.c.n >= min_count
        if kind == DOMAIN.name and common_domains:
            wanted = and_(wanted, per_source.c.key.not_in(list(common_domains)))
        largest = (select(per_source.c.hour, per_source.c.key, per_source.c.n).where(wanted)
                   .order_by(per_source.c.n.desc()).limit(MAX_CANDIDATES).subquery())
        arms.append(select(literal(kind), largest.c.hour, largest.c.key, largest.c.n, null()))
    return union_all(*arms)


def _held_count(campaign_id: int) -> int:
    return db.session.scalar(select(func.count()).where(
        Signature.campaign_id == campaign_id, Signature.status == SignatureStatus.HELD)) or 0
