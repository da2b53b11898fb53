"""The filter grammar: what is read, and what is refused."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from campaign.osdi import filters


def test_conditions_are_read():
    assert filters.parse("modified_date gt '2026-01-01T00:00:00Z'") == [
        filters.Condition("modified_date", "gt", datetime(2026, 1, 1, tzinfo=UTC))]
    both = filters.parse("modified_date gt '2026-01-01T01:00:00+01:00' AND "
                         "modified_date lt '2026-02-01T00:00:00.5Z'")
    assert [(c.operator, c.moment) for c in both] == [
        ("gt", datetime(2026, 1, 1, tzinfo=UTC)),
        ("lt", datetime(2026, 2, 1, 0, 0, 0, 500000, tzinfo=UTC))]


@pytest.mark.parametrize("text", [
    "", "modified_date", "modified_date gt", "modified_date gt '2026-01-01T00:00:00Z' extra",
    "modified_date gt \"2026-01-01T00:00:00Z\"", "modified_date  =  '2026-01-01T00:00:00Z'",
    "modified_date gt '2026-02-30T00:00:00Z'", "modified_date gt '2026-01-01T25:00:00Z'",
    "email eq 'ada@example.org'", "modified_date gt '1 day ago'",
])
def test_anything_else_is_refused(text):
    with pytest.raises(filters.InvalidFilter):
        filters.parse(text)
