"""Issue 15's "done when", in a real Chromium: from the shared example's meeting and host cards,
a visitor offers to host and confirms by the emailed link, an organizer publishes the offer,
another visitor finds it by ZIP code, RSVPs and confirms, the confirmation carries a calendar
file that icalendar reads with the right start, and the host's private page lists them.
"""
from __future__ import annotations

import email
import email.policy
import re
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from playwright.sync_api import Page, expect

from tests.browser.live_server import PHONE, app_env, running_app
from tests.browser.organizer_steps import ORGANIZER_EMAIL, OrganizerServer, create_organizer, log_in
from tests.helpers import REPO_ROOT, shared_example

pytestmark = pytest.mark.browser

SLUG = "security-guarantees"
ZONE = "America/New_York"  # the first zone offered for a US campaign
HOST_EMAIL = "hana.host@example.org"
GUEST_EMAIL = "gus.guest@example.org"


def _flask(env: dict[str, str], *args: str) -> None:
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "campaign", *args], cwd=REPO_ROOT,
                            env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            timeout=120, start_new_session=True, check=False)
    assert result.returncode == 0, f"flask {' '.join(args)} failed:\n{result.stdout}{result.stderr}"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app with the shared example imported and opened, its organizer a member."""
    article = shared_example()
    tmp = tmp_path_factory.mktemp("browser-events-app")
    env = app_env(tmp)
    password = create_organizer(env)
    _flask(env, "import-article", str(article), "--slug", SLUG, "--open-anyway")
    _flask(env, "organizer", "add", SLUG, ORGANIZER_EMAIL)
    server = OrganizerServer(tmp / "mail", tmp / "server.log", password)
    with running_app(server, env):
        yield server


def _mail(server: OrganizerServer, to: str, subject: str, timeout: float = 20) -> EmailMessage:
    """The newest email to an address whose subject starts so, waiting for the outbox worker."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for eml in sorted(server.mail_dir.glob("*.eml"), key=lambda p: p.stat().st_mtime, reverse=True):
            message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
            if to in str(message["To"]) and " ".join(str(message["Subject"]).split()).startswith(subject):
                return message
        time.sleep(0.25)
    pytest.fail(f"no email {subject!r} to {to}:\n{server.log()}")


def _link(message: EmailMessage, pattern: str) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    found = re.search(pattern + r"[^\s\"<>]*", body)
    assert found, body
    return found.group(0)


def _offer_to_host(page: Page, server: OrganizerServer, day: str, shots: Path) -> None:
    page.goto(f"{server.base_url}/c/{SLUG}")
    card = page.locator(".action", has_text="Host a Community Discussion")
    card.get_by_role("link", name="Offer to host").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Offer to host a meeting")
    page.get_by_label("What will you hold?").fill("Kitchen-table talk on security guarantees")
    page.get_by_label("Date", exact=True).fill(day)
    page.get_by_label("Start time").fill("18:30")
    page.get_by_label("How long").select_option("120")
    expect(page.get_by_label("Time zone")).to_have_value(ZONE)
    page.get_by_label("Place (a library, a café, your home...)").fill("Cambridge Public Library")
    page.get_by_label("Street address").fill("449 Broadway")
    page.get_by_label("ZIP code or postcode").fill("02138")
    page.get_by_label(re.compile(r"^How many people can come")).fill("12")
    page.get_by_label("Your name").fill("Hana Host")
    page.get_by_label("Your email").fill(HOST_EMAIL)
    page.screenshot(path=shots / "events-1-offer.png", full_page=True)
    page.get_by_role("button", name="Offer to host").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    page.goto(_link(_mail(server, HOST_EMAIL, "Please confirm your offer to host"),
                    re.escape(f"{server.base_url}/c/{SLUG}/host/confirm/")))
    page.get_by_role("button", name="Confirm my offer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("your offer is confirmed")


def _publish(page: Page, server: OrganizerServer, shots: Path) -> None:
    log_in(page, server, shots)
    page.goto(f"{server.base_url}/organizer/c/{SLUG}/events")
    offer = page.locator("li.offer", has_text="Kitchen-table talk on security guarantees")
    expect(offer).to_contain_text("Hana Host")
    page.screenshot(path=shots / "events-2-organizer-offers.png", full_page=True)
    offer.get_by_role("button", name="Publish").click()
    expect(page.locator(".notice")).to_contain_text("Published")
    expect(page.locator("table.events")).to_contain_text("published")


def _rsvp(page: Page, server: OrganizerServer, shots: Path) -> None:
    page.goto(f"{server.base_url}/c/{SLUG}")
    page.locator(".action", has_text="Attend Local Meetings").get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a meeting near you")
    page.get_by_label(re.compile("ZIP code")).fill("02139")
    page.get_by_role("button", name="Find meetings").click()
    expect(page.get_by_role("status")).to_contain_text("Nearest first to 02139")
    found = page.locator("li.event-item", has_text="Kitchen-table talk on security guarantees")
    expect(found).to_contain_text("miles away")
    page.screenshot(path=shots / "events-3-found-by-zip.png", full_page=True)
    found.get_by_role("link").click()
    form = page.locator("form", has=page.get_by_role("button", name="RSVP"))
    form.get_by_label("Full name").fill("Gus Guest")
    form.get_by_label("Email").fill(GUEST_EMAIL)
    form.get_by_label("ZIP code or postcode").fill("02139")
    form.get_by_label("Guests coming with you").select_option("1")
    form.get_by_label("The host may write to me about this event").check()
    form.get_by_role("button", name="RSVP").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    page.goto(_link(_mail(server, GUEST_EMAIL, "Please confirm that you are coming"),
                    re.escape(f"{server.base_url}/c/{SLUG}/events/") + r"[0-9a-f-]+/confirm/"))
    page.get_by_role("button", name="Confirm that I am coming").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are coming")


def _calendar_start(message: EmailMessage) -> datetime:
    files = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
    assert files, "the confirmation carries no calendar file"
    calendar = icalendar.Calendar.from_ical(files[0].get_payload(decode=True))
    [vevent] = [c for c in calendar.walk() if c.name == "VEVENT"]
    assert "Kitchen-table talk" in str(vevent.get("SUMMARY"))
    return vevent.decoded("DTSTART")


def test_offer_publish_find_by_zip_rsvp_and_the_host_sees_them(server: OrganizerServer, browser, shots: Path):
    zone = ZoneInfo(ZONE)
    day = (datetime.now(zone) + timedelta(days=10)).date()
    visitor = browser.new_context(viewport=PHONE).new_page()
    _offer_to_host(visitor, server, day.isoformat(), shots)

    organizer = browser.new_context().new_page()
    _publish(organizer, server, shots)
    host_link = _link(_mail(server, HOST_EMAIL, "Your event is published"),
                      re.escape(f"{server.base_url}/host/"))

    attendee = browser.new_context(viewport=PHONE).new_page()
    _rsvp(attendee, server, shots)
    start = _calendar_start(_mail(server, GUEST_EMAIL, "You are coming"))
    expected = datetime(day.year, day.month, day.day, 18, 30, tzinfo=zone)
    assert start.astimezone(UTC) == expected.astimezone(UTC)

    host = browser.new_context(viewport=PHONE).new_page()
    host.goto(host_link)
    expect(host.get_by_role("heading", level=1)).to_have_text("Kitchen-table talk on security guarantees")
    row = host.locator("tr", has_text="Gus Guest")
    expect(row).to_contain_text(GUEST_EMAIL)  # Gus allowed the host to write
    expect(row).to_contain_text("going")
    expect(host.get_by_text("2 people going")).to_be_visible()  # Gus and his guest
    host.screenshot(path=shots / "events-4-host-page.png", full_page=True)
