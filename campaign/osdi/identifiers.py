"""OSDI identifiers: `campaign:<uuid>`, never a database's sequential id."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

PREFIX = "campaign"


def identifier(value: str) -> str:
    """The OSDI identifier of a row's uuid: "campaign:3f2c…"."""
    return f"{PREFIX}:{value}"


def uuid_of(text: str) -> str | None:
    """The uuid a URL or an identifier names ("campaign:<uuid>" or the bare uuid); None if malformed."""
    if text.startswith(f"{PREFIX}:"):
        text = text[len(PREFIX) + 1:]
    try:
        return str(uuid.UUID(text)) if len(text) == 36 else None
    except ValueError:
        return None


def osdi_date(value: datetime | None) -> str | None:
    """A UTC time as OSDI writes it, "2026-01-01T12:00:00Z" (with microseconds when it has them)."""
    if value is None:
        return None
    value = value.astimezone(UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}"
    return text + "Z"
