"""The embeddable sign form: framing headers, the form token, the Origin check, and the snippet."""
from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest

import config
from campaign import create_app
from campaign.campaigns import store
from campaign.clock import utcnow
from campaign.extensions import db
from campaign.models import OutboxMessage, Signature
from campaign.public import embed, form_tokens
from tests.helpers import count_rows, signatures

ORIGIN = "http://localhost"  # the test client's host, and BASE_URL in TestingConfig
FOREIGN = "https://news.example.org"


def _form_token(page: str) -> str:
    match = re.search(r'name="form_token" value="([^"]+)"', page)
    assert match, "the embedded form carries no form token"
    return match.group(1)


def _fresh_token(app, slug: str) -> str:
    """A token as a visitor gets it: from the framed page, in a browser with no cookies."""
    return _form_token(app.test_client().get(f"/c/{slug}/embed").text)


def _campaign_id(app, slug: str) -> int:
    with app.app_context():
        return store.get_by_slug(slug).id


def _post(app, slug: str, data: dict, **headers):
    """The embedded form's POST from a client that has never been here (no session cookie)."""
    return app.test_client().post(f"/c/{slug}/embed/sign", data=data, headers=headers)


def _stored(app) -> int:
    with app.app_context():
        return count_rows(Signature)


def _frame_policy(response) -> str:
    policy = response.headers["Content-Security-Policy"]
    return next(p.strip() for p in policy.split(";") if p.strip().startswith("frame-ancestors"))


@pytest.fixture
def csrf_app(app):
    """Session CSRF on, as in production: the embedded form must do without it."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app


# --- Who may frame what -------------------------------------------------------------------

def test_the_framed_pages_may_be_framed_by_https_sites(app, make_campaign, signer):
    slug = make_campaign()
    answers = {
        "form": app.test_client().get(f"/c/{slug}/embed"),
        "refused input": _post(app, slug, signer(email="nope", form_token=_fresh_token(app, slug))),
        "expired form": _post(app, slug, signer(form_token="stale")),
        "thank-you": app.test_client().get(f"/c/{slug}/embed/signed"),
    }
    for name, response in answers.items():
        assert _frame_policy(response) == "frame-ancestors 'self' https:", name
        assert "X-Frame-Options" not in response.headers, name
        assert "script-src 'self'" in response.headers["Content-Security-Policy"], name
    assert [r.status_code for r in answers.values()] == [200, 422, 400, 200]


def test_every_other_page_refuses_every_frame(app, make_campaign, make_organizer, login, signer):
    slug = make_campaign()
    make_organizer(campaigns_owned=[slug])
    client = app.test_client()
    login(client, "org@example.org")
    urls = ["/", f"/c/{slug}", f"/c/{slug}/signed", f"/c/{slug}/resend", f"/c/{slug}/badge.svg",
            f"/c/{slug}/count.json", "/no/such/page", "/organizer/", f"/organizer/c/{slug}/",
            f"/organizer/c/{slug}/embed", f"/organizer/c/{slug}/signers", "/static/embed.js"]
    for url in urls:
        response = client.get(url)
        response.close()  # static files are sent from an open file
        assert response.status_code in (200, 404), url
        assert _frame_policy(response) == "frame-ancestors 'none'", url
        assert response.headers["X-Frame-Options"] == "DENY", url
    refused = client.post(f"/c/{slug}/sign", data=signer(email="nope"))
    assert refused.status_code == 422 and refused.headers["X-Frame-Options"] == "DENY"


def test_only_the_form_and_its_answers_are_framable():
    assert embed.FRAMED_ENDPOINTS == {"embed.form", "embed.sign", "embed.signed"}


def test_a_list_of_sites_may_frame_instead(app, make_campaign):
    app.config["EMBED_ALLOWED_ORIGINS"] = "https://news.example.org, https://*.example.com:8443/"
    slug = make_campaign()
    response = app.test_client().get(f"/c/{slug}/embed")
    assert _frame_policy(response) == (
        "frame-ancestors 'self' https://news.example.org https://*.example.com:8443")


@pytest.mark.parametrize("setting", [
    "", "https://a.org; script-src *", "'unsafe-inline'", "javascript:", "https://a.org/path",
    "news.example.org",
])
def test_a_wrong_setting_stops_the_app_at_start(setting):
    with pytest.raises(RuntimeError, match="EMBED_ALLOWED_ORIGINS"):
        create_app(config.TestingConfig, EMBED_ALLOWED_ORIGINS=setting or " ")


# --- Signing from the frame -------------------------------------------------------------------

def test_sign_in_the_frame_without_any_cookie(csrf_app, make_campaign, signer):
    app = csrf_app
    slug = make_campaign(title="Keep the river clean")
    page = app.test_client().get(f"/c/{slug}/embed")
    assert page.status_code == 200
    assert "Set-Cookie" not in page.headers  # nothing here needs a session
    assert "Keep the river clean" in page.text and 'name="csrf_token"' not in page.text
    assert f'href="/c/{slug}" target="_blank" rel="noopener"' in page.text

    assert '<input id="ref" name="ref" type="hidden" value="embed">' in page.text
    answer = _post(app, slug, signer(form_token=_form_token(page.text), ref="embed"), Origin=ORIGIN)
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"/c/{slug}/embed/signed")
    thanks = app.test_client().get(answer.headers["Location"])
    assert "Check your email" in thanks.text
    with app.app_context():
        [signature] = signatures()
        assert (signature.email, signature.source, signature.status) == ("ada@example.org", "embed", "pending")
        assert signature.ip_hash  # the same record as a signature on the campaign page
        assert [m.kind for m in db.session.query(OutboxMessage)] == ["confirm"]


def test_the_frames_address_names_the_share_channel(app, make_campaign, signer):
    slug = make_campaign()
    page = app.test_client().get(f"/c/{slug}/embed?ref=riverbend-ledger").text
    assert _post(app, slug, signer(form_token=_form_token(page), ref="riverbend-ledger")).status_code == 303
    with app.app_context():
        assert signatures()[0].source == "riverbend-ledger"


def test_the_answer_is_the_same_for_a_repeat(app, make_campaign, signer):
    slug = make_campaign()
    first = _post(app, slug, signer(form_token=_fresh_token(app, slug)))
    again = _post(app, slug, signer(form_token=_fresh_token(app, slug), email="ADA@example.org"))
    assert (first.status_code, first.headers["Location"]) == (again.status_code, again.headers["Location"])
    assert _stored(app) == 1


def test_refused_input_is_shown_in_the_frame(app, make_campaign, signer):
    slug = make_campaign()
    response = _post(app, slug, signer(email="not an address", postcode="", form_token=_fresh_token(app, slug)))
    assert response.status_code == 422
    assert "Please check the form" in response.text
    assert 'aria-invalid="true"' in response.text
    assert f'action="/c/{slug}/embed/sign"' in response.text
    assert _form_token(response.text)  # a fresh token to send the corrected form with
    assert _stored(app) == 0


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"full_name": "\u0301Ana"}, "full_name", "cannot start with an accent"),
    ({"full_name": "Ana\u0085Lovelace"}, "full_name", "control or invisible character"),
    ({"full_name": "Ana\u202eLovelace"}, "full_name", "control or invisible character"),
    ({"country": ""}, "country", "Please choose a country from the list."),
    ({"country": "GB\x1f", "postcode": "SW1A 1AA"}, "country", "Please choose a country from the list."),
])
def test_a_name_or_country_that_breaks_a_rule_is_refused_in_the_frame(app, make_campaign, signer,
                                                                     fields, field, message):
    slug = make_campaign()
    response = _post(app, slug, signer(**fields, form_token=_fresh_token(app, slug)))
    assert response.status_code == 422
    error = response.text.split(f'id="{field}-error">', 1)[1].split("</p>", 1)[0]
    assert message in error
    assert _stored(app) == 0


def test_a_closed_petition_shows_its_count_and_takes_nothing(app, make_campaign, signer):
    slug = make_campaign(status="closed")
    page = app.test_client().get(f"/c/{slug}/embed")
    assert page.status_code == 200 and "This petition has closed" in page.text
    assert 'name="form_token"' not in page.text
    token = form_tokens.issue(app.config["SECRET_KEY"], _campaign_id(app, slug), now=utcnow())
    assert _post(app, slug, signer(form_token=token)).status_code == 409
    assert _stored(app) == 0


def test_a_draft_has_no_embedded_form_or_badge(app, make_campaign):
    slug = make_campaign(status="draft")
    client = app.test_client()
    assert [client.get(f"/c/{slug}/embed").status_code, client.get(f"/c/{slug}/badge.svg").status_code,
            client.get(f"/c/{slug}/embed/signed").status_code] == [404, 404, 404]


def test_the_signing_limit_counts_the_frame_and_the_page_together(app, make_campaign, signer):
    app.config["SIGN_RATE_LIMIT"] = "3 per 10 minutes"
    slug = make_campaign()
    on_the_page = app.test_client().post(f"/c/{slug}/sign", data=signer(email="one@example.org"))
    in_the_frame = [_post(app, slug, signer(email=f"{n}@example.org", form_token=_fresh_token(app, slug)))
                    for n in ("two", "three", "four")]
    assert [on_the_page.status_code] + [r.status_code for r in in_the_frame] == [303, 303, 303, 429]
    refused = in_the_frame[-1]
    assert int(refused.headers["Retry-After"]) > 0
    assert "was <strong>not</strong> recorded" in refused.text
    assert "X-Frame-Options" not in refused.headers  # the answer shows inside the frame
    assert _stored(app) == 3


# --- The form token -------------------------------------------------------------------------

def _tokens(app, slug: str, other_slug: str) -> dict[str, str]:
    secret, campaign_id = app.config["SECRET_KEY"], _campaign_id(app, slug)
    good = form_tokens.issue(secret, campaign_id, now=utcnow())
    issued, nonce, mac = good.split(".")
    return {
        "missing": "",
        "garbage": "not-a-token",
        "expired": form_tokens.issue(secret, campaign_id, now=utcnow() - timedelta(minutes=121)),
        "from the future": form_tokens.issue(secret, campaign_id, now=utcnow() + timedelta(hours=1)),
        "altered time": f"{int(issued) + 3600}.{nonce}.{mac}",
        "altered nonce": f"{issued}.{nonce[::-1]}.{mac}",
        "altered signature": f"{issued}.{nonce}.{mac[:-2]}{'AA' if mac[-2:] != 'AA' else 'BB'}",
        "other key": form_tokens.issue("another-secret", campaign_id, now=utcnow()),
        "other campaign": form_tokens.issue(secret, _campaign_id(app, other_slug), now=utcnow()),
    }


def test_a_token_from_the_form_is_accepted_until_it_expires(app, make_campaign, signer):
    slug = make_campaign()
    old = form_tokens.issue(app.config["SECRET_KEY"], _campaign_id(app, slug), now=utcnow() - timedelta(minutes=119))
    assert _post(app, slug, signer(form_token=old)).status_code == 303
    assert _stored(app) == 1


def test_every_bad_token_gets_reload_the_form_and_stores_nothing(app, make_campaign, signer):
    slug, other = make_campaign(), make_campaign()
    for name, token in _tokens(app, slug, other).items():
        response = _post(app, slug, signer(form_token=token), Origin=ORIGIN)
        assert response.status_code == 400, name
        assert "This form has expired" in response.text and "Reload the form" in response.text, name
        assert f'href="/c/{slug}/embed"' in response.text, name
    assert _stored(app) == 0


def test_token_checks_directly():
    now = utcnow()
    token = form_tokens.issue("key", 7, now=now)
    form_tokens.check("key", token, 7, now=now + timedelta(minutes=5), max_age=timedelta(minutes=10))
    with pytest.raises(form_tokens.TokenExpired):
        form_tokens.check("key", token, 7, now=now + timedelta(minutes=11), max_age=timedelta(minutes=10))
    with pytest.raises(form_tokens.TokenInvalid):
        form_tokens.check("key", token, 8, now=now, max_age=timedelta(minutes=10))
    with pytest.raises(form_tokens.TokenInvalid):
        form_tokens.check("key", token + "é", 7, now=now, max_age=timedelta(minutes=10))
    assert form_tokens.issue("key", 7, now=now) != token  # a new nonce each time


# --- The Origin check -----------------------------------------------------------------------

@pytest.mark.parametrize("headers, accepted", [
    ({"Origin": ORIGIN}, True),
    ({"Origin": "http://LOCALHOST:80"}, True),
    ({"Origin": FOREIGN}, False),
    ({"Origin": "http://localhost:8080"}, False),
    ({"Origin": "http://localhost.evil.example"}, False),
    ({"Origin": "null", "Referer": f"{ORIGIN}/c/x/embed"}, True),
    ({"Origin": "null", "Referer": f"{FOREIGN}/article"}, False),
    ({"Referer": f"{FOREIGN}/article"}, False),
    ({"Referer": f"{ORIGIN}/c/x/embed?ref=a"}, True),
    ({"Origin": "null"}, True),
    ({}, True),
], ids=["this site", "this site, default port", "another site", "another port", "look-alike host",
        "null origin, our referer", "null origin, foreign referer", "foreign referer",
        "our referer", "null origin, no referer: token alone", "no headers: token alone"])
def test_origin_of_the_post(app, make_campaign, signer, headers, accepted):
    slug = make_campaign()
    response = _post(app, slug, signer(form_token=_fresh_token(app, slug)), **headers)
    if accepted:
        assert response.status_code == 303
    else:
        assert response.status_code == 403
        assert "This form was sent from another site" in response.text
        assert "X-Frame-Options" not in response.headers  # shown inside the frame
    assert _stored(app) == (1 if accepted else 0)


def test_base_urls_origin_is_this_site_too(app, make_campaign, signer):
    """Behind a proxy that hides the scheme, the request looks like http; BASE_URL says https."""
    app.config["BASE_URL"] = "https://petitions.example.org"
    slug = make_campaign()
    response = _post(app, slug, signer(form_token=_fresh_token(app, slug)), Origin="https://petitions.example.org")
    assert response.status_code == 303


@pytest.mark.parametrize("host", ["evil.example", "petitions.example.org.evil.example", "localhost"])
def test_the_requests_own_host_never_vouches_for_its_origin(app, make_campaign, signer, host):
    """The Host header is the sender's choice: a forged post naming its own host as Host and
    Origin is refused; only the configured BASE_URL is this site."""
    app.config["BASE_URL"] = "https://petitions.example.org"
    slug = make_campaign()
    response = _post(app, slug, signer(form_token=_fresh_token(app, slug)),
                     Host=host, Origin=f"http://{host}")
    assert response.status_code == 403
    assert _stored(app) == 0


def test_an_embedding_site_may_frame_but_not_post(app, make_campaign, signer):
    """The form in the frame is this site's page: a POST from the embedding page itself is forged."""
    app.config["EMBED_ALLOWED_ORIGINS"] = FOREIGN
    slug = make_campaign()
    assert _post(app, slug, signer(form_token=_fresh_token(app, slug)), Origin=FOREIGN).status_code == 403


# --- The snippet for organizers ---------------------------------------------------------------

class _Textareas(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, str] = {}
        self._id: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "textarea":
            self._id = dict(attrs)["id"]
            self.found[self._id] = ""

    def handle_data(self, data):
        if self._id:
            self.found[self._id] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._id = None


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _parse(html: str, parser):
    parser.feed(html)
    return parser


def test_the_snippet_to_copy_is_escaped_and_absolute(app, make_campaign, make_organizer, login):
    title = 'Stop "the dump" <script>alert(1)</script> & more'
    slug = make_campaign(title=title)
    make_organizer(campaigns_owned=[slug])
    client = app.test_client()
    login(client, "org@example.org")
    page = client.get(f"/organizer/c/{slug}/embed")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "<script>alert" not in page.text
    assert 'data-copy="embed-form"' in page.text and 'data-copy="embed-badge"' in page.text

    codes = _parse(page.text, _Textareas()).found
    tags = _parse(codes["embed-form"], _Tags()).tags + _parse(codes["embed-badge"], _Tags()).tags
    assert [tag for tag, _ in tags] == ["iframe", "script", "a", "img"]
    (_, frame), (_, script), (_, link), (_, image) = tags
    assert frame["src"] == f"http://localhost/c/{slug}/embed"
    assert frame["title"] == f"Sign the petition: {title}"  # escaped once, read back whole
    assert script["src"] == "http://localhost/static/embed.js"
    assert link["href"] == f"http://localhost/c/{slug}"
    assert image["src"] == f"http://localhost/c/{slug}/badge.svg"
    assert image["alt"] == f"{title}: signatures so far"


def test_the_embed_tab_shows_in_the_campaigns_nav(app, make_campaign, make_organizer, login):
    slug = make_campaign()
    make_organizer(campaigns_owned=[slug])
    client = app.test_client()
    login(client, "org@example.org")
    assert f'href="/organizer/c/{slug}/embed">Embed</a>' in client.get(f"/organizer/c/{slug}/").text


def test_the_scripts_are_served_from_this_site(client):
    with client.get("/static/embed.js") as parent, client.get("/static/embed-frame.js") as frame:
        assert parent.status_code == frame.status_code == 200
        assert "event.origin !== site" in parent.text  # heights from other origins are ignored
        assert "scrollHeight" in frame.text
