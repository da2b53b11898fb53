"""The events pages a visitor sees: the list by ZIP, an event's page and RSVP form, the confirm
and cancel links, the calendar files, the public JSON."""
import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from campaign.extensions import db
from campaign.mail import outbox
from campaign.models import ActionKind, EventStatus, OutboxMessage, Rsvp, RsvpStatus
from tests.events.event_factory import going, new_event
from tests.helpers import count_rows, database_snapshot, sent_bodies

SOON = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)


def _event(app, slug: str, **fields) -> str:
    with app.app_context():
        event = new_event(slug, **fields)
        db.session.commit()
        uuid = event.uuid
        db.session.remove()
    return uuid


def _rsvp_form(**fields) -> dict:
    values = {"full_name": "Ada Lovelace", "email": "ada@example.org", "postcode": "55401",
              "guests": "1", "host_may_write": "y"}
    values.update(fields)
    return {k: v for k, v in values.items() if v is not None}


def _link(kind: str, body: str) -> str:
    match = re.search(rf"https?://[^/\s]+(/c/[^\s]+/{kind}/[0-9]+\.[0-9]+\.[A-Za-z0-9_-]+)", body)
    assert match, body
    return match.group(1)


def _sent(app) -> list[str]:
    with app.app_context():
        outbox.deliver_due()
        db.session.remove()
    return sent_bodies()


def test_the_list_puts_the_nearest_first_with_miles_and_online_apart(app, client, make_campaign):
    slug = make_campaign()
    _event(app, slug, title="Chicago meeting", postcode="60601", town="Chicago", region="IL", starts_at=SOON)
    _event(app, slug, title="Saint Paul meeting", postcode="55104", town="Saint Paul",
           starts_at=SOON + timedelta(days=1))
    _event(app, slug, title="Video call", online_url="https://meet.example/room", postcode="",
           starts_at=SOON + timedelta(days=2))
    _event(app, slug, title="Not yet published", status=EventStatus.PROPOSED)
    page = client.get(f"/c/{slug}/events?country=US&postcode=55401")
    assert page.status_code == 200
    text = page.text
    assert text.index("Saint Paul meeting") < text.index("Chicago meeting") < text.index("Video call")
    assert "5.8 miles away" in text and "355 miles away" in text
    assert "Nearest first to 55401" in text
    assert "Not yet published" not in text and "meet.example" not in text
    assert "public" in page.headers["Cache-Control"]  # the same for every visitor


def test_an_unknown_zip_says_so_and_lists_by_date(app, client, make_campaign):
    slug = make_campaign()
    _event(app, slug, title="Chicago meeting", postcode="60601", starts_at=SOON)
    _event(app, slug, title="Saint Paul meeting", postcode="55104", starts_at=SOON + timedelta(days=1))
    page = client.get(f"/c/{slug}/events?country=US&postcode=00000")
    assert page.status_code == 200
    assert "We do not know where the ZIP code 00000 is" in page.text
    assert page.text.index("Chicago meeting") < page.text.index("Saint Paul meeting")


def test_a_malformed_zip_is_refused_next_to_the_field_with_the_list_by_date(app, client, make_campaign):
    slug = make_campaign()
    _event(app, slug, title="Chicago meeting", postcode="60601")
    page = client.get(f"/c/{slug}/events?country=US&postcode=hello")
    assert page.status_code == 422
    assert "Please enter a 5-digit ZIP code" in page.text and "Chicago meeting" in page.text


def test_the_campaign_meeting_card_links_to_the_list(app, client, make_campaign):
    from campaign.campaigns import store as campaign_store
    from campaign.models import Action

    slug = make_campaign()
    with app.app_context():
        campaign = campaign_store.get_by_slug(slug)
        db.session.add(Action(campaign_id=campaign.id, position=1, kind=ActionKind.EVENT,
                              title="Attend a town hall", body="Come and ask questions."))
        db.session.commit()
    page = client.get(f"/c/{slug}").text
    assert f'href="http://localhost/c/{slug}/events">Find a meeting near you' in page


def test_rsvp_confirm_and_cancel_through_the_pages(app, client, make_campaign):
    slug = make_campaign()
    uuid = _event(app, slug, capacity=10, starts_at=SOON)
    page = client.get(f"/c/{slug}/events/{uuid}")
    assert page.status_code == 200 and "Town hall on the river" in page.text
    assert "Central Library, 300 Nicollet Mall, Minneapolis, MN 55401" in page.text
    assert "public" not in page.headers.get("Cache-Control", "")  # the form holds a session token
    answer = client.post(f"/c/{slug}/events/{uuid}/rsvp", data=_rsvp_form())
    assert answer.status_code == 303 and answer.location.endswith(f"/c/{slug}/events/{uuid}/rsvped")
    assert "Check your email" in client.get(answer.location).text
    with app.app_context():
        rsvp = db.session.scalars(select(Rsvp)).one()
        assert (rsvp.status, rsvp.guests, rsvp.host_may_write) == (RsvpStatus.PENDING, 1, True)
    body = _sent(app)[0]
    confirm = _link("confirm", body)
    # A mail scanner's GET changes nothing: a button does.
    shown = client.get(confirm)
    assert shown.status_code == 200 and "Confirm that I am coming" in shown.text
    assert shown.headers["Referrer-Policy"] == "no-referrer"
    assert client.post(confirm).status_code == 303
    assert "You are coming" in client.get(confirm).text
    assert "2 people" in client.get(f"/c/{slug}/events/{uuid}").text  # Ada and her guest
    going_body = _sent(app)[-1]
    assert "You are coming. See you there!" in going_body
    cancel = _link("cancel", going_body)
    assert "Cancel my RSVP" in client.get(cancel).text
    with app.app_context():
        assert db.session.scalars(select(Rsvp.status)).one() == RsvpStatus.GOING
    assert client.post(cancel).status_code == 303
    assert "You are no longer on the list" in client.get(cancel).text
    with app.app_context():
        assert db.session.scalars(select(Rsvp.status)).one() == RsvpStatus.CANCELLED


def test_a_full_event_offers_the_waiting_list(app, client, make_campaign):
    slug = make_campaign()
    with app.test_request_context():
        event = new_event(slug, capacity=1)
        going(slug, event)
        db.session.commit()
        uuid = event.uuid
    page = client.get(f"/c/{slug}/events/{uuid}").text
    assert "Join the waiting list" in page and "full" in page


@pytest.mark.parametrize(("field", "value", "message"), [
    ("full_name", "", "Please enter your name."),
    ("full_name", "=HYPERLINK(\"x\")", "cannot start with"),
    ("email", "not-an-address", "This email address is not valid"),
    ("postcode", "ABCDE", "Please enter a 5-digit ZIP code"),
    ("postcode", "", "Please enter your ZIP code."),
    ("guests", "11", "Choose from 0 to 10 guests."),
    ("guests", "-1", "Choose from 0 to 10 guests."),
    ("guests", "²", "Choose from 0 to 10 guests."),
])
def test_bad_input_is_refused_with_a_message_and_nothing_stored(app, client, make_campaign, field, value, message):
    slug = make_campaign()
    uuid = _event(app, slug)
    with app.app_context():
        before = database_snapshot()
    page = client.post(f"/c/{slug}/events/{uuid}/rsvp", data=_rsvp_form(**{field: value}))
    assert page.status_code == 422
    assert message in page.text
    with app.app_context():
        assert database_snapshot() == before


def test_an_online_event_takes_any_postcode_or_none(app, client, make_campaign):
    slug = make_campaign()
    uuid = _event(app, slug, online_url="https://meet.example/room", postcode="", country="US")
    assert client.post(f"/c/{slug}/events/{uuid}/rsvp", data=_rsvp_form(postcode="")).status_code == 303
    assert client.post(f"/c/{slug}/events/{uuid}/rsvp",
                       data=_rsvp_form(email="b@example.org", postcode="SW1A 1AA")).status_code == 303
    # The link goes to attendees only: not on the page.
    assert "meet.example" not in client.get(f"/c/{slug}/events/{uuid}").text


def test_a_second_rsvp_answers_the_same_and_makes_one_row(app, client, make_campaign):
    slug = make_campaign()
    uuid = _event(app, slug)
    first = client.post(f"/c/{slug}/events/{uuid}/rsvp", data=_rsvp_form())
    second = client.post(f"/c/{slug}/events/{uuid}/rsvp", data=_rsvp_form(email="ADA@example.org"))
    assert (first.status_code, first.location) == (second.status_code, second.location)
    with app.app_context():
        assert count_rows(Rsvp) == 1


@pytest.mark.parametrize(("status", "code"), [(EventStatus.CANCELLED, 410)])
def test_a_cancelled_event_refuses_rsvps_with_a_clear_page(app, client, make_campaign, status, code):
    slug = make_campaign()
    uuid = _event(app, slug, status=status)
    page = client.get(f"/c/{slug}/events/{uuid}")
    assert "This meeting has been cancelled" in page.text and 'action="' not in page.text.split("<main", 1)[1]
    answer = client.post(f"/c/{slug}/events/{uuid}/rsvp", data=_rsvp_form())
    assert answer.status_code == code and "This meeting has been cancelled" in answer.text
    with app.app_context():
        assert count_rows(Rsvp) == 0


def test_an_event_over_refuses_rsvps(app, client, make_campaign):
    slug = make_campaign()
    uuid = _event(app, slug, starts_at=datetime.now(UTC) - timedelta(hours=5))
    answer = client.post(f"/c/{slug}/events/{uuid}/rsvp", data=_rsvp_form())
    assert answer.status_code == 409 and "This meeting is over" in answer.text


@pytest.mark.parametrize("status", [EventStatus.PROPOSED, EventStatus.DECLINED])
def test_offers_and_declined_events_are_not_found(app, client, make_campaign, status):
    slug = make_campaign()
    uuid = _event(app, slug, status=status)
    assert client.get(f"/c/{slug}/events/{uuid}").status_code == 404
    assert client.post(f"/c/{slug}/events/{uuid}/rsvp", data=_rsvp_form()).status_code == 404
    assert client.get(f"/c/{slug}/events/nonsense").status_code == 404


def test_a_forged_or_foreign_link_is_not_recognised(app, client, make_campaign):
    slug = make_campaign()
    uuid, other = _event(app, slug), _event(app, slug)
    client.post(f"/c/{slug}/events/{uuid}/rsvp", data=_rsvp_form())
    confirm = _link("confirm", _sent(app)[0])
    assert client.get(confirm[:-3] + "AAA").status_code == 404
    assert client.get(confirm.replace(uuid, other)).status_code == 404
    assert client.post(confirm.replace("/confirm/", "/cancel/")).status_code == 404  # other purpose


def test_an_old_confirm_link_has_expired(app, client, make_campaign, clock):
    slug = make_campaign()
    uuid = _event(app, slug, starts_at=datetime.now(UTC) + timedelta(days=40))
    client.post(f"/c/{slug}/events/{uuid}/rsvp", data=_rsvp_form())
    confirm = _link("confirm", _sent(app)[0])
    clock.move(days=app.config["CONFIRM_TOKEN_DAYS"] + 1)
    page = client.get(confirm)
    assert page.status_code == 410 and "This link has expired" in page.text


def test_the_calendar_feed_and_the_event_file(app, client, make_campaign):
    slug = make_campaign()
    uuid = _event(app, slug, title="Town hall")
    _event(app, slug, title="Offer", status=EventStatus.PROPOSED)
    feed = client.get(f"/c/{slug}/events.ics")
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    assert "public" in feed.headers["Cache-Control"] and feed.headers["ETag"]
    calendar = Calendar.from_ical(feed.data)
    assert [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")] == ["Town hall"]
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == [f"{uuid}@localhost"]
    assert client.get(f"/c/{slug}/events.ics", headers={"If-None-Match": feed.headers["ETag"]}).status_code == 304
    one = client.get(f"/c/{slug}/events/{uuid}/calendar.ics")
    assert one.mimetype == "text/calendar"
    (item,) = Calendar.from_ical(one.data).walk("VEVENT")
    assert item["DTSTART"].params["TZID"] == "America/Chicago"


def test_the_public_json_has_event_counts_and_no_personal_data(app, client, make_campaign):
    slug = make_campaign()
    with app.test_request_context():
        event = new_event(slug, capacity=2, host_name="Harriet Host", host_email="host@example.org")
        going(slug, event, full_name="Grace Hopper", email="grace@example.org", guests=1)
        going(slug, event, full_name="Alan Turing", email="alan@example.org")
        db.session.commit()
        uuid = event.uuid
    document = client.get(f"/c/{slug}.json").get_json()
    (row,) = document["events"]
    assert row["id"] == uuid and (row["going_count"], row["waiting_count"], row["capacity"]) == (2, 1, 2)
    assert row["url"] == f"http://localhost/c/{slug}/events/{uuid}"
    text = json.dumps(document)
    for private in ("Grace", "grace@", "Alan", "alan@", "Harriet", "host@", "Nicollet"):
        assert private not in text


def test_the_rsvp_email_speaks_the_page_language(app, client, make_campaign):
    slug = make_campaign()
    uuid = _event(app, slug)
    client.post(f"/c/{slug}/events/{uuid}/rsvp?lang=es", data=_rsvp_form(),
                headers={"Accept-Language": "es"})
    with app.app_context():
        assert db.session.scalars(select(Rsvp.language)).one() == "es"
        message = db.session.scalars(select(OutboxMessage)).one()
    # The date as Spanish writes it, whatever the catalogs translate yet.
    assert re.search(r"(lunes|martes|miércoles|jueves|viernes|sábado|domingo), \d+ de \w+ de \d{4}",
                     message.body)


def test_the_rsvp_form_has_signings_per_address_limit(app, client, make_campaign):
    app.config["SIGN_RATE_LIMIT"] = "2 per minute"
    slug = make_campaign()
    uuid = _event(app, slug)
    for number in range(2):
        assert client.post(f"/c/{slug}/events/{uuid}/rsvp",
                           data=_rsvp_form(email=f"n{number}@example.org")).status_code == 303
    refused = client.post(f"/c/{slug}/events/{uuid}/rsvp", data=_rsvp_form(email="n3@example.org"))
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    with app.app_context():
        assert count_rows(Rsvp) == 2
    # Its own budget: signing the petition is not refused for it.
    assert client.post(f"/c/{slug}/sign", data={"full_name": "Ada Lovelace", "email": "n4@example.org",
                                                "country": "US", "postcode": "02139"}).status_code == 303
