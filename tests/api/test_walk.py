"""A client that knows only the entry point's URL finds a campaign's petition through the links,
pages through its 1,000 signatures and their people, and every figure matches the export."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import insert

from campaign.campaigns import store
from campaign.clock import utcnow
from campaign.counts import stats
from campaign.extensions import db
from campaign.models import Signature, SignatureStatus
from tests.api.conftest import ENTRY

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
FAMILIES = ["Lovelace", "de la Cruz", "Van Hollen", "Núñez", "O'Brien"]
GIVEN = ["Ada", "Ana María", "Chris", "Zoë", "Pat"]
STATUSES = [SignatureStatus.CONFIRMED] * 6 + [SignatureStatus.PENDING] * 3 + [
    SignatureStatus.INVALIDATED]


def bulk_signers(app, slug: str, count: int = 1000) -> None:
    """count signatures in one INSERT: ten share each modified time, so paging meets ties."""
    with app.app_context():
        campaign_id = store.get_by_slug(slug).id
        rows = [{
            "campaign_id": campaign_id,
            "full_name": f"{GIVEN[i % 5]} {FAMILIES[(i // 5) % 5]} {i}"[:-len(str(i)) - 1]
            + ("" if i % 7 else f" {'Jr.'}"),
            "email": f"signer{i}@example.org", "email_key": f"signer{i}@example.org",
            "postcode": f"{10000 + i:05d}", "country": "US", "region": "NY",
            "status": STATUSES[i % 10], "contact_ok": i % 3 == 0, "source": "twitter" if i % 4 else "",
            "comment": f"Because {i}", "created_at": T0 + timedelta(seconds=i),
            "updated_at": T0 + timedelta(seconds=i // 10),
            "confirmed_at": T0 if STATUSES[i % 10] == SignatureStatus.CONFIRMED else None,
        } for i in range(count)]
        db.session.execute(insert(Signature), rows)
        db.session.commit()
        db.session.remove()


def _follow(api, key, href: str) -> dict:
    # Only URLs the API gave: the test client takes the path and query of an absolute link.
    assert href.startswith("http://localhost/api/v1/")
    parts = urlsplit(href)
    response = api(key, parts.path + (f"?{parts.query}" if parts.query else ""))
    assert response.status_code == 200, response.text[:300]
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "Set-Cookie" not in response.headers
    return response.json


def _every(api, key, href: str, name: str) -> tuple[list[dict], list[dict]]:
    """Each item of a collection, following next links; and each page's figures."""
    items, pages = [], []
    while href:
        page = _follow(api, key, href)
        items += page["_embedded"][f"osdi:{name}"]
        pages.append(page)
        href = page["_links"].get("next", {}).get("href")
    return items, pages


def test_a_client_walks_from_the_entry_point_to_every_signer_and_the_figures_match_the_export(
        app, client, api, make_campaign, make_key, login, make_organizer):
    other = make_campaign(title="Another petition")
    slug = make_campaign(title="Save the library")
    bulk_signers(app, slug)
    bulk_signers(app, other, count=3)  # not to be mixed in
    key = make_key(campaigns_owned=[slug, other])

    entry = _follow(api, key, ENTRY)
    petitions, _ = _every(api, key, entry["_links"]["osdi:petitions"]["href"], "petitions")
    petition = next(p for p in petitions if p["title"] == "Save the library")
    petition = _follow(api, key, petition["_links"]["self"]["href"])
    signatures, pages = _every(api, key, petition["_links"]["osdi:signatures"]["href"]
                               + "?per_page=100", "signatures")
    people, _ = _every(api, key, entry["_links"]["osdi:people"]["href"] + "?per_page=100",
                       "people")

    # The organizer's export of the same campaign, and the dashboard's figure.
    with app.app_context():
        campaign = store.get_by_slug(slug)
        dashboard = stats.totals_for([campaign], now=utcnow())[campaign.id].confirmed
        db.session.remove()
    organizer = app.test_client()
    login(organizer, key.organizer_email)
    exported = json.loads(organizer.get(f"/organizer/c/{slug}/signers.json").data)
    confirmed = [r for r in exported if r["status"] == "confirmed"]

    assert petition["total_signatures"] == len(confirmed) == dashboard == 600
    assert {p["total_records"] for p in pages} == {len(exported)} == {1000}
    assert [p["page"] for p in pages] == list(range(1, 11))
    assert {p["total_pages"] for p in pages} == {10}
    assert len(signatures) == 1000
    assert len({s["identifiers"][0] for s in signatures}) == 1000  # none skipped, none twice
    modified = [s["modified_date"] for s in signatures]
    assert modified == sorted(modified)

    by_href = {p["_links"]["self"]["href"]: p for p in people}
    assert len(people) == 1003  # both campaigns' signers
    by_email = {r["email"]: r for r in exported}
    for signature in signatures:
        person = by_href[signature["_links"]["osdi:person"]["href"]]
        email = person["email_addresses"][0]
        row = by_email.pop(email["address"])
        assert " ".join(filter(None, [person["given_name"], person["family_name"]])) == \
            " ".join(filter(None, [row["first_name"], row["last_name"]]))
        assert person["postal_addresses"][0]["postal_code"] == row["zip_code"]
        assert person["postal_addresses"][0]["country"] == row["country"]
        assert email["status"] == ("subscribed" if row["contact_ok"] else "unsubscribed")
        assert signature["status"] == row["status"]
        assert signature["comments"] == row["comment"]
        assert signature["referrer_data"]["source"] == row["source"]
        assert signature["created_date"][:19] + "Z" == row["signed_at"]
    assert by_email == {}
    names = {(p["given_name"], p["family_name"]) for p in people}
    assert ("Ana María", "de la Cruz") in names and ("Chris", "Van Hollen Jr.") in names


def test_a_campaign_of_another_organizer_is_not_there(api, make_campaign, make_key):
    mine, theirs = make_campaign(title="Mine"), make_campaign(title="Theirs")
    key = make_key(campaigns_owned=[mine])
    make_key("other@example.org", campaigns_owned=[theirs])
    listed = api(key, "/api/v1/petitions").json["_embedded"]["osdi:petitions"]
    assert [p["title"] for p in listed] == ["Mine"]
