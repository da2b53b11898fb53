"""End-to-end: the sign form embedded in a page of another site, in a real Chromium.

The app runs as `flask run` on 127.0.0.1 (as in test_browser.py). The embedding page, made from
the organizer's snippet, is served by a small http.server on `localhost` at another port: another
site, so the browser sends no SameSite=Lax cookie into the frame. The test signs in the frame,
sees the thank-you there, finds the row in the database, and sees the campaign page itself
refuse to be framed. Screenshots land in $BROWSER_SCREENSHOTS (or the test's tmp_path).
"""
from __future__ import annotations

import contextlib
import functools
import sqlite3
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

import config
from campaign import create_app
from campaign.models import Campaign
from campaign.organizer.embed import snippets
from tests.browser.live_server import SLUG, TITLE, Server, app_env, running_app

pytestmark = pytest.mark.browser

NARROW_PHONE = {"width": 320, "height": 720}
SIGNER_NAME = "Mary Somerville-Embed"
SIGNER_EMAIL = "mary.embed.test@example.org"


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args) -> None:
        pass


@contextlib.contextmanager
def _other_site(directory: Path) -> Iterator[str]:
    """Serve directory at http://localhost:<port>, a different site from 127.0.0.1."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(directory)))
    port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{port}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def _snippet_html(base_url: str) -> str:
    """The organizer page's snippets for the sample campaign, as an organizer would copy them."""
    app = create_app(config.TestingConfig, BASE_URL=base_url, SQLALCHEMY_DATABASE_URI="sqlite://")
    with app.test_request_context():
        return "\n".join(s.code for s in snippets(Campaign(slug=SLUG, title=TITLE)))


def _page(title: str, body: str) -> str:
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'><title>{title}</title>"
            f"</head><body style='font-family:Georgia,serif;margin:8px'>{body}</body></html>")


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("embed-app")
    host_dir = tmp / "host"
    host_dir.mkdir()
    with contextlib.ExitStack() as stack:
        host_url = stack.enter_context(_other_site(host_dir))
        server = Server(tmp / "mail", tmp / "server.log")
        env = app_env(tmp) | {"EMBED_ALLOWED_ORIGINS": host_url}
        stack.enter_context(running_app(server, env))
        (host_dir / "article.html").write_text(_page("Riverbend Ledger", (
            "<h1>Riverbend Ledger</h1><p>The county library may lose its federal grant this year. "
            "Readers who want it kept can sign the petition below.</p>" + _snippet_html(server.base_url)
            + "<p>More news below the petition.</p>")))
        (host_dir / "framed-campaign.html").write_text(_page("Framing test", (
            f"<iframe id='campaign' src='{server.base_url}/c/{SLUG}' width='300' height='300'></iframe>"
            f"<iframe id='form' src='{server.base_url}/c/{SLUG}/embed' width='300' height='300'></iframe>")))
        yield SimpleNamespace(app=server, host_url=host_url, database=tmp / "browser.sqlite")


def _frame_fits_its_page(page) -> None:
    """embed.js has made the frame as tall as the page inside it, which is no wider than the frame."""
    frame = page.frame_locator("iframe")
    page.wait_for_function(
        "() => { const f = document.querySelector('iframe'); const d = f.contentDocument;"
        " return f.style.height !== '' && !d; }"  # cross-origin: the parent cannot read inside
    )
    outer = page.locator("iframe").bounding_box()
    inner = frame.locator("body").evaluate(
        "b => ({height: b.scrollHeight, width: document.documentElement.scrollWidth,"
        " client: document.documentElement.clientWidth})")
    assert abs(outer["height"] - inner["height"]) <= 2, (outer, inner)
    assert inner["width"] <= inner["client"], "the form scrolls sideways in the frame"


def test_sign_in_a_frame_on_another_site(sites, browser, shots: Path) -> None:
    page = browser.new_context(viewport=NARROW_PHONE).new_page()
    page.set_default_timeout(10_000)
    posts = []
    page.on("request", lambda request: posts.append(request) if request.method == "POST" else None)

    page.goto(f"{sites.host_url}/article.html")
    frame = page.frame_locator("iframe")
    expect(frame.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(frame.get_by_role("link", name="Read more about this campaign")).to_have_attribute("target", "_blank")
    _frame_fits_its_page(page)
    page.screenshot(path=shots / "embed-1-form-320px.png", full_page=True)

    frame.get_by_label("Full name", exact=True).fill(SIGNER_NAME)
    frame.get_by_label("Email", exact=True).fill(SIGNER_EMAIL)
    frame.get_by_label("ZIP code or postcode", exact=True).fill("20001")
    frame.get_by_role("button", name="Sign the petition").click()
    expect(frame.get_by_role("heading", name="Check your email")).to_be_visible()
    assert page.url == f"{sites.host_url}/article.html"  # the visitor never left the article
    _frame_fits_its_page(page)  # and the frame shrank to the short answer
    page.screenshot(path=shots / "embed-2-thanks.png", full_page=True)

    # The form in the frame is the app's own page: its POST carries the app's Origin, no cookie.
    [post] = [r for r in posts if r.url.endswith(f"/c/{SLUG}/embed/sign")]
    headers = post.all_headers()
    assert headers.get("origin") == sites.app.base_url
    assert "cookie" not in headers
    with contextlib.closing(sqlite3.connect(sites.database)) as conn:
        rows = conn.execute("SELECT full_name, source, status FROM signatures WHERE email = ?",
                            (SIGNER_EMAIL,)).fetchall()
    assert rows == [(SIGNER_NAME, "embed", "pending")]


def test_the_campaign_page_refuses_to_be_framed(sites, browser, shots: Path) -> None:
    page = browser.new_context(viewport={"width": 700, "height": 400}).new_page()
    page.set_default_timeout(10_000)
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto(f"{sites.host_url}/framed-campaign.html")
    # The embeddable form beside it loads: the page works, and only the campaign page is refused.
    expect(page.frame_locator("#form").get_by_role("heading", level=1)).to_have_text(TITLE)
    for _ in range(50):
        if any("frame-ancestors 'none'" in m for m in messages):
            break
        page.wait_for_timeout(100)
    assert any("frame-ancestors 'none'" in m for m in messages), messages
    refused = page.locator("#campaign").element_handle().content_frame()
    assert TITLE not in refused.content()
    page.screenshot(path=shots / "embed-3-framing-refused.png")
