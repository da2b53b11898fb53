"""One campaign's overview: totals, signatures over time, and where signers came from."""
from __future__ import annotations

import math
from dataclasses import dataclass

from flask import render_template
from flask_babel import format_datetime, format_number, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from campaign.abuse import watch
from campaign.clock import utcnow
from campaign.counts import charts, stats, tile_map
from campaign.delivery import accountability
from campaign.events import organizing
from campaign.organizer.access import campaign_or_404, current_organizer
from campaign.organizer.blueprint import bp

# Enough x-axis labels to read the dates, few enough not to overlap on a phone.
MAX_TICKS = 8
# Hourly and daily counts differ tenfold or more: each gets its own chart and scale.
SPANS = (("hour", _l("First 48 hours, by the hour")), ("day", _l("After the first 48 hours, by the day")))


@dataclass(frozen=True)
class Timeline:
    """One chart of signatures over time and the same figures as table rows."""

    unit: str
    title: str
    chart: Markup
    rows: list[tuple[str, str, int]]  # (span in words, ISO start, count)


@bp.get("/c/<slug>/")
def campaign_overview(slug: str):
    campaign = campaign_or_404(current_organizer(), slug)
    figures = stats.recent_overview(campaign)
    timelines = []
    for unit, title in SPANS:
        buckets = [b for b in figures.over_time if b.unit == unit]
        if buckets:
            rows = [(bucket_label(b), b.start.isoformat(), b.count) for b in buckets]
            timelines.append(Timeline(unit, str(title), _chart(buckets, unit, str(title)), rows))
    states = {row.key: row.count for row in figures.places.states.rows}
    state_map = (tile_map.state_map(states, map_id="state-map",
                                    title=_("Confirmed signatures by US state"))
                 if tile_map.on_the_map(states) else None)
    return render_template(
        "organizer/campaign_overview.html", campaign=campaign, figures=figures, timelines=timelines,
        state_map=state_map, watch=watch.recent(campaign),
        delivery_due=accountability.delivery_due(campaign, figures.totals.confirmed),
        event_counts=organizing.overview_counts(campaign.id, now=utcnow()),
    )


def _chart(buckets: list[stats.Bucket], chart_id: str, title: str) -> Markup:
    step = max(1, math.ceil(len(buckets) / MAX_TICKS))
    bars = [
        charts.Bar(bucket_label(b), b.count, _tick(b) if _ticked(b, i, step) else "")
        for i, b in enumerate(buckets)
    ]
    busiest = max(buckets, key=lambda b: b.count)
    total = sum(b.count for b in buckets)
    spans = (ngettext("%(count)s hour", "%(count)s hours", len(buckets), count=format_number(len(buckets)))
             if buckets[0].unit == "hour"
             else ngettext("%(count)s day", "%(count)s days", len(buckets), count=format_number(len(buckets))))
    description = " ".join((
        ngettext("%(count)s confirmed signature in %(spans)s, from %(first)s to %(last)s; "
                 "the most, %(most)s, %(busiest)s.",
                 "%(count)s confirmed signatures in %(spans)s, from %(first)s to %(last)s; "
                 "the most, %(most)s, %(busiest)s.",
                 total, count=format_number(total), spans=spans, first=bucket_label(buckets[0]),
                 last=bucket_label(buckets[-1]), most=format_number(busiest.count),
                 busiest=bucket_label(busiest)),
        _("The table below has every figure."),
    ))
    unit = _("Hour (UTC)") if buckets[0].unit == "hour" else _("Day (UTC)")
    return charts.bar_chart(
        bars, chart_id=f"chart-{chart_id}", title=title, description=description,
        x_label=unit, y_label=_("Confirmed signatures"),
    )


def _ticked(bucket: stats.Bucket, index: int, step: int) -> bool:
    # Hours are labelled at the first bar and at 00, 06, 12 and 18 o'clock (unless that
    # would crowd the first label); days every step-th day.
    if bucket.unit == "hour":
        return index == 0 or (index >= 3 and bucket.start.hour % 6 == 0)
    return index % step == 0


def _tick(bucket: stats.Bucket) -> str:
    if bucket.unit == "hour" and bucket.start.hour:
        return bucket.start.strftime("%H:%M")
    return format_datetime(bucket.start, "d MMM")


def bucket_label(bucket: stats.Bucket) -> str:
    """A bucket's span in words, UTC: "Fri 27 Nov 14:00–15:00", "Sat 28 Nov" or "... from 14:00"."""
    day = format_datetime(bucket.start, "EEE d MMM y")
    if bucket.unit == "hour":
        return f"{day} {bucket.start:%H:%M}–{bucket.end:%H:%M}"
    if bucket.start.hour:
        return _("%(day)s from %(time)s", day=day, time=bucket.start.strftime("%H:%M"))
    return day
