"""The shared example article, from import to the page a visitor sees, in a real Chromium.

An organizer pastes ../shared/examples/article-security-guarantees.txt into "new from article",
lands on the review step (drafted fields with their sources, open items), previews the draft and
opens it confirming the open items; then a visitor sees an ask for the h1 (not the headline), the
sign form, and none of the article's sample addresses as a way to reach anyone. The visitor signs,
the organizer closes the campaign, and the visitor sees the closed page and, following the
confirmation link, the "closed" answer. axe-core runs on the draft preview, the opened page and
the two closed states, at 320 px and 1280 px; its violations are asserted last, after the checks
of the flow, so each kind of fault reads on its own.
"""
from __future__ import annotations

import email
import email.policy
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser import axe
from tests.browser.live_server import app_env, running_app
from tests.browser.organizer_steps import OrganizerServer, create_organizer, log_in, path_is
from tests.helpers import shared_example

pytestmark = pytest.mark.browser

SLUG = "security-guarantees"
HEADLINE = "US Proposed NATO-Style Joint Defense Guarantees for Kyiv: Source"
NARROW = {"width": 320, "height": 640}
# The article's "Sample Contacts": placeholders to be replaced, never a way to reach anyone.
SAMPLE_CONTACTS = [
    "senator_warren@warren.senate.gov", "ilhan.omar@mail.house.gov",
    "2400 JFK Federal Building", "15 New Sudbury St", "2233 Rayburn House Office Building",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    shared_example()  # fail before starting anything when the article is not there
    tmp = tmp_path_factory.mktemp("browser-example-app")
    env = app_env(tmp)
    server = OrganizerServer(tmp / "mail", tmp / "server.log", create_organizer(env))
    with running_app(server, env):
        yield server


def _import_and_review(page: Page, server: OrganizerServer, shots: Path) -> None:
    page.goto(server.base_url + "/organizer/new")
    page.get_by_label("Article text", exact=True).fill(shared_example().read_text(encoding="utf-8"))
    page.get_by_label("Address (optional)", exact=True).fill(SLUG)
    page.get_by_role("button", name="Create from the article").click()
    expect(page).to_have_url(path_is(page, server, f"/organizer/c/{SLUG}/review"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Review before opening")
    page.screenshot(path=shots / "example-1-review.png", full_page=True)
    for field in ("title", "target", "petition_text"):
        row = page.locator(f"#field-{field}")
        expect(row).to_contain_text("Drafted")
        # Where it came from: the source column is filled, and is not the organizer's own.
        source = row.locator("td").nth(1)
        expect(source).not_to_have_text("")
        expect(source).not_to_have_text("Edited or kept by an organizer")
    title = page.locator("#field-title td").first.inner_text()
    assert title.strip() and title.strip() != HEADLINE
    items = page.locator("ul.open-items li")
    expect(items.first).to_be_visible()
    expect(page.locator("ul.open-items")).to_contain_text("still the importer's draft")
    expect(page.locator("ul.official-matches")).to_contain_text("Warren")


def _open_with_open_items(page: Page) -> None:
    page.get_by_role("button", name="Open for signatures").click()
    expect(page.get_by_role("alert")).to_contain_text("Not opened")
    page.get_by_label(re.compile(r"^Open with \d+ open items?")).check()
    page.get_by_role("button", name="Open for signatures").click()
    expect(page.get_by_role("heading", name="Status: open")).to_be_visible()


def _the_visitor_sees_the_ask(page: Page, server: OrganizerServer, shots: Path) -> None:
    page.goto(f"{server.base_url}/c/{SLUG}")
    h1 = page.get_by_role("heading", level=1)
    expect(h1).to_have_count(1)
    assert h1.inner_text().strip() not in ("", HEADLINE), h1.inner_text()
    page.screenshot(path=shots / "example-3-public.png", full_page=True)
    form = page.locator("form#sign")
    expect(form).to_be_visible()
    expect(form.get_by_label("Email", exact=True)).to_be_visible()
    expect(form.get_by_role("button", name="Sign the petition")).to_be_visible()
    contacts = page.locator(".action-contact")
    expect(contacts).not_to_have_count(0)
    card_text = " ".join(contacts.all_inner_texts())
    links = " ".join(page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)"))
    for sample in SAMPLE_CONTACTS:
        assert sample not in card_text, f"the contact card shows the article's sample {sample!r}"
        assert sample.replace(" ", "%20") not in links, f"a link goes to the sample {sample!r}"


def _confirmation_link(server: OrganizerServer, timeout: float = 15) -> str:
    pattern = re.escape(f"{server.base_url}/c/{SLUG}/confirm/") + r"[^\s\"<>]+"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for eml in sorted(server.mail_dir.glob("*.eml")):
            message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
            if found := re.search(pattern, message.get_body(preferencelist=("plain",)).get_content()):
                return found.group(0)
        time.sleep(0.2)
    pytest.fail("no confirmation email")


def _sign(page: Page) -> None:
    form = page.locator("form#sign")
    form.get_by_label("Full name", exact=True).fill("Ada Example-Browser")
    form.get_by_label("Email", exact=True).fill("ada.example.browser@example.org")
    form.get_by_label("ZIP code or postcode", exact=True).fill("02203")
    form.get_by_role("button", name="Sign the petition").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()


def _close(page: Page, server: OrganizerServer) -> None:
    page.goto(f"{server.base_url}/organizer/c/{SLUG}/edit")
    page.get_by_role("button", name="Close", exact=True).click()
    expect(page.get_by_role("heading", name="Status: closed")).to_be_visible()


def test_the_shared_example_becomes_an_ask(server: OrganizerServer, browser, shots: Path) -> None:
    organizer = browser.new_context(viewport=axe.DESKTOP).new_page()
    organizer.set_default_timeout(10_000)
    log_in(organizer, server, shots)
    _import_and_review(organizer, server, shots)

    organizer.goto(f"{server.base_url}/c/{SLUG}")
    expect(organizer.get_by_text("Draft: only organizers see this.")).to_be_visible()
    organizer.screenshot(path=shots / "example-2-draft-preview.png", full_page=True)
    faults = axe.violations_at(organizer, "draft-preview", [NARROW, axe.DESKTOP])

    organizer.goto(f"{server.base_url}/organizer/c/{SLUG}/review")
    _open_with_open_items(organizer)

    visitor = browser.new_context(viewport=axe.DESKTOP).new_page()
    visitor.set_default_timeout(10_000)
    _the_visitor_sees_the_ask(visitor, server, shots)
    faults += axe.violations_at(visitor, "example-campaign", [NARROW, axe.DESKTOP])

    _sign(visitor)
    _close(organizer, server)
    visitor.goto(f"{server.base_url}/c/{SLUG}")
    expect(visitor.get_by_text("This petition is closed")).to_be_visible()
    faults += axe.violations_at(visitor, "example-closed", [NARROW, axe.DESKTOP])
    visitor.goto(_confirmation_link(server))
    expect(visitor.get_by_role("heading", level=1)).to_have_text("This petition has closed")
    faults += axe.violations_at(visitor, "example-confirm-after-closing", [NARROW, axe.DESKTOP])
    assert faults == [], f"{len(faults)} axe violations:\n" + "\n".join(faults)
