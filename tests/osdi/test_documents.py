"""The OSDI documents: names split sensibly, email status, identifiers and absolute links."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from campaign.campaigns import store
from campaign.clock import utcnow
from campaign.extensions import db
from campaign.models import OutboxMessage, OutboxStatus, Signature
from campaign.osdi import documents
from campaign.osdi.identifiers import osdi_date, uuid_of
from campaign.signing import signatures
from campaign.signing.signatures import SignerDetails

BASE = "https://petitions.example.org"


@pytest.mark.parametrize(("name", "given", "family"), [
    ("Ada Lovelace", "Ada", "Lovelace"),
    ("Ana María de la Cruz", "Ana María", "de la Cruz"),
    ("Chris Van Hollen", "Chris", "Van Hollen"),
    ("Robert P. Casey Jr.", "Robert P.", "Casey Jr."),
    ("Cher", "Cher", ""),
    ("  Zoë   Ångström ", "Zoë", "Ångström"),
    ("", "", ""),
])
def test_names_are_split_with_the_family_name_last(name, given, family):
    assert documents.split_name(name) == (given, family)


def test_dates_and_identifiers():
    assert osdi_date(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2026-01-02T03:04:05Z"
    assert osdi_date(datetime(2026, 1, 2, 3, 4, 5, 120, tzinfo=UTC)) == "2026-01-02T03:04:05.000120Z"
    uuid = "3f2c1d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
    assert uuid_of(uuid) == uuid_of(f"campaign:{uuid}") == uuid
    assert uuid_of("42") is None and uuid_of("campaign:x") is None and uuid_of("") is None


@pytest.fixture
def request_ctx(app):
    with app.test_request_context():  # the confirmation email's links need one
        yield
        db.session.remove()


@pytest.fixture
def signed(app, make_campaign, request_ctx):
    """A pending signature (its confirmation email queued), with contact allowed or not."""

    def make(contact_ok: bool = False) -> Signature:
        campaign = store.get_by_slug(make_campaign())
        signatures.sign(campaign, SignerDetails(full_name="Ada Lovelace", email="ada@example.org",
                                                country="US", postcode="02139",
                                                contact_ok=contact_ok, source="twitter"),
                        now=utcnow())
        db.session.commit()
        return db.session.scalars(select(Signature).where(Signature.campaign_id == campaign.id)).one()

    return make


def test_a_person_document(signed):
    signature = signed(contact_ok=True)
    person = documents.person(signature, base_url=BASE)
    assert person["identifiers"] == [f"campaign:{signature.uuid}"]
    assert (person["given_name"], person["family_name"]) == ("Ada", "Lovelace")
    assert person["email_addresses"] == [{"address": "ada@example.org", "primary": True,
                                          "status": "subscribed"}]
    assert person["postal_addresses"][0] == {"primary": True, "postal_code": "02139",
                                                  "region": "MA", "country": "US"}
    assert person["_links"]["self"]["href"] == f"{BASE}/api/v1/people/{signature.uuid}"
    assert "_links" not in documents.person(signature)  # for an embedding without links


def test_email_status_follows_consent_and_bounces(signed):
    signature = signed()
    assert documents.person(signature)["email_addresses"][0]["status"] == "unsubscribed"
    db.session.execute(update(OutboxMessage).values(status=OutboxStatus.FAILED))
    assert documents.person(signature)["email_addresses"][0]["status"] == "bouncing"
    assert documents.person(signature, bouncing=False)["email_addresses"][0]["status"] == \
        "unsubscribed"


def test_a_signature_document_links_its_person_and_petition(signed):
    signature = signed()
    document = documents.signature(signature, base_url=BASE + "/")
    campaign_uuid = signature.campaign.uuid
    assert document["_links"] == {
        "self": {"href": f"{BASE}/api/v1/petitions/{campaign_uuid}/signatures/{signature.uuid}"},
        "osdi:person": {"href": f"{BASE}/api/v1/people/{signature.uuid}"},
        "osdi:petition": {"href": f"{BASE}/api/v1/petitions/{campaign_uuid}"},
    }
    assert document["referrer_data"] == {"source": "twitter"}
    assert document["status"] == "pending" and document["confirmed_date"] is None
    assert document["modified_date"] == osdi_date(signature.updated_at)
