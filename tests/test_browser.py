"""End-to-end: sign the sample petition in a real Chromium, confirm by email, see the count move.

The app runs as `flask run` in a subprocess against a fresh SQLite file, so it migrates
itself and loads the sample campaign; mail goes to .eml files that the test reads back.
Screenshots land in $BROWSER_SCREENSHOTS (or the test's tmp_path) for a human to review.
"""
from __future__ import annotations

import contextlib
import email
import email.policy
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
SLUG = "keep-library-grants"
TITLE = "Keep federal library grants funded"
SIGNER_NAME = "Ada Lovelace-Browser"
SIGNER_EMAIL = "ada.browser.test@example.org"


class Server:
    def __init__(self, base_url: str, mail_dir: Path, log_path: Path) -> None:
        self.base_url = base_url
        self.mail_dir = mail_dir
        self.log_path = log_path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _app_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "CAMPAIGN_"))}
    env.update(
        CAMPAIGN_ENV="development",
        DATABASE_URL=f"sqlite:///{tmp / 'browser.sqlite'}",
        MAIL_BACKEND="file",
        MAIL_FILE_DIR=str(tmp / "mail"),
        OUTBOX_POLL_SECONDS="0.5",
        TALLY_CACHE_SECONDS="0",
        SECRET_KEY="browser-test-secret",
        PYTHONUNBUFFERED="1",
    )
    # A stray BASE_URL would make the emailed link point somewhere else.
    env.pop("BASE_URL", None)
    return env


def _wait_until_up(proc: subprocess.Popen, server: Server, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the app exited with {proc.returncode}:\n{server.log()}")
        try:
            with urllib.request.urlopen(server.base_url + "/", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(f"the app did not answer GET / within {timeout} s:\n{server.log()}")


@contextlib.contextmanager
def running_app(server: Server, env: dict[str, str]) -> Iterator[Server]:
    """`flask run` on the server's port until the block ends, whatever happens in it."""
    port = server.base_url.rsplit(":", 1)[1]
    command = [sys.executable, "-m", "flask", "--app", "campaign", "run",
               "--port", port, "--host", "127.0.0.1"]
    with open(server.log_path, "wb") as log:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(proc, server)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser-app")
    server = Server(f"http://127.0.0.1:{_free_port()}", tmp / "mail", tmp / "server.log")
    with running_app(server, _app_env(tmp)):
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
