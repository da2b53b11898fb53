"""Numbers in addresses: out of range or malformed is a 400 (a query parameter) or a 404 (a part
of the path), never a 500 from a database that cannot hold the number.

The views' numeric query parameters are read from the source and the routes from the url_map,
so a new parameter or route is walked as soon as it exists.
"""
from __future__ import annotations

import re

import pytest

from campaign import query_args
from campaign.accounts import api_keys, organizers
from campaign.clock import utcnow
from campaign.extensions import db
from tests.helpers import REPO_ROOT, url_of

PACKAGE = REPO_ROOT / "campaign"
# Past PostgreSQL's bigint and SQLite's 64 bits, just past them, below the first id, not numbers.
OUT_OF_RANGE = ["99999999999999999999999", str(2**63), "-1", "0"]
MALFORMED = ["abc", "1.5", "1e3", " 7", "+7", "0x10", "٣"]
# Every numeric query parameter a view reads, and the endpoints that read it.
READERS = {"before": {"organizer.signers", "organizer.audit_log"},
           # The API's collections (OSDI paging); walked with a key, as their clients send one.
           "page": {"api.petitions", "api.people", "api.advocacy_campaigns", "api.events"},
           "per_page": {"api.petitions", "api.people", "api.advocacy_campaigns", "api.events"}}
# Not read by any view today: asked for by name, it must be harmless everywhere.
UNREAD = ["offset"]


def _source_files():
    return sorted(PACKAGE.rglob("*.py"))


def test_every_numeric_query_parameter_is_read_through_the_bounded_parser():
    loose = []
    for path in _source_files():
        text = path.read_text(encoding="utf-8")
        # request.args.get("x", type=int) turns any number into a query; int(request.args...)
        # raises on a word; both skip the bounds.
        for found in re.finditer(r"args\.get\([^)]*type=|int\(\s*request\.(?:args|values)", text):
            loose.append(f"{path.relative_to(REPO_ROOT)}: {found[0]}")
    assert loose == []
    names = {found[1] for path in _source_files()
             for found in re.finditer(r"bounded_int\(\s*\"(\w+)\"", path.read_text(encoding="utf-8"))}
    assert names == set(READERS)  # a new one: add it to READERS, and it is walked below


@pytest.mark.parametrize(("value", "expected"), [("1", 1), ("42", 42), (str(2**63 - 1), 2**63 - 1)])
def test_parse_bounded_takes_whole_numbers_in_range(value, expected):
    assert query_args.parse_bounded(value) == expected


@pytest.mark.parametrize("value", OUT_OF_RANGE + MALFORMED + ["", "1" * 5000])
def test_parse_bounded_refuses_the_rest(value):
    with pytest.raises(query_args.OutOfRange):
        query_args.parse_bounded(value)


@pytest.fixture
def admin_world(app, client, make_campaign, make_organizer, login, signer):
    """An administrator, logged in, owning a campaign with a signature; the URL values."""
    slug = make_campaign()
    login(client, make_organizer("admin@example.org", role="admin", campaigns_owned=[slug]))
    assert client.post(f"/c/{slug}/sign", data=signer()).status_code == 303
    with app.app_context():  # the API's pages are walked with the administrator's key
        key = api_keys.create(organizers.get_by_email("admin@example.org"), "Walk", "read",
                              now=utcnow())
        db.session.commit()
        client.environ_base["HTTP_OSDI_API_TOKEN"] = key.secret
        db.session.remove()
    return {"slug": slug, "token": "x" * 43, "operation": "invalidate", "filename": "site.css"}


def _get_rules(app):
    return sorted({rule.rule: rule for rule in app.url_map.iter_rules()
                   if "GET" in (rule.methods or ()) and rule.endpoint != "static"}.values(),
                  key=lambda rule: rule.rule)


def _url(rule, values: dict, number: str = "1") -> str:
    return url_of(rule.rule, {name: values.get(name, number) for name in rule.arguments})


def _status(client, url: str, query: dict) -> int:
    """The answer's status, its body read and closed: an export left streaming would hold its
    connection (and its audit entry's write) open while the walk goes on."""
    answer = client.get(url, query_string=query)
    answer.get_data()
    answer.close()
    return answer.status_code


def test_numeric_query_parameters_out_of_range_are_400_on_every_page(app, client, admin_world):
    walked = set()
    for rule in _get_rules(app):
        url = _url(rule, admin_world)
        for name in [*READERS, *UNREAD]:
            reads = rule.endpoint in READERS.get(name, ())
            for value in OUT_OF_RANGE + MALFORMED:
                status = _status(client, url, {name: value})
                assert status < 500, (url, name, value)
                if reads:
                    assert status == 400, (url, name, value)
                    walked.add((rule.endpoint, name))
            if reads:  # and a number in range still pages
                assert _status(client, url, {name: "1"}) == 200
    assert walked == {(endpoint, name) for name, readers in READERS.items() for endpoint in readers}


@pytest.mark.parametrize("number", ["99999999999999999999999", str(2**63), "-1"])
def test_numbers_in_the_path_out_of_range_are_404(app, client, admin_world, number):
    numeric = [rule for rule in app.url_map.iter_rules()
               if any(type(c).__name__ == "DatabaseId" for c in rule._converters.values())]
    assert numeric
    for rule in numeric:
        url = _url(rule, admin_world, number)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            answer = client.open(url, method=method)
            assert answer.status_code in (404, 405), (method, url, answer.status_code)
