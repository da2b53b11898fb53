"""End-to-end: sign the sample petition in a real Chromium, confirm by email, see the count move.

The app runs as `flask run` in a subprocess against a fresh SQLite file, so it migrates
itself and loads the sample campaign; mail goes to .eml files that the test reads back.
Screenshots land in $BROWSER_SCREENSHOTS (or the test's tmp_path) for a human to review.
"""
from __future__ import annotations

import email
import email.policy
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.live_server import PHONE, SLUG, TITLE, Server, app_env, running_app

pytestmark = pytest.mark.browser

SIGNER_NAME = "Ada Lovelace-Browser"
SIGNER_EMAIL = "ada.browser.test@example.org"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser-app")
    server = Server(tmp / "mail", tmp / "server.log")
    with running_app(server, app_env(tmp)):
        yield server


def _shown_count(page: Page) -> int:
    # Formatted with thousands separators ("1,234").
    text = page.locator(".ask .count-number").inner_text()
    return int(text.replace(",", "").strip())


def _api_count(page: Page, server: Server) -> int:
    response = page.request.get(f"{server.base_url}/c/{SLUG}/count.json")
    assert response.ok, response.status
    return response.json()["count"]


def _wait_for_mail(mail_dir: Path, timeout: float = 15) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = sorted(mail_dir.glob("*.eml"))
        if found:
            return found[0]
        time.sleep(0.2)
    pytest.fail(f"no .eml file appeared in {mail_dir} within {timeout} s")


def _confirmation_link(eml: Path, server: Server) -> str:
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert message["To"].addresses[0].addr_spec == SIGNER_EMAIL
    # get_content() undoes quoted-printable, which may split a long link across lines.
    body = message.get_body(preferencelist=("plain",)).get_content()
    pattern = re.escape(f"{server.base_url}/c/{SLUG}/confirm/") + r"[^\s\"<>]+"
    match = re.search(pattern, body)
    assert match, f"no confirmation link in the email:\n{body}"
    return match.group(0)


def _fill_sign_form(page: Page) -> None:
    form = page.locator("form#sign")
    form.get_by_label("Full name", exact=True).fill(SIGNER_NAME)
    form.get_by_label("Email", exact=True).fill(SIGNER_EMAIL)
    form.get_by_label("ZIP code or postcode", exact=True).fill("20001")
    form.get_by_label("Show my name on this page").check()


def _submit_empty_form(page: Page, shots: Path) -> None:
    page.get_by_role("button", name="Sign the petition").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Please check the form")
    # The answer to a bad submission is the campaign page again, with the form.
    expect(page.get_by_role("button", name="Sign the petition")).to_be_visible()
    page.screenshot(path=shots / "2-form-errors.png", full_page=True)


def _sign(page: Page, shots: Path) -> None:
    _fill_sign_form(page)
    page.get_by_role("button", name="Sign the petition").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    page.screenshot(path=shots / "3-check-email.png", full_page=True)


def _confirm(page: Page, server: Server, link: str, count_before: int) -> None:
    page.goto(link)
    button = page.get_by_role("button", name="Confirm my signature")
    expect(button).to_be_visible()
    # Mail scanners open links: the GET alone must not count the signature.
    assert _api_count(page, server) == count_before
    button.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("your signature counts")


def test_sign_confirm_and_count(server: Server, browser, shots: Path) -> None:
    page = browser.new_context(viewport=PHONE).new_page()
    page.set_default_timeout(10_000)

    page.goto(server.base_url + "/")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    count_before = _shown_count(page)
    page.screenshot(path=shots / "1-campaign-before.png", full_page=True)

    _submit_empty_form(page, shots)
    _sign(page, shots)
    link = _confirmation_link(_wait_for_mail(server.mail_dir), server)
    _confirm(page, server, link, count_before)

    page.goto(f"{server.base_url}/c/{SLUG}")
    assert _shown_count(page) == count_before + 1
    signers = page.locator(".signers")
    expect(signers.get_by_role("heading", name="Recent signers")).to_be_visible()
    expect(signers.get_by_text(SIGNER_NAME)).to_be_visible()
    assert SIGNER_EMAIL not in page.content().lower()
    page.screenshot(path=shots / "4-campaign-after.png", full_page=True)
