"""OSDI's `filter` query parameter, as far as Campaign reads it: modified_date gt|lt|eq a time.

`filter=modified_date gt '2026-01-01T00:00:00Z'`; the time is ISO 8601 with a zone (Z or an
offset), quoted with single quotes; conditions may be joined with `and`. Anything else is
refused (InvalidFilter), never half-read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, and_

FIELDS = ("modified_date",)
OPERATORS = ("gt", "lt", "eq")
_CONDITION = re.compile(r"\s*(\w+)\s+(\w+)\s+'([^']*)'\s*")
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)


class InvalidFilter(ValueError):
    """The filter is not one Campaign can read; the message says why."""


@dataclass(frozen=True)
class Condition:
    """One condition: field operator time."""

    field: str
    operator: str
    moment: datetime


def parse(text: str) -> list[Condition]:
    """The conditions of a filter; InvalidFilter for anything malformed or unsupported."""
    if len(text) > 300:
        raise InvalidFilter("The filter is too long.")
    conditions = []
    for part in _AND.split(text.strip()):
        match = _CONDITION.fullmatch(part)
        if match is None:
            raise InvalidFilter("Write the filter as: modified_date gt '2026-01-01T00:00:00Z'.")
        field, operator, value = match.groups()
        if field not in FIELDS:
            raise InvalidFilter(f"Only {', '.join(FIELDS)} can be filtered on.")
        if operator not in OPERATORS:
            raise InvalidFilter(f"The operator must be one of {', '.join(OPERATORS)}.")
        conditions.append(Condition(field, operator, _moment(value)))
    return conditions


def _moment(value: str) -> datetime:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})", value):
        raise InvalidFilter("The time must be ISO 8601 with its zone, e.g. 2026-01-01T00:00:00Z.")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise InvalidFilter("The time is not a real date and time.") from error
    return moment.astimezone(UTC)


def condition_on(column, conditions: list[Condition]) -> ColumnElement[bool] | None:
    """The SQL condition on a modified-date column; None for no conditions."""
    clauses = [column > c.moment if c.operator == "gt" else
               column < c.moment if c.operator == "lt" else column == c.moment
               for c in conditions]
    return and_(*clauses) if clauses else None
