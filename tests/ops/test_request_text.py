"""Text that is not UTF-8, in a form or a query string, is refused before any view reads it."""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from sqlalchemy import select

from campaign.extensions import db
from campaign.models import Campaign
from tests.helpers import database_snapshot, signatures, state_changing_routes, url_of

UNREADABLE = "could not be read as text"
# Not UTF-8: a lone byte, a start byte with nothing after it, an overlong "/", a surrogate.
BAD_ESCAPES = ["%FF", "%C3", "%C0%AF", "%ED%A0%80"]
NAMES = ["José Ñúñez", "Zoë Smith", "李小龍", "محمد علي"]


def _urlencoded(fields: dict[str, str]) -> bytes:
    """A form body with each value already percent-encoded as it stands."""
    return "&".join(f"{key}={value}" for key, value in fields.items()).encode("ascii")


def _sign_fields(**fields) -> dict[str, str]:
    values = {"full_name": "Ada%20Lovelace", "email": "ada%40example.org", "country": "US",
              "postcode": "02139", "comment": ""}
    return values | fields


def _multipart(fields: dict[str, bytes]) -> tuple[bytes, str]:
    parts = [b"--XyZ\r\nContent-Disposition: form-data; name=\"" + name.encode() + b"\"\r\n\r\n"
             + value + b"\r\n" for name, value in fields.items()]
    return b"".join(parts) + b"--XyZ--\r\n", "multipart/form-data; boundary=XyZ"


def _snapshot(app) -> dict:
    with app.app_context():
        snapshot = database_snapshot()
        db.session.remove()
    return snapshot


def _refused(response) -> None:
    assert response.status_code == 400, response.text[:300]
    assert UNREADABLE in response.text


@pytest.mark.parametrize("escape", BAD_ESCAPES)
@pytest.mark.parametrize("field", ["full_name", "email", "comment", "postcode", "ref"])
def test_the_sign_form_refuses_percent_escapes_that_are_not_utf8(app, client, make_campaign,
                                                                 field, escape):
    slug = make_campaign()
    value = {"email": f"ada{escape}%40example.org", "postcode": f"0213{escape}9"}.get(
        field, f"Ada{escape}Lovelace")
    before = _snapshot(app)
    response = client.post(f"/c/{slug}/sign", data=_urlencoded(_sign_fields(**{field: value})),
                           content_type="application/x-www-form-urlencoded")
    _refused(response)
    assert _snapshot(app) == before


@pytest.mark.parametrize("body", [
    b"full_name=Ada\xffLovelace&email=ada%40example.org&country=US&postcode=02139",
    b"full_name=Jos\xe9&email=ada%40example.org&country=US&postcode=02139",  # Latin-1
    b"full_name=%FF&email=ada%40example.org&country=US&postcode=02139&full_name%FF=x",
])
def test_raw_bytes_that_are_not_utf8_are_refused_not_read_as_an_empty_form(app, client,
                                                                          make_campaign, body):
    slug = make_campaign()
    response = client.post(f"/c/{slug}/sign", data=body,
                           content_type="application/x-www-form-urlencoded")
    _refused(response)
    with app.app_context():
        assert signatures() == []


@pytest.mark.parametrize("field", ["full_name", "email", "comment"])
def test_a_multipart_field_that_is_not_utf8_is_refused(app, client, make_campaign, field):
    slug = make_campaign()
    fields = {"full_name": b"Ada Lovelace", "email": b"ada@example.org", "country": b"US",
              "postcode": b"02139", "comment": b"Hello"}
    fields[field] = {"email": b"ad\xe9@example.org"}.get(field, b"Ad\xe9 \xff")
    body, content_type = _multipart(fields)
    response = client.post(f"/c/{slug}/sign", data=body, content_type=content_type)
    _refused(response)
    with app.app_context():
        assert signatures() == []


@pytest.mark.parametrize("name", NAMES)
def test_names_in_any_script_still_sign_both_ways(app, client, make_campaign, name):
    slug = make_campaign()
    body = _urlencoded(_sign_fields(full_name=quote(name), comment=quote(f"Merci, {name}")))
    assert client.post(f"/c/{slug}/sign", data=body,
                       content_type="application/x-www-form-urlencoded").status_code == 303
    multipart, content_type = _multipart({
        "full_name": name.encode(), "email": b"zoe@example.org", "country": b"US",
        "postcode": b"02139", "comment": "Ünïcode ✓ 你好".encode()})
    assert client.post(f"/c/{slug}/sign", data=multipart,
                       content_type=content_type).status_code == 303
    with app.app_context():
        stored = [(s.full_name, s.comment) for s in signatures()]
    assert stored == [(name, f"Merci, {name}"), (name, "Ünïcode ✓ 你好")]


def test_the_embedded_form_refuses_it_too(app, make_campaign):
    slug = make_campaign()
    page = app.test_client().get(f"/c/{slug}/embed").text
    token = page.split('name="form_token" value="', 1)[1].split('"', 1)[0]
    body = _urlencoded(_sign_fields(full_name="Ada%FFLovelace", form_token=quote(token)))
    response = app.test_client().post(f"/c/{slug}/embed/sign", data=body,
                                      content_type="application/x-www-form-urlencoded")
    _refused(response)
    with app.app_context():
        assert signatures() == []


def test_an_organizers_form_refuses_it_too(app, client, make_organizer, login):
    email = make_organizer()
    login(client, email)
    body = _urlencoded({"title": "Fix%FFthe%20bridge", "petition_text": "Fix%20it.",
                        "target": "The%20Council", "goal": "100", "default_country": "US",
                        "require_confirmation": "y"})
    response = client.post("/organizer/new/form", data=body,
                           content_type="application/x-www-form-urlencoded")
    _refused(response)
    with app.app_context():
        assert db.session.scalars(select(Campaign.title)).all() == []


def test_with_csrf_on_it_is_told_as_unreadable_not_as_an_expired_form(app):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    token = re.search(r'name="csrf_token"[^>]*\bvalue="([^"]+)"', client.get("/auth/login").text)[1]
    # Raw bytes: read first by CSRF, the form would be empty, its token missing, "expired".
    body = b"email=org\xff%40example.org&password=x&csrf_token=" + quote(token).encode()
    response = client.post("/auth/login", data=body,
                           content_type="application/x-www-form-urlencoded")
    _refused(response)
    assert "This form has expired" not in response.text


ROUTES = state_changing_routes(lambda blueprint: True)
URL_VALUES = {"slug": "some-campaign", "token": "t", "rep_id": 1, "action_id": 1, "rule_id": 1,
              "signature_id": 1, "operation": "confirm", "update_id": 1, "office_key": "target", "language": "es",
              # The API's identifiers and an organizer's API key.
              "petition_id": "00000000-0000-0000-0000-000000000000",
              "campaign_id": "00000000-0000-0000-0000-000000000000", "key_id": 1,
              "event_id": 1, "hook_id": 1, "event_uuid": "00000000-0000-0000-0000-000000000000"}


@pytest.mark.parametrize(("method", "rule", "endpoint"), ROUTES,
                         ids=[f"{endpoint} {method}" for method, _, endpoint in ROUTES])
def test_every_form_route_refuses_it_before_anything_else(app, client, method, rule, endpoint):
    """Whoever asks, and whatever the route would answer (404, 403, a login page)."""
    url = url_of(rule, URL_VALUES)
    _refused(client.open(url, method=method, data=b"x=%FF",
                         content_type="application/x-www-form-urlencoded"))
    multipart, content_type = _multipart({"x": b"\xff"})
    _refused(client.open(url, method=method, data=multipart, content_type=content_type))


@pytest.mark.parametrize("query", ["postcode=%FF", "country=US&postcode=5540%C0%B1",
                                   "postcode=55401&x%FF=1"])
def test_a_query_string_that_is_not_utf8_is_refused(client, make_campaign, query):
    slug = make_campaign()
    _refused(client.get(f"/c/{slug}/representatives?{query}"))
    _refused(client.get(f"/c/{slug}?ref=x&{query}"))


def test_raw_bytes_in_a_query_string_are_refused_not_a_server_error(client, make_campaign):
    slug = make_campaign()
    # A WSGI server hands the raw bytes on as Latin-1 characters.
    response = client.get(f"/c/{slug}/representatives",
                          environ_overrides={"QUERY_STRING": "postcode=\xff\xfe"})
    _refused(response)


def test_a_query_string_in_utf8_is_read(client, make_campaign):
    slug = make_campaign()
    page = client.get(f"/c/{slug}/representatives",
                      query_string={"country": "DE", "postcode": "Zoë"})
    assert page.status_code == 422  # read, then refused by the postcode rule with its message
    assert "A postcode has at most 16 letters" in page.text
