"""The app under gunicorn for real HTTP, and a visitor who signs through it like a browser.

gunicorn runs with the project's gunicorn.conf.py, in a process group of its own, so a test
can stop it gently or SIGKILL master and workers at once. Only 127.0.0.1 is contacted.
"""
from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
_FORM_TOKEN_INPUT = re.compile(r'<input[^>]*\bname="form_token"[^>]*>')
_VALUE = re.compile(r'\bvalue="([^"]*)"')


def file_tail(path: Path, lines: int = 40) -> str:
    """The last lines of a server's log, for a failure message."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def production_env(tmp: Path, **settings: str) -> dict[str, str]:
    """Environment for the app in production mode, writing mail as files under tmp."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("CAMPAIGN_", "DATABASE_", "MAIL_", "SMTP_", "OUTBOX_"))}
    env.update(
        CAMPAIGN_ENV="production",
        SECRET_KEY="fault-test-secret",
        BASE_URL="http://127.0.0.1",
        SESSION_COOKIE_SECURE="0",  # plain HTTP on the loopback
        MAIL_BACKEND="file",
        MAIL_FILE_DIR=str(tmp / "mail"),
        CARD_CACHE_DIR=str(tmp / "cards"),
        # Every signer here comes from 127.0.0.1: the per-address limits would stop the test.
        SIGN_RATE_LIMIT="100000 per minute",
        CONFIRM_RATE_LIMIT="100000 per minute",
        PYTHONUNBUFFERED="1",
    )
    env.update(settings)
    return env


class LiveApp:
    """gunicorn serving campaign:create_app() on a port of the system's choosing (`port`, once
    started) until stop() or kill()."""

    def __init__(self, env: dict[str, str], log_path: Path, *, workers: int = 1) -> None:
        self.env, self.log_path, self.workers = env, log_path, workers
        self.port = 0
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> LiveApp:
        # The socket is bound and listening here, on port 0, and handed to gunicorn as
        # fd://N: no other process can take the port between its choice and gunicorn's use.
        listener = socket.create_server((HOST, 0))
        self.port = listener.getsockname()[1]
        command = [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py",
                   "--bind", f"fd://{listener.fileno()}", "--workers", str(self.workers),
                   "campaign:create_app()"]
        try:
            with open(self.log_path, "ab") as log:
                self.proc = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log,
                                             stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                             start_new_session=True, pass_fds=[listener.fileno()])
        finally:
            # gunicorn has its own copy. Ours closed, connections are refused once gunicorn
            # is gone, as they would be in production, instead of waiting in our backlog.
            listener.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                if fetch(self.port, "GET", "/healthz", timeout=5).status in (200, 503):
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def worker_pids(self) -> set[int]:
        """The pids of gunicorn's workers (the master's children)."""
        pids = set()
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                    pids.add(int(entry.name))
        return pids

    def kill(self) -> None:
        """SIGKILL master and workers together, as a power cut would (for the process)."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()

    def log_tail(self) -> str:
        return file_tail(self.log_path)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    text: str = ""
    at: float = field(default_factory=time.monotonic)


def fetch(port: int, method: str, path: str, *, body: str | None = None,
          headers: dict[str, str] | None = None, timeout: float = 30,
          on_status: Callable[[int], None] | None = None) -> Answer:
    """One request on a connection of its own.

    on_status runs as soon as the status line and headers are in, before the body; if it
    ends the server, the body may be lost and the answer's text is then empty.
    """
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        headers_in = {k.lower(): v for k, v in response.getheaders()}
        if on_status is None:
            return Answer(response.status, headers_in, response.read().decode("utf-8", "replace"))
        on_status(response.status)
        try:
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            text = ""
        return Answer(response.status, headers_in, text)
    finally:
        connection.close()


class Visitor:
    """A browser's part in signing: reads the form page for its cookie and token, then posts."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookie = ""

    def get(self, path: str) -> Answer:
        answer = fetch(self.port, "GET", path, headers={"Cookie": self.cookie} if self.cookie else {})
        if "set-cookie" in answer.headers:
            self.cookie = answer.headers["set-cookie"].split(";", 1)[0]
        return answer

    def sign(self, slug: str, fields: dict[str, str],
             on_status: Callable[[int], None] | None = None) -> tuple[Answer, Answer | None]:
        """The page's answer, and the sign form's (None when the page could not be read)."""
        page = self.get(f"/c/{slug}")
        if page.status != 200:
            return page, None
        token_input = _FORM_TOKEN_INPUT.search(page.text)
        token = _VALUE.search(token_input.group(0)).group(1) if token_input else ""
        answer = fetch(self.port, "POST", f"/c/{slug}/sign",
                       body=urlencode({**fields, "form_token": token}),
                       headers={"Content-Type": "application/x-www-form-urlencoded",
                                "Cookie": self.cookie},
                       on_status=on_status)
        return page, answer
