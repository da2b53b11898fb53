"""The headers of a delivery, and the HMAC-SHA256 signature that lets a receiver trust it.

Campaign-Webhook-Signature is `v1=<hex HMAC-SHA256(secret, f"{timestamp}.{body}")>`, the
timestamp being Campaign-Webhook-Timestamp (Unix seconds): signing the time with the body
lets a receiver refuse an old delivery replayed (see the README's example).
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

SCHEME = "v1"
SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A new random secret, shown to the organizer, who gives it to their receiver."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value for a body sent at timestamp."""
    signed = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"{SCHEME}={digest}"


def for_delivery(*, secret: str, delivery_uuid: str, event: str, timestamp: int,
                 body: bytes) -> dict[str, str]:
    """Every header a delivery carries."""
    return {
        "Content-Type": "application/json",
        "Campaign-Webhook-Id": delivery_uuid,
        "Campaign-Webhook-Event": event,
        "Campaign-Webhook-Timestamp": str(timestamp),
        "Campaign-Webhook-Signature": signature(secret, timestamp, body),
    }
