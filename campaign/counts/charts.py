"""Bar charts drawn on the server as inline SVG: no script, no style attributes (the CSP)."""
from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from flask_babel import format_number
from markupsafe import Markup

SVG_NS = "http://www.w3.org/2000/svg"
WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 16, 64
BAR_FILL = "#0b5cad"
GRID = "#d5dae0"
INK = "#1d2125"
FONT_SIZE = "14"


@dataclass(frozen=True)
class Bar:
    """One bar: what it stands for (its tooltip), its value, and a short axis label if any."""

    label: str
    value: int
    tick: str = ""


def bar_chart(
    bars: list[Bar], *, chart_id: str, title: str, description: str, x_label: str, y_label: str
) -> Markup:
    """An SVG bar chart, titled and described for screen readers, with labelled axes."""
    svg = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "viewBox": f"0 0 {WIDTH} {HEIGHT}",
            "class": "chart",
            "role": "img",
            "aria-labelledby": f"{chart_id}-title {chart_id}-desc",
            "font-size": FONT_SIZE,
            "fill": INK,
        },
    )
    ET.SubElement(svg, "title", {"id": f"{chart_id}-title"}).text = title
    ET.SubElement(svg, "desc", {"id": f"{chart_id}-desc"}).text = description
    top = _value_axis(svg, max((bar.value for bar in bars), default=0))
    _bars(svg, bars, top)
    _axis_labels(svg, x_label, y_label)
    # ElementTree escapes every text and attribute, so labels typed by people are safe here.
    return Markup(ET.tostring(svg, encoding="unicode"))


def nice_steps(largest: int, intervals: int = 4) -> list[int]:
    """Tick values from 0 past largest, in steps of 1, 2 or 5 times a power of ten."""
    rough = max(1, math.ceil(largest / intervals))
    power = 10 ** (len(str(rough)) - 1)
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= rough)
    count = max(1, math.ceil(largest / step))
    return [step * i for i in range(count + 1)]


def _y(value: float, top: int) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / top)


def _value_axis(svg: ET.Element, largest: int) -> int:
    ticks = nice_steps(largest)
    top = ticks[-1]
    for tick in ticks:
        y = _fmt(_y(tick, top))
        ET.SubElement(
            svg, "line", {"class": "grid", "x1": str(LEFT), "x2": str(WIDTH - RIGHT),
                          "y1": y, "y2": y, "stroke": GRID}
        )
        label = ET.SubElement(
            svg, "text", {"x": str(LEFT - 6), "y": y, "text-anchor": "end", "dy": "0.35em"}
        )
        label.text = format_number(tick)
    return top


def _bars(svg: ET.Element, bars: list[Bar], top: int) -> None:
    if not bars:
        return
    slot = (WIDTH - LEFT - RIGHT) / len(bars)
    width = max(1.0, slot * 0.8)
    baseline = _y(0, top)
    for index, bar in enumerate(bars):
        x = LEFT + index * slot + (slot - width) / 2
        y = _y(bar.value, top)
        rect = ET.SubElement(
            svg,
            "rect",
            {"class": "bar", "x": _fmt(x), "y": _fmt(y), "width": _fmt(width),
             "height": _fmt(baseline - y), "fill": BAR_FILL},
        )
        ET.SubElement(rect, "title").text = f"{bar.label}: {format_number(bar.value)}"
        if bar.tick:
            tick = ET.SubElement(
                svg, "text", {"x": _fmt(x + width / 2), "y": _fmt(baseline + 16),
                              "text-anchor": "middle"}
            )
            tick.text = bar.tick


def _axis_labels(svg: ET.Element, x_label: str, y_label: str) -> None:
    baseline = str(HEIGHT - BOTTOM)
    ET.SubElement(
        svg, "line", {"class": "axis", "x1": str(LEFT), "x2": str(WIDTH - RIGHT),
                      "y1": baseline, "y2": baseline, "stroke": INK}
    )
    x_text = ET.SubElement(
        svg, "text", {"class": "axis-label", "x": str((LEFT + WIDTH - RIGHT) // 2),
                      "y": str(HEIGHT - 16), "text-anchor": "middle"}
    )
    x_text.text = x_label
    middle = (TOP + HEIGHT - BOTTOM) // 2
    y_text = ET.SubElement(
        svg, "text", {"class": "axis-label", "x": "16", "y": str(middle), "text-anchor": "middle",
                      "transform": f"rotate(-90 16 {middle})"}
    )
    y_text.text = y_label


def _fmt(number: float) -> str:
    return f"{number:.1f}"
