"""The day-before reminder: once per attendee with a seat, by command or by the outbox worker."""
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from campaign.events import attendee_mail, reminders, store
from campaign.extensions import db
from campaign.mail import outbox
from campaign.models import Event, OutboxMessage
from tests.events.event_factory import going, new_event, pending


def _reminded() -> list[str]:
    return list(db.session.scalars(select(OutboxMessage.to_address)
                                   .where(OutboxMessage.kind == attendee_mail.REMINDER)))


def _tomorrow_event(slug: str) -> Event:
    """An event with attendees who confirmed days ago, now starting in 20 hours."""
    event = new_event(slug, capacity=1, starts_at=datetime.now(UTC) + timedelta(days=5))
    going(slug, event, email="seated@example.org")
    going(slug, event, email="waiting@example.org")
    pending(slug, event, email="pending@example.org")
    event.starts_at = datetime.now(UTC) + timedelta(hours=20)
    event.ends_at = event.starts_at + timedelta(hours=2)
    db.session.commit()
    return event


def test_a_reminder_goes_once_to_each_attendee_with_a_seat(app, ctx, make_campaign):
    event = _tomorrow_event(make_campaign())
    assert reminders.remind(now=datetime.now(UTC)) == 1
    db.session.commit()
    assert reminders.remind(now=datetime.now(UTC)) == 0
    assert reminders.remind(now=datetime.now(UTC) + timedelta(hours=1)) == 0
    assert _reminded() == ["seated@example.org"]
    assert event.rsvps[0].reminded_at is not None


def test_nothing_is_due_more_than_a_day_ahead_or_once_started(app, ctx, make_campaign):
    slug = make_campaign()
    event = new_event(slug, starts_at=datetime.now(UTC) + timedelta(days=3))
    going(slug, event)
    db.session.commit()
    assert reminders.remind(now=datetime.now(UTC)) == 0
    assert reminders.remind(now=datetime.now(UTC) + timedelta(days=4)) == 0  # under way
    assert reminders.remind(now=datetime.now(UTC) + timedelta(days=2, hours=1)) == 1


def test_a_new_time_means_a_new_reminder(app, ctx, make_campaign):
    event = _tomorrow_event(make_campaign())
    reminders.remind(now=datetime.now(UTC))
    before = store.snapshot(event)
    event.starts_at += timedelta(hours=2)
    event.ends_at += timedelta(hours=2)
    store.changed(event, before, now=datetime.now(UTC))
    db.session.commit()
    assert reminders.remind(now=datetime.now(UTC)) == 1
    assert _reminded() == ["seated@example.org", "seated@example.org"]


def test_the_command_writes_the_reminders(app, runner, make_campaign):
    with app.app_context():
        _tomorrow_event(make_campaign())
        db.session.remove()
    result = runner.invoke(args=["events", "remind"])
    assert result.exit_code == 0 and "1 reminders written" in result.output
    assert "0 reminders written" in runner.invoke(args=["events", "remind"]).output


def test_the_outbox_worker_sends_them_in_its_round(app, ctx, make_campaign):
    _tomorrow_event(make_campaign())
    outbox.deliver_due()  # the RSVPs' own emails, and the reminder the round wrote first
    assert _reminded() == ["seated@example.org"]
    from campaign.mail import backends
    message = backends.memory_outbox[-1]
    assert message["Subject"] == "Tomorrow: Town hall on the river"
    assert "you are coming to this meeting tomorrow" in message.get_body(("plain",)).get_content()
