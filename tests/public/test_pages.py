"""Public pages: the list, the campaign page, the count, error pages and headers."""
import html
import re

import pytest

from campaign import cache
from campaign.campaigns import sample
from campaign.clock import utcnow
from campaign.counts import tallies
from campaign.extensions import db
from campaign.models import Signature, SignatureStatus
from tests import seats


def _add_signer(app, slug: str, **fields) -> None:
    from campaign.campaigns import store

    with app.app_context():
        campaign = store.get_by_slug(slug)
        values = {"full_name": "Grace Hopper", "email": "grace@example.org", "email_key": "grace@example.org",
                      "country": "US", "postcode": "10001", "status": SignatureStatus.CONFIRMED,
                      "confirmed_at": utcnow(), "show_name": True}
        values.update(fields)
        db.session.add(Signature(campaign_id=campaign.id, **values))
        db.session.commit()


def test_index_lists_open_campaigns_only(client, make_campaign):
    make_campaign(title="Open one")
    make_campaign(title="Closed one", status="closed")
    make_campaign(title="Draft one", status="draft")
    page = client.get("/")
    assert page.status_code == 200
    assert "Open one" in page.text
    assert "Closed one" not in page.text and "Draft one" not in page.text


def test_index_counts_only_confirmed_signatures(app, client, make_campaign):
    """Pending, invalidated and held signatures are on no campaign's count."""
    mixed = make_campaign(title="Mixed signers", goal=100)
    make_campaign(title="Nobody yet", goal=100)
    with app.app_context():
        seats.add_signers(mixed, seats.STATUS_MIX)
        db.session.commit()
    items = client.get("/").text.split("<li>")[1:]
    [mixed_item] = [item for item in items if "Mixed signers" in item]
    [empty_item] = [item for item in items if "Nobody yet" in item]
    assert '<strong class="count-number">2</strong> signatures' in mixed_item
    assert '<progress value="2" max="100"' in mixed_item
    assert '<strong class="count-number">0</strong> signatures' in empty_item


def test_campaign_page_shows_article_commentary_petition_and_form(app, client, ctx):
    campaign = sample.load_if_empty()
    page = client.get(f"/c/{campaign.slug}")
    text = html.unescape(page.text)
    article = campaign.article
    assert article.headline in text
    assert "Riverbend Ledger" in text
    assert "Eastern Daylight Time" in text
    for category in article.categories:
        assert category in text
    assert article.paragraphs[0] in text
    assert "Libraries are one of the few places left" in text  # commentary
    assert campaign.petition_text in text
    assert f"To: {campaign.target}" in text
    assert '<progress value="0" max="5000"' in page.text
    for name in ["full_name", "email", "postcode", "country", "comment", "show_name", "contact_ok"]:
        assert f'name="{name}"' in page.text
    # Both consents are off until the signer ticks them.
    assert 'id="show_name" name="show_name" type="checkbox" value="y">' in page.text
    assert 'id="contact_ok" name="contact_ok" type="checkbox" value="y">' in page.text
    # The numbered actions of the article become cards, without their Markdown.
    assert "<h4>Write to your members of Congress</h4>" in text
    assert "**" not in text
    assert '<a class="button" href="#sign">Go to the sign form</a>' in text


def test_open_graph_and_twitter_tags(client, make_campaign):
    slug = make_campaign(title="Save the <Elm> trees")
    page = client.get(f"/c/{slug}").text
    assert '<meta property="og:title" content="Save the &lt;Elm&gt; trees">' in page
    assert f'<meta property="og:url" content="http://localhost/c/{slug}">' in page
    assert '<meta property="og:description" content="We ask the county' in page
    assert '<meta name="twitter:card"' in page
    assert '<meta name="twitter:title" content="Save the &lt;Elm&gt; trees">' in page


def test_named_signers_show_name_and_place_never_email_or_postcode(app, client, make_campaign):
    slug = make_campaign()
    _add_signer(app, slug, comment="<b>bold</b>\nsecond line", region="New York")
    _add_signer(app, slug, full_name="Hidden Person", email="hidden@example.org",
                email_key="hidden@example.org", show_name=False)
    _add_signer(app, slug, full_name="Pending Person", email="p@example.org",
                email_key="p@example.org", status=SignatureStatus.PENDING, confirmed_at=None)
    page = client.get(f"/c/{slug}").text
    assert "Grace Hopper</strong>, New York" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "<b>bold</b>" not in page
    assert "Hidden Person" not in page and "Pending Person" not in page
    assert "grace@example.org" not in page and "10001" not in page
    assert 'count-number">2</strong> signatures' in page  # both confirmed count, named or not


def test_hidden_comment_is_not_shown(app, client, make_campaign):
    slug = make_campaign()
    _add_signer(app, slug, comment="spam spam", comment_hidden=True)
    page = client.get(f"/c/{slug}").text
    assert "Grace Hopper" in page and "spam spam" not in page


def test_count_json(app, client, make_campaign):
    slug = make_campaign(goal=250)
    _add_signer(app, slug)
    _add_signer(app, slug, email_key="pending@example.org", status=SignatureStatus.PENDING, confirmed_at=None)
    response = client.get(f"/c/{slug}/count.json")
    assert response.status_code == 200
    assert response.json == {
        "slug": slug, "title": "Keep the river clean", "status": "open",
        "accepting_signatures": True, "count": 1, "goal": 250,
    }
    assert "max-age" in response.headers["Cache-Control"]


def test_count_is_cached_for_a_few_seconds(app, client, make_campaign):
    app.config["TALLY_CACHE_SECONDS"] = 60
    slug = make_campaign()
    assert client.get(f"/c/{slug}/count.json").json["count"] == 0
    _add_signer(app, slug)
    assert client.get(f"/c/{slug}/count.json").json["count"] == 0  # still cached
    with app.app_context():
        from campaign.campaigns import store

        cache.forget(store.get_by_slug(slug).id)
    assert client.get(f"/c/{slug}/count.json").json["count"] == 1


def test_progress_percent():
    assert tallies.progress_percent(0, 100) == 0
    assert tallies.progress_percent(50, 200) == 25
    assert tallies.progress_percent(500, 100) == 100


def test_get_on_the_sign_address_goes_back_to_the_form(client, make_campaign):
    slug = make_campaign()
    response = client.get(f"/c/{slug}/sign")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/c/{slug}#sign")


def test_404_page_is_a_page(client):
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.text


def test_method_not_allowed_is_a_page(client, make_campaign):
    slug = make_campaign()
    response = client.delete(f"/c/{slug}")
    assert response.status_code == 405


@pytest.mark.parametrize("path", ["/", "/nowhere"])
def test_security_headers_on_every_page(client, path):
    response = client.get(path)
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_page_has_no_inline_script_or_style(client, ctx):
    campaign = sample.load_if_empty()
    page = client.get(f"/c/{campaign.slug}").text
    # The CSP allows no inline code: scripts and styles come only from our static files.
    scripts = re.findall(r"<script[^>]*>", page)
    assert re.fullmatch(r'<script src="/static/campaign\.js\?v=[0-9a-f]{12}" defer>', "".join(scripts))
    assert re.search(r"<script[^>]*>\s*[^<\s]", page) is None  # nothing between the tags
    assert "style=" not in page and "<style" not in page


def test_latest_named_signers_are_read_from_their_index(app, ctx, make_campaign):
    # A campaign where few sign with their name must not be read row by row for ten names.
    from sqlalchemy import insert, text

    from campaign.campaigns import store
    from campaign.signing.signatures import latest_public_query
    from tests.helpers import query_plan

    campaign_id = store.get_by_slug(make_campaign()).id
    now = utcnow()
    db.session.execute(insert(Signature), [
        {"campaign_id": campaign_id, "full_name": "S", "email": f"s{n}@example.org",
             "email_key": f"s{n}@example.org", "country": "US", "postcode": "02139",
             "show_name": n % 500 == 0, "status": SignatureStatus.CONFIRMED, "created_at": now,
             "confirmed_at": now}
        for n in range(3000)])
    db.session.commit()
    db.session.execute(text("ANALYZE signatures"))  # the planner's figures, as in production
    assert "ix_signatures_campaign_id_status_show_name_confirmed_at" in query_plan(
        latest_public_query(campaign_id, 10))


@pytest.mark.parametrize(("signers", "said"), [(1, "1 signature"), (2, "2 signatures")])
def test_counts_take_the_noun_in_their_number(app, client, make_campaign, signers, said):
    slug = make_campaign(status="closed")
    for n in range(signers):
        _add_signer(app, slug, email=f"s{n}@example.org", email_key=f"s{n}@example.org",
                    region="NY")
    page = html.unescape(client.get(f"/c/{slug}").text)
    assert f"This petition closed with {said}." in page
    assert f'content="Keep the river clean: {said}"' in page  # the preview image's text
    assert f"{said} in 1 state." in page  # the map's description


def test_every_page_has_the_favicon(client, make_campaign):
    slug = make_campaign()
    for url in ("/", f"/c/{slug}", f"/c/{slug}/embed", "/c/no-such-campaign"):
        assert re.search(r'<link rel="icon" href="/static/favicon\.svg\?v=[0-9a-f]{12}" type="image/svg\+xml">',
                         client.get(url).text), url
    with client.get("/static/favicon.svg") as icon:  # a file response: closed when done
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
        assert icon.get_data(as_text=True).startswith("<svg")
