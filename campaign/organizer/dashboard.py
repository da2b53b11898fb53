"""One campaign's overview: totals, signatures over time, and where signers came from."""
from __future__ import annotations

import math
from dataclasses import dataclass

from flask import render_template
from markupsafe import Markup

from campaign.abuse import watch
from campaign.counts import charts, stats, tile_map
from campaign.delivery import accountability
from campaign.organizer.access import campaign_or_404, current_organizer
from campaign.organizer.blueprint import bp

# Enough x-axis labels to read the dates, few enough not to overlap on a phone.
MAX_TICKS = 8
# Hourly and daily counts differ tenfold or more: each gets its own chart and scale.
SPANS = (("hour", "First 48 hours, by the hour"), ("day", "After the first 48 hours, by the day"))


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
            timelines.append(Timeline(unit, title, _chart(buckets, unit, title), rows))
    states = {row.key: row.count for row in figures.places.states.rows}
    state_map = (tile_map.state_map(states, map_id="state-map",
                                    title="Confirmed signatures by US state")
                 if tile_map.on_the_map(states) else None)
    return render_template(
        "organizer/campaign_overview.html", campaign=campaign, figures=figures, timelines=timelines,
        state_map=state_map, watch=watch.recent(campaign),
        delivery_due=accountability.delivery_due(campaign, figures.totals.confirmed),
    )


def _chart(buckets: list[stats.Bucket], chart_id: str, title: str) -> Markup:
    step = max(1, math.ceil(len(buckets) / MAX_TICKS))
    bars = [
        charts.Bar(bucket_label(b), b.count, _tick(b) if _ticked(b, i, step) else "")
        for i, b in enumerate(buckets)
    ]
    busiest = max(buckets, key=lambda b: b.count)
    description = (
        f"{sum(b.count for b in buckets):,} confirmed signatures in {len(buckets)} "
        f"{'hours' if buckets[0].unit == 'hour' else 'days'}, from {bucket_label(buckets[0])} "
        f"to {bucket_label(buckets[-1])}; the most, {busiest.count:,}, {bucket_label(busiest)}. "
        "The table below has every figure."
    )
    unit = "Hour" if buckets[0].unit == "hour" else "Day"
    return charts.bar_chart(
        bars, chart_id=f"chart-{chart_id}", title=title, description=description,
        x_label=f"{unit} (UTC)", y_label="Confirmed signatures",
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
    return f"{bucket.start.day} {bucket.start:%b}"


def bucket_label(bucket: stats.Bucket) -> str:
    """A bucket's span in words, UTC: "Fri 27 Nov 14:00–15:00", "Sat 28 Nov" or "... from 14:00"."""
    day = f"{bucket.start:%a} {bucket.start.day} {bucket.start:%b %Y}"
    if bucket.unit == "hour":
        return f"{day} {bucket.start:%H:%M}–{bucket.end:%H:%M}"
    if bucket.start.hour:
        return f"{day} from {bucket.start:%H:%M}"
    return day
