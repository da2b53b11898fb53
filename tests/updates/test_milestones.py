"""A goal reached: the ladder's next step, and (when the organizer asked for it) a short update
to the signers who allowed contact."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from campaign.campaigns import store
from campaign.extensions import db
from campaign.mail import backends
from campaign.models import Update, UpdateStatus
from tests.helpers import confirm_link
from tests.mail.test_outbox import deliver


def _campaign(app, make_campaign, *, milestone_emails: bool) -> str:
    slug = make_campaign(goal=2)
    with app.app_context():
        store.get_by_slug(slug).milestone_emails = milestone_emails
        db.session.commit()
        db.session.remove()
    return slug


def _sign_and_confirm(app, client, slug: str, signer, email: str, **fields) -> None:
    assert client.post(f"/c/{slug}/sign", data=signer(email=email, **fields)).status_code == 303
    before = len(backends.memory_outbox)
    deliver(app)
    [message] = [m for m in backends.memory_outbox[before:] if m["To"] == email]
    assert client.post(confirm_link(message.get_content())).status_code == 303


def _received(after: int) -> dict[str, str]:
    return {m["To"]: m["Subject"] for m in backends.memory_outbox[after:]}


@pytest.mark.parametrize("wanted", [True, False], ids=["milestone emails on", "off (the default)"])
def test_reaching_the_goal_raises_it_and_tells_consenting_signers_when_asked(
        app, client, make_campaign, signer, wanted):
    slug = _campaign(app, make_campaign, milestone_emails=wanted)
    _sign_and_confirm(app, client, slug, signer, "ann@example.org", contact_ok="y")
    _sign_and_confirm(app, client, slug, signer, "quiet@example.org")  # no consent: never written to
    page = client.get(f"/c/{slug}").text
    assert "next goal 10" in page

    after = len(backends.memory_outbox)
    deliver(app)  # the round feeds the update's recipients in, then sends them
    deliver(app)
    received = _received(after)
    with app.app_context():
        updates = db.session.scalars(select(Update)).all()
        db.session.remove()
    if not wanted:
        assert updates == [] and received == {}
        return
    [update] = updates
    assert (update.status, update.recipient_count, update.sent_by) == (UpdateStatus.SENT, 1, None)
    assert list(received) == ["ann@example.org"]
    assert "2 signatures: thank you" in received["ann@example.org"]
    # ...and the campaign page's timeline shows it.
    assert "2 signatures: thank you" in client.get(f"/c/{slug}").text
