"""Security headers on every answer, and tokens kept out of access logs."""
from __future__ import annotations

import logging
import re

from flask import Flask, Response


def content_security_policy(frame_ancestors: str = "'none'") -> str:
    """The policy of every page; only the embeddable form names other frame ancestors."""
    return "; ".join(
        [
            "default-src 'self'",
            "img-src 'self' data:",
            "style-src 'self'",
            "script-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors}",
        ]
    )


CONTENT_SECURITY_POLICY = content_security_policy()


def allow_framing(response: Response, frame_ancestors: str) -> Response:
    """Let pages of these CSP sources show this answer in a frame (the embedded form only)."""
    response.headers["Content-Security-Policy"] = content_security_policy(frame_ancestors)
    return response


# Confirmation, removal and "delete my data" links: each path's last part is a secret.
_TOKEN_IN_PATH = re.compile(r"(/(?:confirm|remove|delete-my-data)/)[^\s/?\"]+")


def redact(text: str) -> str:
    """The text with link tokens in URL paths replaced."""
    return _TOKEN_IN_PATH.sub(r"\1[redacted]", text)


# Personal data that can reach a log line through a request line or an exception's text:
# email addresses (also percent-encoded), what PostgreSQL quotes in an error's DETAIL
# ("Key (email_key)=(ada@example.org)", "Failing row contains (Ada, ...)"), what organizers
# type into searches, and any value after "/" or "=" shaped like a random token (mixed case
# and digits: slugs are lower case), for links added later.
_EMAIL = re.compile(r"[\w.+%-]+(?:@|%40)[\w%-]+(?:\.[\w%-]+)*\.[^\W\d_]{2,}")
_DATABASE_DETAIL = re.compile(r"^(DETAIL:\s*).*$", re.MULTILINE)
_SEARCH_VALUE = re.compile(r"([?&](?:q|name|email|ip_range)=)[^&\s\"#]+")
_TOKEN_LIKE = re.compile(
    r"(?<=[/=])(?=[\w.-]*[a-z])(?=[\w.-]*[A-Z])(?=[\w.-]*[0-9])[A-Za-z0-9_.-]{20,}"
)


def redact_personal(text: str) -> str:
    """The text with link tokens, email addresses, searches and database row values replaced."""
    text = redact(text)
    text = _DATABASE_DETAIL.sub(r"\1[redacted]", text)
    text = _SEARCH_VALUE.sub(r"\1[redacted]", text)
    text = _TOKEN_LIKE.sub("[redacted]", text)
    return _EMAIL.sub("[email]", text)


class RedactTokens(logging.Filter):
    """A logging filter for access logs: request lines carry tokens in their paths, and
    organizers' searches (names, addresses) in their query strings."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_personal(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def register_security(app: Flask) -> None:
    """Add the headers and the log filter."""
    logging.getLogger("werkzeug").addFilter(RedactTokens())
    logging.getLogger("gunicorn.access").addFilter(RedactTokens())

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]:
            # Older browsers know only this header; it cannot name who may frame, so only
            # answers that refuse every frame carry it.
            response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        return response
