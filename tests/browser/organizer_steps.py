"""An organizer in a browser test: an account made with the CLI, and logging in through the form."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.live_server import Server
from tests.helpers import REPO_ROOT

ORGANIZER_EMAIL = "org@example.org"


class OrganizerServer(Server):
    def __init__(self, mail_dir: Path, log_path: Path, password: str) -> None:
        super().__init__(mail_dir, log_path)
        self.password = password


def create_organizer(env: dict[str, str]) -> str:
    """Run the CLI against the app's database; return the password it generated."""
    command = [sys.executable, "-m", "flask", "--app", "campaign",
               "organizer", "create", ORGANIZER_EMAIL, "--generate"]
    # No stdin and no controlling terminal: nothing can ever wait for typing.
    result = subprocess.run(command, cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=60, start_new_session=True, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"`flask organizer create` failed:\n{output}"
    match = re.search(r"^Password \(shown only this once[^)]*\): (\S+)$", result.stdout, re.MULTILINE)
    assert match, f"no generated password in the output of `flask organizer create`:\n{output}"
    return match.group(1)


def path_is(page: Page, server: Server, path: str) -> re.Pattern:
    """The page's URL is path on the server, with any query string."""
    return re.compile(re.escape(server.base_url + path) + r"(\?.*)?$")


def log_in(page: Page, server: OrganizerServer, shots: Path) -> None:
    page.goto(server.base_url + "/organizer/")
    expect(page).to_have_url(path_is(page, server, "/auth/login"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Organizer login")
    page.screenshot(path=shots / "org-1-login.png", full_page=True)
    page.get_by_label("Email", exact=True).fill(ORGANIZER_EMAIL)
    page.get_by_label("Password", exact=True).fill(server.password)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(path_is(page, server, "/organizer/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your campaigns")
    expect(page.get_by_role("navigation", name="Organizer")).to_contain_text(ORGANIZER_EMAIL)
