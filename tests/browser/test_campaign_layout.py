"""The campaign page as a reader sees it: on a phone the sign form comes early; on a desktop
the sign box stays in view while the story scrolls by. On the shared example article.

Like the other browser tests, the app runs as `flask run` in a subprocess on a fresh SQLite file.
"""
from __future__ import annotations

import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.browser.live_server import PHONE, Server, app_env, running_app
from tests.helpers import REPO_ROOT, shared_example

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("layout-app")
    env = app_env(tmp)
    command = [sys.executable, "-m", "flask", "--app", "campaign", "import-article", str(shared_example()),
               "--slug", "example", "--open-anyway"]
    result = subprocess.run(command, cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                            text=True, timeout=60, start_new_session=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    server = Server(tmp / "mail", tmp / "server.log")
    with running_app(server, env):
        yield server


def test_on_a_phone_the_first_field_is_within_two_screens(browser, server, shots):
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{server.base_url}/c/example")
    first_field = page.get_by_label("Full name")
    expect(first_field).to_be_visible()
    box = first_field.bounding_box()
    page.screenshot(path=str(shots / "campaign-phone.png"))
    assert box["y"] + box["height"] <= 2 * PHONE["height"], box
    # ...and the story comes after it.
    assert page.get_by_role("heading", name="The story").bounding_box()["y"] > box["y"]


def test_on_a_desktop_the_sign_box_stays_in_view_while_the_story_scrolls(browser, server, shots):
    page = browser.new_page(viewport=DESKTOP)
    page.goto(f"{server.base_url}/c/example")
    sign_box = page.locator(".ask")
    assert sign_box.evaluate("e => getComputedStyle(e).position") == "sticky"
    page.evaluate("window.scrollTo(0, 2 * window.innerHeight)")
    expect(page.get_by_role("heading", name="The story")).not_to_be_in_viewport()
    box = sign_box.bounding_box()
    page.screenshot(path=str(shots / "campaign-desktop-scrolled.png"))
    assert 0 <= box["y"] and box["y"] + box["height"] <= DESKTOP["height"], box
    expect(page.get_by_label("Full name")).to_be_in_viewport()
