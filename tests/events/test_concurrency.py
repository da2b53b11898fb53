"""Races: concurrent confirmations never seat more people than the capacity; concurrent
reminder runs remind each attendee once."""
import threading
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import select

from campaign.events import attendee_mail, reminders, rsvp_links
from campaign.extensions import db
from campaign.models import Event, OutboxMessage, Rsvp, RsvpStatus
from tests.events.event_factory import going, new_event, pending


def _together(count: int, work) -> None:
    """Run work(index) in count threads released at the same moment."""
    barrier = threading.Barrier(count)

    def run(index: int) -> None:
        barrier.wait()
        work(index)  # an exception here fails the test (pytest's unhandled-thread-exception check)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)


def test_concurrent_confirmations_never_exceed_the_capacity(app, make_campaign):
    slug = make_campaign()
    with app.test_request_context():
        event = new_event(slug, capacity=7)
        # Parties of 1 and 2: 14 RSVPs asking for 21 seats.
        attendees = [pending(slug, event, guests=i % 2) for i in range(14)]
        paths = [urlsplit(rsvp_links.confirm_link(event, a, slug=slug, now=datetime.now(UTC))).path
                 for a in attendees]
        db.session.commit()
        event_id = event.id
        db.session.remove()
    statuses = [0] * len(paths)

    def confirm(index: int) -> None:
        statuses[index] = app.test_client().post(paths[index]).status_code

    _together(len(paths), confirm)
    assert statuses == [303] * len(paths)
    with app.app_context():
        rows = db.session.scalars(select(Rsvp).where(Rsvp.event_id == event_id)).all()
        seated = sum(r.seats for r in rows if r.status == RsvpStatus.GOING)
        assert 6 <= seated <= 7  # full, or one seat short of a party of 2
        assert all(r.status in (RsvpStatus.GOING, RsvpStatus.WAITING) for r in rows)
        kinds = db.session.scalars(select(OutboxMessage.kind)).all()
        assert kinds.count(attendee_mail.GOING) == sum(r.status == RsvpStatus.GOING for r in rows)
        assert kinds.count(attendee_mail.WAITING) == sum(r.status == RsvpStatus.WAITING for r in rows)


def test_concurrent_cancellations_promote_each_waiting_attendee_once(app, make_campaign):
    slug = make_campaign()
    with app.test_request_context():
        event = new_event(slug, capacity=4)
        seated = [going(slug, event) for _ in range(4)]
        waiting = [going(slug, event) for _ in range(6)]
        assert {r.status for r in waiting} == {RsvpStatus.WAITING}
        paths = [urlsplit(rsvp_links.cancel_link(event, r, slug=slug, now=datetime.now(UTC))).path
                 for r in seated]
        db.session.commit()
        event_id = event.id
        db.session.remove()

    _together(len(paths), lambda i: app.test_client().post(paths[i]))
    with app.app_context():
        rows = db.session.scalars(select(Rsvp).where(Rsvp.event_id == event_id)
                                  .order_by(Rsvp.waitlisted_at, Rsvp.id)).all()
        going_now = [r for r in rows if r.status == RsvpStatus.GOING]
        assert len(going_now) == 4
        # The first four in line, in order; the last two still wait.
        line = [r for r in rows if r.waitlisted_at is not None]
        assert [r.status for r in line] == ["going"] * 4 + ["waiting"] * 2
        kinds = db.session.scalars(select(OutboxMessage.kind)).all()
        assert kinds.count(attendee_mail.PROMOTED) == 4


def test_two_reminder_runs_at_once_remind_each_attendee_once(app, make_campaign):
    slug = make_campaign()
    with app.test_request_context():
        event = new_event(slug, starts_at=datetime.now(UTC) + timedelta(days=3))
        for _ in range(5):
            going(slug, event)
        db.session.query(Event).filter_by(id=event.id).update(
            {"starts_at": datetime.now(UTC) + timedelta(hours=20),
             "ends_at": datetime.now(UTC) + timedelta(hours=22)})
        db.session.commit()
        db.session.remove()
    written = [0, 0, 0]

    def run(index: int) -> None:
        with app.app_context():
            written[index] = reminders.remind(now=datetime.now(UTC))
            db.session.commit()
            db.session.remove()

    _together(3, run)
    assert sum(written) == 5
    with app.app_context():
        kinds = db.session.scalars(select(OutboxMessage.kind)).all()
        assert kinds.count(attendee_mail.REMINDER) == 5
