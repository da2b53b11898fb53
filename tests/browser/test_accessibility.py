"""Accessibility as a visitor meets it, in a real Chromium: every public page, with its refused
states, reflows at 320 px without sideways scrolling and has its headings in order; after a
refused form, focus is on the error summary and the title starts with "Error: ". axe-core
(tests/browser/axe.py) reports no violation of any impact on the same page states, at 320 px and
at 1280 px.

The app runs as `flask run` in a subprocess against a fresh SQLite file holding the sample
campaign and made-up representatives (tests/representative_data.py), as in
test_representatives.py. Screenshots at 320 px land in $BROWSER_SCREENSHOTS (or tmp_path).
"""
from __future__ import annotations

import email
import email.policy
import itertools
import re
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import update

import config
from campaign import create_app, tokens
from campaign.campaigns import store
from campaign.clock import utcnow
from campaign.extensions import db
from campaign.models import CampaignStatus, ConfirmationToken, Signature, SignatureStatus
from campaign.signing import confirmations, removal_links
from tests import representative_data as data
from tests.browser import axe
from tests.browser.live_server import PHONE, SLUG, Server, app_env, prepare_database, running_app

pytestmark = pytest.mark.browser

NARROW = {"width": 320, "height": 640}  # WCAG 1.4.10 reflow: 320 CSS px wide

# Every heading in document order, as its level: h1 first and once, no level skipped.
HEADING_LEVELS = "() => [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1])"
WIDEST = "() => document.documentElement.scrollWidth"
# A name with no place to break a line, as people type them (in some languages, as they are).
LONG_NAME = "Wolfeschlegelsteinhausenbergerdorff-Hopperbrowser"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser-accessibility-app")
    env = app_env(tmp)
    prepare_database(env["DATABASE_URL"])
    server = Server(tmp / "mail", tmp / "server.log")
    with running_app(server, env):
        yield server


def heading_problems(levels: list[int]) -> list[str]:
    """What is out of order in a page's heading levels; [] when none."""
    problems = []
    if levels.count(1) != 1:
        problems.append(f"{levels.count(1)} h1")
    if levels and levels[0] != 1:
        problems.append(f"starts at h{levels[0]}")
    problems += [f"h{a} then h{b}" for a, b in itertools.pairwise(levels) if b > a + 1]
    return problems


class Audit:
    """Checks each page as it is shown, and keeps every fault to report them all at once."""

    def __init__(self, page: Page, shots: Path) -> None:
        self.page, self.shots, self.faults = page, shots, []

    def check(self, name: str) -> None:
        page = self.page
        page.set_viewport_size(NARROW)
        if (width := page.evaluate(WIDEST)) > NARROW["width"]:
            self.faults.append(f"{name}: {width} px wide at 320 px")
        self.faults += [f"{name}: {p}" for p in heading_problems(page.evaluate(HEADING_LEVELS))]
        page.screenshot(path=self.shots / f"a11y-{name}.png", full_page=True)
        page.set_viewport_size(PHONE)

    def check_refused(self, name: str) -> None:
        """A page answering a refused form: focus on the summary, and stays; "Error: " title."""
        page = self.page
        expect(page.locator("#error-summary")).to_be_visible()
        time.sleep(0.5)  # focus moved by anything after load would show by now
        focused = page.evaluate("() => document.activeElement && document.activeElement.id")
        if focused != "error-summary":
            self.faults.append(f"{name}: focus is on {focused!r}, not the error summary")
        if not page.title().startswith("Error: "):
            self.faults.append(f"{name}: title {page.title()!r}")
        self.check(name)


# The focused element's outline, and the colour behind it: the first opaque background outside it.
FOCUS_RING = """() => {
  const e = document.activeElement, style = getComputedStyle(e);
  let behind = e.parentElement, background = "rgb(255, 255, 255)";
  for (; behind; behind = behind.parentElement) {
    const b = getComputedStyle(behind).backgroundColor;
    if (b !== "rgba(0, 0, 0, 0)" && b !== "transparent") { background = b; break; }
  }
  return {what: e.tagName + " " + (e.textContent || e.name || "").trim().slice(0, 30),
          style: style.outlineStyle, width: parseFloat(style.outlineWidth),
          color: style.outlineColor, background: background};
}"""


def contrast(one: str, other: str) -> float:
    """WCAG contrast ratio of two "rgb(r, g, b)" colours."""
    def luminance(colour: str) -> float:
        channels = [int(c) / 255 for c in re.findall(r"\d+", colour)[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast() -> None:
    assert round(contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)"), 1) == 21.0
    assert round(contrast("rgb(246, 183, 60)", "rgb(255, 255, 255)"), 1) == 1.8  # the old ring


def test_the_focus_ring_shows_at_3_to_1_on_every_stop(server: Server, browser) -> None:
    page = browser.new_context(viewport=PHONE).new_page()
    page.goto(f"{server.base_url}/c/{SLUG}")
    page.get_by_role("button", name="Sign the petition").click()  # the error summary too
    faults, seen = [], 0
    for _ in range(40):  # the skip link, the header, the refused form and beyond
        ring = page.evaluate(FOCUS_RING)
        if ring["what"].startswith("BODY"):
            page.keyboard.press("Tab")
            continue
        seen += 1
        if ring["style"] == "none" or ring["width"] < 2:
            faults.append(f"{ring['what']}: no ring")
        elif (ratio := contrast(ring["color"], ring["background"])) < 3:
            faults.append(f"{ring['what']}: {ratio:.1f}:1 ({ring['color']} on {ring['background']})")
        page.keyboard.press("Tab")
    assert seen > 20
    assert faults == [], "\n".join(faults)


def test_heading_problems_are_found() -> None:
    assert heading_problems([1, 2, 3, 3, 2, 3, 4]) == []
    assert heading_problems([1, 2, 4]) == ["h2 then h4"]
    assert heading_problems([2, 1]) == ["starts at h2"]
    assert heading_problems([1, 2, 1]) == ["2 h1"]


class AxeAudit:
    """Runs axe on each page state at 320 px and at desktop width, keeping every violation."""

    def __init__(self, page: Page) -> None:
        self.page, self.faults = page, []

    def check(self, name: str) -> None:
        self.faults += axe.violations_at(self.page, name, [NARROW, axe.DESKTOP])
        self.page.set_viewport_size(PHONE)

    check_refused = check


def _confirmation_link(server: Server, to: str, timeout: float = 15) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for eml in sorted(server.mail_dir.glob("*.eml")):
            message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
            if to not in str(message["To"]):
                continue
            body = message.get_body(preferencelist=("plain",)).get_content()
            if found := re.search(re.escape(f"{server.base_url}/c/{SLUG}/confirm/") + r"[^\s\"<>]+",
                                  body):
                return found.group(0)
        time.sleep(0.2)
    pytest.fail("no confirmation email")


def test_public_pages_reflow_and_headings_and_refused_forms(server: Server, browser, shots) -> None:
    page = browser.new_context(viewport=PHONE).new_page()
    page.set_default_timeout(10_000)
    audit = Audit(page, shots)
    walk_public_pages(page, server, audit, "grace.browser.test@example.org")
    assert audit.faults == [], "\n".join(audit.faults)


def test_axe_reports_nothing_on_public_pages(server: Server, browser) -> None:
    page = browser.new_context(viewport=PHONE).new_page()
    page.set_default_timeout(10_000)
    audit = AxeAudit(page)
    walk_public_pages(page, server, audit, "ada.axe.test@example.org")
    assert audit.faults == [], f"{len(audit.faults)} axe violations:\n" + "\n".join(audit.faults)


def walk_public_pages(page: Page, server: Server, audit: Audit | AxeAudit, signer: str) -> None:
    """Every public page state, each handed to audit.check or, after a refused form, check_refused.

    27 states: the index, the campaign page (refused, signed, with a long name), the district
    choice, confirming, the representatives lookup, the signer's controls, the embed and its
    thank-you, 404, and the thank-you and confirmed pages opened by someone else.
    """
    base = server.base_url

    page.goto(base + "/")
    audit.check("index")
    page.goto(f"{base}/c/{SLUG}")
    audit.check("campaign")
    page.get_by_role("button", name="Sign the petition").click()
    audit.check_refused("campaign-refused")

    form = page.locator("form#sign")
    form.get_by_label("Full name", exact=True).fill(LONG_NAME)
    form.get_by_label("Email", exact=True).fill(signer)
    form.get_by_label("ZIP code or postcode", exact=True).fill("55416")
    form.get_by_label("Show my name on this page").check()
    page.get_by_role("button", name="Sign the petition").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    audit.check("signed")
    page.get_by_role("button", name="This is my representative").click()  # nothing chosen
    expect(page.get_by_role("group", name=re.compile("Which of these is your representative"))
           ).to_be_visible()
    audit.check_refused("district-refused")

    link = _confirmation_link(server, signer)
    page.goto(link)
    audit.check("confirm")
    page.get_by_role("button", name="Confirm my signature").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("your signature counts")
    audit.check("confirmed")
    page.goto(f"{base}/c/{SLUG}")
    expect(page.locator(".signers").get_by_text(LONG_NAME).first).to_be_visible()
    audit.check("campaign-with-a-long-name")
    page.goto(f"{base}/c/{SLUG}/confirm/not-a-token")
    audit.check("confirm-bad-link")

    page.goto(f"{base}/c/{SLUG}/resend")
    audit.check("resend")
    page.get_by_role("button", name="Send me a new link").click()
    audit.check_refused("resend-refused")

    page.goto(f"{base}/c/{SLUG}/representatives")
    audit.check("representatives")
    page.goto(f"{base}/c/{SLUG}/representatives?country=US&postcode=not+a+zip")
    audit.check_refused("representatives-refused")
    page.goto(f"{base}/c/{SLUG}/representatives?country=US&postcode=55416")
    card = page.locator("article.rep").filter(has=page.get_by_role("heading", name=data.MEMBER_MN_05))
    card.get_by_text(f"Your letter to {data.MEMBER_MN_05}").click()
    audit.check("representatives-found")
    button = card.get_by_role("button", name="By phone")
    button.evaluate("b => b.value = 'carrier-pigeon'")
    button.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Please choose how you contacted them")
    audit.check("contacted-refused")

    page.goto(f"{base}/delete-my-data")
    audit.check("delete-my-data")
    page.get_by_role("button", name="Email me the link").click()
    audit.check_refused("delete-my-data-refused")
    page.goto(f"{base}/delete-my-data/not-a-token")
    audit.check("delete-my-data-bad-link")
    page.goto(f"{base}/c/{SLUG}/remove/not-a-token")
    audit.check("remove-bad-link")

    page.goto(f"{base}/c/{SLUG}/embed")
    audit.check("embed")
    page.get_by_role("button", name="Sign the petition").click()
    audit.check_refused("embed-refused")

    page.goto(f"{base}/c/no-such-campaign")
    audit.check("not-found")
    page.goto(f"{base}/c/{SLUG}/embed/signed")
    audit.check("embed-signed")
    page.goto(f"{base}/c/{SLUG}/removed")
    audit.check("removed")
    page.goto(f"{base}/delete-my-data/done")
    audit.check("delete-my-data-done")
    page.context.clear_cookies()  # someone else, with none of this signer's memory
    page.goto(f"{base}/c/{SLUG}/signed")
    audit.check("signed-elsewhere")
    page.goto(f"{base}/c/{SLUG}/confirmed")
    audit.check("confirmed-elsewhere")


def test_axe_reports_nothing_on_the_slow_down_page(tmp_path_factory, browser) -> None:
    """The 429 answer to one signature too many: an error state like the others, on its own app
    with a limit of one, so that the walks above keep their budget."""
    tmp = tmp_path_factory.mktemp("browser-slow-down-app")
    env = {**app_env(tmp), "SIGN_RATE_LIMIT": "1 per 10 minutes"}
    server = Server(tmp / "mail", tmp / "server.log")
    with running_app(server, env):
        for email_address in ("first.axe@example.org", "second.axe@example.org"):
            page = browser.new_context(viewport=PHONE).new_page()  # a new visitor, same address
            page.set_default_timeout(10_000)
            page.goto(f"{server.base_url}/c/{SLUG}")
            form = page.locator("form#sign")
            form.get_by_label("Full name", exact=True).fill("Ada Lovelace-Axe")
            form.get_by_label("Email", exact=True).fill(email_address)
            form.get_by_label("ZIP code or postcode", exact=True).fill("55416")
            page.get_by_role("button", name="Sign the petition").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Please wait a few minutes")
        faults = axe.violations_at(page, "slow-down", [NARROW, axe.DESKTOP])
    assert faults == [], f"{len(faults)} axe violations:\n" + "\n".join(faults)


def _links_that_are_refused(url: str, secret_key: str) -> dict[str, tuple[str, str]]:
    """Signatures whose links a closed petition refuses, written before the app starts: each
    state's path and the heading it shows. The petition is closed, one signature was removed
    by its organizers, one confirmation link and the signer's own links are past their time."""
    app = create_app(config.TestingConfig, SQLALCHEMY_DATABASE_URI=url, SECRET_KEY=secret_key)
    now, long_ago = utcnow(), utcnow() - timedelta(days=400)
    with app.test_request_context():
        campaign = store.get_by_slug(SLUG)
        links = {}
        for who, status in (("closed", SignatureStatus.PENDING),
                            ("invalidated", SignatureStatus.INVALIDATED),
                            ("expired", SignatureStatus.PENDING)):
            signature = Signature(campaign_id=campaign.id, full_name=f"Ada {who.title()}",
                                  email=f"{who}.axe@example.org", email_key=f"{who}.axe@example.org",
                                  country="US", status=status)
            db.session.add(signature)
            db.session.flush()
            token = tokens.token_from_nonce(secret_key, confirmations.issue(signature, now=now))
            links[who] = f"/c/{SLUG}/confirm/{token}"
            if who == "expired":
                db.session.execute(update(ConfirmationToken)
                                   .where(ConfirmationToken.signature_id == signature.id)
                                   .values(expires_at=long_ago))
                links["remove-expired"] = urlsplit(
                    removal_links.removal_link(campaign, signature, now=long_ago)).path
                links["delete-my-data-expired"] = urlsplit(
                    removal_links.deletion_link(signature, now=long_ago)).path
        campaign.status = CampaignStatus.CLOSED
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return {
        "confirm-closed": (links["closed"], "This petition has closed"),
        "confirm-invalidated": (links["invalidated"], "This signature cannot be counted"),
        "confirm-expired": (links["expired"], "This confirmation link has expired"),
        "resend-closed": (f"/c/{SLUG}/resend", "This petition has closed"),
        "remove-expired": (links["remove-expired"], "This link has expired"),
        "delete-my-data-expired": (links["delete-my-data-expired"], "This link has expired"),
    }


def test_axe_reports_nothing_where_a_closed_petition_refuses_a_link(tmp_path_factory, browser,
                                                                    shots) -> None:
    """closed.html in both its variants (the petition closed; the signature removed by the
    organizers), the expired confirmation, removal and deletion links, and the resend form of
    a closed petition: on their own app, whose petition is closed."""
    tmp = tmp_path_factory.mktemp("browser-closed-app")
    env = app_env(tmp)
    prepare_database(env["DATABASE_URL"])
    states = _links_that_are_refused(env["DATABASE_URL"], env["SECRET_KEY"])
    server = Server(tmp / "mail", tmp / "server.log")
    with running_app(server, env):
        page = browser.new_context(viewport=PHONE).new_page()
        page.set_default_timeout(10_000)
        audit, axe_audit = Audit(page, shots), AxeAudit(page)
        for name, (path, heading) in states.items():
            page.goto(server.base_url + path)
            expect(page.get_by_role("heading", level=1)).to_have_text(heading)
            audit.check(name)
            axe_audit.check(name)
    assert audit.faults == [], "\n".join(audit.faults)
    faults = axe_audit.faults
    assert faults == [], f"{len(faults)} axe violations:\n" + "\n".join(faults)
