"""Calendar files read back with icalendar: zone, UID, times, SEQUENCE, cancellation."""
from datetime import UTC, datetime, timedelta

from icalendar import Calendar

from campaign.campaigns import store as campaign_store
from campaign.events import calendar_files, store, times
from campaign.extensions import db
from campaign.mail import backends, outbox
from tests.events.event_factory import going, new_event


def _parsed(text: str) -> tuple[Calendar, list]:
    calendar = Calendar.from_ical(text)
    return calendar, list(calendar.walk("VEVENT"))


def test_an_attendee_file_has_the_zone_uid_and_times(app, make_campaign):
    slug = make_campaign()
    with app.test_request_context():
        start = times.to_utc(datetime(2026, 3, 9, 19, 0), "America/New_York")
        event = new_event(slug, starts_at=start, hours=1.5, timezone="America/New_York",
                          description="Bring a friend.")
        text = calendar_files.event_file(event, slug, now=datetime.now(UTC), attendee=calendar_files.Attendee(
            email="ada@example.org", name="Ada Lovelace"))
        calendar, (item,) = _parsed(text)
        assert str(calendar["METHOD"]) == "REQUEST"
        assert str(item["UID"]) == f"{event.uuid}@localhost"
        assert item["DTSTART"].params["TZID"] == "America/New_York"
        assert item.decoded("DTSTART") == start  # 19:00 EDT is 23:00 UTC
        assert item.decoded("DTSTART").utcoffset() == timedelta(hours=-4)
        assert item.decoded("DTEND") - item.decoded("DTSTART") == timedelta(hours=1, minutes=30)
        zones = [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")]
        assert zones == ["America/New_York"]
        assert str(item["SUMMARY"]) == "Town hall on the river"
        assert "Bring a friend." in str(item["DESCRIPTION"])
        assert str(item["LOCATION"]) == "Central Library, 300 Nicollet Mall, Minneapolis, MN 55401"
        assert int(item["SEQUENCE"]) == 0 and str(item["STATUS"]) == "CONFIRMED"
        assert str(item["ATTENDEE"]) == "mailto:ada@example.org"


def test_an_online_link_goes_to_attendees_only(app, make_campaign):
    slug = make_campaign()
    with app.test_request_context():
        event = new_event(slug, online_url="https://meet.example/secret-room", venue_name="",
                          address="", postcode="", town="", region="")
        public = calendar_files.event_file(event, slug, now=datetime.now(UTC))
        own = calendar_files.event_file(event, slug, now=datetime.now(UTC),
                                        attendee=calendar_files.Attendee("a@example.org", "A"))
    assert "secret-room" not in public
    assert "meet.example/secret-room" in own.replace("\r\n ", "")


def test_a_change_of_time_sends_the_same_uid_with_a_higher_sequence(app, make_campaign):
    slug = make_campaign()
    with app.test_request_context():
        event = new_event(slug)
        attendee = going(slug, event)
        db.session.commit()
        outbox.deliver_due()
        before = store.snapshot(event)
        event.starts_at += timedelta(hours=1)
        event.ends_at += timedelta(hours=1)
        assert store.changed(event, before, now=datetime.now(UTC)) == ["time"]
        db.session.commit()
        outbox.deliver_due()
    first, last = backends.memory_outbox[1], backends.memory_outbox[-1]
    assert last["To"] == attendee.email
    assert "The time of this meeting has changed" in last.get_body(("plain",)).get_content()
    _, (old,) = _parsed(next(first.iter_attachments()).get_content())
    _, (new,) = _parsed(next(last.iter_attachments()).get_content())
    assert str(old["UID"]) == str(new["UID"])
    assert int(new["SEQUENCE"]) == int(old["SEQUENCE"]) + 1
    assert new.decoded("DTSTART") - old.decoded("DTSTART") == timedelta(hours=1)


def test_a_cancellation_sends_method_cancel(app, make_campaign):
    slug = make_campaign()
    with app.test_request_context():
        event = new_event(slug)
        going(slug, event)
        db.session.commit()
        assert store.cancel(event, now=datetime.now(UTC)) == 1
        db.session.commit()
        outbox.deliver_due()
    message = backends.memory_outbox[-1]
    assert message["Subject"] == "Cancelled: Town hall on the river"
    calendar, (item,) = _parsed(next(message.iter_attachments()).get_content())
    assert str(calendar["METHOD"]) == "CANCEL" and str(item["STATUS"]) == "CANCELLED"
    assert int(item["SEQUENCE"]) == 1


def test_the_feed_holds_each_upcoming_published_event_and_each_zone_once(app, make_campaign):
    slug = make_campaign()
    with app.test_request_context():
        new_event(slug, title="Chicago one")
        new_event(slug, title="Chicago two")
        new_event(slug, title="Paris", timezone="Europe/Paris", country="FR", postcode="75001")
        new_event(slug, title="Offer", status="proposed")
        new_event(slug, title="Past", starts_at=datetime.now(UTC) - timedelta(days=2))
        db.session.commit()
        campaign_id = campaign_store.get_by_slug(slug).id
        text = calendar_files.feed(store.upcoming(campaign_id, now=datetime.now(UTC)),
                                   slug, "Keep the river clean", now=datetime.now(UTC))
    calendar, items = _parsed(text)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert sorted(str(i["SUMMARY"]) for i in items) == ["Chicago one", "Chicago two", "Paris"]
    assert sorted(str(z["TZID"]) for z in calendar.walk("VTIMEZONE")) == ["America/Chicago", "Europe/Paris"]
