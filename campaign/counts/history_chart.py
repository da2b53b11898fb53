"""The count over time as a small line chart, drawn on the server as SVG (no script, no style)."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from flask_babel import format_number, gettext
from markupsafe import Markup

from campaign.counts import history
from campaign.counts.charts import FONT_SIZE, GRID, INK, SVG_NS, nice_steps
from campaign.counts.history import Hour

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 12, 40
LINE = "#0b5cad"
# A point per hour would draw thousands for an old campaign: at most this many, each the
# running total at the end of its span (the total only grows, so nothing is hidden).
MAX_POINTS = 240
X_TICKS = 4
# Days in the table under the chart, the latest first; the CSV has every hour.
TABLE_DAYS = 14


def points(hours: list[Hour], limit: int = MAX_POINTS) -> list[Hour]:
    """At most limit hours, evenly spaced, always ending with the last."""
    if len(hours) <= limit:
        return hours
    step = len(hours) / limit
    picked = [hours[min(len(hours) - 1, int((index + 1) * step) - 1)] for index in range(limit)]
    return [hours[0], *picked] if picked[0] is not hours[0] else picked


def _x(index: int, count: int) -> float:
    return LEFT + (WIDTH - LEFT - RIGHT) * (index / max(1, count - 1))


def _y(value: int, top: int) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / top)


def _tick_label(hour: Hour, span_hours: int) -> str:
    # Within two days the hour matters; past that the day is enough.
    day = f"{hour.start.day} {hour.start:%b}"
    return f"{day} {hour.start:%H}:00" if span_hours <= 48 else day


def chart(hours: list[Hour], *, chart_id: str, title: str, description: str) -> Markup:
    """The running total of confirmed signatures over time, titled and described for screen readers."""
    svg = ET.Element("svg", {
        "xmlns": SVG_NS, "viewBox": f"0 0 {WIDTH} {HEIGHT}", "class": "chart history-chart",
        "role": "img", "aria-labelledby": f"{chart_id}-title {chart_id}-desc",
        "font-size": FONT_SIZE, "fill": INK,
    })
    ET.SubElement(svg, "title", {"id": f"{chart_id}-title"}).text = title
    ET.SubElement(svg, "desc", {"id": f"{chart_id}-desc"}).text = description
    shown = points(hours)
    ticks = nice_steps(shown[-1].total if shown else 0)
    top = ticks[-1] or 1
    for tick in ticks:
        y = f"{_y(tick, top):.1f}"
        ET.SubElement(svg, "line", {"x1": str(LEFT), "x2": str(WIDTH - RIGHT), "y1": y, "y2": y,
                                    "stroke": GRID})
        ET.SubElement(svg, "text", {"x": str(LEFT - 6), "y": y, "text-anchor": "end",
                                    "dy": "0.35em"}).text = f"{tick:,}"
    if shown:
        line = " ".join(f"{_x(i, len(shown)):.1f},{_y(h.total, top):.1f}" for i, h in enumerate(shown))
        ET.SubElement(svg, "polyline", {"class": "history-line", "points": line, "fill": "none",
                                        "stroke": LINE, "stroke-width": "2.5"})
        if len(shown) == 1:  # a line of one point draws nothing: the first hour as a dot
            ET.SubElement(svg, "circle", {"class": "history-point", "cx": f"{_x(0, 1):.1f}",
                                          "cy": f"{_y(shown[0].total, top):.1f}", "r": "4", "fill": LINE})
        span = int((hours[-1].start - hours[0].start).total_seconds() // 3600)
        for index in sorted({round(i * (len(shown) - 1) / (X_TICKS - 1)) for i in range(X_TICKS)}):
            anchor = "start" if index == 0 else "end" if index == len(shown) - 1 else "middle"
            ET.SubElement(svg, "text", {"x": f"{_x(index, len(shown)):.1f}", "y": str(HEIGHT - BOTTOM + 20),
                                        "text-anchor": anchor}).text = _tick_label(shown[index], span)
    ET.SubElement(svg, "line", {"x1": str(LEFT), "x2": str(WIDTH - RIGHT), "y1": str(HEIGHT - BOTTOM),
                                "y2": str(HEIGHT - BOTTOM), "stroke": INK})
    # ElementTree escapes every text and attribute.
    return Markup(ET.tostring(svg, encoding="unicode"))


@dataclass(frozen=True)
class Figure:
    """What the campaign page shows of the history: the chart and its text alternative."""

    svg: Markup
    first: Hour
    last: Hour
    busiest: Hour
    days: list[Hour]
    earlier_days: int


def figure(hours: list[Hour], *, chart_id: str = "history-chart") -> Figure | None:
    """The chart with a summary's figures and the latest days as a table; None before any signature."""
    if not hours:
        return None
    busiest = max(hours, key=lambda hour: (hour.signatures, hour.start))
    svg = chart(hours, chart_id=chart_id, title=gettext("Confirmed signatures over time"),
                description=gettext("The total rose from %(first)s in the hour from %(start)s to "
                                    "%(total)s by %(end)s (UTC).",
                                    first=format_number(hours[0].signatures), start=hours[0].iso,
                                    total=format_number(hours[-1].total), end=hours[-1].iso))
    by_day = history.days(hours)
    return Figure(svg=svg, first=hours[0], last=hours[-1], busiest=busiest,
                  days=by_day[-TABLE_DAYS:][::-1], earlier_days=max(0, len(by_day) - TABLE_DAYS))
