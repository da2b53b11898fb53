"""The tile-grid map of signatures by US state: the SVG, and the map on both campaign pages."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import event

from campaign.counts import tile_map
from campaign.extensions import db
from tests.seats import build_world

SVG = "{http://www.w3.org/2000/svg}"


def _map(page: str) -> ET.Element:
    [svg] = re.findall(r'<svg\b[^>]*class="tile-map".*?</svg>', page, re.DOTALL)
    return ET.fromstring(svg)


def _tiles(svg: ET.Element) -> dict[str, tuple[str, str]]:
    """State code → (the count shown on its tile, its fill)."""
    tiles = {}
    for group in svg.iter(f"{SVG}g"):
        code, number = (text.text for text in group.findall(f"{SVG}text"))
        tiles[code] = (number, group.find(f"{SVG}rect").get("fill"))
    return tiles


def test_every_state_dc_and_puerto_rico_have_one_tile():
    svg = ET.fromstring(tile_map.state_map({}, map_id="m", title="Signatures"))
    tiles = _tiles(svg)
    assert len(tiles) == 52 and {"DC", "PR", "AK", "HI"} <= set(tiles)
    assert set(tile_map.GRID.values()).__len__() == 52  # no two states on one square
    assert {fill for _, fill in tiles.values()} == {tile_map.NONE_FILL}


def test_tiles_show_counts_and_darker_shades_for_more():
    counts = {"MN": 5000, "CA": 1200, "AK": 1, "GU": 7}
    svg = ET.fromstring(tile_map.state_map(counts, map_id="m", title="Signatures"))
    tiles = _tiles(svg)
    assert tiles["MN"] == ("5k", tile_map.SHADES[-1])
    assert tiles["CA"] == ("1.2k", tile_map.SHADES[1])
    assert tiles["AK"] == ("1", tile_map.SHADES[0]) and tiles["TX"][0] == "–"
    assert "GU" not in tiles  # off the grid: in the table only
    titles = [g.find(f"{SVG}title").text for g in svg.iter(f"{SVG}g")]
    assert "Minnesota: 5,000" in titles and "Alaska: 1" in titles
    assert svg.get("role") == "img" and svg.find(f"{SVG}desc").text.startswith("A map of")


def test_the_table_lists_every_place_with_signatures_most_first():
    rows = tile_map.table_rows({"MN": 3, "GU": 7, "": 2, "TX": 0})
    assert [(r.code, r.name, r.count, r.on_map) for r in rows] == [
        ("GU", "Guam", 7, False), ("MN", "Minnesota", 3, True), ("", "Unknown ZIP", 2, False)]
    # Signatures only off the grid, or none: no map, only the table.
    assert not tile_map.on_the_map({"": 3, "GU": 2, "MN": 0}) and tile_map.on_the_map({"MN": 1})


@pytest.mark.parametrize("largest, bounds", [(1, [1]), (3, [1, 2, 3]), (10, [1, 3, 5, 7, 9]),
                                             (1000, [1, 201, 401, 601, 801])])
def test_shade_bounds(largest, bounds):
    assert tile_map.shade_bounds(largest) == bounds


@pytest.mark.parametrize("count, shown", [(0, "0"), (999, "999"), (1000, "1k"), (1050, "1.1k"),
                                          (99_999, "100k"), (123_456, "123k"),
                                          (2_000_000, "2M")])
def test_short_counts(count, shown):
    assert tile_map.short_count(count) == shown


def test_the_public_page_shows_the_map_and_the_same_numbers_in_a_table(app, client, make_campaign):
    slug = make_campaign()
    build_world(app, slug)
    page = client.get(f"/c/{slug}").text
    tiles = _tiles(_map(page))
    assert tiles["MN"][0] == "7" and tiles["AK"][0] == "1" and tiles["NY"][0] == "–"
    table = page.split('<details class="state-table">', 1)[1].split("</details>", 1)[0]
    assert re.findall(r'<th scope="row">([^<]*)</th>\s*<td class="num">(\d+)', table) == [
        ("Minnesota (MN)", "7"), ("Alaska (AK)", "1")]
    assert 'style="' not in page


def test_no_map_without_us_signers(client, make_campaign):
    assert 'class="tile-map"' not in client.get(f"/c/{make_campaign()}").text


def test_the_public_page_reads_cached_state_counts(app, client, make_campaign):
    """Re-rendered pages (a refused form here) reuse the counts: one GROUP BY per lifetime."""
    slug = make_campaign()
    build_world(app, slug)
    app.config.update(TALLY_CACHE_SECONDS=60, WTF_CSRF_ENABLED=False)
    statements = []
    with app.app_context():
        listen = lambda *args: statements.append(args[2])
        event.listen(db.engine, "before_cursor_execute", listen)
    try:
        for _ in range(3):
            page = client.post(f"/c/{slug}/sign", data={"full_name": ""})
            assert page.status_code == 422 and 'class="tile-map"' in page.text
    finally:
        with app.app_context():
            event.remove(db.engine, "before_cursor_execute", listen)
            from campaign import cache
            from campaign.campaigns import store
            cache.forget(store.get_by_slug(slug).id)
    grouped = [s for s in statements if "GROUP BY signatures.country, signatures.region" in s]
    assert len(grouped) == 1


def test_the_organizer_overview_shows_the_map(app, client, make_campaign, make_organizer, login):
    slug = make_campaign()
    build_world(app, slug)
    login(client, make_organizer(campaigns_owned=[slug]))
    page = client.get(f"/organizer/c/{slug}/").text
    tiles = _tiles(_map(page))
    assert tiles["MN"][0] == "7" and tiles["AK"][0] == "1"
    assert "The table “By US state” has every figure." in page
