"""Small helpers shared by tests: reading what the app stored and sent."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from campaign import mail
from campaign.extensions import db
from campaign.models import OutboxMessage, Signature


def count_rows(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def signatures() -> list[Signature]:
    return list(db.session.scalars(select(Signature).order_by(Signature.id)))


def outbox_messages() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def sent_bodies() -> list[str]:
    """Bodies of the messages delivered through the memory backend."""
    return [m.get_content() for m in mail.memory_outbox]


def confirm_link(body: str) -> str:
    """The path of the confirmation link in an email body."""
    match = re.search(r"https?://[^/\s]+(/c/[a-z0-9-]+/confirm/[A-Za-z0-9_-]+)", body)
    assert match, body
    return match.group(1)
