"""Offering to host from the host card, confirming by email, and the host's private page."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from campaign.abuse import list_rules
from campaign.campaigns import store as campaign_store
from campaign.clock import utcnow
from campaign.events import host_links, host_messages, organizing, store
from campaign.extensions import db
from campaign.mail import outbox
from campaign.models import (
    ActionKind,
    AuditEntry,
    Event,
    EventStatus,
    ListRule,
    OutboxMessage,
    RuleKind,
)
from tests.events import event_factory
from tests.helpers import count_rows, outbox_messages, sent_bodies


def _offer(**fields) -> dict:
    start = (utcnow() + timedelta(days=10)).strftime("%Y-%m-%d")
    values = {"title": "Discussion at the library", "description": "Bring a friend.",
              "date": start, "start_time": "18:30", "duration_minutes": "90",
              "timezone": "America/Chicago", "venue_name": "Central Library",
              "address": "300 Nicollet Mall", "town": "", "postcode": "55401", "country": "US",
              "online_url": "", "capacity": "12", "host_name": "Hana Host",
              "host_email": "hana@example.org"}
    values.update(fields)
    return {k: v for k, v in values.items() if v is not None}


@pytest.fixture
def slug(app, make_campaign):
    slug = make_campaign()
    with app.app_context():
        campaign = campaign_store.get_by_slug(slug)
        campaign_store.add_action(campaign, kind=ActionKind.HOST, title="Host a discussion",
                                  details={"event": {"what": "Organize a local discussion group",
                                                     "host": True}})
        db.session.commit()
        db.session.remove()
    return slug


def _events(app) -> list[Event]:
    with app.app_context():
        found = list(db.session.scalars(select(Event).order_by(Event.id)))
        db.session.expunge_all()
        return found


def _link(body: str, pattern: str) -> str:
    match = re.search(rf"https?://[^/\s]+({pattern})", body)
    assert match, body
    return match.group(1)


def _deliver(app) -> list[str]:
    with app.app_context():
        outbox.deliver_due()
        db.session.remove()
    return sent_bodies()


def test_the_host_card_links_to_the_offer_form(client, slug):
    page = client.get(f"/c/{slug}").text
    assert f'href="http://localhost/c/{slug}/host"' in page and "Offer to host" in page
    form = client.get(f"/c/{slug}/host")
    assert form.status_code == 200 and "no-store" in form.headers["Cache-Control"]
    assert 'name="title"' in form.text and 'name="host_email"' in form.text
    # The campaign's country's zones come first; the US one preselected.
    assert '<option selected value="America/New_York">' in form.text


def test_an_offer_is_stored_proposed_and_confirmed_by_the_emailed_link(app, client, slug):
    answer = client.post(f"/c/{slug}/host", data=_offer())
    assert answer.status_code == 303 and answer.headers["Location"].endswith(f"/c/{slug}/host/sent")
    assert "Check your email" in client.get(answer.headers["Location"]).text
    [event] = _events(app)
    assert (event.status, event.host_name, event.host_email, event.capacity) == (
        EventStatus.PROPOSED, "Hana Host", "hana@example.org", 12)
    assert event.host_confirmed_at is None and event.created_by is None
    assert event.latitude is not None and event.region == "MN"
    assert (event.ends_at - event.starts_at) == timedelta(minutes=90)
    [body] = _deliver(app)
    link = _link(body, rf"/c/{slug}/host/confirm/[0-9A-Za-z._-]+")
    # Opening the link (a mail scanner does) confirms nothing; the button does.
    page = client.get(link)
    assert page.status_code == 200 and "Confirm my offer" in page.text
    assert _events(app)[0].host_confirmed_at is None
    done = client.post(link)
    assert done.status_code == 200 and "your offer is confirmed" in done.text
    assert _events(app)[0].host_confirmed_at is not None
    assert "confirmed already" in client.post(link).text


def test_only_confirmed_offers_reach_the_organizers_list(app, client, slug):
    client.post(f"/c/{slug}/host", data=_offer())
    with app.app_context():
        campaign = campaign_store.get_by_slug(slug)
        assert organizing.rows(campaign)[1] == []
        event = db.session.scalars(select(Event)).one()
        event.host_confirmed_at = utcnow()
        db.session.commit()
        assert [e.title for e in organizing.rows(campaign)[1]] == ["Discussion at the library"]


@pytest.mark.parametrize("fields", [
    {"title": ""}, {"host_email": "not-an-address"}, {"host_name": "=HYPERLINK(1)"},
    {"capacity": "0"}, {"date": "2001-01-01"}, {"online_url": "http://x.org", "address": "",
                                                "venue_name": "", "postcode": ""},
    {"timezone": "Nowhere/Else"}, {"duration_minutes": "abc"}, {"country": "UK"},
])
def test_bad_input_is_a_422_beside_the_field_with_nothing_stored(app, client, slug, fields):
    answer = client.post(f"/c/{slug}/host", data=_offer(**fields))
    assert answer.status_code == 422
    assert 'class="error"' in answer.text and "Please check the form" in answer.text
    with app.app_context():
        assert count_rows(Event) == 0 and count_rows(OutboxMessage) == 0


def test_a_repeated_offer_makes_one_and_sends_no_second_email_at_once(app, client, slug, clock):
    for _ in range(3):
        assert client.post(f"/c/{slug}/host", data=_offer()).status_code == 303
    assert len(_events(app)) == 1
    with app.app_context():
        assert len(outbox_messages()) == 1
    clock.move(minutes=10)  # later, the link again (its email may have been lost)
    client.post(f"/c/{slug}/host", data=_offer(host_email="Hana@Example.org"))
    with app.app_context():
        assert len(outbox_messages()) == 2 and count_rows(Event) == 1


def test_an_offer_from_a_blocked_domain_is_answered_alike_and_never_stored(app, client, slug):
    with app.app_context():
        campaign = campaign_store.get_by_slug(slug)
        db.session.add(ListRule(campaign_id=campaign.id, kind=RuleKind.BLOCK_DOMAIN,
                                value="spam.example"))
        db.session.commit()
        list_rules.forget()
    answer = client.post(f"/c/{slug}/host", data=_offer(host_email="x@spam.example"))
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/host/sent")
    with app.app_context():
        assert count_rows(Event) == 0 and count_rows(OutboxMessage) == 0


def test_offers_share_the_sign_forms_rate_limit(app, client, slug):
    app.config["SIGN_RATE_LIMIT"] = "2 per minute"
    statuses = [client.post(f"/c/{slug}/host", data=_offer(host_email=f"h{i}@example.org")).status_code
                for i in range(3)]
    assert statuses == [303, 303, 429]
    assert len(_events(app)) == 2


def test_a_closed_campaign_takes_no_offer(app, client, slug):
    with app.app_context():
        campaign_store.set_status(campaign_store.get_by_slug(slug), "closed")
        db.session.commit()
    assert client.get(f"/c/{slug}/host").status_code == 409
    assert client.post(f"/c/{slug}/host", data=_offer()).status_code == 409
    assert _events(app) == []


def test_a_tampered_or_old_confirmation_link_is_a_clear_4xx(app, client, slug, clock):
    client.post(f"/c/{slug}/host", data=_offer())
    link = _link(_deliver(app)[0], rf"/c/{slug}/host/confirm/[0-9A-Za-z._-]+")
    tampered = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    answer = client.post(tampered)
    assert answer.status_code == 404 and "do not recognise this link" in answer.text
    clock.move(days=app.config["CONFIRM_TOKEN_DAYS"], minutes=1)
    answer = client.post(link)
    assert answer.status_code == 410 and "expired" in answer.text
    assert _events(app)[0].host_confirmed_at is None


# The host's page -----------------------------------------------------------------------------

@pytest.fixture
def hosted(app, slug):
    """A published offer with three attendees (two allowed the host to write) and one pending;
    the host page's path."""
    with app.test_request_context():
        event = event_factory.new_event(slug, status=EventStatus.PROPOSED, capacity=5,
                                        host_name="Hana Host", host_email="hana@example.org",
                                        host_confirmed_at=utcnow())
        campaign = campaign_store.get_by_slug(slug)
        organizing.publish(campaign, event, organizer=None, now=utcnow())
        event_factory.going(slug, event, full_name="Ada Lovelace", email="ada@example.org",
                            guests=2, host_may_write=True)
        event_factory.going(slug, event, full_name="Grace Hopper", email="grace@example.org",
                            host_may_write=False)
        event_factory.going(slug, event, full_name="Katherine Johnson", email="kj@example.org",
                            guests=1, host_may_write=True)  # 3 + 1 + 2 > 5: waiting
        event_factory.pending(slug, event, full_name="Pat Pending", email="pat@example.org",
                              host_may_write=True)
        db.session.commit()
        path = host_links.page_link(event).removeprefix("http://localhost")
        db.session.remove()
    return path


def test_publishing_emails_the_host_their_private_link(app, hosted):
    with app.app_context():
        [published] = [m for m in outbox_messages() if m.kind == organizing.PUBLISHED_KIND]
        assert published.to_address == "hana@example.org"
        assert hosted in published.body and "/c/" in published.body


def test_the_host_page_lists_who_is_coming_with_emails_only_of_those_who_allowed_it(client, hosted):
    page = client.get(hosted)
    assert page.status_code == 200
    assert "no-store" in page.headers["Cache-Control"] and "private" in page.headers["Cache-Control"]
    text = page.text
    for name in ("Ada Lovelace", "Grace Hopper", "Katherine Johnson"):
        assert name in text
    assert "Pat Pending" not in text  # not confirmed
    assert "ada@example.org" in text and "kj@example.org" in text
    assert "grace@example.org" not in text and "pat@example.org" not in text
    assert "4 people going" in text and "2 people on the waiting list" in text
    assert re.search(r"Katherine Johnson</td>\s*<td>1</td>\s*<td>waiting list", text)


def test_a_tampered_link_is_404_and_an_old_one_410(app, client, hosted, clock):
    event_id, mac = hosted.removeprefix("/host/").split(".")
    for bad in (f"{event_id}.{'A' * 22}", f"{int(event_id) + 1}.{mac}", "x", f"{event_id}.{mac}x"):
        answer = client.get(f"/host/{bad}")
        assert answer.status_code == 404 and "do not recognise this link" in answer.text
        assert "Ada Lovelace" not in answer.text
    [event] = _events(app)
    clock.now = event.ends_at + timedelta(days=app.config["HOST_LINK_DAYS_AFTER_END"] - 1)
    assert client.get(hosted).status_code == 200
    clock.move(days=1, seconds=1)
    answer = client.get(hosted)
    assert answer.status_code == 410 and "expired" in answer.text and "Ada" not in answer.text
    assert client.post(f"{hosted}/message", data={"subject": "Hi", "body": "x"}).status_code == 410


def test_a_new_host_address_kills_the_old_link(app, client, hosted):
    with app.app_context():
        event = db.session.scalars(select(Event)).one()
        event.host_email = "someone.else@example.org"
        db.session.commit()
    assert client.get(hosted).status_code == 404


def test_the_host_writes_to_consenting_attendees_three_times_a_day(app, client, hosted, clock):
    with app.app_context():
        before = {m.id for m in outbox_messages()}
    answer = client.post(f"{hosted}/message", data={"subject": "Parking",
                                                    "body": "Park behind the library.\nSee you!"})
    assert answer.status_code == 303
    assert "on its way to 2 attendees" in client.get(answer.headers["Location"]).text
    with app.app_context():
        new = [m for m in outbox_messages() if m.id not in before]
        assert sorted(m.to_address for m in new) == ["ada@example.org", "kj@example.org"]
        assert all(m.kind == host_messages.KIND and "Park behind the library." in m.body
                   and "Hana Host" in m.body and "hana@example.org" not in m.body for m in new)
        [entry] = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == host_messages.ACTION)).all()
        assert entry.detail["recipients"] == 2
        assert "ada" not in repr(entry.detail) and "Parking" not in repr(entry.detail)
    for _ in range(2):
        assert client.post(f"{hosted}/message", data={"subject": "More", "body": "x"}).status_code == 303
    refused = client.post(f"{hosted}/message", data={"subject": "Again", "body": "y"})
    assert refused.status_code == 429 and "most messages allowed today" in refused.text
    with app.app_context():
        assert len([m for m in outbox_messages() if m.kind == host_messages.KIND]) == 6
    clock.move(days=1, seconds=1)
    assert client.post(f"{hosted}/message", data={"subject": "Tomorrow", "body": "z"}).status_code == 303


def test_the_daily_limit_is_a_setting(app, client, hosted):
    app.config["HOST_MESSAGES_PER_DAY"] = 1
    assert client.post(f"{hosted}/message", data={"subject": "One", "body": "x"}).status_code == 303
    assert client.post(f"{hosted}/message", data={"subject": "Two", "body": "x"}).status_code == 429


@pytest.mark.parametrize(("data", "field"), [
    ({"subject": "", "body": "Hello"}, "subject"),
    ({"subject": "Hi", "body": "   "}, "body"),
    ({"subject": "x" * 151, "body": "Hello"}, "subject"),
    ({"subject": "Hi", "body": "x" * 2001}, "body"),
    ({"subject": "Hi\u202e", "body": "Hello"}, "subject"),
    ({"subject": "Hi", "body": "Hello\x00"}, "body"),
])
def test_a_bad_message_is_a_422_and_nothing_is_sent(app, client, hosted, data, field):
    with app.app_context():
        before = len(outbox_messages())
    answer = client.post(f"{hosted}/message", data=data)
    assert answer.status_code == 422 and f'id="{field}-error"' in answer.text
    with app.app_context():
        assert len(outbox_messages()) == before
        assert db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == host_messages.ACTION)).all() == []


def test_the_page_of_a_cancelled_event_says_so_and_sends_nothing(app, client, hosted):
    with app.test_request_context():
        event = db.session.scalars(select(Event)).one()
        store.cancel(event, now=utcnow())
        db.session.commit()
    page = client.get(hosted)
    assert page.status_code == 200 and "This event was cancelled" in page.text
    assert client.post(f"{hosted}/message", data={"subject": "Hi", "body": "x"}).status_code == 409


def test_offers_and_declined_events_have_no_host_page(app, slug):
    with app.test_request_context():
        event = event_factory.new_event(slug, status=EventStatus.PROPOSED, host_name="H",
                                        host_email="h@example.org")
        db.session.commit()
        path = host_links.page_link(event).removeprefix("http://localhost")
        event.status = EventStatus.DECLINED
        db.session.commit()
    client = app.test_client()
    assert client.get(path).status_code == 404


def test_host_page_links_expire_after_the_configured_days(app, slug):
    with app.test_request_context():
        start = datetime(2030, 1, 1, 18, tzinfo=UTC)
        event = event_factory.new_event(slug, starts_at=start, host_email="h@example.org")
        token = host_links.page_link(event).rpartition("/")[2]
        end = event.ends_at
        assert host_links.event_of_page(token, now=end + timedelta(days=7)) is event
        with pytest.raises(host_links.LinkExpired):
            host_links.event_of_page(token, now=end + timedelta(days=7, seconds=1))
