"""A real HTTP receiver for webhook tests, on 127.0.0.1, answering as each test scripts it."""
from __future__ import annotations

import re
import ssl
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self

from tests.helpers import REPO_ROOT


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class Answer:
    """What the receiver does for one request: a status, after a wait, maybe a Location."""

    status: int = 200
    delay: float = 0.0
    location: str = ""


class Receiver:
    """Records every request; answers from the script in order, then with `default`."""

    def __init__(self, *answers: Answer | int, default: Answer | int = 200,
                 tls: ssl.SSLContext | None = None) -> None:
        self.script = deque(a if isinstance(a, Answer) else Answer(a) for a in answers)
        self.default = default if isinstance(default, Answer) else Answer(default)
        self.received: list[Received] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                with receiver.lock:
                    receiver.received.append(Received(self.path, dict(self.headers.items()), body))
                    answer = receiver.script.popleft() if receiver.script else receiver.default
                if answer.delay:
                    time.sleep(answer.delay)
                self.send_response(answer.status)
                if answer.location:
                    self.send_header("Location", answer.location)
                self.send_header("Content-Length", "2")
                self.end_headers()
                try:
                    self.wfile.write(b"ok")
                except OSError:  # the sender gave up first (a timeout test)
                    pass

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.scheme = "https" if tls else "http"
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.server.block_on_close = False
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}/hook"

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def readme_verify():
    """The `verify` function of the README's webhook section, run as a receiver would."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Verifying a delivery"):]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL)[1]
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 (our own README's example)
    return namespace["verify"]
