"""Security headers on every answer, and tokens kept out of access logs."""
from __future__ import annotations

import logging
import re

from flask import Flask, Response

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
_TOKEN_IN_PATH = re.compile(r"(/confirm/)[^\s/?\"]+")


def redact(text: str) -> str:
    """The text with confirmation tokens in URL paths replaced."""
    return _TOKEN_IN_PATH.sub(r"\1[redacted]", text)


class RedactTokens(logging.Filter):
    """A logging filter for access logs: request lines carry tokens in their paths."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/confirm/" in message:
            record.msg, record.args = redact(message), ()
        return True


def register_security(app: Flask) -> None:
    """Add the headers and the log filter."""
    logging.getLogger("werkzeug").addFilter(RedactTokens())
    logging.getLogger("gunicorn.access").addFilter(RedactTokens())

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        return response
