"""Fixtures for webhooks: hooks made directly in the database, a receiver, sending rounds."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from campaign.accounts import organizers
from campaign.campaigns import store
from campaign.extensions import db
from campaign.mail import backends, outbox
from campaign.models import Webhook, WebhookDelivery, WebhookEvent
from campaign.webhooks import sending
from tests.helpers import confirm_link

SECRET = "whsec_test-secret"


@pytest.fixture
def local_app(app):
    """The app allowed to send to a receiver on http://127.0.0.1 (tests only)."""
    app.config.update(WEBHOOK_ALLOW_HTTP=True, WEBHOOK_ALLOW_PRIVATE=True,
                      WEBHOOK_TIMEOUT_SECONDS=5)
    return app


@pytest.fixture
def make_hook(app, make_organizer):
    """A hook of the campaign at slug to url (all events by default); returns its id."""
    def make(slug: str, url: str, *, events=tuple(WebhookEvent), active: bool = True,
             owner: str = "hook-owner@example.org") -> int:
        with app.app_context():
            creator = organizers.get_by_email(owner)
        if creator is None:
            make_organizer(owner, campaigns_owned=[slug])
        with app.app_context():
            hook = Webhook(campaign_id=store.get_by_slug(slug).id, url=url,
                           events=[str(e) for e in events], secret=SECRET, active=active,
                           created_by=organizers.get_by_email(owner).id)
            db.session.add(hook)
            db.session.commit()
            hook_id = hook.id
            db.session.remove()
        return hook_id

    return make


def deliveries(app) -> list[WebhookDelivery]:
    """Every delivery, oldest first (detached: read their columns only)."""
    with app.app_context():
        found = list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))
        db.session.expunge_all()
        return found


def send_round(app) -> sending.SendReport:
    """One sending round, as the worker or `flask webhooks send` runs it."""
    with app.app_context():
        report = sending.send_due()
        db.session.remove()
        return report


def confirm_by_email(app, client, slug: str, data: dict) -> None:
    """Sign, and press the button of the emailed confirmation link."""
    assert client.post(f"/c/{slug}/sign", data=data).status_code == 303
    before = len(backends.memory_outbox)
    with app.app_context():
        outbox.deliver_due()
    [message] = [m for m in backends.memory_outbox[before:] if m["To"] == data["email"]]
    assert client.post(confirm_link(message.get_body(("plain",)).get_content())).status_code == 303
