"""Request ids: one per request, sent back as X-Request-ID and written on its every log line."""
from __future__ import annotations

import logging
import re
import secrets
import sys

from flask import Flask, Response, current_app, has_request_context, request
from flask.logging import default_handler

from campaign.ops.security import redact_personal

HEADER = "X-Request-ID"
_ENVIRON_KEY = "campaign.request_id"
# What an id from the proxy may look like (nginx's $request_id is 32 hex digits, a UUID has
# dashes): anything else could forge log lines or fill them, so it is replaced.
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")
LOG_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


def current() -> str:
    """This request's id, made on first use; "-" outside a request (the outbox worker)."""
    if not has_request_context():
        return "-"
    request_id = request.environ.get(_ENVIRON_KEY)
    if request_id is None:
        request_id = request.environ[_ENVIRON_KEY] = _from_proxy() or secrets.token_hex(8)
    return request_id


def _from_proxy() -> str | None:
    # Only a proxy that sets the header on every request may be believed; a visitor could
    # otherwise pick the id under which their requests are logged.
    if not current_app.config["REQUEST_ID_FROM_PROXY"]:
        return None
    value = request.headers.get(HEADER, "")
    return value if _SANE_ID.fullmatch(value) else None


class RequestIdFilter(logging.Filter):
    """Puts the request id on each record, for the log format's %(request_id)s."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current()
        return True


class RedactingFormatter(logging.Formatter):
    """Formats a record, traceback included, then removes personal data from the text."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_personal(super().format(record))


class StderrHandler(logging.StreamHandler):
    """Writes to sys.stderr as it is when the line is written (servers and tests replace it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def configure_logging(level: str) -> None:
    """Send the app's log lines to stderr with request ids, once per process."""
    logger = logging.getLogger("campaign")  # the whole package, and Flask's app.logger
    logger.setLevel(level.upper())
    logger.removeHandler(default_handler)  # ours replaces Flask's, never both
    if any(isinstance(handler, StderrHandler) for handler in logger.handlers):
        return
    handler = StderrHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(RedactingFormatter(LOG_FORMAT))
    logger.addHandler(handler)


def init_app(app: Flask) -> None:
    """Configure the log lines and return each request's id in its answer."""
    configure_logging(app.config["LOG_LEVEL"])

    @app.after_request
    def _send_request_id(response: Response) -> Response:
        response.headers[HEADER] = current()
        return response
