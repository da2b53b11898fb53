"""End-to-end in two languages: an organizer adds a Spanish translation of the sample campaign;
a visitor whose Chromium prefers Spanish sees the campaign, the form and its errors in Spanish,
signs, confirms from a Spanish email, and the one count rises on the English page too.

The app runs as `flask run` against a fresh SQLite file (live_server); screenshots land in
$BROWSER_SCREENSHOTS (or the test's tmp_path) for a human to review.
"""
from __future__ import annotations

import email
import email.policy
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.live_server import PHONE, SLUG, TITLE, app_env, running_app
from tests.browser.organizer_steps import ORGANIZER_EMAIL, OrganizerServer, create_organizer, log_in
from tests.helpers import REPO_ROOT

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
SPANISH_TITLE = "Mantengan los fondos federales para las bibliotecas"
SPANISH_STATEMENT = "Pedimos al Congreso que mantenga los fondos de las bibliotecas públicas."
SIGNER_EMAIL = "lucia.browser.test@example.org"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser-languages-app")
    env = app_env(tmp)
    password = create_organizer(env)
    server = OrganizerServer(tmp / "mail", tmp / "server.log", password)
    with running_app(server, env):
        # The app loaded the sample campaign on its first start: the organizer owns it.
        command = [sys.executable, "-m", "flask", "--app", "campaign", "organizer", "add", SLUG,
                   ORGANIZER_EMAIL, "--owner"]
        result = subprocess.run(command, cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL,
                                capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 0, result.stdout + result.stderr
        yield server


def _shown_count(page: Page) -> int:
    return int(re.sub(r"\D", "", page.locator(".ask .count-number").inner_text()))


def _add_spanish_translation(page: Page, server: OrganizerServer, shots: Path) -> None:
    """The organizer's way: the Translations tab, then the Spanish texts beside the English."""
    log_in(page, server, shots)
    page.goto(f"{server.base_url}/organizer/c/{SLUG}/")
    page.get_by_role("navigation", name="This campaign").get_by_role("link", name="Translations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Translations")
    page.get_by_role("link", name="Add a translation into Español").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a translation into Español")
    page.get_by_label("Title", exact=True).fill(SPANISH_TITLE)
    page.get_by_label("Petition statement", exact=True).fill(SPANISH_STATEMENT)
    page.locator("fieldset.action-translation").first.get_by_label("Action title").fill("Firma la petición")
    page.get_by_role("button", name="Save the translation").click()
    expect(page.locator(".notice[role=status]")).to_contain_text("The translation into Español is saved")
    expect(page.get_by_role("heading", name="Not translated yet")).to_be_visible()
    page.screenshot(path=shots / "lang-1-translation.png", full_page=True)
    page.get_by_role("link", name="All languages").click()
    row = page.locator("#translation-es")
    expect(row).to_contain_text("parts not translated yet")
    expect(row.get_by_role("link", name="Public page in Español")).to_have_attribute(
        "href", f"/c/{SLUG}?lang=es")
    page.screenshot(path=shots / "lang-0-translations.png", full_page=True)


def _wait_for_mail(mail_dir: Path, to: str, timeout: float = 15) -> email.message.EmailMessage:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted(mail_dir.glob("*.eml")):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if message["To"].addresses[0].addr_spec == to:
                return message
        time.sleep(0.2)
    pytest.fail(f"no email to {to} appeared in {mail_dir} within {timeout} s")


def test_a_spanish_visitor_signs_the_translated_campaign_and_the_one_count_rises(
        server: OrganizerServer, browser, shots: Path) -> None:
    organizer = browser.new_context(viewport=DESKTOP, locale="en-US").new_page()
    organizer.set_default_timeout(10_000)
    _add_spanish_translation(organizer, server, shots)

    english = browser.new_context(viewport=PHONE, locale="en-US").new_page()
    english.set_default_timeout(10_000)
    english.goto(f"{server.base_url}/c/{SLUG}")
    expect(english.get_by_role("heading", level=1)).to_have_text(TITLE)
    assert english.locator("html").get_attribute("lang") == "en"
    count_before = _shown_count(english)
    # The English page links to the Spanish one...
    to_spanish = english.locator(".campaign-languages").get_by_role("link", name="Español")
    expect(to_spanish).to_have_attribute("hreflang", "es")

    # ...and a browser that prefers Spanish gets the Spanish page at the same address.
    visitor = browser.new_context(viewport=PHONE, locale="es-ES").new_page()
    visitor.set_default_timeout(10_000)
    visitor.goto(f"{server.base_url}/c/{SLUG}")
    expect(visitor.get_by_role("heading", level=1)).to_have_text(SPANISH_TITLE)
    expect(visitor.locator(".petition-text")).to_have_text(SPANISH_STATEMENT)
    assert visitor.locator("html").get_attribute("lang") == "es"
    assert _shown_count(visitor) == count_before  # one count
    expect(visitor.locator(".campaign-languages").get_by_role("link", name="English")).to_have_attribute(
        "hreflang", "en")
    assert visitor.locator('link[rel=alternate][hreflang="en"]').get_attribute("href").endswith(
        f"/c/{SLUG}?lang=en")
    visitor.screenshot(path=shots / "lang-2-spanish-page.png", full_page=True)

    # The form and its errors in Spanish.
    form = visitor.locator("form#sign")
    form.get_by_role("button", name="Firmar la petición").click()
    summary = visitor.get_by_role("alert")
    expect(summary).to_contain_text("Revisa el formulario")
    expect(visitor.get_by_role("heading", level=1)).to_have_text(SPANISH_TITLE)
    visitor.screenshot(path=shots / "lang-3-spanish-errors.png", full_page=True)

    form = visitor.locator("form#sign")
    form.get_by_label("Nombre completo", exact=True).fill("Lucía Browser")
    form.locator("[name=email]").fill(SIGNER_EMAIL)
    form.locator("[name=postcode]").fill("20001")
    form.get_by_role("button", name="Firmar la petición").click()
    expect(visitor).to_have_url(re.compile(re.escape(f"{server.base_url}/c/{SLUG}/signed")))

    # The confirmation email speaks Spanish, and leads back to the Spanish pages.
    message = _wait_for_mail(server.mail_dir, SIGNER_EMAIL)
    assert SPANISH_TITLE in message["Subject"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert SPANISH_TITLE in body and TITLE not in body
    link = re.search(re.escape(f"{server.base_url}/c/{SLUG}/confirm/") + r"[^\s\"<>]+", body)[0]
    assert link.endswith("?lang=es")
    visitor.goto(link)
    visitor.get_by_role("button", name="Confirmar mi firma").click()
    expect(visitor).to_have_url(re.compile(re.escape(f"{server.base_url}/c/{SLUG}/confirmed")))

    # The same count rises on the English page.
    english.goto(f"{server.base_url}/c/{SLUG}")
    expect(english.get_by_role("heading", level=1)).to_have_text(TITLE)
    assert _shown_count(english) == count_before + 1
    english.screenshot(path=shots / "lang-4-english-after.png", full_page=True)
