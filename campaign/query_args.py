"""Numbers from the query string, bounded: out of range or malformed is a 400, never a 500.

A number the database cannot hold (PostgreSQL raises past bigint, SQLite past 2^63) must be
refused before a query sees it; `<int:...>` parts of a route are bounded the same way (see
DatabaseId in the app factory).
"""
from __future__ import annotations

import re

from flask import abort, request

# The largest id a 64-bit integer column holds, on PostgreSQL (bigint) and SQLite alike.
MAX_ID = 2**63 - 1
_INTEGER = re.compile(r"-?[0-9]{1,19}")


class OutOfRange(ValueError):
    """Not a whole number within the bounds."""


def parse_bounded(value: str, *, minimum: int = 1, maximum: int = MAX_ID) -> int:
    """value as an int within minimum..maximum; OutOfRange for anything else."""
    if not _INTEGER.fullmatch(value):
        raise OutOfRange(value[:40])
    number = int(value)
    if not minimum <= number <= maximum:
        raise OutOfRange(value)
    return number


def bounded_int(name: str, *, minimum: int = 1, maximum: int = MAX_ID) -> int | None:
    """The query parameter name as a bounded int; None when absent or empty, else 400."""
    value = request.args.get(name, "")
    if value == "":
        return None
    try:
        return parse_bounded(value, minimum=minimum, maximum=maximum)
    except OutOfRange:
        abort(400)
