"""Counts in words: "1 state", "12 states", "1,204 signatures"."""
from __future__ import annotations


def counted(count: int, singular: str, plural: str = "") -> str:
    """The count with thousands separators and the noun in the number it takes (plural: + "s")."""
    return f"{count:,} {singular if count == 1 else plural or singular + 's'}"
