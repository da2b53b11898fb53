"""End-to-end: sign in a ZIP split between districts, see the representatives, say which is
yours, then look up a ZIP and mark an office contacted — in a real Chromium, at phone width.

Like test_browser.py, the app runs as `flask run` in a subprocess against a fresh SQLite file;
before it starts, the test migrates that file, loads the sample campaign and writes made-up
representatives into it (tests/representative_data.py). Screenshots land in
$BROWSER_SCREENSHOTS (or the test's tmp_path) for a human to review.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests import representative_data as data
from tests.browser.live_server import PHONE, SLUG, Server, app_env, prepare_database, running_app

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser-representatives-app")
    env = app_env(tmp)
    prepare_database(env["DATABASE_URL"])
    server = Server(tmp / "mail", tmp / "server.log")
    server.database = Path(env["DATABASE_URL"].removeprefix("sqlite:///"))
    with running_app(server, env):
        yield server


def _sign_in_shared_zip(page: Page, server: Server, shots: Path) -> None:
    page.goto(f"{server.base_url}/c/{SLUG}")
    expect(page.get_by_role("link", name="Find your representatives").first).to_be_visible()
    form = page.locator("form#sign")
    form.get_by_label("Full name", exact=True).fill("Rosa Parks-Browser")
    form.get_by_label("Email", exact=True).fill("rosa.browser.test@example.org")
    form.get_by_label("ZIP code or postcode", exact=True).fill("55416")
    page.get_by_role("button", name="Sign the petition").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    reps = page.locator("#your-representatives")
    expect(reps.get_by_role("heading", name="Your representatives")).to_be_visible()
    expect(reps.get_by_role("heading", name="Your ZIP code is split between districts")
           ).to_be_visible()
    for name in (*data.SENATORS_MN, data.MEMBER_MN_03, data.MEMBER_MN_05):
        expect(reps.get_by_role("heading", name=name, exact=True)).to_be_visible()
    page.screenshot(path=shots / "reps-1-thank-you.png", full_page=True)


def _choose_district(page: Page, server: Server, shots: Path) -> None:
    page.get_by_label(f"Minnesota's 3rd congressional district: {data.MEMBER_MN_03}").check()
    page.get_by_role("button", name="This is my representative").click()
    expect(page.get_by_role("status").filter(has_text="Thank you — noted.")).to_be_visible()
    told = f"You told us: Minnesota's 3rd congressional district: {data.MEMBER_MN_03} ✓"
    expect(page.get_by_text(told)).to_be_visible()
    page.screenshot(path=shots / "reps-2-district-chosen.png", full_page=True)
    with sqlite3.connect(server.database) as conn:
        assert conn.execute("SELECT district, district_choices FROM signatures").fetchall() == [
            ("MN-03", "MN-03 MN-05")]


def _card(page: Page, name: str):
    return page.locator("article.rep").filter(has=page.get_by_role("heading", name=name))


def _contact_from_the_lookup_page(page: Page, shots: Path) -> None:
    page.get_by_role("link", name="Write to them: your letter is ready").click()
    expect(page.get_by_role("heading", name="Find your representatives", level=1)).to_be_visible()
    page.get_by_label("ZIP code or postcode", exact=True).fill("55401")
    page.get_by_role("button", name="Find my representatives").click()
    card = _card(page, data.MEMBER_MN_05)
    expect(card.get_by_role("link", name="Call (202) 225-4755")
           ).to_have_attribute("href", "tel:2022254755")
    card.get_by_text(f"Your letter to {data.MEMBER_MN_05}").click()
    letter = card.get_by_label("The letter, ready to send")
    expect(letter).to_be_visible()
    text = letter.input_value()  # addressed to them, signed with who just signed in this browser
    assert text.startswith("Dear Representative River,\n\n"
                           "Please keep federal library grants")
    assert text.endswith("Sincerely,\nRosa Parks-Browser\nMinneapolis, MN 55416")
    # Hidden without JavaScript; campaign.js shows it.
    expect(card.get_by_role("button", name="Copy the letter")).to_be_visible()
    page.screenshot(path=shots / "reps-3-lookup.png", full_page=True)
    contacted = card.get_by_role("group", name="I contacted them")
    contacted.get_by_role("button", name="By phone").click()
    expect(page.get_by_role("status").filter(has_text="Thank you — noted.")).to_be_visible()
    card = _card(page, data.MEMBER_MN_05)
    expect(card.get_by_text("Contacted by phone ✓")).to_be_visible()
    expect(card.get_by_role("button", name="By phone")).to_have_count(0)
    page.screenshot(path=shots / "reps-4-contacted-phone.png", full_page=True)


def test_representatives_after_signing_and_contacted(server: Server, browser, shots: Path) -> None:
    page = browser.new_context(viewport=PHONE).new_page()
    page.set_default_timeout(10_000)
    _sign_in_shared_zip(page, server, shots)
    _choose_district(page, server, shots)
    _contact_from_the_lookup_page(page, shots)
    assert "@" not in page.locator("main").inner_text()  # no office here has an email
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=shots / "reps-5-desktop.png", full_page=True)
    with sqlite3.connect(server.database) as conn:
        assert conn.execute("SELECT representative_name, channel FROM outreaches").fetchall() == [
            (data.MEMBER_MN_05, "phone")]
