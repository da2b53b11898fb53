"""Files sent with a message: stored with it in the outbox, attached when sent, then forgotten."""
from sqlalchemy import select

from campaign.extensions import db
from campaign.mail import backends, outbox
from campaign.models import OutboxMessage, OutboxStatus

ICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"


def test_a_stored_file_is_attached_and_forgotten_once_sent(app, ctx):
    outbox.enqueue(kind="test", to_address="a@example.org", subject="Hello", body="Body text",
                   attachments=[{"filename": "event.ics", "content_type": "text/calendar",
                                 "text": ICS, "params": {"method": "REQUEST"}}])
    db.session.commit()
    assert outbox.deliver_due().sent == 1
    (message,) = backends.memory_outbox
    assert message.get_body(("plain",)).get_content().strip() == "Body text"
    (attached,) = message.iter_attachments()
    assert attached.get_filename() == "event.ics" and attached.get_content_type() == "text/calendar"
    assert attached.get_param("method") == "REQUEST"
    assert attached.get_content().replace("\r\n", "\n") == ICS.replace("\r\n", "\n")
    stored = db.session.scalars(select(OutboxMessage)).one()
    assert stored.attachments is None and stored.body == ""


def test_a_message_without_files_stays_a_single_part(app, ctx):
    outbox.enqueue(kind="test", to_address="a@example.org", subject="Hello", body="Body text")
    db.session.commit()
    outbox.deliver_due()
    assert not backends.memory_outbox[0].is_multipart()


def test_a_damaged_file_fails_its_message_for_good_not_the_round(app, ctx):
    outbox.enqueue(kind="test", to_address="a@example.org", subject="Broken", body="x",
                   attachments=[{"filename": "x.bin", "content_type": "application/octet-stream", "text": "x"}])
    outbox.enqueue(kind="test", to_address="b@example.org", subject="Fine", body="y")
    db.session.commit()
    report = outbox.deliver_due()
    assert (report.sent, report.failed) == (1, 1)
    statuses = dict(db.session.execute(select(OutboxMessage.subject, OutboxMessage.status)).all())
    assert statuses == {"Broken": OutboxStatus.FAILED, "Fine": OutboxStatus.SENT}
