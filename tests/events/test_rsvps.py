"""RSVPs: confirmation by email, seats at confirmation, the waiting list in order, repeats and
block lists as signing has them, cancelling."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from campaign.abuse import list_rules
from campaign.campaigns import store as campaign_store
from campaign.events import attendee_mail, rsvps
from campaign.extensions import db
from campaign.mail import backends, outbox
from campaign.models import EventStatus, ListRule, OutboxMessage, Rsvp, RsvpStatus, RuleKind
from tests.events.event_factory import details, going, new_event, pending
from tests.helpers import count_rows, sent_bodies


def _now() -> datetime:
    return datetime.now(UTC)


def _kinds() -> list[str]:
    return [m.kind for m in db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def test_an_rsvp_waits_for_its_confirmation_then_takes_its_seats(app, ctx, make_campaign):
    slug = make_campaign()
    event = new_event(slug, capacity=10)
    rsvp = pending(slug, event, guests=2)
    assert rsvp.status == RsvpStatus.PENDING and rsvp.email_key == rsvp.email
    assert _kinds() == [attendee_mail.CONFIRM]
    assert rsvps.going_people(event.id) == 0
    assert rsvps.confirm(event, rsvp, now=_now()) == RsvpStatus.GOING
    db.session.commit()
    assert rsvps.going_people(event.id) == 3  # the attendee and two guests
    assert _kinds() == [attendee_mail.CONFIRM, attendee_mail.GOING]
    # Confirming again changes nothing and sends nothing.
    assert rsvps.confirm(event, rsvp, now=_now()) == RsvpStatus.GOING
    assert len(_kinds()) == 2


def test_the_emails_carry_the_calendar_file_the_confirm_link_and_the_cancel_link(app, ctx, make_campaign):
    slug = make_campaign()
    event = new_event(slug)
    rsvp = pending(slug, event, full_name="Grace Hopper")
    db.session.commit()
    outbox.deliver_due()
    body = sent_bodies()[0]
    assert "Hello Grace Hopper," in body
    assert f"/c/{slug}/events/{event.uuid}/confirm/{rsvp.id}." in body
    assert f"/c/{slug}/events/{event.uuid}/cancel/{rsvp.id}." in body
    assert "Central Library, 300 Nicollet Mall, Minneapolis, MN 55401" in body
    from campaign.mail import backends
    message = backends.memory_outbox[0]
    files = [part for part in message.iter_attachments()]
    assert [f.get_filename() for f in files] == ["event.ics"]
    assert files[0].get_content_type() == "text/calendar"
    assert files[0].get_param("method") == "REQUEST"
    assert "BEGIN:VEVENT" in files[0].get_content()
    # Once sent, nothing of it stays: not the body with its links, nor the file.
    stored = db.session.scalars(select(OutboxMessage)).one()
    assert stored.body == "" and stored.attachments is None


def test_a_full_event_puts_newcomers_on_the_waiting_list(app, ctx, make_campaign):
    slug = make_campaign()
    event = new_event(slug, capacity=3)
    first = going(slug, event, guests=1)  # 2 seats
    second = going(slug, event, guests=1)  # 2 more would make 4: waits
    third = going(slug, event)  # 1 would fit, but someone is waiting: waits behind them
    db.session.commit()
    assert [first.status, second.status, third.status] == ["going", "waiting", "waiting"]
    assert second.waitlisted_at is not None
    assert rsvps.going_people(event.id) == 2


def test_cancelling_promotes_the_waiting_list_strictly_in_order(app, ctx, make_campaign):
    slug = make_campaign()
    event = new_event(slug, capacity=4)
    a = going(slug, event, guests=3)  # 4 seats: full
    b = going(slug, event, guests=2)  # 3: waits first
    c = going(slug, event, guests=1)  # 2: waits second
    d = going(slug, event)  # 1: waits third
    db.session.commit()
    assert [x.status for x in (a, b, c, d)] == ["going", "waiting", "waiting", "waiting"]
    promoted = rsvps.cancel(event, a, now=_now())
    db.session.commit()
    # 4 seats free: b (3) goes; c (2) no longer fits, so c and d behind it wait.
    assert [p.id for p in promoted] == [b.id]
    assert [x.status for x in (a, b, c, d)] == ["cancelled", "going", "waiting", "waiting"]
    assert _kinds().count(attendee_mail.PROMOTED) == 1
    promoted = rsvps.cancel(event, b, now=_now())
    db.session.commit()
    assert [p.id for p in promoted] == [c.id, d.id]  # 4 free: c (2) then d (1)
    assert rsvps.going_people(event.id) == 3


def test_leaving_the_waiting_list_promotes_no_one(app, ctx, make_campaign):
    slug = make_campaign()
    event = new_event(slug, capacity=1)
    going(slug, event)
    waiting = going(slug, event)
    assert rsvps.cancel(event, waiting, now=_now()) == []
    assert waiting.status == RsvpStatus.CANCELLED


def test_a_second_rsvp_from_the_same_address_makes_no_second_row(app, ctx, make_campaign, clock):
    slug = make_campaign()
    event = new_event(slug)
    campaign = campaign_store.get_by_slug(slug)
    first = rsvps.rsvp(campaign, event, details(email="Ada.L@Example.org"), now=clock.now)
    again = rsvps.rsvp(campaign, event, details(email="ada.l+events@example.org"), now=clock.now)
    assert first is not None and again is None
    assert count_rows(Rsvp) == 1
    # Within the resend window nothing more is sent; after it, the link again.
    assert _kinds() == [attendee_mail.CONFIRM]
    clock.move(minutes=app.config["CONFIRMATION_RESEND_MINUTES"] + 1)
    rsvps.rsvp(campaign, event, details(email="ada.l@example.org"), now=clock.now)
    assert _kinds() == [attendee_mail.CONFIRM, attendee_mail.CONFIRM]
    # Confirmed: that makes 3 emails today, signing's daily limit, so a repeat gets nothing...
    rsvps.confirm(event, db.session.get(Rsvp, first), now=clock.now)
    assert app.config["EMAILS_PER_ADDRESS_PER_DAY"] == 3
    clock.move(minutes=app.config["CONFIRMATION_RESEND_MINUTES"] + 1)
    rsvps.rsvp(campaign, event, details(email="ada.l@example.org"), now=clock.now)
    assert len(_kinds()) == 3
    # ...until the next day, when it is told that it is coming already.
    clock.move(days=1)
    rsvps.rsvp(campaign, event, details(email="ada.l@example.org"), now=clock.now)
    assert _kinds()[-1] == attendee_mail.ALREADY
    assert count_rows(Rsvp) == 1


def test_someone_who_cancelled_may_come_after_all(app, ctx, make_campaign):
    slug = make_campaign()
    event = new_event(slug)
    rsvp = going(slug, event, email="back@example.org")
    rsvps.cancel(event, rsvp, now=_now())
    rsvps.rsvp(campaign_store.get_by_slug(slug), event, details(email="back@example.org", guests=1),
               now=_now())
    assert rsvp.status == RsvpStatus.PENDING and rsvp.guests == 1
    assert count_rows(Rsvp) == 1


def test_an_address_on_the_block_list_gets_nothing_and_leaves_nothing(app, ctx, make_campaign):
    slug = make_campaign()
    campaign = campaign_store.get_by_slug(slug)
    db.session.add(ListRule(campaign_id=campaign.id, kind=RuleKind.BLOCK_DOMAIN, value="spam.example"))
    db.session.commit()
    list_rules.forget()
    event = new_event(slug)
    assert rsvps.rsvp(campaign, event, details(email="x@spam.example"), now=_now()) is None
    assert count_rows(Rsvp) == 0 and count_rows(OutboxMessage) == 0


@pytest.mark.parametrize("status", [EventStatus.CANCELLED, EventStatus.PROPOSED, EventStatus.DECLINED])
def test_an_event_not_published_takes_no_rsvp(app, ctx, make_campaign, status):
    slug = make_campaign()
    event = new_event(slug, status=status)
    with pytest.raises(rsvps.EventClosed):
        rsvps.rsvp(campaign_store.get_by_slug(slug), event, details(), now=_now())
    assert count_rows(Rsvp) == 0


def test_an_event_that_is_over_takes_no_rsvp_and_no_confirmation(app, ctx, make_campaign):
    slug = make_campaign()
    event = new_event(slug, starts_at=_now() + timedelta(hours=1))
    rsvp = pending(slug, event)
    later = _now() + timedelta(hours=4)
    with pytest.raises(rsvps.EventClosed):
        rsvps.confirm(event, rsvp, now=later)
    with pytest.raises(rsvps.EventClosed):
        rsvps.rsvp(campaign_store.get_by_slug(slug), event, details(), now=later)


def test_an_attendee_confirming_within_a_day_gets_no_separate_reminder(app, ctx, make_campaign):
    slug = make_campaign()
    event = new_event(slug, starts_at=_now() + timedelta(hours=5))
    assert going(slug, event).reminded_at is not None


def test_a_confirmation_is_announced_to_the_campaigns_webhooks(app, ctx, make_campaign):
    from campaign.models import Webhook, WebhookDelivery, WebhookEvent

    slug = make_campaign()
    campaign = campaign_store.get_by_slug(slug)
    db.session.add(Webhook(campaign_id=campaign.id, url="https://crm.example/hook", secret="s",
                           events=[WebhookEvent.RSVP_CONFIRMED]))
    event = new_event(slug)
    rsvp = pending(slug, event)
    assert count_rows(WebhookDelivery) == 0  # not before the attendee confirms
    rsvps.confirm(event, rsvp, now=_now())
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    assert delivery.event == WebhookEvent.RSVP_CONFIRMED and rsvp.uuid in delivery.body


def test_an_online_link_goes_only_to_attendees_with_a_seat(app, ctx, make_campaign):
    slug = make_campaign()
    event = new_event(slug, capacity=1, online_url="https://meet.example/room-7", venue_name="",
                      address="", postcode="", town="", region="")
    seated = going(slug, event)
    going(slug, event)  # waits
    db.session.commit()
    outbox.deliver_due()
    bodies = sent_bodies()  # confirm, going, confirm, waiting
    assert ["meet.example/room-7" in body for body in bodies] == [False, True, False, False]
    files = [next(m.iter_attachments()).get_content().replace("\r\n ", "") for m in backends.memory_outbox]
    assert ["meet.example/room-7" in text for text in files] == [False, True, False, False]
    rsvps.cancel(event, seated, now=_now())
    db.session.commit()
    outbox.deliver_due()
    assert "meet.example/room-7" in sent_bodies()[-1]  # the promoted one gets it
