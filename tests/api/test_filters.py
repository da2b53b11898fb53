"""filter=modified_date gt|lt|eq '<time>': strict, and paging through a filter is exact."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from campaign.extensions import db
from campaign.models import Signature, SignatureStatus
from campaign.signing import signatures as signing
from tests.api.test_walk import T0, bulk_signers


@pytest.fixture
def listed(app, api, make_campaign, make_key):
    """(key, signatures URL) of a campaign with 100 signers, ten modified each second from T0."""
    slug = make_campaign()
    bulk_signers(app, slug, count=100)
    key = make_key(campaigns_owned=[slug])
    petition = api(key, "/api/v1/petitions").json["_embedded"]["osdi:petitions"][0]
    return key, petition["_links"]["osdi:signatures"]["href"].removeprefix("http://localhost")


def _stamp(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _all(api, key, url: str, **query) -> list[dict]:
    found, page = [], 1
    while True:
        answer = api(key, url, query_string={**query, "page": page})
        assert answer.status_code == 200, answer.text
        found += answer.json["_embedded"]["osdi:signatures"]
        if "next" not in answer.json["_links"]:
            return found
        if "filter" in query:  # the next link keeps the filter
            assert "filter=" in answer.json["_links"]["next"]["href"]
        page += 1


@pytest.mark.parametrize(("condition", "expected"), [
    ("modified_date gt '{t}'", 40),  # seconds 6..9
    ("modified_date lt '{t}'", 50),  # seconds 0..4
    ("modified_date eq '{t}'", 10),
    ("modified_date gt '{t}' and modified_date lt '{u}'", 20),
])
def test_each_operator(api, listed, condition, expected):
    key, url = listed
    text = condition.format(t=_stamp(T0 + timedelta(seconds=5)),
                            u=_stamp(T0 + timedelta(seconds=8)))
    answer = api(key, url, query_string={"filter": text})
    assert answer.json["total_records"] == expected


def test_an_offset_in_the_time_is_read_as_utc(api, listed):
    key, url = listed
    text = "modified_date gt '" + (T0 + timedelta(seconds=5, hours=2)).strftime(
        "%Y-%m-%dT%H:%M:%S") + "+02:00'"
    assert api(key, url, query_string={"filter": text}).json["total_records"] == 40


@pytest.mark.parametrize("text", [
    "modified_date gt 2026-01-01T00:00:00Z", "modified_date gt '2026-01-01'",
    "modified_date ge '2026-01-01T00:00:00Z'", "created_date gt '2026-01-01T00:00:00Z'",
    "modified_date gt '2026-13-01T00:00:00Z'", "modified_date gt '2026-01-01T00:00:00'",
    "modified_date gt '2026-01-01T00:00:00Z' or 1=1", "modified_date gt ''",
    "modified_date gt '2026-01-01T00:00:00Z' and", "x" * 400,
])
def test_a_malformed_filter_is_a_400_problem(api, listed, text):
    key, url = listed
    for path in (url, "/api/v1/people", "/api/v1/petitions", "/api/v1/events"):
        answer = api(key, path, query_string={"filter": text})
        assert answer.status_code == 400
        assert answer.json["title"] == "Invalid filter" and answer.json["detail"]


@pytest.mark.parametrize("query", [{"page": "0"}, {"page": "x"}, {"per_page": "101"},
                                   {"per_page": "0"}, {"page": "99999999999999999999"}])
def test_paging_numbers_out_of_bounds_are_400(api, listed, query):
    key, url = listed
    assert api(key, url, query_string=query).status_code == 400


def test_a_page_past_the_last_is_404(api, listed):
    key, url = listed
    assert api(key, url, query_string={"page": 5, "per_page": 25}).status_code == 404


def test_paging_through_a_filter_in_small_pages_meets_every_row_once_in_order(api, listed):
    key, url = listed
    text = f"modified_date gt '{_stamp(T0 + timedelta(seconds=2))}'"
    found = _all(api, key, url, filter=text, per_page=7)  # pages end inside runs of ties
    assert len(found) == 70 and len({s["identifiers"][0] for s in found}) == 70
    assert [s["modified_date"] for s in found] == sorted(s["modified_date"] for s in found)


def test_a_client_that_syncs_by_modified_date_gets_what_changed_since(app, api, listed, clock):
    key, url = listed
    everything = _all(api, key, url, per_page=100)
    latest = max(s["modified_date"] for s in everything)
    with app.app_context():
        pending = db.session.scalars(select(Signature).where(
            Signature.status == SignatureStatus.PENDING).order_by(Signature.id).limit(1)).one()
        signing.confirm(pending, now=clock.now)
        db.session.commit()
        uuid = pending.uuid
        db.session.remove()
    changed = _all(api, key, url, filter=f"modified_date gt '{latest}'")
    assert [(s["identifiers"][0], s["status"]) for s in changed] == [(f"campaign:{uuid}",
                                                                       "confirmed")]
