"""The rules for an event's fields, shared by the organizer's form and the offer to host."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from campaign.events import event_input
from campaign.events.event_input import EventInput, InvalidEvent

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
GOOD = {"title": "Town hall on the river", "date": "2027-03-20", "start_time": "18:30",
        "end_time": "20:00", "timezone": "America/Chicago", "venue_name": "Central Library",
        "address": "300 Nicollet Mall", "postcode": "55401"}


@pytest.fixture
def rules(app):
    with app.test_request_context():
        yield


def check(**fields):
    return event_input.check(EventInput(**{**GOOD, **fields}), default_country="US", now=NOW)


def problems(**fields) -> dict[str, str]:
    with pytest.raises(InvalidEvent) as refused:
        check(**fields)
    return refused.value.errors


def test_a_meeting_in_minneapolis_is_stored_in_utc_with_its_place_filled_in(rules):
    fields = check()
    # 18:30 in Chicago in March, after the clocks went forward (CDT, UTC-5).
    assert fields.starts_at == datetime(2027, 3, 20, 23, 30, tzinfo=UTC)
    assert fields.ends_at == datetime(2027, 3, 21, 1, 0, tzinfo=UTC)
    assert (fields.timezone, fields.country, fields.region, fields.town) == (
        "America/Chicago", "US", "MN", "Minneapolis")
    assert fields.capacity is None and fields.online_url == ""


def test_the_same_clock_time_is_a_different_utc_time_across_the_dst_change(rules):
    before = check(date="2027-03-13")  # Saturday, still CST (UTC-6)
    after = check(date="2027-03-15")  # Monday, CDT (UTC-5)
    assert before.starts_at.hour == 0 and after.starts_at.hour == 23


def test_a_time_the_clocks_skip_is_refused_with_a_message(rules):
    errors = problems(date="2027-03-14", start_time="02:30", end_time="03:30")
    assert "does not exist" in errors["start_time"]


def test_a_duration_stands_in_for_the_end_time(rules):
    fields = check(end_time="", duration_minutes="90")
    assert (fields.ends_at - fields.starts_at).total_seconds() == 90 * 60


def test_an_online_meeting_needs_no_address(rules):
    fields = check(venue_name="", address="", postcode="", online_url="https://meet.example.org/river")
    assert fields.online_url == "https://meet.example.org/river" and fields.postcode == ""


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"title": "  "}, "title", "title"),
    ({"title": "x" * 201}, "title", "200"),
    ({"title": "Town\u202ehall"}, "title", "invisible"),
    ({"date": ""}, "date", "date"),
    ({"date": "20/03/2027"}, "date", "2027-03-14"),
    ({"date": "2027-02-30"}, "date", "2027-03-14"),
    ({"date": "2027-02-01"}, "date", "past"),
    ({"start_time": "25:00"}, "start_time", "18:30"),
    ({"start_time": ""}, "start_time", "start time"),
    ({"end_time": "18:00"}, "end_time", "after the start"),
    ({"end_time": "", "duration_minutes": ""}, "end_time", "end time"),
    ({"end_time": "", "duration_minutes": "5"}, "duration_minutes", "how long"),
    ({"end_time": "", "duration_minutes": "-60"}, "duration_minutes", "how long"),
    ({"timezone": "Mars/Olympus"}, "timezone", "time zone"),
    ({"timezone": ""}, "timezone", "time zone"),
    ({"address": "", "venue_name": "", "postcode": ""}, "address", "online"),
    ({"address": ""}, "address", "street address"),
    ({"postcode": ""}, "postcode", "ZIP"),
    ({"postcode": "ABCDE"}, "postcode", "ZIP"),
    ({"country": ""}, "country", "country"),
    ({"online_url": "http://meet.example.org"}, "online_url", "https://"),
    ({"online_url": "javascript:alert(1)"}, "online_url", "https://"),
    ({"online_url": "https://user:pw@meet.example.org"}, "online_url", "https://"),
    ({"online_url": "https://"}, "online_url", "https://"),
    ({"online_url": "https://meet.example.org/a b"}, "online_url", "https://"),
    ({"capacity": "0"}, "capacity", "100,000"),
    ({"capacity": "100001"}, "capacity", "100,000"),
    ({"capacity": "ten"}, "capacity", "100,000"),
    ({"capacity": "-5"}, "capacity", "100,000"),
])
def test_each_rule_refuses_with_a_message_beside_its_field(rules, fields, field, message):
    errors = problems(**fields)
    assert message.lower() in errors[field].lower()


def test_every_problem_is_reported_at_once(rules):
    errors = problems(title="", capacity="0", online_url="ftp://x.org")
    assert set(errors) >= {"title", "capacity", "online_url"}


def test_capacity_bounds_and_empty(rules):
    assert check(capacity="1").capacity == 1
    assert check(capacity="100000").capacity == 100_000
    assert check(capacity="").capacity is None


def test_a_uk_postcode_is_stored_as_the_sign_form_stores_it(rules):
    fields = check(country="GB", timezone="Europe/London", postcode="sw1a1aa")
    assert fields.postcode == "SW1A 1AA" and fields.region == ""


def test_an_edited_event_keeps_its_past_start(rules):
    past = datetime(2027, 2, 20, 0, 30, tzinfo=UTC)  # 2027-02-19 18:30 in Chicago (CST)
    raw = EventInput(**{**GOOD, "date": "2027-02-19"})
    with pytest.raises(InvalidEvent):
        event_input.check(raw, default_country="US", now=NOW)
    kept = event_input.check(raw, default_country="US", now=NOW, unchanged_start=past)
    assert kept.starts_at == past


def test_the_countrys_usual_zones_come_first(rules):
    assert event_input.zone_choices("US")[:3] == ["America/New_York", "America/Chicago",
                                                  "America/Denver"]
    assert event_input.zone_choices("GB")[0] == "Europe/London"
    assert event_input.default_zone("FR") == "Europe/Paris"
    assert event_input.default_zone("ZZ") == "UTC"
    assert len(event_input.zone_choices("US")) == len(set(event_input.zone_choices("US"))) > 300
