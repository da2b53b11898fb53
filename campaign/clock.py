"""The one source of the current time, always timezone-aware UTC."""
from datetime import UTC, datetime


def utcnow() -> datetime:
    """Now, in UTC, with tzinfo set."""
    return datetime.now(UTC)
