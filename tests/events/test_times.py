"""Event times: wall-clock times in the event's zone to UTC across daylight-saving changes,
and shown back in that zone with the zone named."""
from datetime import UTC, datetime, timedelta

import pytest
from flask_babel import force_locale

from campaign.events import times


def _when(*args) -> str:
    """times.when() with Babel's thin and narrow no-break spaces as plain ones."""
    return times.when(*args).replace("\u202f", " ").replace("\u2009", " ")


def test_the_saturday_before_and_the_monday_after_the_spring_change_differ_by_an_hour(ctx):
    # The US clocks went forward on Sunday 8 March 2026, at 2:00 AM.
    saturday = times.to_utc(datetime(2026, 3, 7, 19, 0), "America/New_York")
    monday = times.to_utc(datetime(2026, 3, 9, 19, 0), "America/New_York")
    assert saturday == datetime(2026, 3, 8, 0, 0, tzinfo=UTC)  # EST, UTC-5
    assert monday == datetime(2026, 3, 9, 23, 0, tzinfo=UTC)  # EDT, UTC-4
    assert _when(saturday, saturday + timedelta(hours=1, minutes=30), "America/New_York") == \
        "Saturday, March 7, 2026, 7:00 – 8:30 PM EST"
    assert _when(monday, monday + timedelta(hours=1, minutes=30), "America/New_York") == \
        "Monday, March 9, 2026, 7:00 – 8:30 PM EDT"


@pytest.mark.parametrize("local", [datetime(2026, 3, 8, 2, 30), datetime(2026, 3, 8, 2, 0)])
def test_a_time_the_clocks_jump_over_is_refused_with_a_message(ctx, local):
    with pytest.raises(ValueError, match="does not exist in America/New_York"):
        times.to_utc(local, "America/New_York")


def test_a_time_that_happens_twice_is_the_first_of_the_two(ctx):
    # 1 November 2026: 1:30 AM happens in EDT, then again in EST.
    moment = times.to_utc(datetime(2026, 11, 1, 1, 30), "America/New_York")
    assert moment == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    assert times.zone_abbreviation(times.local(moment, "America/New_York")) == "EDT"


def test_the_zone_is_named_even_without_letters(ctx):
    moment = times.to_utc(datetime(2026, 6, 2, 18, 0), "Europe/Istanbul")
    assert moment == datetime(2026, 6, 2, 15, 0, tzinfo=UTC)
    assert times.when(moment, moment + timedelta(hours=2), "Europe/Istanbul").endswith("UTC+03")


def test_an_event_over_midnight_names_both_days(ctx):
    start = times.to_utc(datetime(2026, 5, 1, 22, 0), "America/Chicago")
    text = _when(start, start + timedelta(hours=3), "America/Chicago")
    assert text == "Friday, May 1, 2026, 10:00 PM CDT – Saturday, May 2, 2026, 1:00 AM CDT"


def test_spanish_pages_and_emails_write_the_date_in_spanish(app):
    with app.test_request_context(), force_locale("es"):
        start = times.to_utc(datetime(2026, 3, 10, 19, 0), "America/Chicago")
        text = times.when(start, start + timedelta(minutes=90), "America/Chicago")
    assert text.startswith("martes, 10 de marzo de 2026, 7:00")
    assert text.endswith("CDT")


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "../etc/passwd", "america/chicago", "EST\n"])
def test_an_unknown_zone_is_refused(ctx, zone):
    assert not times.is_zone(zone)
    with pytest.raises(ValueError, match="Choose a time zone from the list"):
        times.to_utc(datetime(2026, 5, 1, 12, 0), zone)


def test_the_zone_list_holds_places_and_utc_only(ctx):
    names = times.zone_names()
    assert "America/Chicago" in names and "Europe/Paris" in names and names[-1] == "UTC"
    assert not [n for n in names if n.startswith(("Etc/", "US/"))]
    assert all(times.is_zone(n) for n in names)


def test_an_aware_time_is_refused(ctx):
    with pytest.raises(ValueError):
        times.to_utc(datetime(2026, 5, 1, 12, 0, tzinfo=UTC), "America/Chicago")
