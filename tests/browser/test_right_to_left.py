"""The layout right to left: the campaign page in the tests' small Arabic catalog
(tests/fixtures/rtl_catalog) says dir="rtl", mirrors (logical CSS properties), and passes axe-core;
the Spanish page is shown too. Screenshots land in $BROWSER_SCREENSHOTS (or tmp_path)."""
from __future__ import annotations

import pytest

from tests.browser import axe
from tests.browser.live_server import PHONE, SLUG, Server, app_env, prepare_database, running_app
from tests.helpers import REPO_ROOT

pytestmark = pytest.mark.browser

RTL_CATALOG = REPO_ROOT / "tests" / "fixtures" / "rtl_catalog"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser-rtl-app")
    env = {**app_env(tmp), "LANGUAGES": "en es ar", "EXTRA_CATALOGS": str(RTL_CATALOG)}
    prepare_database(env["DATABASE_URL"])
    server = Server(tmp / "mail", tmp / "server.log")
    with running_app(server, env):
        yield server


def test_the_campaign_page_right_to_left_mirrors_and_passes_axe(browser, server, shots):
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{server.base_url}/c/{SLUG}?lang=ar")
    html = page.locator("html")
    assert html.get_attribute("dir") == "rtl" and html.get_attribute("lang") == "ar"
    assert page.locator("#ask-heading").inner_text() == "العريضة"
    # Mirrored: a label's words start at the right edge of its field, the petition's rule
    # (border-inline-start) is on its right, and the table's figures line up on the left.
    text = page.evaluate("""() => { const range = document.createRange();
        range.selectNodeContents(document.querySelector("label[for=full_name]"));
        const box = range.getBoundingClientRect(); return {left: box.left, right: box.right}; }""")
    field = page.locator("#full_name").bounding_box()
    assert abs(text["right"] - (field["x"] + field["width"])) < 2 and text["left"] > field["x"] + 10
    rule = page.evaluate("""() => { const style = getComputedStyle(document.querySelector(".petition-text"));
        return [style.borderRightWidth, style.borderLeftWidth]; }""")
    assert rule == ["4px", "0px"]
    page.screenshot(path=str(shots / "campaign-rtl.png"), full_page=True)
    found = axe.violations_at(page, "campaign page, Arabic", [PHONE, axe.DESKTOP])
    assert not found, "\n".join(found)


def test_the_spanish_campaign_page_passes_axe(browser, server, shots):
    page = browser.new_page(viewport=PHONE, locale="es-MX", extra_http_headers={"Accept-Language": "es-MX,es"})
    page.goto(f"{server.base_url}/c/{SLUG}")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.locator("#sign button[type=submit]").inner_text() == "Firmar la petición"
    page.screenshot(path=str(shots / "campaign-es.png"), full_page=True)
    found = axe.violations_at(page, "campaign page, Spanish", [PHONE, axe.DESKTOP])
    assert not found, "\n".join(found)
