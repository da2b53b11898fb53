"""Finding events: nearest first by US ZIP with distances, the visitor's region first abroad,
online events apart, an unknown ZIP listed by date."""
from datetime import UTC, datetime, timedelta

import pytest

from campaign.events import finding, store
from campaign.extensions import db
from tests.events.event_factory import new_event

SOON = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)


def test_locate_knows_us_zips_only(ctx):
    lat, lon = finding.locate("US", "55401")
    assert round(lat, 2) == 44.98 and round(lon, 2) == -93.27
    assert finding.locate("US", "55401-1234") == finding.locate("US", "55401")
    assert finding.locate("US", "00000") is None
    assert finding.locate("GB", "SW1A 1AA") is None
    assert finding.locate("US", "") is None


def test_miles_between_minneapolis_and_chicago(ctx):
    assert 350 < finding.miles_between(finding.locate("US", "55401"), finding.locate("US", "60601")) < 360


@pytest.fixture
def us_events(app, make_campaign):
    slug = make_campaign()
    with app.app_context():
        # By date: Chicago, Madison, Saint Paul, the unplaced one; online apart.
        new_event(slug, title="Chicago", postcode="60601", town="Chicago", region="IL", starts_at=SOON)
        new_event(slug, title="Madison", postcode="53703", region="WI", starts_at=SOON + timedelta(days=1))
        new_event(slug, title="Saint Paul", postcode="55104", starts_at=SOON + timedelta(days=2))
        new_event(slug, title="Somewhere", postcode="", latitude=None, starts_at=SOON + timedelta(days=3))
        new_event(slug, title="Online", online_url="https://meet.example/x", postcode="",
                  starts_at=SOON + timedelta(days=4))
        db.session.commit()
        campaign_id = new_event(slug, title="Gone", status="cancelled").campaign_id
        db.session.commit()
    return campaign_id


def _titles(rows) -> list[str]:
    return [row.event.title for row in rows]


def test_nearest_first_by_zip_with_the_distance(app, us_events):
    with app.app_context():
        found = finding.listing(store.upcoming(us_events, now=datetime.now(UTC)),
                                country="US", postcode="55401")
    assert found.sorted_by == "distance" and not found.unknown
    assert _titles(found.in_person) == ["Saint Paul", "Madison", "Chicago", "Somewhere"]
    miles = [row.miles for row in found.in_person]
    assert 5.7 < miles[0] < 5.9 and 220 < miles[1] < 240 and 350 < miles[2] < 360 and miles[3] is None
    assert _titles(found.online) == ["Online"]


def test_without_a_postcode_or_with_an_unknown_zip_the_list_is_by_date(app, us_events):
    with app.app_context():
        events = store.upcoming(us_events, now=datetime.now(UTC))
        plain = finding.listing(events)
        unknown = finding.listing(events, country="US", postcode="00000")
    assert _titles(plain.in_person) == ["Chicago", "Madison", "Saint Paul", "Somewhere"]
    assert not plain.unknown and plain.sorted_by == "date"
    assert unknown.unknown and _titles(unknown.in_person) == _titles(plain.in_person)
    assert all(row.miles is None for row in unknown.in_person)


def test_abroad_the_visitors_region_comes_first_then_by_date(app, make_campaign):
    slug = make_campaign(default_country="GB")
    with app.app_context():
        new_event(slug, title="Leeds", country="GB", postcode="LS1 4AP", region="", starts_at=SOON)
        new_event(slug, title="London", country="GB", postcode="SW1A 1AA", starts_at=SOON + timedelta(days=1))
        new_event(slug, title="Paris", country="FR", postcode="SW1", starts_at=SOON + timedelta(days=2))
        new_event(slug, title="Westminster", country="GB", postcode="SW1P 3BU", starts_at=SOON + timedelta(days=3))
        db.session.commit()
        events = store.upcoming(new_event(slug, title="Later", country="GB", postcode="M1 1AA",
                                          starts_at=SOON + timedelta(days=9)).campaign_id,
                                now=datetime.now(UTC))
        found = finding.listing(events, country="GB", postcode="SW1A 2AA")
    assert found.sorted_by == "region"
    assert _titles(found.in_person) == ["London", "Westminster", "Leeds", "Paris", "Later"]
    assert [row.near for row in found.in_person] == [True, True, False, False, False]
