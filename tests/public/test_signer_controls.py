"""A signer's own controls: the removal link in every email, and deleting all of one's data."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from campaign.clock import utcnow
from campaign.extensions import db
from campaign.models import AuditEntry, OutboxMessage, OutboxStatus, Signature
from campaign.ops.security import redact
from campaign.public import signer_controls
from tests.helpers import confirm_link, count_rows, links, outbox_messages, signatures
from tests.signing.test_confirmations import count, deliver, sign


def removal_link(body: str) -> str:
    """The path of the "Not you? Remove this signature" link in an email body."""
    match = re.search(r"Not you\? Remove this signature:\n\S+?(/c/[a-z0-9-]+/remove/[\w.-]+)", body)
    assert match, body
    return match.group(1)


def data_link(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/delete-my-data/[\w.-]+)", body)
    assert match, body
    return match.group(1)


def email_to(app, address: str):
    [message] = [m for m in deliver(app) if m["To"] == address]
    return message.get_content()


def signed_and_mailed(app, client, make_campaign, signer, kind: str) -> tuple[str, str]:
    """A campaign and the body of the email of `kind` that its signer got."""
    if kind == "thanks":
        slug = make_campaign(require_confirmation=False)
        sign(client, slug, signer())
        return slug, email_to(app, "ada@example.org")
    slug = make_campaign()
    sign(client, slug, signer())
    body = email_to(app, "ada@example.org")
    if kind == "already_signed":
        client.post(confirm_link(body))
        sign(client, slug, signer())
        body = email_to(app, "ada@example.org")
        assert "You have already signed" in body
    return slug, body


@pytest.mark.parametrize(("kind", "counted"), [("confirm", 0), ("thanks", 1), ("already_signed", 1)])
def test_every_signer_email_has_a_removal_link_that_shows_then_removes(
        app, client, make_campaign, signer, kind, counted):
    slug, body = signed_and_mailed(app, client, make_campaign, signer, kind)
    link = removal_link(body)
    assert count(client, slug) == counted

    for _ in range(2):  # a mail scanner, then the signer: looking removes nothing
        page = client.get(link)
        assert page.status_code == 200
        assert "Remove my signature" in page.text and "Keep the river clean" in page.text
        assert "Ada Lovelace" in page.text and "a***@e***.org" in page.text
        assert "ada@example.org" not in page.text
        assert page.headers["Cache-Control"] == "no-store"
        assert page.headers["Referrer-Policy"] == "no-referrer"
    with app.app_context():
        assert count_rows(Signature) == 1

    done = client.post(link)
    assert done.status_code == 303 and done.headers["Location"] == f"/c/{slug}/removed"
    assert "Your signature has been removed" in client.get(done.headers["Location"]).text
    assert count(client, slug) == 0
    with app.app_context():
        assert count_rows(Signature) == 0
        [entry] = db.session.scalars(select(AuditEntry))
        assert entry.action == "signer.deleted" and entry.organizer_id is None
        assert entry.detail["by"] == "signer"
        assert "ada" not in repr(entry.detail).lower() and "lovelace" not in repr(entry.detail).lower()
    # The link dies with the row.
    assert client.get(link).status_code == 404
    assert client.post(link).status_code == 404


def test_removal_cancels_pending_emails_and_strips_sent_ones(app, client, make_campaign, signer):
    slug = make_campaign()
    sign(client, slug, signer())
    link = removal_link(email_to(app, "ada@example.org"))
    sign(client, slug, signer())  # a second confirmation email, still queued
    sign(client, slug, signer(email="grace@example.org", full_name="Grace Hopper"))
    client.post(link)
    with app.app_context():
        remaining = outbox_messages()
        assert [(m.to_address, m.status) for m in remaining] == [
            ("", OutboxStatus.SENT), ("grace@example.org", OutboxStatus.PENDING)]
        assert "Ada" not in remaining[0].body
        assert [s.email for s in signatures()] == ["grace@example.org"]


def test_links_for_another_campaign_or_tampered_are_404(app, client, make_campaign, signer):
    slug = make_campaign()
    other = make_campaign()
    sign(client, slug, signer())
    link = removal_link(email_to(app, "ada@example.org"))
    signature_id, issued, mac = link.rsplit("/", 1)[1].split(".")
    flipped = ("A" if mac[0] != "A" else "B") + mac[1:]
    bad = [
        link.replace(f"/c/{slug}/", f"/c/{other}/"),
        link.replace(f"/c/{slug}/", "/c/no-such-campaign/"),
        link.replace(f"/c/{slug}/", "/c/Bad_Slug/"),
        link.replace(mac, flipped),
        link.replace(f"{signature_id}.", f"{int(signature_id) + 1}."),
        link.replace(f".{issued}.", f".{int(issued) + 1}."),
        link.rsplit(".", 1)[0],
        f"/c/{slug}/remove/not-a-token",
        f"/c/{slug}/remove/{'9' * 19}.{issued}.{mac}",  # past any 64-bit id
        f"/c/{slug}/remove/{'9' * 18}.{issued}.{mac}",
    ]
    for path in bad:
        for response in (client.get(path), client.post(path)):
            assert response.status_code == 404, path
            assert "This link does not work" in response.text
            assert "/delete-my-data" in response.text
    with app.app_context():
        assert count_rows(Signature) == 1


def test_an_old_removal_link_has_expired(app, client, make_campaign, signer, monkeypatch):
    slug = make_campaign()
    sign(client, slug, signer())
    link = removal_link(email_to(app, "ada@example.org"))
    later = utcnow() + timedelta(days=app.config["REMOVAL_LINK_DAYS"] + 1)
    monkeypatch.setattr(signer_controls, "utcnow", lambda: later)
    for response in (client.get(link), client.post(link)):
        assert response.status_code == 410
        assert "This link has expired" in response.text
    with app.app_context():
        assert count_rows(Signature) == 1


@pytest.fixture
def csrf_client(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app.test_client()


def test_removal_needs_the_pages_form_token(app, csrf_client, make_campaign, signer):
    slug = make_campaign()
    app.config["WTF_CSRF_ENABLED"] = False
    sign(csrf_client, slug, signer())
    app.config["WTF_CSRF_ENABLED"] = True
    link = removal_link(email_to(app, "ada@example.org"))
    assert csrf_client.post(link).status_code == 400
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', csrf_client.get(link).text)[1]
    assert csrf_client.post(link, data={"csrf_token": token}).status_code == 303
    with app.app_context():
        assert count_rows(Signature) == 0


def test_tokens_are_kept_out_of_access_logs():
    line = '"GET /c/pier/remove/12.1767225600.q3Zk-8xY_aaaaaaaaaaaaa HTTP/1.1" 200'
    assert redact(line) == '"GET /c/pier/remove/[redacted] HTTP/1.1" 200'
    assert redact("POST /delete-my-data/7.1767225600.abc HTTP/1.1") == "POST /delete-my-data/[redacted] HTTP/1.1"


# Delete all my data --------------------------------------------------------------------------

def ask_for_deletion(client, email: str):
    response = client.post("/delete-my-data", data={"email": email})
    assert response.status_code == 200
    return response


def test_delete_all_my_data_across_campaigns(app, client, make_campaign, signer):
    first = make_campaign(require_confirmation=False, title="Keep the river clean")
    second = make_campaign(require_confirmation=False, title="Save the old pier")
    for slug in (first, second):
        sign(client, slug, signer())
    sign(client, first, signer(email="grace@example.org", full_name="Grace Hopper"))
    deliver(app)
    assert (count(client, first), count(client, second)) == (2, 1)

    known = ask_for_deletion(client, "Ada@Example.org")
    unknown = ask_for_deletion(client, "nobody@example.org")
    assert known.text == unknown.text and "Check your email" in known.text
    [message] = deliver(app)
    assert message["To"] == "ada@example.org"
    body = message.get_content()
    assert "- Keep the river clean\n- Save the old pier\n" in body
    link = data_link(body)

    page = client.get(link)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Keep the river clean" in page.text and "Save the old pier" in page.text
    assert "a***@e***.org" in page.text and "Delete all my signatures" in page.text
    assert (count(client, first), count(client, second)) == (2, 1)

    done = client.post(link)
    assert done.status_code == 303
    assert "Your data is deleted" in client.get(done.headers["Location"]).text
    assert (count(client, first), count(client, second)) == (1, 0)
    with app.app_context():
        assert [s.email for s in signatures()] == ["grace@example.org"]
        entries = list(db.session.scalars(select(AuditEntry)))
        assert [(e.action, e.detail) for e in entries] == [
            ("signer.deleted", {"status": "confirmed", "by": "signer"})] * 2
        assert not [m for m in outbox_messages() if "ada" in m.to_address + (m.recipient_key or "")]
    assert client.get(link).status_code == 404


def test_deletion_emails_are_capped_per_day(app, client, make_campaign, signer):
    sign(client, make_campaign(), signer())
    deliver(app)
    for _ in range(app.config["EMAILS_PER_ADDRESS_PER_DAY"] + 2):
        ask_for_deletion(client, "ada@example.org")
    assert len(deliver(app)) == app.config["EMAILS_PER_ADDRESS_PER_DAY"]


def test_a_deletion_link_expires(app, client, make_campaign, signer, monkeypatch):
    sign(client, make_campaign(), signer())
    deliver(app)
    ask_for_deletion(client, "ada@example.org")
    link = data_link(email_to(app, "ada@example.org"))
    later = utcnow() + timedelta(hours=app.config["DATA_REQUEST_LINK_HOURS"] + 1)
    monkeypatch.setattr(signer_controls, "utcnow", lambda: later)
    assert client.post(link).status_code == 410
    with app.app_context():
        assert count_rows(Signature) == 1


@pytest.mark.parametrize("email", ["", "not an address", "a@b@c"])
def test_a_bad_address_is_refused_next_to_the_field(app, client, email):
    response = client.post("/delete-my-data", data={"email": email})
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.text and "Check your email" not in response.text
    with app.app_context():
        assert count_rows(OutboxMessage) == 0


def test_every_page_links_to_deleting_my_data(client, make_campaign):
    slug = make_campaign()
    for path in ("/", f"/c/{slug}", "/delete-my-data"):
        assert ("/delete-my-data", "Delete my data") in links(client.get(path).text)
