"""A small, real SMTP server for tests: stdlib sockets, one thread per connection.

It speaks enough ESMTP for smtplib (EHLO/HELO, MAIL FROM, RCPT TO, DATA with
dot-unstuffing, RSET, NOOP, QUIT), records what it accepts, and can be told what to
answer: `server.script("rcpt", "451 4.7.1 Try later")` refuses the next recipient once;
`times=None` refuses every time, and `address=` limits a rule to one recipient.
"""
from __future__ import annotations

import contextlib
import email
import email.policy
import socket
import socketserver
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Self

HOST = "127.0.0.1"
MAX_LINE = 64 * 1024


def free_port() -> int:
    """A port on HOST with nothing listening: connecting to it is refused."""
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Received:
    """A message the server accepted: its envelope and its bytes, dot-unstuffed."""

    mail_from: str
    recipients: tuple[str, ...]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)


@dataclass
class _Rule:
    stage: str  # "rcpt" or "data"
    reply: str
    address: str | None  # None: any recipient
    times: int | None  # None: every time


class SmtpServer:
    """Listens on HOST (a free port unless given) in a background thread once started."""

    def __init__(self, port: int = 0, *, smtputf8: bool = True) -> None:
        self.smtputf8 = smtputf8
        self.messages: list[Received] = []
        self.commands: list[str] = []  # every command line, in order
        self._rules: list[_Rule] = []
        self._lock = threading.Lock()
        self._server = _Server((HOST, port), _Session)
        self._server.smtp = self
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def script(
        self, stage: str, reply: str, *, address: str | None = None, times: int | None = 1
    ) -> None:
        """Answer `reply` at RCPT or DATA (for `address`, or anyone), `times` times or always."""
        assert stage in ("rcpt", "data"), stage
        with self._lock:
            self._rules.append(_Rule(stage, reply, address, times))

    def rcpt_count(self, address: str) -> int:
        """How many times a client asked to send to this address."""
        rcpts = [c for c in self.commands if c.upper().startswith("RCPT TO:")]
        return sum(1 for c in rcpts if f"<{address}>" in c)

    def start(self) -> SmtpServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()  # also waits for open sessions
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _scripted(self, stage: str, addresses: tuple[str, ...]) -> str | None:
        with self._lock:
            for rule in self._rules:
                if rule.stage != stage or rule.times == 0:
                    continue
                if rule.address is not None and rule.address not in addresses:
                    continue
                if rule.times is not None:
                    rule.times -= 1
                return rule.reply
        return None

    def _record(self, command: str = "", message: Received | None = None) -> None:
        with self._lock:
            if command:
                self.commands.append(command)
            if message is not None:
                self.messages.append(message)


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = False  # so that server_close() waits for sessions
    smtp: SmtpServer


def _path(argument: str, keyword: str) -> str | None:
    """The address in "FROM:<a@b> SIZE=1" style arguments; None when malformed."""
    if not argument.upper().startswith(keyword):
        return None
    rest = argument[len(keyword):].strip()
    if not rest.startswith("<") or ">" not in rest:
        return None
    return rest[1:rest.index(">")]


class _Session(socketserver.StreamRequestHandler):
    timeout = 10  # a stuck client cannot hold the server past a test

    def handle(self) -> None:
        self.smtp: SmtpServer = self.server.smtp
        self._reset()
        with contextlib.suppress(OSError):
            self._reply("220 test.invalid ESMTP ready")
            while True:
                line = self.rfile.readline(MAX_LINE)
                if not line:
                    return
                command = line.rstrip(b"\r\n").decode("utf-8", "replace")
                self.smtp._record(command)
                verb, _, argument = command.partition(" ")
                handler = getattr(self, f"_smtp_{verb.upper()}", None)
                if handler is None:
                    self._reply("502 5.5.2 Command not recognised")
                elif handler(argument.strip()) is False:
                    return

    def _reply(self, *lines: str) -> None:
        self.wfile.write("".join(f"{line}\r\n" for line in lines).encode("utf-8"))
        self.wfile.flush()

    def _reset(self) -> None:
        self.mail_from: str | None = None
        self.recipients: list[str] = []

    def _smtp_EHLO(self, argument: str) -> None:
        self._reset()
        features = ["8BITMIME", *(["SMTPUTF8"] if self.smtp.smtputf8 else []), "HELP"]
        self._reply("250-test.invalid", *(f"250-{f}" for f in features[:-1]), f"250 {features[-1]}")

    def _smtp_HELO(self, argument: str) -> None:
        self._reset()
        self._reply("250 test.invalid")

    def _smtp_MAIL(self, argument: str) -> None:
        sender = _path(argument, "FROM:")
        if sender is None:
            self._reply("501 5.5.4 Syntax: MAIL FROM:<address>")
        elif self.mail_from is not None:
            self._reply("503 5.5.1 Nested MAIL command")
        else:
            self.mail_from = sender
            self._reply("250 2.1.0 OK")

    def _smtp_RCPT(self, argument: str) -> None:
        recipient = _path(argument, "TO:")
        if self.mail_from is None:
            self._reply("503 5.5.1 MAIL first")
            return
        if not recipient:
            self._reply("501 5.5.4 Syntax: RCPT TO:<address>")
            return
        reply = self.smtp._scripted("rcpt", (recipient,)) or "250 2.1.5 OK"
        if reply.startswith("2"):
            self.recipients.append(recipient)
        self._reply(reply)

    def _smtp_DATA(self, argument: str) -> None:
        if not self.recipients:
            self._reply("503 5.5.1 RCPT first")
            return
        self._reply("354 End data with <CR><LF>.<CR><LF>")
        lines = []
        while True:
            line = self.rfile.readline(MAX_LINE)
            if not line:
                raise ConnectionResetError("client left during DATA")
            if line in (b".\r\n", b".\n"):
                break
            lines.append(line[1:] if line.startswith(b".") else line)
        received = Received(self.mail_from or "", tuple(self.recipients), b"".join(lines))
        reply = self.smtp._scripted("data", received.recipients) or "250 2.0.0 OK queued"
        if reply.startswith("2"):
            self.smtp._record(message=received)
        self._reset()
        self._reply(reply)

    def _smtp_RSET(self, argument: str) -> None:
        self._reset()
        self._reply("250 2.0.0 OK")

    def _smtp_NOOP(self, argument: str) -> None:
        self._reply("250 2.0.0 OK")

    def _smtp_QUIT(self, argument: str) -> bool:
        self._reply("221 2.0.0 Bye")
        return False
