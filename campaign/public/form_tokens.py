"""Signed, short-lived form tokens for a form posted without a session cookie (the embedded form).

A browser does not send a SameSite=Lax session cookie to a page framed on another site, so
the session's CSRF token cannot work there. Instead the form carries its own proof that this
site rendered it recently for this campaign: the issue time, a random nonce, and an HMAC of
both and the campaign id under the SECRET_KEY. Nothing is stored on the server.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime, timedelta

NONCE_BYTES = 16
# Web servers' clocks may differ a little: a token from a few seconds "ahead" is still good.
CLOCK_SKEW = timedelta(minutes=2)
_SHAPE = re.compile(r"^([0-9]{1,12})\.([A-Za-z0-9_-]{16,64})\.([A-Za-z0-9_-]{43})$")


class TokenInvalid(Exception):
    """Not a token this site made for this form: malformed, altered, or for another campaign."""


class TokenExpired(Exception):
    """A genuine token, older than its lifetime: the visitor should reload the form."""


def _mac(secret_key: str, campaign_id: int, issued: int, nonce: str) -> str:
    # Its own key and message prefix, so that no other use of SECRET_KEY yields a valid token.
    key = f"embed-form-token:{secret_key}".encode()
    message = f"sign|{campaign_id}|{issued}|{nonce}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def issue(secret_key: str, campaign_id: int, *, now: datetime) -> str:
    """A new token for one campaign's form: "<issued unix time>.<nonce>.<hmac>"."""
    issued = int(now.timestamp())
    nonce = secrets.token_urlsafe(NONCE_BYTES)
    return f"{issued}.{nonce}.{_mac(secret_key, campaign_id, issued, nonce)}"


def check(secret_key: str, token: str, campaign_id: int, *, now: datetime, max_age: timedelta) -> None:
    """Return if token was issued here for this campaign within max_age; else raise why not."""
    match = _SHAPE.match(token or "")
    if match is None:
        raise TokenInvalid("malformed")
    issued_text, nonce, mac = match.groups()
    expected = _mac(secret_key, campaign_id, int(issued_text), nonce)
    if not hmac.compare_digest(mac.encode("ascii"), expected.encode("ascii")):
        raise TokenInvalid("signature")
    issued = datetime.fromtimestamp(int(issued_text), UTC)
    if issued > now + CLOCK_SKEW:
        raise TokenInvalid("issued in the future")
    if now - issued > max_age:
        raise TokenExpired(f"issued {now - issued} ago")
