"""Dashboard figures, checked exactly against signatures inserted with chosen values."""
from __future__ import annotations

import functools
import itertools
import os
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from campaign.campaigns import store
from campaign.counts import stats
from campaign.extensions import db
from campaign.models import Signature, SignatureStatus
from campaign.places import regions

CONFIRMED, PENDING, INVALIDATED = (
    SignatureStatus.CONFIRMED, SignatureStatus.PENDING, SignatureStatus.INVALIDATED
)
T0 = datetime(2026, 3, 1, 10, 30, tzinfo=UTC)  # the first signature: buckets start at 10:00
_numbers = itertools.count(1)


@pytest.fixture
def insert(app, ctx):
    """Insert signatures into a campaign by slug; status confirmed, confirmed when created."""

    def add(slug: str, *rows: dict) -> None:
        campaign = store.get_by_slug(slug)
        for row in rows:
            number = next(_numbers)
            fields = {"status": CONFIRMED, "created_at": T0, "country": "US", "postcode": "02139"}
            fields.update(row)
            if fields["status"] == CONFIRMED:
                fields.setdefault("confirmed_at", fields["created_at"])
            db.session.add(Signature(campaign_id=campaign.id, full_name=f"Signer {number}",
                                     email=f"s{number}@example.org",
                                     email_key=f"s{number}@example.org", **fields))
        db.session.commit()

    return add


def _campaign(slug):
    return store.get_by_slug(slug)


def test_totals_count_each_status_and_today(make_campaign, insert):
    slug, other = make_campaign(goal=8), make_campaign()
    now = datetime(2026, 3, 4, 15, 0, tzinfo=UTC)
    midnight = datetime(2026, 3, 4, tzinfo=UTC)
    insert(
        slug,
        {"created_at": T0},
        {"created_at": midnight - timedelta(microseconds=1)},  # yesterday, just
        {"created_at": midnight},  # today, just
        {"status": PENDING, "created_at": now},
        {"status": PENDING, "created_at": T0},
        {"status": INVALIDATED, "created_at": now},  # spam is not "signed today"
    )
    insert(other, {"created_at": now})
    empty = make_campaign(goal=50)
    totals = stats.totals_for([_campaign(slug), _campaign(empty)], now=now)
    assert totals[_campaign(slug).id] == stats.Totals(
        confirmed=3, pending=2, invalidated=1, today=2, goal=8
    )
    assert totals[_campaign(slug).id].progress == 37  # 3 of 8, rounded down
    assert totals[_campaign(empty).id] == stats.Totals(goal=50)
    assert stats.totals_for([], now=now) == {}


def test_over_time_is_hourly_for_48_hours_then_daily(make_campaign, insert):
    slug = make_campaign()
    at = T0.replace(minute=0)  # 2026-03-01 10:00, the first bucket
    insert(
        slug,
        {"created_at": T0}, {"created_at": T0 + timedelta(minutes=15)},  # hour 0: 2
        {"created_at": at + timedelta(hours=1, minutes=59)},  # hour 1
        {"created_at": at + timedelta(hours=47, minutes=59, seconds=59)},  # hour 47, the last
        {"created_at": at + timedelta(hours=48)},  # 03-03 10:00, the first daily bucket
        {"created_at": datetime(2026, 3, 3, 23, 59, 59, tzinfo=UTC)},  # same partial day
        {"created_at": datetime(2026, 3, 5, tzinfo=UTC)},  # 03-04 has none
        {"status": PENDING, "created_at": at + timedelta(hours=2)},  # not confirmed
        {"status": INVALIDATED, "created_at": at + timedelta(hours=2), "confirmed_at": at},
    )
    insert(make_campaign(), {"created_at": at + timedelta(hours=2)})  # another campaign
    buckets = stats.over_time(_campaign(slug).id)
    hourly = [b for b in buckets if b.unit == "hour"]
    daily = [b for b in buckets if b.unit == "day"]
    assert len(hourly) == 48 and buckets[:48] == hourly
    assert [b.start for b in hourly] == [at + timedelta(hours=h) for h in range(48)]
    assert all(b.end - b.start == timedelta(hours=1) for b in hourly)
    counts = [b.count for b in hourly]
    assert counts[:3] == [2, 1, 0] and counts[47] == 1 and sum(counts) == 4
    assert [(b.start, b.end, b.count) for b in daily] == [
        (at + timedelta(hours=48), datetime(2026, 3, 4, tzinfo=UTC), 2),
        (datetime(2026, 3, 4, tzinfo=UTC), datetime(2026, 3, 5, tzinfo=UTC), 0),
        (datetime(2026, 3, 5, tzinfo=UTC), datetime(2026, 3, 6, tzinfo=UTC), 1),
    ]


def test_over_time_uses_the_confirmation_time(make_campaign, insert):
    slug = make_campaign()
    # Signed at T0 but confirmed three hours later: it counts when it was confirmed.
    insert(slug, {"created_at": T0, "confirmed_at": T0 + timedelta(hours=3)})
    [bucket] = stats.over_time(_campaign(slug).id)
    assert bucket.start == datetime(2026, 3, 1, 13, tzinfo=UTC) and bucket.count == 1


def test_over_time_runs_on_to_until_with_zeros(make_campaign, insert):
    slug = make_campaign()
    insert(slug, {"created_at": T0})
    campaign_id = _campaign(slug).id
    assert len(stats.over_time(campaign_id)) == 1
    buckets = stats.over_time(campaign_id, until=T0 + timedelta(hours=5))
    assert [b.count for b in buckets] == [1, 0, 0, 0, 0, 0]
    buckets = stats.over_time(campaign_id, until=datetime(2026, 3, 10, 8, tzinfo=UTC))
    assert len(buckets) == 48 + 8  # 03-03 from 10:00 through 03-10
    assert buckets[-1].start == datetime(2026, 3, 10, tzinfo=UTC)
    assert sum(b.count for b in buckets) == 1


def test_no_confirmed_signatures_no_buckets(make_campaign, insert):
    slug = make_campaign()
    insert(slug, {"status": PENDING})
    assert stats.over_time(_campaign(slug).id, until=T0) == []


def _restore_zone(previous: str | None) -> None:
    if previous is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = previous
    time.tzset()


@pytest.mark.parametrize("session_zone", ["UTC", "America/New_York", "Asia/Kolkata"])
def test_buckets_are_cut_in_utc_on_either_database(make_campaign, insert, session_zone, request):
    slug = make_campaign()
    # Just either side of an hour and of midnight UTC, where a zone offset would move them.
    insert(
        slug,
        {"created_at": datetime(2026, 3, 1, 23, 59, 59, 999999, tzinfo=UTC)},
        {"created_at": datetime(2026, 3, 2, 0, 0, tzinfo=UTC)},
        {"created_at": datetime(2026, 3, 3, 23, 59, 59, 999999, tzinfo=UTC)},
        {"created_at": datetime(2026, 3, 4, 0, 0, tzinfo=UTC)},
    )
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        # The session zone changes how PostgreSQL shows and truncates times: buckets must not move.
        db.session.execute(text(f"SET TIME ZONE '{session_zone}'"))
    else:
        # SQLite has no session zone: the process's local zone is what could leak in there.
        request.addfinalizer(functools.partial(_restore_zone, os.environ.get("TZ")))
        os.environ["TZ"] = session_zone
        time.tzset()
    buckets = stats.over_time(_campaign(slug).id)
    assert {b.start: b.count for b in buckets if b.count} == {
        datetime(2026, 3, 1, 23, tzinfo=UTC): 1,
        datetime(2026, 3, 2, 0, tzinfo=UTC): 1,
        datetime(2026, 3, 3, 23, tzinfo=UTC): 1,  # hour 48: the first daily bucket
        datetime(2026, 3, 4, 0, tzinfo=UTC): 1,
    }
    assert [b.unit for b in buckets if b.count] == ["hour", "hour", "day", "day"]


def test_breakdowns_by_country_state_area_and_source(make_campaign, insert):
    slug = make_campaign()
    insert(
        slug,
        {"country": "US", "postcode": "02139", "region": "MA", "source": "twitter",
         "contact_ok": True},
        {"country": "US", "postcode": "02141-1234", "region": "MA", "source": "twitter"},
        {"country": "US", "postcode": "10001", "region": "NY", "contact_ok": True},
        {"country": "US", "postcode": "00000", "region": ""},
        {"country": "GB", "postcode": "SW1A 1AA", "source": "email"},
        {"country": "GB", "postcode": "SE1 7PB"},
        {"country": "GB", "postcode": "E1 6AN", "contact_ok": True},
        {"country": "FR", "postcode": "75001"},
        {"country": "DE", "postcode": ""},
        {"status": PENDING, "country": "CA", "source": "twitter", "contact_ok": True},
    )
    campaign_id = _campaign(slug).id
    places = stats.geography(campaign_id)
    assert [(r.key, r.label, r.count, r.percent) for r in places.countries.rows] == [
        ("US", "United States (US)", 4, 44.4),
        ("GB", "United Kingdom (GB)", 3, 33.3),
        ("DE", "Germany (DE)", 1, 11.1),
        ("FR", "France (FR)", 1, 11.1),
    ]
    assert (places.countries.total, places.countries.other) == (9, 0)
    assert [(r.key, r.label, r.count, r.percent) for r in places.states.rows] == [
        ("MA", "Massachusetts (MA)", 2, 50.0),
        ("", "Unknown ZIP", 1, 25.0),
        ("NY", "New York (NY)", 1, 25.0),
    ]
    assert places.states.total == 4
    assert [(r.key, r.count) for r in places.areas.rows] == [
        ("US 021", 2), ("FR 75", 1), ("GB E", 1), ("GB SE", 1), ("GB SW", 1),
        ("US 000", 1), ("US 100", 1),
    ]
    assert places.areas.total == 8  # the signer without a postcode is not in an area
    sources = stats.by_source(campaign_id, total=9)
    assert [(r.key, r.label, r.count) for r in sources.rows] == [
        ("", "direct", 6), ("twitter", "twitter", 2), ("email", "email", 1),
    ]
    contact = stats.contact_share(campaign_id, total=9)
    assert (contact.count, contact.total, contact.percent) == (3, 9, 33.3)


def test_breakdowns_list_the_largest_groups_and_sum_the_rest(monkeypatch, make_campaign, insert):
    monkeypatch.setattr(stats, "TOP_ROWS", 2)
    slug = make_campaign()
    pairs = ["a FR", "a FR", "a FR", "b DE", "b DE", "c IT", "d US"]
    insert(slug, *({"source": pair[0], "country": pair[2:], "postcode": "", "region": ""}
                   for pair in pairs))
    campaign_id = _campaign(slug).id
    sources = stats.by_source(campaign_id, total=7)
    assert [(r.key, r.count) for r in sources.rows] == [("a", 3), ("b", 2)]
    assert (sources.total, sources.other, sources.other_percent) == (7, 2, 28.6)
    places = stats.geography(campaign_id)
    assert [(r.key, r.count) for r in places.countries.rows] == [("FR", 3), ("DE", 2)]
    assert (places.countries.total, places.countries.other) == (7, 2)
    assert [(r.key, r.count) for r in places.states.rows] == [("", 1)]  # every state, always


def test_overview_of_an_empty_campaign(make_campaign, ctx):
    slug = make_campaign(goal=10)
    figures = stats.overview(_campaign(slug), now=T0)
    assert figures.totals == stats.Totals(goal=10)
    assert figures.over_time == [] and figures.places.countries.rows == []
    assert figures.places.states.total == 0 and figures.sources.rows == []
    assert (figures.contact.count, figures.contact.percent) == (0, 0.0)


@pytest.mark.parametrize(
    ("country", "postcode", "area"),
    [
        ("GB", "SW1A 1AA", "SW"),
        ("GB", "W1A 0AX", "W"),
        ("GB", "M1 1AE", "M"),
        ("GB", "EC1", "EC"),  # the SQL hands over the first 3 characters
        ("US", "021", "021"),
        ("US", "02139-4307", "021"),
        ("FR", "750", "75"),
        ("NL", "1012 AB", "10"),
        ("IE", "D", "D"),
    ],
)
def test_postcode_area(country, postcode, area):
    assert regions.postcode_area(country, postcode) == area
