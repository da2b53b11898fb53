"""End-to-end for organizers: log in, make a campaign from an article, open it, export the signers.

Like test_browser.py, the app runs as `flask run` in a subprocess against a fresh SQLite file.
Before it starts, `flask organizer create --generate` makes an organizer in the same database and
prints the password, which the test then types into the login form of a real Chromium.
Screenshots land in $BROWSER_SCREENSHOTS (or the test's tmp_path) for a human to review.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.live_server import Server, app_env, running_app
from tests.browser.organizer_steps import (
    OrganizerServer,
    create_organizer,
    log_in,
    path_is,
)
from tests.helpers import FIXTURES

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
ARTICLE = FIXTURES / "articles" / "creek-separate-lines.txt"
SLUG = "creek"
SIGNER_NAME = "Grace Hopper-Browser"
SIGNER_EMAIL = "grace.browser.test@example.org"
SIGNER_ZIP = "98101"
CSV_HEADER = [
    "first_name", "last_name", "email", "zip_code", "country", "signed_at", "confirmed_at",
    "status", "comment", "contact_ok", "source", "city", "state", "district",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser-organizer-app")
    env = app_env(tmp)
    password = create_organizer(env)
    server = OrganizerServer(tmp / "mail", tmp / "server.log", password)
    with running_app(server, env):
        yield server


def _create_from_article(page: Page, server: Server, shots: Path) -> None:
    page.goto(server.base_url + "/organizer/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("New campaign")
    page.get_by_label("Article text", exact=True).fill(ARTICLE.read_text(encoding="utf-8"))
    page.get_by_label("Address (optional)", exact=True).fill(SLUG)
    page.screenshot(path=shots / "org-2-new.png", full_page=True)
    page.get_by_role("button", name="Create from the article").click()
    expect(page).to_have_url(path_is(page, server, f"/organizer/c/{SLUG}/review"))
    notice = page.locator(".notice[role=status]")
    expect(notice).to_contain_text(re.compile(r"Read \d+ lines"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Review before opening")
    expect(page.locator("#field-title")).to_contain_text("Drafted")
    page.screenshot(path=shots / "org-3-review.png", full_page=True)


def _open_for_signatures(page: Page) -> None:
    # The imported draft has open items (drafted fields, unchecked emails): opening is confirmed.
    page.get_by_role("button", name="Open for signatures").click()
    expect(page.get_by_role("alert")).to_contain_text("Not opened")
    page.get_by_label(re.compile(r"^Open with \d+ open items?")).check()
    page.get_by_role("button", name="Open for signatures").click()
    expect(page.get_by_role("heading", name="Status: open")).to_be_visible()
    expect(page.locator(".notice[role=status]")).to_contain_text("The campaign is now open")
    expect(page.get_by_role("button", name="Open for signatures")).to_have_count(0)


def _sign(page: Page, server: Server) -> None:
    page.goto(f"{server.base_url}/c/{SLUG}")
    form = page.locator("form#sign")
    form.get_by_label("Full name", exact=True).fill(SIGNER_NAME)
    form.get_by_label("Email", exact=True).fill(SIGNER_EMAIL)
    expect(form.get_by_label("Country", exact=True)).to_have_value("US")
    form.get_by_label("ZIP code or postcode", exact=True).fill(SIGNER_ZIP)
    form.get_by_role("button", name="Sign the petition").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()


def _download_csv(page: Page, server: Server, shots: Path) -> list[list[str]]:
    page.goto(f"{server.base_url}/organizer/c/{SLUG}/edit")
    tabs = page.get_by_role("navigation", name="This campaign")
    tabs.get_by_role("link", name="Exports").click()
    expect(page).to_have_url(path_is(page, server, f"/organizer/c/{SLUG}/exports"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Export the signer list")
    page.screenshot(path=shots / "org-4-exports.png", full_page=True)
    confirmed_only = page.get_by_label("Confirmed only", exact=True)
    if confirmed_only.is_checked():
        confirmed_only.uncheck()
    page.get_by_label("CSV, for spreadsheets and mailing tools").check()
    with page.expect_download() as info:
        page.get_by_role("button", name="Download").click()
    download = info.value
    assert download.failure() is None, download.failure()
    assert re.fullmatch(rf"{SLUG}-signers-\d{{8}}\.csv", download.suggested_filename)
    text = Path(download.path()).read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text)))


def _log_out(page: Page, server: Server) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(path_is(page, server, "/auth/login"))
    page.goto(server.base_url + "/organizer/")
    expect(page).to_have_url(path_is(page, server, "/auth/login"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Organizer login")


def test_organizer_creates_opens_and_exports(server: OrganizerServer, browser, shots: Path) -> None:
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)

    log_in(page, server, shots)
    _create_from_article(page, server, shots)
    _open_for_signatures(page)
    _sign(page, server)
    rows = _download_csv(page, server, shots)

    assert rows, "the CSV is empty"
    assert rows[0] == CSV_HEADER
    record = [dict(zip(CSV_HEADER, row)) for row in rows[1:]]
    mine = [r for r in record if r["email"] == SIGNER_EMAIL]
    assert len(mine) == 1, rows
    assert mine[0]["status"] == "pending"
    assert (mine[0]["first_name"], mine[0]["last_name"]) == ("Grace", "Hopper-Browser")
    assert mine[0]["zip_code"] == SIGNER_ZIP
    assert mine[0]["country"] == "US"
    assert mine[0]["confirmed_at"] == ""

    _log_out(page, server)
