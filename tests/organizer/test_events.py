"""The organizer's events tab: list and counts, create and edit, publish, decline, cancel, export."""
from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from campaign.campaigns import store as campaign_store
from campaign.clock import utcnow
from campaign.events import attendee_export, host_links, organizing, store
from campaign.extensions import db
from campaign.models import AuditEntry, Event, EventStatus, Organizer, Rsvp, RsvpStatus
from tests.events import event_factory
from tests.helpers import count_rows, outbox_messages


@pytest.fixture
def slug(make_campaign, make_organizer, client, login):
    """A campaign the logged-in test client's organizer owns."""
    slug = make_campaign()
    login(client, make_organizer("owner@example.org", campaigns_owned=[slug]))
    return slug


def _form(**fields) -> dict:
    day = (utcnow() + timedelta(days=14)).strftime("%Y-%m-%d")
    values = {"title": "Town hall on the river", "description": "Questions for the board.",
              "date": day, "start_time": "19:00", "end_time": "20:30",
              "timezone": "America/Chicago", "venue_name": "Central Library",
              "address": "300 Nicollet Mall", "town": "", "region": "", "postcode": "55401",
              "country": "US", "online_url": "", "capacity": "40", "host": "me",
              "host_name": "", "host_email": ""}
    values.update(fields)
    return values


def _event(app, **where) -> Event:
    with app.app_context():
        event = db.session.scalars(select(Event).filter_by(**where).order_by(Event.id)).first()
        db.session.expunge_all()
        return event


def _published_with_people(app, slug: str, **fields) -> int:
    """A published event of the campaign with Ada (+1 guest) going and Grace waiting."""
    fields.setdefault("starts_at", utcnow().replace(minute=0, second=0, microsecond=0)
                      + timedelta(days=7))
    fields.setdefault("host_name", "owner")
    fields.setdefault("host_email", "owner@example.org")  # the logged-in organizer hosts it
    with app.test_request_context():
        event = event_factory.new_event(slug, capacity=2, **fields)
        event_factory.going(slug, event, full_name="Ada Lovelace", email="ada@example.org", guests=1)
        event_factory.going(slug, event, full_name="Grace Hopper", email="grace@example.org")
        db.session.commit()
        return event.id


def _offer(app, slug: str, *, confirmed: bool = True) -> int:
    with app.app_context():
        event = event_factory.new_event(slug, status=EventStatus.PROPOSED, title="Kitchen table talk",
                                        host_name="Hana Host", host_email="hana@example.org",
                                        host_confirmed_at=utcnow() if confirmed else None)
        db.session.commit()
        return event.id


def test_the_tab_lists_events_with_status_time_in_their_zone_and_counts(app, client, slug):
    start = datetime(2031, 7, 1, 0, 0, tzinfo=UTC)  # 19:00 CDT on 30 June
    _published_with_people(app, slug, starts_at=start)
    _offer(app, slug)
    page = client.get(f"/organizer/c/{slug}/events")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    text = page.text
    assert "Town hall on the river" in text and "published" in text
    assert "7:00" in text and "CDT" in text and "June 30, 2031" in text
    assert "<td>2 / 2</td>" in text and "<td>1</td>" in text  # Ada and her guest; Grace waits
    assert "Kitchen table talk" in text and "Hana Host" in text
    assert f'href="/organizer/c/{slug}/events"' in client.get(f"/organizer/c/{slug}/").text


def test_counts_come_from_one_query(app, slug):
    with app.test_request_context():
        event_id = _published_with_people(app, slug)
        assert store.counts([event_id]) == {event_id: (2, 1)}


def test_the_overview_counts_events_and_offers(app, client, slug):
    _published_with_people(app, slug)
    _offer(app, slug)
    _offer(app, slug, confirmed=False)
    text = client.get(f"/organizer/c/{slug}/").text
    assert "1 upcoming" in text and "1 offer to host waiting" in text


def test_an_organizer_creates_an_event_they_host(app, client, slug):
    answer = client.post(f"/organizer/c/{slug}/events/new", data=_form())
    assert answer.status_code == 303
    event = _event(app)
    assert (event.status, event.host_email, event.host_name) == (EventStatus.PROPOSED,
                                                                  "owner@example.org", "owner")
    assert event.created_by is not None and event.region == "MN" and event.latitude is not None
    assert event.capacity == 40 and event.timezone == "America/Chicago"
    page = client.get(answer.headers["Location"]).text
    assert "Not published yet" in page and 'value="19:00"' in page


def test_an_organizer_names_another_host(app, client, slug):
    client.post(f"/organizer/c/{slug}/events/new",
                data=_form(host="other", host_name="Sam Speaker", host_email="sam@example.org"))
    event = _event(app)
    assert (event.host_name, event.host_email) == ("Sam Speaker", "sam@example.org")


@pytest.mark.parametrize("fields", [
    {"title": ""}, {"end_time": "18:00"}, {"capacity": "100001"}, {"timezone": "Atlantis"},
    {"online_url": "http://meet.example.org", "address": "", "venue_name": "", "postcode": ""},
    {"host": "other", "host_name": "Sam", "host_email": "nope"},
    {"date": "not a date"},
])
def test_bad_input_is_a_422_with_the_message_and_nothing_stored(app, client, slug, fields):
    answer = client.post(f"/organizer/c/{slug}/events/new", data=_form(**fields))
    assert answer.status_code == 422 and 'class="error"' in answer.text
    with app.app_context():
        assert count_rows(Event) == 0


def test_a_non_member_gets_404_on_every_events_page(app, make_campaign, make_organizer, login, slug):
    event_id = _published_with_people(app, slug)
    other = app.test_client()
    login(other, make_organizer("stranger@example.org", campaigns_owned=[make_campaign()]))
    base = f"/organizer/c/{slug}/events"
    for url in (base, f"{base}/new", f"{base}/{event_id}", f"{base}/{event_id}/cancel",
                f"{base}/{event_id}/attendees.csv"):
        assert other.get(url).status_code == 404, url
    for url in (f"{base}/{event_id}/publish", f"{base}/{event_id}/cancel", f"{base}/{event_id}"):
        assert other.post(url, data=_form()).status_code == 404, url
    assert _event(app).status == EventStatus.PUBLISHED


def test_another_campaigns_event_is_404_by_id(app, client, make_campaign, slug):
    elsewhere = make_campaign(title="Elsewhere")
    event_id = _published_with_people(app, elsewhere)
    assert client.get(f"/organizer/c/{slug}/events/{event_id}").status_code == 404
    assert client.post(f"/organizer/c/{slug}/events/{event_id}/cancel").status_code == 404


def test_publishing_an_offer_sends_its_host_the_private_link(app, client, slug):
    event_id = _offer(app, slug)
    answer = client.post(f"/organizer/c/{slug}/events/{event_id}/publish")
    assert answer.status_code == 303
    event = _event(app)
    assert event.status == EventStatus.PUBLISHED and event.published_at is not None
    with app.test_request_context():
        [mail] = [m for m in outbox_messages() if m.kind == organizing.PUBLISHED_KIND]
        assert mail.to_address == "hana@example.org"
        assert host_links.page_link(db.session.get(Event, event_id)) in mail.body
        assert db.session.scalars(select(AuditEntry.action)).all() == ["event.published"]
    assert "Kitchen table talk" in client.get(f"/c/{slug}/events").text
    # A second click changes nothing and sends nothing more.
    client.post(f"/organizer/c/{slug}/events/{event_id}/publish")
    with app.app_context():
        assert len(outbox_messages()) == 1


def test_an_unconfirmed_offer_is_neither_listed_nor_publishable(app, client, slug):
    event_id = _offer(app, slug, confirmed=False)
    assert "Kitchen table talk" not in client.get(f"/organizer/c/{slug}/events").text
    client.post(f"/organizer/c/{slug}/events/{event_id}/publish")
    assert _event(app).status == EventStatus.PROPOSED


def test_declining_an_offer_tells_the_offerer_kindly_and_hides_it(app, client, slug):
    event_id = _offer(app, slug)
    assert client.post(f"/organizer/c/{slug}/events/{event_id}/decline").status_code == 303
    assert _event(app).status == EventStatus.DECLINED
    with app.app_context():
        [mail] = outbox_messages()
        assert mail.kind == organizing.DECLINED_KIND and mail.to_address == "hana@example.org"
        assert "Thank you for offering to host" in mail.body and f"/c/{slug}/host" in mail.body
    assert "Kitchen table talk" not in client.get(f"/organizer/c/{slug}/events").text
    assert client.get(f"/organizer/c/{slug}/events/{event_id}").status_code == 404


def test_a_published_event_cannot_be_declined(app, client, slug):
    event_id = _published_with_people(app, slug)
    client.post(f"/organizer/c/{slug}/events/{event_id}/decline")
    assert _event(app).status == EventStatus.PUBLISHED


def test_cancelling_asks_first_then_tells_every_attendee(app, client, slug):
    event_id = _published_with_people(app, slug)
    confirm = client.get(f"/organizer/c/{slug}/events/{event_id}/cancel")
    assert confirm.status_code == 200 and "2 people are going" in confirm.text
    assert "1 is on the waiting list" in confirm.text
    assert _event(app).status == EventStatus.PUBLISHED  # the page alone changes nothing
    with app.app_context():
        before = len(outbox_messages())
    assert client.post(f"/organizer/c/{slug}/events/{event_id}/cancel").status_code == 303
    assert _event(app).status == EventStatus.CANCELLED
    with app.app_context():
        told = outbox_messages()[before:]
        assert sorted(m.to_address for m in told) == ["ada@example.org", "grace@example.org"]
        assert all(m.kind == "event_cancelled" for m in told)
        statuses = db.session.scalars(select(Rsvp.status)).all()
        assert set(statuses) == {RsvpStatus.CANCELLED}


def test_editing_the_time_of_a_published_event_tells_its_attendees(app, client, slug):
    event_id = _published_with_people(app, slug)
    event = _event(app)
    page = client.get(f"/organizer/c/{slug}/events/{event_id}").text
    assert "Town hall on the river" in page
    with app.app_context():
        before = len(outbox_messages())
    # Only the title: nobody is emailed.
    local = event.starts_at.astimezone(ZoneInfo("America/Chicago"))
    same = _form(date=local.strftime("%Y-%m-%d"), start_time=local.strftime("%H:%M"),
                 end_time=(local + timedelta(hours=2)).strftime("%H:%M"), capacity="2",
                 address="300 Nicollet Mall", town="Minneapolis", title="Town hall, again")
    assert client.post(f"/organizer/c/{slug}/events/{event_id}", data=same).status_code == 303
    with app.app_context():
        assert len(outbox_messages()) == before
    assert _event(app).title == "Town hall, again"
    later = {**same, "start_time": (local + timedelta(hours=1)).strftime("%H:%M"),
             "end_time": (local + timedelta(hours=3)).strftime("%H:%M")}
    if later["start_time"] < same["start_time"]:  # would cross midnight: move the day instead
        later = {**same, "date": (local + timedelta(days=1)).strftime("%Y-%m-%d")}
    assert client.post(f"/organizer/c/{slug}/events/{event_id}", data=later).status_code == 303
    with app.app_context():
        changed = outbox_messages()[before:]
        assert sorted(m.to_address for m in changed) == ["ada@example.org", "grace@example.org"]
        assert all(m.kind == "event_changed" for m in changed)
    assert _event(app).starts_at != event.starts_at


def test_a_new_host_of_a_published_event_gets_the_private_link(app, client, slug):
    event_id = _published_with_people(app, slug)
    event = _event(app)
    local = event.starts_at.astimezone(ZoneInfo("America/Chicago"))
    form = _form(date=local.strftime("%Y-%m-%d"), start_time=local.strftime("%H:%M"),
                 end_time=(local + timedelta(hours=2)).strftime("%H:%M"), capacity="2",
                 town="Minneapolis", host="other", host_name="Sam Speaker",
                 host_email="sam@example.org")
    assert client.post(f"/organizer/c/{slug}/events/{event_id}", data=form).status_code == 303
    with app.test_request_context():
        [mail] = [m for m in outbox_messages() if m.kind == organizing.PUBLISHED_KIND]
        assert mail.to_address == "sam@example.org"
        assert host_links.page_link(db.session.get(Event, event_id)) in mail.body
        assert not [m for m in outbox_messages() if m.kind == "event_changed"]  # same time and place


def test_a_cancelled_event_cannot_be_edited(app, client, slug):
    event_id = _published_with_people(app, slug)
    client.post(f"/organizer/c/{slug}/events/{event_id}/cancel")
    answer = client.post(f"/organizer/c/{slug}/events/{event_id}", data=_form(title="Back on"))
    assert answer.status_code == 409 and _event(app).title == "Town hall on the river"


# The attendee export --------------------------------------------------------------------------

def test_the_export_has_action_networks_columns_and_neutralises_formulas(app, client, slug):
    event_id = _published_with_people(app, slug)
    with app.app_context():
        db.session.add(Rsvp(event_id=event_id, full_name="Mallory =HYPERLINK(\"x\")",
                            email="@mallory@example.org", email_key="mallory@example.org",
                            postcode="+55401", guests=0, host_may_write=True,
                            status=RsvpStatus.WAITING, confirmed_at=utcnow(),
                            waitlisted_at=utcnow() + timedelta(seconds=5)))
        db.session.commit()
    answer = client.get(f"/organizer/c/{slug}/events/{event_id}/attendees.csv")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in answer.headers["Content-Disposition"]
    assert answer.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[0] == list(attendee_export.COLUMNS)
    assert rows[0][:4] == ["first_name", "last_name", "email", "zip_code"]
    table = [dict(zip(rows[0], row)) for row in rows[1:]]
    assert [(r["first_name"], r["last_name"], r["rsvp_status"], r["guests"]) for r in table] == [
        ("Ada", "Lovelace", "going", "1"), ("Grace", "Hopper", "waiting", "0"),
        ("Mallory", "'=HYPERLINK(\"x\")", "waiting", "0")]
    assert table[2]["email"] == "'@mallory@example.org" and table[2]["zip_code"] == "'+55401"
    assert table[2]["host_may_contact"] == "true" and table[0]["host_may_contact"] == "false"
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == attendee_export.ACTION)).one()
        assert entry.detail["rows"] == 3 and entry.detail["complete"] is True
        assert entry.organizer_id == db.session.scalar(select(Organizer.id))
        assert "ada" not in repr(entry.detail).lower()


def test_the_export_needs_a_login(app, slug):
    event_id = _published_with_people(app, slug)
    answer = app.test_client().get(f"/organizer/c/{slug}/events/{event_id}/attendees.csv")
    assert answer.status_code == 401
    with app.app_context():
        assert count_rows(AuditEntry) == 0
        campaign_store.get_by_slug(slug)  # the campaign is still there, untouched
