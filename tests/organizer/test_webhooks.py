"""The organizer's webhooks pages: registering, the address rules, the buttons, who may see them."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from campaign.extensions import db
from campaign.models import AuditEntry, DeliveryState, Webhook, WebhookDelivery

PUBLIC = "https://93.184.215.14/crm/in"  # an address literal: no DNS needed


@pytest.fixture
def setup(app, client, make_campaign, make_organizer, login):
    slug = make_campaign(title="River")
    make_organizer("owner@example.org", campaigns_owned=[slug])
    login(client, "owner@example.org")
    return slug


def _add(client, slug: str, url: str = PUBLIC, events=("signature.confirmed",)):
    return client.post(f"/organizer/c/{slug}/webhooks", data={"url": url, "events": list(events)})


def _hooks(app) -> list[Webhook]:
    with app.app_context():
        found = list(db.session.scalars(select(Webhook).order_by(Webhook.id)))
        db.session.expunge_all()
        return found


def test_an_organizer_adds_a_hook_and_sees_its_secret(app, client, setup):
    slug = setup
    page = client.get(f"/organizer/c/{slug}/webhooks")
    assert page.status_code == 200
    assert "No webhooks yet." in page.text
    boxes = {re.search(r'value="([^"]+)"', tag)[1]: " checked" in tag
             for tag in re.findall(r'<input[^>]*type="checkbox"[^>]*>', page.text)}
    assert boxes == {"signature.confirmed": True, "signature.removed": False,
                     "outreach.recorded": False, "rsvp.confirmed": False}
    response = _add(client, slug, events=["signature.confirmed", "outreach.recorded"])
    assert response.status_code == 303
    [hook] = _hooks(app)
    assert response.location == f"/organizer/c/{slug}/webhooks/{hook.id}"
    assert (hook.url, hook.events, hook.active) == (PUBLIC, ["signature.confirmed", "outreach.recorded"], True)
    assert re.fullmatch(r"whsec_[A-Za-z0-9_-]{43}", hook.secret)
    page = client.get(response.location)
    assert "Webhook added." in page.text
    assert f'<code id="webhook-secret">{hook.secret}</code>' in page.text
    assert "Send a test ping" in page.text and "No deliveries yet." in page.text
    listing = client.get(f"/organizer/c/{slug}/webhooks").text
    assert PUBLIC in listing and "Active" in listing
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "webhook.created"))
        assert entry.detail == {"webhook_id": hook.id, "host": "93.184.215.14",
                                "events": ["signature.confirmed", "outreach.recorded"]}
        assert hook.secret not in str(entry.detail)


@pytest.mark.parametrize(("url", "message"), [
    ("http://93.184.215.14/in", "The address must start with https://"),
    ("https://127.0.0.1/in", "127.0.0.1 is a private, local or reserved address"),
    ("https://10.0.0.8/in", "a private, local or reserved address: webhooks go to public addresses only"),
    ("https://169.254.169.254/latest", "169.254.169.254 is a private, local or reserved address"),
    ("https://[::1]/in", "::1 is a private, local or reserved address"),
    ("https://localhost/in", "localhost is this server itself"),
    ("https://user:secret@93.184.215.14/in", "Leave the user name and password out"),
    ("", "Enter the address of your endpoint."),
])
def test_refused_addresses_get_a_clear_message_and_nothing_is_stored(app, client, setup, url,
                                                                     message):
    response = _add(client, setup, url=url)
    assert response.status_code == 422
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    assert _hooks(app) == []


def test_at_least_one_event_is_needed(app, client, setup):
    response = _add(client, setup, events=())
    assert response.status_code == 422
    assert "Choose at least one of the events." in response.text
    response = _add(client, setup, events=("signature.confirmed", "campaign.deleted"))
    assert response.status_code == 422
    assert _hooks(app) == []


def test_the_buttons_of_a_hook(app, client, setup):
    slug = setup
    _add(client, slug)
    [hook] = _hooks(app)
    base = f"/organizer/c/{slug}/webhooks/{hook.id}"

    assert client.post(f"{base}/events", data={"events": ["signature.removed"]}).status_code == 303
    assert _hooks(app)[0].events == ["signature.removed"]
    assert client.post(f"{base}/events", data={}).status_code == 422
    assert _hooks(app)[0].events == ["signature.removed"]

    assert client.post(f"{base}/rotate").status_code == 303
    assert _hooks(app)[0].secret != hook.secret

    assert client.post(f"{base}/ping").status_code == 303
    with app.app_context():
        [ping] = db.session.scalars(select(WebhookDelivery))
        assert (ping.event, ping.state, ping.webhook_id) == ("ping", DeliveryState.QUEUED, hook.id)
    page = client.get(base).text
    assert "Test delivery queued" in page and "<code>ping</code>" in page and "queued" in page

    assert client.post(f"{base}/pause").status_code == 303
    assert not _hooks(app)[0].active
    page = client.get(base).text
    assert "Paused" in page and "Resume" in page and "Send a test ping" not in page
    response = client.post(f"{base}/ping")
    assert response.status_code == 409 and "Resume the webhook first" in response.text

    assert client.post(f"{base}/resume").status_code == 303
    assert _hooks(app)[0].active

    assert client.post(f"{base}/delete").status_code == 303
    assert _hooks(app) == []
    with app.app_context():
        assert db.session.scalars(select(WebhookDelivery)).all() == []
        actions = db.session.scalars(select(AuditEntry.action).where(
            AuditEntry.action.startswith("webhook.")).order_by(AuditEntry.id)).all()
    assert actions == ["webhook.created", "webhook.events_changed", "webhook.secret_rotated",
                       "webhook.paused", "webhook.resumed", "webhook.deleted"]


def test_a_disabled_hook_says_why_and_resumes_with_its_failures_forgotten(app, client, setup):
    slug = setup
    _add(client, slug)
    [hook] = _hooks(app)
    with app.app_context():
        row = db.session.get(Webhook, hook.id)
        row.active, row.disabled_at = False, row.created_at
        row.disabled_reason, row.consecutive_failures = "20 attempts in a row failed", 20
        db.session.commit()
    page = client.get(f"/organizer/c/{slug}/webhooks/{hook.id}").text
    assert "Disabled" in page and "20 attempts in a row failed" in page
    assert client.post(f"/organizer/c/{slug}/webhooks/{hook.id}/resume").status_code == 303
    [hook] = _hooks(app)
    assert (hook.active, hook.disabled_at, hook.consecutive_failures) == (True, None, 0)


def test_resuming_checks_the_address_again(app, client, setup):
    slug = setup
    app.config["WEBHOOK_ALLOW_PRIVATE"] = True
    _add(client, slug, url="https://127.0.0.1/in")
    [hook] = _hooks(app)
    client.post(f"/organizer/c/{slug}/webhooks/{hook.id}/pause")
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False
    response = client.post(f"/organizer/c/{slug}/webhooks/{hook.id}/resume")
    assert response.status_code == 422
    assert "127.0.0.1 is a private, local or reserved address" in response.text
    assert not _hooks(app)[0].active


def test_the_deliveries_show_attempts_state_error_and_next_try(app, client, setup):
    slug = setup
    _add(client, slug)
    [hook] = _hooks(app)
    with app.app_context():
        db.session.add(WebhookDelivery(webhook_id=hook.id, event="signature.confirmed", body="{}",
                                       state=DeliveryState.QUEUED, attempts=3, last_status=502,
                                       last_error="HTTP 502"))
        db.session.add(WebhookDelivery(webhook_id=hook.id, event="ping", body="",
                                       state=DeliveryState.FAILED, attempts=1,
                                       last_error="timed out after 10 s"))
        db.session.commit()
    page = client.get(f"/organizer/c/{slug}/webhooks/{hook.id}").text
    table = page[page.index('class="data webhook-deliveries"'):]
    assert "HTTP 502" in table and "timed out after 10 s" in table
    assert '<td class="number">3</td>' in table and "failed" in table
    listing = client.get(f"/organizer/c/{slug}/webhooks").text
    assert "<code>ping</code>" in listing  # the latest delivery of the hook


def test_members_may_manage_hooks_and_strangers_get_404(app, client, setup, make_campaign,
                                                        make_organizer, login):
    slug = setup
    _add(client, slug)
    [hook] = _hooks(app)
    member = make_organizer("member@example.org")
    assert app.test_cli_runner().invoke(args=["organizer", "add", slug, member]).exit_code == 0
    member_client = app.test_client()
    login(member_client, member)
    assert member_client.get(f"/organizer/c/{slug}/webhooks/{hook.id}").status_code == 200

    elsewhere = make_campaign()
    make_organizer("stranger@example.org", campaigns_owned=[elsewhere])
    stranger = app.test_client()
    login(stranger, "stranger@example.org")
    for url in (f"/organizer/c/{slug}/webhooks", f"/organizer/c/{slug}/webhooks/{hook.id}"):
        assert stranger.get(url).status_code == 404
    # Another campaign's page with this hook's id: 404 too, and nothing changes.
    for action in ("rotate", "pause", "delete", "ping"):
        assert stranger.post(f"/organizer/c/{elsewhere}/webhooks/{hook.id}/{action}").status_code == 404
    assert _hooks(app)[0].secret == hook.secret and _hooks(app)[0].active
    anonymous = app.test_client().get(f"/organizer/c/{slug}/webhooks")
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.location


def test_a_campaign_has_at_most_ten_hooks(app, client, setup):
    for _ in range(10):
        assert _add(client, setup).status_code == 303
    response = _add(client, setup)
    assert response.status_code == 422 and "at most 10 webhooks" in response.text
    assert len(_hooks(app)) == 10


def test_the_campaign_tabs_lead_to_the_webhooks(client, setup):
    page = client.get(f"/organizer/c/{setup}/webhooks").text
    assert f'href="/organizer/c/{setup}/webhooks" aria-current="page">Webhooks</a>' in page
