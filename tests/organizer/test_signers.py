"""The organizer's signer list: search, filters, paging, invalidate, restore, hide, delete."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from campaign.abuse import network
from campaign.campaigns import store as campaign_module
from campaign.clock import utcnow
from campaign.extensions import db
from campaign.mail import outbox
from campaign.models import AuditEntry, OutboxMessage, Signature, SignatureStatus
from tests.helpers import count_rows, links


@pytest.fixture
def crowd(app, client, make_campaign, make_organizer, login):
    """An open campaign with signers of several kinds, and its owner logged in."""
    slug = make_campaign()
    login(client, make_organizer(campaigns_owned=[slug]))
    now = utcnow()
    people = [
        ("Ada Lovelace", "ada@example.org", "02139", "US", "198.51.100.7", SignatureStatus.CONFIRMED, 1),
        ("Grace Hopper", "grace@navy.example", "10001", "US", "198.51.100.9", SignatureStatus.CONFIRMED, 2),
        ("Spam Bot", "bot1@spam.example", "99999", "US", "203.0.113.5", SignatureStatus.PENDING, 3),
        ("Spam Bot", "bot2@spam.example", "99999", "US", "203.0.113.6", SignatureStatus.CONFIRMED, 4),
        ("Marie Curie", "marie@example.fr", "75005", "FR", "192.0.2.1", SignatureStatus.CONFIRMED, 50),
    ]
    with app.app_context():
        campaign = campaign_module.get_by_slug(slug)
        for name, email, postcode, country, ip, status, hours_ago in people:
            ip_hash, net_hash = network.ip_hashes(app.config["SECRET_KEY"], ip)
            db.session.add(Signature(
                campaign_id=campaign.id, full_name=name, email=email, email_key=email, postcode=postcode,
                country=country, status=status, ip_hash=ip_hash, ip_net_hash=net_hash,
                created_at=now - timedelta(hours=hours_ago),
                confirmed_at=now if status == SignatureStatus.CONFIRMED else None,
                comment="Great cause" if name == "Ada Lovelace" else ""))
        db.session.commit()
    return slug


def _names(page: str) -> list[str]:
    return [n for n in ["Ada Lovelace", "Grace Hopper", "Spam Bot", "Marie Curie"] if n in page]


@pytest.mark.parametrize(
    ("query", "names", "total"),
    [
        ({}, ["Ada Lovelace", "Grace Hopper", "Spam Bot", "Marie Curie"], 5),
        ({"q": "ada"}, ["Ada Lovelace"], 1),
        ({"q": "navy.example"}, ["Grace Hopper"], 1),
        ({"q": "7500"}, ["Marie Curie"], 1),
        ({"q": "100%"}, [], 0),  # a literal percent sign, not a wildcard
        ({"status": "pending"}, ["Spam Bot"], 1),
        ({"country": "fr"}, ["Marie Curie"], 1),
        ({"email_domain": "spam.example"}, ["Spam Bot"], 2),
        ({"ip_range": "203.0.113.0/24"}, ["Spam Bot"], 2),
        ({"ip_range": "198.51.100.7"}, ["Ada Lovelace"], 1),
        ({"name": "bot"}, ["Spam Bot"], 2),
    ],
)
def test_filters(client, crowd, query, names, total):
    page = client.get(f"/organizer/c/{crowd}/signers", query_string=query)
    assert page.status_code == 200
    assert _names(page.text) == names
    assert f"<strong>{total}</strong> matching" in page.text


def test_date_filter(client, crowd):
    today = utcnow().date().isoformat()
    page = client.get(f"/organizer/c/{crowd}/signers", query_string={"since": today, "until": today})
    assert "Marie Curie" not in page.text  # signed two days ago


@pytest.mark.parametrize("query", [{"ip_range": "10.0.0.0/8"}, {"ip_range": "nonsense"},
                                   {"status": "bogus"}, {"since": "yesterday"}])
def test_bad_filters_get_400_with_a_message(client, crowd, query):
    page = client.get(f"/organizer/c/{crowd}/signers", query_string=query)
    assert page.status_code == 400
    assert 'class="error"' in page.text


def test_paging_by_keyset(app, client, crowd, monkeypatch):
    from campaign.organizer import signers

    monkeypatch.setattr(signers, "PAGE_SIZE", 2)
    first = client.get(f"/organizer/c/{crowd}/signers")
    assert _names(first.text) == ["Ada Lovelace", "Grace Hopper"]  # newest signatures first
    second = client.get(_older_link(first.text))
    assert _names(second.text) == ["Spam Bot"]
    third = client.get(_older_link(second.text))
    assert _names(third.text) == ["Marie Curie"] and "Older signers" not in third.text


def _older_link(page: str) -> str:
    [href] = [href for href, text in links(page) if text.startswith("Older signers")]
    return href


def test_bulk_invalidate_shows_count_then_acts_and_restore_undoes(app, client, crowd):
    preview = client.get(f"/organizer/c/{crowd}/signers/bulk",
                         query_string={"email_domain": "spam.example", "operation": "invalidate"})
    assert "Invalidate 2 signers?" in preview.text
    assert client.get(f"/c/{crowd}/count.json").json["count"] == 4
    done = client.post(f"/organizer/c/{crowd}/signers/bulk?email_domain=spam.example",
                       data={"operation": "invalidate", "expected": 2, "reason": "bots"})
    assert done.status_code == 303
    assert client.get(f"/c/{crowd}/count.json").json["count"] == 3
    with app.app_context():
        assert db.session.scalar(select(AuditEntry.detail).where(
            AuditEntry.action == "signers.invalidated")) == {"count": 2, "reason": "bots"}
    client.post(f"/organizer/c/{crowd}/signers/bulk?email_domain=spam.example",
                data={"operation": "restore", "expected": 2})
    with app.app_context():
        statuses = sorted(s.status for s in db.session.scalars(
            select(Signature).where(Signature.email_key.like("bot%"))))
    assert statuses == ["confirmed", "pending"]  # each back to what it was


def test_bulk_refuses_when_the_count_changed(client, crowd):
    response = client.post(f"/organizer/c/{crowd}/signers/bulk?email_domain=spam.example",
                           data={"operation": "invalidate", "expected": 1})
    assert response.status_code == 409
    assert "changed from 1 to 2" in response.text


def test_bulk_needs_a_filter(client, crowd):
    response = client.post(f"/organizer/c/{crowd}/signers/bulk",
                           data={"operation": "invalidate", "expected": 5})
    assert response.status_code == 302
    assert client.get(f"/c/{crowd}/count.json").json["count"] == 4


def test_row_invalidate_restore_and_comment(app, client, crowd):
    with app.app_context():
        ada = db.session.scalar(select(Signature.id).where(Signature.full_name == "Ada Lovelace"))
    base = f"/organizer/c/{crowd}/signers/{ada}"
    assert client.post(f"{base}/invalidate").status_code == 303
    assert client.get(f"/c/{crowd}/count.json").json["count"] == 3
    client.post(f"{base}/restore")
    assert client.get(f"/c/{crowd}/count.json").json["count"] == 4
    client.post(f"{base}/hide-comment")
    with app.app_context():
        assert db.session.get(Signature, ada).comment_hidden is True
    assert client.post(f"{base}/explode").status_code == 404


def test_delete_on_request_erases_data_and_keeps_an_anonymous_audit_line(app, client, crowd):
    with app.app_context():
        ada = db.session.scalar(select(Signature).where(Signature.full_name == "Ada Lovelace"))
        ada_id, campaign_id = ada.id, ada.campaign_id
        db.session.add(OutboxMessage(kind="confirm", to_address="ada@example.org", subject="s", body="b",
                                     message_id="<x@y>", campaign_id=campaign_id, recipient_key="ada@example.org"))
        db.session.commit()
    page = client.get(f"/organizer/c/{crowd}/signers/{ada_id}/delete")
    assert "erased for good" in page.text
    refused = client.post(f"/organizer/c/{crowd}/signers/{ada_id}/delete", data={})
    assert refused.status_code == 422
    done = client.post(f"/organizer/c/{crowd}/signers/{ada_id}/delete", data={"sure": "y"})
    assert done.status_code == 303
    with app.app_context():
        assert db.session.get(Signature, ada_id) is None
        assert count_rows(OutboxMessage) == 0
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "signer.deleted"))
        assert entry.detail == {"status": "confirmed"}
    assert client.get(f"/c/{crowd}/count.json").json["count"] == 3


def test_another_campaigns_signer_is_404(app, client, crowd, make_campaign):
    other = make_campaign()
    with app.app_context():
        ada = db.session.scalar(select(Signature.id).where(Signature.full_name == "Ada Lovelace"))
    assert client.post(f"/organizer/c/{other}/signers/{ada}/invalidate").status_code == 404
    assert client.get(f"/organizer/c/{other}/signers").status_code == 404


@pytest.mark.parametrize("back", ["https://evil.example/", "//evil.example/x", "/organizer/c/other/signers"])
def test_row_action_never_redirects_elsewhere(app, client, crowd, back):
    with app.app_context():
        ada = db.session.scalar(select(Signature.id).where(Signature.full_name == "Ada Lovelace"))
    response = client.post(f"/organizer/c/{crowd}/signers/{ada}/hide-comment", data={"back": back})
    assert response.headers["Location"].endswith(f"/organizer/c/{crowd}/signers")


REFUSED = "gone@example.org"


@pytest.fixture
def bounced(app, client, make_campaign, make_organizer, login, signer, smtp_server):
    """Three pending signers, each sent a confirmation; the mail server refuses one for good."""
    slug = make_campaign()
    app.config.update(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_server.port,
                      SMTP_TLS="none", SMTP_USER=None, SMTP_TIMEOUT=5)
    smtp_server.script("rcpt", "550 5.1.1 No such user", address=REFUSED, times=None)
    for name, email in [("Ada Lovelace", "ada@example.org"), ("Gone Away", REFUSED),
                        ("Grace Hopper", "grace@navy.example")]:
        assert client.post(f"/c/{slug}/sign", data=signer(full_name=name, email=email)).status_code == 303
    with app.app_context():
        assert outbox.deliver_due() == outbox.DeliveryReport(sent=2, failed=1)
    login(client, make_organizer(campaigns_owned=[slug]))
    return slug


def _statuses(page: str) -> dict[str, str]:
    """Each listed signer's status cell, as text, by name."""
    rows = re.findall(r"<tr>\s*<td>([^<]+).*?</td>(?:\s*<td[^>]*>.*?</td>){4}\s*<td>(.*?)</td>",
                      page, re.DOTALL)
    return {name.strip(): " ".join(re.sub(r"<[^>]+>", "", cell).split()) for name, cell in rows}


def test_a_refused_confirmation_shows_as_undeliverable(client, bounced):
    page = client.get(f"/organizer/c/{bounced}/signers")
    assert _statuses(page.text) == {
        "Grace Hopper": "pending", "Ada Lovelace": "pending",
        "Gone Away": "undeliverable (pending: its confirmation email could not be delivered)"}


@pytest.mark.parametrize(("status", "names"), [
    ("undeliverable", ["Gone Away"]),
    ("pending", ["Grace Hopper", "Gone Away", "Ada Lovelace"]),  # still pending, too
])
def test_the_status_filter_lists_only_the_undeliverable(client, bounced, status, names):
    page = client.get(f"/organizer/c/{bounced}/signers", query_string={"status": status})
    assert page.status_code == 200
    assert list(_statuses(page.text)) == names
    assert f"<strong>{len(names)}</strong> matching" in page.text
    assert 'value="undeliverable"' in page.text  # a choice of the status filter


def test_a_new_link_that_goes_out_clears_it_and_a_new_refusal_brings_it_back(app, client,
                                                                               bounced):
    """Only the latest confirmation email counts: the signer may have asked for another."""
    assert client.post(f"/c/{bounced}/resend", data={"email": REFUSED}).status_code == 200
    listed = client.get(f"/organizer/c/{bounced}/signers", query_string={"status": "undeliverable"})
    assert "<strong>0</strong> matching" in listed.text
    assert _statuses(client.get(f"/organizer/c/{bounced}/signers").text)["Gone Away"] == "pending"
    with app.app_context():
        assert outbox.deliver_due() == outbox.DeliveryReport(failed=1)
    listed = client.get(f"/organizer/c/{bounced}/signers", query_string={"status": "undeliverable"})
    assert list(_statuses(listed.text)) == ["Gone Away"]


def test_undeliverable_ones_can_be_invalidated_together(app, client, bounced):
    preview = client.get(f"/organizer/c/{bounced}/signers/bulk",
                         query_string={"status": "undeliverable", "operation": "invalidate"})
    assert "Invalidate 1 signer" in preview.text
    done = client.post(f"/organizer/c/{bounced}/signers/bulk?status=undeliverable",
                       data={"operation": "invalidate", "expected": 1})
    assert done.status_code == 303
    with app.app_context():
        statuses = dict(db.session.execute(select(Signature.email, Signature.status)).all())
    assert statuses == {"ada@example.org": "pending", REFUSED: "invalidated",
                        "grace@navy.example": "pending"}
