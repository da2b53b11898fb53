"""Signatures by US state as a tile-grid map: one square per state, drawn on the server as SVG.

A tile grid gives every state the same size, so small states stay readable; the numbers are
on the tiles and, for screen readers and copying, in a table beside the map.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from flask_babel import format_number, gettext, ngettext
from markupsafe import Markup

from campaign.places import regions

SVG_NS = "http://www.w3.org/2000/svg"
TILE = 56
GAP = 4
MARGIN = 4
LEGEND_HEIGHT = 44
# (column, row) of each state, DC and Puerto Rico on the grid: roughly where they lie.
GRID: dict[str, tuple[int, int]] = {
    "AK": (0, 0), "ME": (10, 0),
    "VT": (9, 1), "NH": (10, 1),
    "WA": (0, 2), "ID": (1, 2), "MT": (2, 2), "ND": (3, 2), "MN": (4, 2), "IL": (5, 2),
    "WI": (6, 2), "MI": (7, 2), "NY": (8, 2), "RI": (9, 2), "MA": (10, 2),
    "OR": (0, 3), "NV": (1, 3), "WY": (2, 3), "SD": (3, 3), "IA": (4, 3), "IN": (5, 3),
    "OH": (6, 3), "PA": (7, 3), "NJ": (8, 3), "CT": (9, 3),
    "CA": (0, 4), "UT": (1, 4), "CO": (2, 4), "NE": (3, 4), "MO": (4, 4), "KY": (5, 4),
    "WV": (6, 4), "VA": (7, 4), "MD": (8, 4), "DE": (9, 4),
    "AZ": (1, 5), "NM": (2, 5), "KS": (3, 5), "AR": (4, 5), "TN": (5, 5), "NC": (6, 5),
    "SC": (7, 5), "DC": (8, 5),
    "OK": (3, 6), "LA": (4, 6), "MS": (5, 6), "AL": (6, 6), "GA": (7, 6),
    "HI": (0, 7), "TX": (3, 7), "FL": (8, 7), "PR": (10, 7),
}
COLUMNS = 1 + max(column for column, _ in GRID.values())
ROWS = 1 + max(row for _, row in GRID.values())
WIDTH = 2 * MARGIN + COLUMNS * (TILE + GAP) - GAP
HEIGHT = 2 * MARGIN + ROWS * (TILE + GAP) - GAP + LEGEND_HEIGHT
NONE_FILL = "#eef1f4"
# Light to dark, so that more signatures read as more ink; white text on the two darkest.
SHADES = ("#d6e6f5", "#a8cbea", "#6ea6d8", "#2f75b5", "#0b4a87")
DARK_FROM = 3
INK = "#1d2125"


@dataclass(frozen=True)
class StateRow:
    """One line of the table beside the map."""

    code: str
    name: str
    count: int
    on_map: bool


def on_the_map(counts: dict[str, int]) -> bool:
    """Whether any of these state counts has a tile: else there is no map to show."""
    return any(count and code in GRID for code, count in counts.items())


def table_rows(counts: dict[str, int]) -> list[StateRow]:
    """Every state with signatures, most first; places off the grid (Guam, APO...) included."""
    ranked = sorted(((code, count) for code, count in counts.items() if count > 0),
                    key=lambda item: (-item[1], item[0]))
    return [StateRow(code, regions.state_name(code) if code else gettext("Unknown ZIP"), count, code in GRID)
            for code, count in ranked]


def shade_bounds(largest: int) -> list[int]:
    """The smallest count of each shade: five equal steps from 1 up to the largest count."""
    if largest <= 0:
        return []
    step = max(1, -(-largest // len(SHADES)))
    return [1 + step * index for index in range(len(SHADES)) if 1 + step * index <= largest]


def _shade(count: int, bounds: list[int]) -> int:
    return max((index for index, low in enumerate(bounds) if count >= low), default=-1)


def short_count(count: int) -> str:
    """A count that fits on a tile: 987, 12.3k, 1.2M."""
    if count < 1000:
        return str(count)
    if count < 1_000_000:
        return f"{count / 1000:.1f}k".replace(".0k", "k") if count < 100_000 else f"{count // 1000}k"
    return f"{count / 1_000_000:.1f}M".replace(".0M", "M")


def state_map(counts: dict[str, int], *, map_id: str, title: str) -> Markup:
    """The tile-grid SVG of signatures per state code, with its legend; text is escaped."""
    bounds = shade_bounds(max(counts.values(), default=0))
    on_map = sum(count for code, count in counts.items() if code in GRID)
    svg = ET.Element("svg", {
        "xmlns": SVG_NS, "viewBox": f"0 0 {WIDTH} {HEIGHT}", "class": "tile-map", "role": "img",
        "aria-labelledby": f"{map_id}-title {map_id}-desc", "font-size": "13", "fill": INK,
    })
    ET.SubElement(svg, "title", {"id": f"{map_id}-title"}).text = title
    states = sum(1 for c in GRID if counts.get(c))
    ET.SubElement(svg, "desc", {"id": f"{map_id}-desc"}).text = " ".join((
        gettext("A map of the United States with one square per state, darker for more signatures:"),
        ngettext("%(count)s signature", "%(count)s signatures", on_map, count=format_number(on_map)),
        ngettext("in %(count)s state.", "in %(count)s states.", states, count=format_number(states)),
        gettext("The table has every figure.")))
    for code, (column, row) in GRID.items():
        _tile(svg, code, column, row, counts.get(code, 0), bounds)
    _legend(svg, bounds)
    return Markup(ET.tostring(svg, encoding="unicode"))


def _tile(svg: ET.Element, code: str, column: int, row: int, count: int, bounds: list[int]) -> None:
    x = MARGIN + column * (TILE + GAP)
    y = MARGIN + row * (TILE + GAP)
    shade = _shade(count, bounds)
    group = ET.SubElement(svg, "g", {"class": "tile"})
    ET.SubElement(group, "title").text = f"{regions.state_name(code)}: {count:,}"
    ET.SubElement(group, "rect", {"x": str(x), "y": str(y), "width": str(TILE),
                                  "height": str(TILE), "rx": "4",
                                  "fill": SHADES[shade] if shade >= 0 else NONE_FILL})
    ink = "#ffffff" if shade >= DARK_FROM else INK
    label = ET.SubElement(group, "text", {"x": str(x + TILE // 2), "y": str(y + 23),
                                          "text-anchor": "middle", "font-weight": "700",
                                          "fill": ink})
    label.text = code
    number = ET.SubElement(group, "text", {"x": str(x + TILE // 2), "y": str(y + 42),
                                           "text-anchor": "middle", "fill": ink})
    number.text = short_count(count) if count else "–"


def _legend(svg: ET.Element, bounds: list[int]) -> None:
    top = HEIGHT - LEGEND_HEIGHT + 12
    steps = [("0", NONE_FILL)] + [
        (f"{low:,}+" if index == len(bounds) - 1 else f"{low:,}–{bounds[index + 1] - 1:,}",
         SHADES[index])
        for index, low in enumerate(bounds)
    ]
    x = MARGIN
    for label, fill in steps:
        ET.SubElement(svg, "rect", {"x": str(x), "y": str(top), "width": "18", "height": "18",
                                    "rx": "3", "fill": fill, "stroke": "#c4ccd4"})
        text = ET.SubElement(svg, "text", {"x": str(x + 24), "y": str(top + 14)})
        text.text = label
        x += 34 + 8 * len(label)
