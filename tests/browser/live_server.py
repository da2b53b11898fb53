"""The app as a browser test sees it: `flask run` in a subprocess on SQLite, on a port it
chose itself (--port 0) and printed."""
from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

import config
from campaign import create_app, database
from campaign.campaigns import sample
from campaign.extensions import db
from tests import representative_data
from tests.helpers import REPO_ROOT

PHONE = {"width": 390, "height": 844}
SLUG = "keep-library-grants"
TITLE = "Keep federal library grants funded"


# werkzeug's line once it listens, with the port the system gave it.
_RUNNING_ON = re.compile(r"Running on (http://127\.0\.0\.1:\d+)")


class Server:
    def __init__(self, mail_dir: Path, log_path: Path) -> None:
        self.base_url = ""  # http://127.0.0.1:<port>, once running_app() has read the port
        self.mail_dir = mail_dir
        self.log_path = log_path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


def app_env(tmp: Path) -> dict[str, str]:
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
    """Wait for the port in the log, then for GET / to answer."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the app exited with {proc.returncode}:\n{server.log()}")
        if not server.base_url and (found := _RUNNING_ON.search(server.log())):
            server.base_url = found.group(1)
        try:
            if server.base_url:
                with urllib.request.urlopen(server.base_url + "/", timeout=2) as response:
                    if response.status == 200:
                        return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(f"the app did not answer GET / within {timeout} s:\n{server.log()}")


@contextlib.contextmanager
def running_app(server: Server, env: dict[str, str]) -> Iterator[Server]:
    """`flask run` until the block ends, whatever happens in it; server.base_url is set once up.

    --port 0: werkzeug binds a port the system chooses and prints it, so no other process can
    take the port between its choice and the bind (as with a port found free beforehand).
    """
    command = [sys.executable, "-m", "flask", "--app", "campaign", "run",
               "--port", "0", "--host", "127.0.0.1"]
    with open(server.log_path, "wb") as log:
        proc = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
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


def prepare_database(url: str) -> None:
    """Migrate the app's SQLite file, load the sample campaign and made-up representatives."""
    app = create_app(config.TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        database.upgrade_schema()
        sample.load_if_empty()
        db.session.commit()
        db.session.remove()
    representative_data.load(app)
    with app.app_context():
        db.engine.dispose()
