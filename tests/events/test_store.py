"""Events as organizers change them: publish, cancel, changes told to attendees, counts."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from campaign.events import attendee_mail, rsvps, store
from campaign.extensions import db
from campaign.models import EventStatus, OutboxMessage, RsvpStatus
from tests.events.event_factory import going, new_event, pending


def _now() -> datetime:
    return datetime.now(UTC)


def _sent(kind: str) -> list[str]:
    return list(db.session.scalars(select(OutboxMessage.to_address).where(OutboxMessage.kind == kind)
                                   .order_by(OutboxMessage.id)))


def test_publish_opens_an_offer_and_refuses_a_declined_one(app, ctx, make_campaign):
    slug = make_campaign()
    offer = new_event(slug, status=EventStatus.PROPOSED)
    store.publish(offer, now=_now())
    assert offer.status == EventStatus.PUBLISHED and offer.published_at is not None
    declined = new_event(slug, status=EventStatus.DECLINED)
    with pytest.raises(store.NotPublishable):
        store.publish(declined, now=_now())


def test_cancel_withdraws_every_rsvp_and_tells_those_who_confirmed(app, ctx, make_campaign):
    slug = make_campaign()
    event = new_event(slug, capacity=1)
    seated = going(slug, event, email="seated@example.org")
    waiting = going(slug, event, email="waiting@example.org")
    unconfirmed = pending(slug, event, email="pending@example.org")
    assert store.cancel(event, now=_now()) == 2
    db.session.commit()
    assert event.status == EventStatus.CANCELLED and event.sequence == 1
    assert {seated.status, waiting.status, unconfirmed.status} == {RsvpStatus.CANCELLED}
    assert _sent(attendee_mail.CANCELLED) == ["seated@example.org", "waiting@example.org"]
    assert store.cancel(event, now=_now()) == 0  # once


def test_a_change_of_place_tells_going_and_waiting_attendees(app, ctx, make_campaign):
    slug = make_campaign()
    event = new_event(slug, capacity=1)
    going(slug, event, email="one@example.org")
    going(slug, event, email="two@example.org")
    pending(slug, event, email="three@example.org")
    before = store.snapshot(event)
    event.venue_name = "Town Hall"
    assert store.changed(event, before, now=_now()) == ["place"]
    assert _sent(attendee_mail.CHANGED) == ["one@example.org", "two@example.org"]
    assert event.sequence == 1
    # An edit of neither time nor place tells no one.
    before = store.snapshot(event)
    event.title = "A new title"
    assert store.changed(event, before, now=_now()) == []
    assert len(_sent(attendee_mail.CHANGED)) == 2 and event.sequence == 1


def test_a_higher_capacity_seats_the_waiting_list(app, ctx, make_campaign):
    slug = make_campaign()
    event = new_event(slug, capacity=1)
    going(slug, event)
    waiting = going(slug, event)
    before = store.snapshot(event)
    event.capacity = 2
    store.changed(event, before, now=_now())
    assert waiting.status == RsvpStatus.GOING
    assert len(_sent(attendee_mail.PROMOTED)) == 1


def test_counts_are_people_with_guests_in_one_query(app, ctx, make_campaign):
    slug = make_campaign()
    event = new_event(slug, capacity=3)
    quiet = new_event(slug)
    going(slug, event, guests=2)
    going(slug, event, guests=1)
    pending(slug, event, guests=5)
    cancelled = going(slug, quiet)
    rsvps.cancel(quiet, cancelled, now=_now())
    assert store.counts([event.id, quiet.id]) == {event.id: (3, 2), quiet.id: (0, 0)}
    assert store.counts([]) == {}


def test_upcoming_lists_published_events_not_yet_over_soonest_first(app, ctx, make_campaign):
    slug, elsewhere = make_campaign(), make_campaign()
    later = new_event(slug, title="Later", starts_at=_now() + timedelta(days=9))
    sooner = new_event(slug, title="Sooner", starts_at=_now() + timedelta(days=2))
    under_way = new_event(slug, title="Under way", starts_at=_now() - timedelta(hours=1))
    new_event(slug, title="Over", starts_at=_now() - timedelta(days=1))
    new_event(slug, title="Offer", status=EventStatus.PROPOSED)
    new_event(slug, title="Cancelled", status=EventStatus.CANCELLED)
    other = new_event(elsewhere, title="Elsewhere")
    assert store.upcoming(later.campaign_id, now=_now()) == [under_way, sooner, later]
    assert other not in store.upcoming(later.campaign_id, now=_now())


def test_get_public_finds_published_and_cancelled_events_of_the_campaign_only(app, ctx, make_campaign):
    slug = make_campaign()
    shown = new_event(slug)
    offer = new_event(slug, status=EventStatus.PROPOSED)
    assert store.get_public(shown.campaign_id, shown.uuid) == shown
    assert store.get_public(shown.campaign_id, offer.uuid) is None
    assert store.get_public(shown.campaign_id + 1, shown.uuid) is None
    assert store.get_public(shown.campaign_id, "not-a-uuid") is None
