"""With CSRF protection on, as in production: forms need their token."""
import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from campaign.campaigns import store
from campaign.clock import utcnow
from campaign.events import event_input, host_links, hosting, rsvp_links
from campaign.extensions import db
from campaign.mail import outbox
from campaign.models import Signature
from campaign.signing import removal_links, signatures
from campaign.signing.signatures import SignerDetails
from tests import representative_data
from tests.events import event_factory
from tests.helpers import (
    confirm_link,
    count_rows,
    database_snapshot,
    sent_bodies,
    state_changing_routes,
)


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app


def _token(page: str) -> str:
    """The session's CSRF token of a form on the page (the resend form has one)."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match, "the form carries no CSRF token"
    return match.group(1)


def _form_token(page: str) -> str:
    """The sign form's own token (form_tokens): the campaign page has no session to lean on."""
    match = re.search(r'name="form_token" value="([^"]+)"', page)
    assert match, "the sign form carries no form token"
    return match.group(1)


def test_sign_with_the_token_from_the_page(csrf_app, make_campaign, signer):
    client = csrf_app.test_client()
    slug = make_campaign()
    page = client.get(f"/c/{slug}")
    assert "Set-Cookie" not in page.headers  # the page gave this visitor no session to rely on
    response = client.post(f"/c/{slug}/sign", data=signer(form_token=_form_token(page.text)),
                           headers={"Origin": "http://localhost"})
    assert response.status_code == 303
    with csrf_app.app_context():
        assert count_rows(Signature) == 1


@pytest.mark.parametrize("token", [None, "", "forged-token", "x" * 500,
                                   "1700000000.bm9uY2Vub25jZW5vbmNl.QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE"])
def test_missing_or_wrong_token_keeps_what_was_typed_and_stores_nothing(csrf_app, make_campaign, signer, token):
    client = csrf_app.test_client()
    slug = make_campaign()
    response = client.post(f"/c/{slug}/sign", data=signer(full_name="Grace Hopper", form_token=token))
    assert response.status_code == 400
    assert "This form was open too long, so nothing was signed yet" in response.text
    assert 'value="Grace Hopper"' in response.text
    # ...and a fresh token, so that sending it again signs.
    again = client.post(f"/c/{slug}/sign", data=signer(full_name="Grace Hopper",
                                                       form_token=_form_token(response.text)))
    assert again.status_code == 303
    with csrf_app.app_context():
        assert count_rows(Signature) == 1


def test_token_of_another_campaign_or_too_old_is_refused(csrf_app, make_campaign, signer, clock):
    slug, other = make_campaign(), make_campaign(title="Another petition")
    client = csrf_app.test_client()
    foreign = _form_token(client.get(f"/c/{other}").text)
    assert client.post(f"/c/{slug}/sign", data=signer(form_token=foreign)).status_code == 400
    token = _form_token(client.get(f"/c/{slug}").text)
    clock.move(minutes=csrf_app.config["SIGN_FORM_MINUTES"] + 2)
    assert client.post(f"/c/{slug}/sign", data=signer(form_token=token)).status_code == 400
    with csrf_app.app_context():
        assert count_rows(Signature) == 0


@pytest.mark.parametrize(("headers", "status"), [
    ({"Origin": "https://petitions.example.org"}, 303),
    ({"Referer": "https://petitions.example.org/c/x"}, 303),
    ({}, 303),  # no header at all (privacy tools): the token alone decides
    ({"Origin": "https://news.example.org"}, 403),
    ({"Origin": "null", "Referer": "https://news.example.org/article"}, 403),
    # The request's own Host is the sender's choice: it proves nothing.
    ({"Origin": "http://evil.example", "Host": "evil.example"}, 403),
    ({"Origin": "http://localhost"}, 403),
], ids=["our origin", "our referer", "no headers", "foreign origin", "foreign referer",
        "forged host", "request host is not BASE_URL"])
def test_the_sign_form_must_come_from_this_sites_address(csrf_app, make_campaign, signer, headers, status):
    csrf_app.config["BASE_URL"] = "https://petitions.example.org"
    slug = make_campaign()
    client = csrf_app.test_client()
    token = _form_token(client.get(f"/c/{slug}").text)
    response = client.post(f"/c/{slug}/sign", data=signer(form_token=token), headers=headers)
    assert response.status_code == status
    if status == 403:
        assert "This form was sent from another site, so nothing was signed" in response.text
    with csrf_app.app_context():
        assert count_rows(Signature) == (1 if status == 303 else 0)


def test_cached_page_gives_each_visitor_their_own_share_channel(csrf_app, make_campaign, signer):
    """The campaign page is rendered once and reused: the ref must still be each visitor's."""
    csrf_app.config["TALLY_CACHE_SECONDS"] = 60
    slug = make_campaign()
    first, second = csrf_app.test_client(), csrf_app.test_client()
    page_one = first.get(f"/c/{slug}?ref=x").text
    page_two = second.get(f"/c/{slug}?ref=%22%3E%3Cscript%3E").text
    assert 'name="ref" type="hidden" value="x"' in page_one
    assert "<script>" not in page_two and 'value="&#34;&gt;&lt;script&gt;"' in page_two
    for client, page, email in [(first, page_one, "one@example.org"), (second, page_two, "two@example.org")]:
        response = client.post(f"/c/{slug}/sign", data=signer(email=email, form_token=_form_token(page)))
        assert response.status_code == 303
    with csrf_app.app_context():
        assert count_rows(Signature) == 2


# Every public form that changes something --------------------------------------------------------
#
# The routes come from the app's url_map: a new public POST fails the walk, by name, until
# PUBLIC_POSTS says how to send it a request that would change something. Each is sent that
# request without the session's token (400, nothing stored), then with it (something stored),
# which proves the request was one the check had to stop.

SIGNER = {"full_name": "Ada Lovelace", "email": "ada@example.org", "country": "US",
          "postcode": "02139"}


class Visitor:
    """A browser on one open campaign, and what the requests of PUBLIC_POSTS need made first."""

    def __init__(self, app, slug: str) -> None:
        self.app, self.slug, self.client = app, slug, app.test_client()

    def signature(self) -> Signature:
        """A pending signature of ada@example.org, signed elsewhere, its email sent."""
        with self.app.test_request_context():
            signatures.sign(store.get_by_slug(self.slug), SignerDetails(**SIGNER), now=utcnow())
            db.session.commit()
            outbox.deliver_due()
            signature = db.session.scalars(select(Signature)).one()
            db.session.remove()
        return signature

    def path_of(self, make_link) -> str:
        """The path of a link made for the signature (a removal or deletion link)."""
        signature_id = self.signature().id
        with self.app.test_request_context():
            link = make_link(db.session.get(Signature, signature_id))
            db.session.remove()
        return urlsplit(link).path

    def sign_here(self, **fields) -> None:
        """Sign in this browser, as a person does, so that its session remembers the signer."""
        token = _form_token(self.client.get(f"/c/{self.slug}").text)
        response = self.client.post(f"/c/{self.slug}/sign", data={**SIGNER, **fields, "form_token": token})
        assert response.status_code == 303


def _confirm(visitor: Visitor) -> tuple[str, dict]:
    visitor.signature()
    return confirm_link(sent_bodies()[-1]), {}


def _resend(visitor: Visitor) -> tuple[str, dict]:
    visitor.signature()
    return f"/c/{visitor.slug}/resend", {"email": SIGNER["email"]}


def _remove(visitor: Visitor) -> tuple[str, dict]:
    now = utcnow()
    return visitor.path_of(lambda s: removal_links.removal_link(s.campaign, s, now=now)), {}


def _delete_my_data(visitor: Visitor) -> tuple[str, dict]:
    visitor.signature()
    return "/delete-my-data", {"email": SIGNER["email"]}


def _forget(visitor: Visitor) -> tuple[str, dict]:
    now = utcnow()
    return visitor.path_of(lambda s: removal_links.deletion_link(s, now=now)), {}


def _choose_district(visitor: Visitor) -> tuple[str, dict]:
    representative_data.load(visitor.app)
    visitor.sign_here(postcode="55416")  # a ZIP code in two districts
    return f"/c/{visitor.slug}/signed/district", {"district": "MN-03"}


def _contacted(visitor: Visitor) -> tuple[str, dict]:
    member = representative_data.load(visitor.app)[representative_data.MEMBER_MN_05]
    return (f"/c/{visitor.slug}/representatives/{member}/contacted",
            {"channel": "phone", "country": "US", "postcode": "55401"})


OFFER = {"title": "Kitchen table talk", "date": "2099-05-01", "start_time": "18:00",
         "duration_minutes": "90", "timezone": "America/Chicago", "address": "1 Main St",
         "postcode": "55401", "country": "US", "host_name": "Hana Host",
         "host_email": "hana@example.org"}


def _host_offer(visitor: Visitor) -> tuple[str, dict]:
    return f"/c/{visitor.slug}/host", OFFER


def _host_confirm(visitor: Visitor) -> tuple[str, dict]:
    """The confirmation link of an offer to host, its email sent."""
    with visitor.app.test_request_context():
        campaign = store.get_by_slug(visitor.slug)
        fields = event_input.check(event_input.EventInput(**{
            k: v for k, v in OFFER.items() if not k.startswith("host_")}),
            default_country="US", now=utcnow())
        hosting.offer(campaign, hosting.HostOffer("Hana Host", "hana@example.org", fields), now=utcnow())
        db.session.commit()
        outbox.deliver_due()
        db.session.remove()
    return urlsplit(re.search(r"http\S+/host/confirm/\S+", sent_bodies()[-1])[0]).path, {}


def _host_message(visitor: Visitor) -> tuple[str, dict]:
    """The host page's message form of a published event with one attendee who allows it."""
    with visitor.app.test_request_context():
        event = event_factory.new_event(visitor.slug, host_name="Hana", host_email="hana@example.org")
        event_factory.going(visitor.slug, event, host_may_write=True)
        db.session.commit()
        path = urlsplit(host_links.page_link(event)).path
        db.session.remove()
    return f"{path}/message", {"subject": "Parking", "body": "Behind the library."}


# Keyed "METHOD rule", as the url_map spells it.
def _event_path(visitor: Visitor, link) -> str:
    """The path of a link made for a new RSVP to a new published event: link(event, rsvp, now)."""
    with visitor.app.test_request_context():
        event = event_factory.new_event(visitor.slug)
        rsvp = event_factory.pending(visitor.slug, event)
        db.session.commit()
        path = urlsplit(link(event, rsvp, utcnow())).path
        db.session.remove()
    return path


def _rsvp(visitor: Visitor) -> tuple[str, dict]:
    with visitor.app.test_request_context():
        event = event_factory.new_event(visitor.slug)
        db.session.commit()
        path = f"/c/{visitor.slug}/events/{event.uuid}/rsvp"
        db.session.remove()
    return path, {"full_name": "Ada Lovelace", "email": "ada@example.org", "postcode": "55401",
                  "guests": "0"}


def _rsvp_confirm(visitor: Visitor) -> tuple[str, dict]:
    return _event_path(visitor, lambda e, r, now: rsvp_links.confirm_link(
        e, r, slug=visitor.slug, now=now)), {}


def _rsvp_cancel(visitor: Visitor) -> tuple[str, dict]:
    return _event_path(visitor, lambda e, r, now: rsvp_links.cancel_link(
        e, r, slug=visitor.slug, now=now)), {}


PUBLIC_POSTS = {
    "POST /c/<slug>/events/<event_uuid>/rsvp": _rsvp,
    "POST /c/<slug>/events/<event_uuid>/confirm/<token>": _rsvp_confirm,
    "POST /c/<slug>/events/<event_uuid>/cancel/<token>": _rsvp_cancel,
    "POST /c/<slug>/host": _host_offer,
    "POST /c/<slug>/host/confirm/<token>": _host_confirm,
    "POST /host/<token>/message": _host_message,
    "POST /c/<slug>/confirm/<token>": _confirm,
    "POST /c/<slug>/resend": _resend,
    "POST /c/<slug>/remove/<token>": _remove,
    "POST /delete-my-data": _delete_my_data,
    "POST /delete-my-data/<token>": _forget,
    "POST /c/<slug>/signed/district": _choose_district,
    "POST /c/<slug>/representatives/<int:rep_id>/contacted": _contacted,
}
# Posted without a session (from the page a shared cache serves, or from a frame on other
# sites): a signed form token and the Origin check stand in for the session's token
# (campaign/public/form_tokens.py), tested above and below.
OWN_CHECK = {"POST /c/<slug>/sign", "POST /c/<slug>/embed/sign",
             # RFC 8058's one-click POST comes from a mail client, with no session or form
             # token: the signed token in its address is the proof (tests/updates/test_consent.py).
             "POST /c/<slug>/unsubscribe/<token>",
             # The API's record helpers: no cookie authenticates them but the OSDI-API-Token
             # header, so a forged cross-site request has nothing to ride on (tests/api/).
             "POST /api/v1/petitions/<petition_id>/signatures",
             "POST /api/v1/advocacy_campaigns/<campaign_id>/outreaches"}
PUBLIC_ROUTES = state_changing_routes(lambda blueprint: blueprint not in ("organizer", "auth"))
WALKED = [route for route in PUBLIC_ROUTES if f"{route[0]} {route[1]}" not in OWN_CHECK]


def test_the_tables_list_only_routes_that_exist():
    existing = {f"{method} {rule}" for method, rule, _ in PUBLIC_ROUTES}
    assert sorted((set(PUBLIC_POSTS) | OWN_CHECK) - existing) == []


def _snapshot(app) -> dict:
    with app.app_context():
        snapshot = database_snapshot()
        db.session.remove()
    return snapshot


@pytest.mark.parametrize(("method", "rule", "endpoint"), WALKED,
                         ids=[f"{endpoint} {method} {rule}" for method, rule, endpoint in WALKED])
def test_a_public_form_without_its_token_is_refused_and_stores_nothing(
        csrf_app, make_campaign, method, rule, endpoint):
    prepare = PUBLIC_POSTS.get(f"{method} {rule}")
    if prepare is None:
        pytest.fail(f"{endpoint} ({method} {rule}) changes state but is not in PUBLIC_POSTS of "
                    f"{__name__}: add how to send it a request")
    visitor = Visitor(csrf_app, make_campaign())
    url, form = prepare(visitor)
    before = _snapshot(csrf_app)

    refused = visitor.client.open(url, method=method, data=form)
    assert refused.status_code == 400, refused.text[:500]
    assert "This form has expired" in refused.text
    assert _snapshot(csrf_app) == before

    # The same request with the session's own token does what the form is for.
    token = _token(visitor.client.get(f"/c/{visitor.slug}/resend").text)
    done = visitor.client.open(url, method=method, data={**form, "csrf_token": token})
    assert done.status_code < 400, done.text[:500]
    assert _snapshot(csrf_app) != before


# The embedded form: no session token, its own checks instead ----------------------------------

FOREIGN = "https://news.example.org"


def _embed_token(app, slug: str) -> str:
    match = re.search(r'name="form_token" value="([^"]+)"', app.test_client().get(f"/c/{slug}/embed").text)
    assert match, "the embedded form carries no form token"
    return match.group(1)


@pytest.mark.parametrize(
    ("headers", "form_token", "status"),
    [
        ({}, None, 400),
        ({}, "1700000000.bm9uY2Vub25jZW5vbmNl.QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE", 400),
        ({"Origin": FOREIGN}, None, 403),
        ({"Origin": "null", "Referer": f"{FOREIGN}/article"}, None, 403),
        ({"Origin": FOREIGN}, "valid", 403),
    ],
    ids=["no-origin-no-token", "no-origin-forged-token", "foreign-origin", "foreign-referer",
         "foreign-origin-valid-token"],
)
def test_the_embedded_form_refuses_what_neither_its_token_nor_its_origin_vouches_for(
        csrf_app, make_campaign, signer, headers, form_token, status):
    slug = make_campaign()
    if form_token == "valid":
        form_token = _embed_token(csrf_app, slug)
    data = signer(form_token=form_token)
    before = _snapshot(csrf_app)
    response = csrf_app.test_client().post(f"/c/{slug}/embed/sign", data=data, headers=headers)
    assert response.status_code == status
    assert _snapshot(csrf_app) == before
    # From the frame itself (this site's origin, the token of the form it was given) it signs.
    accepted = csrf_app.test_client().post(
        f"/c/{slug}/embed/sign", data=signer(form_token=_embed_token(csrf_app, slug)),
        headers={"Origin": "http://localhost"})
    assert accepted.status_code == 303
    with csrf_app.app_context():
        assert count_rows(Signature) == 1
