"""The call to action on the page: each card's content and links, read back from the HTML."""
import html
import re
from io import BytesIO
from urllib.parse import unquote

import pytest
from PIL import Image

from campaign.campaigns import sharing
from campaign.extensions import db
from tests import representative_data
from tests.helpers import FIXTURES, links, query_of, shared_example

ARTICLES = FIXTURES / "articles"


@pytest.fixture
def imported(runner, client):
    """Import a fixture as an open campaign and return its page's HTML."""

    def load(name: str, slug: str) -> str:
        result = runner.invoke(args=["import-article", str(ARTICLES / name), "--slug", slug, "--open-anyway"])
        assert result.exit_code == 0, result.output
        page = client.get(f"/c/{slug}")
        assert page.status_code == 200
        return page.text

    return load


def test_contact_cards_show_offices_and_only_verified_emails(imported):
    page = imported("uk-maternity-unit.txt", "hartmoor")
    text = html.unescape(page)
    assert "Helen Achterberg" in text and "House of Commons, London SW1A 0AA" in text
    # An unverified contact's address from the article is not offered as a way to reach them.
    assert "Cllr" in text and "Council Offices, Station Road, Ashwick AW2 3LP" not in text
    hrefs = [href for href, _ in links(page)]
    assert "tel:01632960412" in hrefs
    mailtos = [h for h in hrefs if h.startswith("mailto:") and "@" in h.split("?")[0]]
    assert sorted(h.split("?")[0] for h in mailtos) == [
        "mailto:daniel.okafor.mp@parliament.uk", "mailto:helen.achterberg.mp@parliament.uk"]
    # Placeholder addresses are neither linked nor printed.
    assert "cllr.raman@northdales.gov.uk" not in text
    assert "tom.hebblethwaite@example.org" not in text
    assert text.count("has not been checked yet") == 2


def test_verifying_a_contact_shows_its_email_button(imported, runner, client):
    imported("uk-maternity-unit.txt", "hartmoor")
    runner.invoke(args=["campaign", "verify-contact", "hartmoor", "Priya Raman"])
    page = client.get("/c/hartmoor").text
    [mailto] = [h for h, _ in links(page) if h.startswith("mailto:cllr.raman@")]
    query = query_of(mailto)
    assert "Hartmoor" in query["subject"]
    assert "Sincerely," in query["body"]


def test_letter_card_with_example_copy_and_mailto(imported):
    page = imported("creek-separate-lines.txt", "creek")
    text = html.unescape(page)
    assert "Ask the council to hear the town's appeal." in text
    example = "Please send the Cedar Creek mine permit back for an independent review"
    assert example in text
    assert 'data-copy="letter-' in page
    [verified] = [h for h, text in links(page) if h.startswith("mailto:rosa.delgado-whitcomb@")
                  and text == "Open in my email app"]
    body = query_of(verified)["body"]
    # Greeted by the office and family name the article gives her.
    assert body.startswith(f"Dear Council Member Delgado-Whitcomb,\n\n{example}")
    assert "[Your name]" in body
    assert "%20" in verified and "+" not in verified.split("?", 1)[1]  # mail apps read %20, not +


def test_share_card_links_carry_hashtags_and_channel(imported):
    page = imported("creek-separate-lines.txt", "creek")
    share = {text: href for href, text in links(page) if text in
             {"X", "Facebook", "WhatsApp", "Telegram", "Bluesky", "LinkedIn", "Reddit", "Email"}}
    assert len(share) == 8
    x = query_of(share["X"])
    assert x["hashtags"] == "CedarCreekWater,ProtectTheIntake"
    assert x["url"] == "http://localhost/c/creek?ref=x"
    assert query_of(share["Facebook"])["u"] == "http://localhost/c/creek?ref=facebook"
    assert "#CedarCreekWater" in query_of(share["WhatsApp"])["text"]
    assert "ref=whatsapp" in query_of(share["WhatsApp"])["text"]
    assert query_of(share["Reddit"])["url"].endswith("ref=reddit")
    assert "ref%3Demail" in share["Email"] or "ref=email" in unquote(share["Email"])
    assert "data-share-sheet hidden" in page and "data-copy-link hidden" in page


def test_organizations_and_events(imported):
    text = html.unescape(imported("creek-separate-lines.txt", "creek"))
    assert "Cedar Creek Stewards" in text and "turbidity" in text
    assert '<a href="https://cedarcreekstewards.org" rel="noopener">Cedar Creek Stewards</a>' in text
    assert "Public comment on the appeal" in text
    assert "Tuesday, October 6, at 7 PM" in text
    assert "Council Chambers, 1800 Courthouse Square" in text


def test_after_signing_the_letter_carries_the_signers_name(app, client, ctx, signer):
    from campaign.campaigns import sample

    sample.load_if_empty()
    client.post(f"/c/{sample.SLUG}/sign", data=signer(full_name="Mary Shelley", postcode="10001"))
    page = client.get(f"/c/{sample.SLUG}/signed").text
    textarea = html.unescape(page.split('class="letter"', 1)[1].split("</textarea>", 1)[0])
    assert "Mary Shelley\nNew York, NY 10001" in textarea  # the town from the ZIP
    assert "Sincerely," in textarea
    # Another browser, without that session, sees blanks to fill in.
    fresh = app.test_client().get(f"/c/{sample.SLUG}").text
    assert "Mary Shelley" not in fresh and "[Your name]" in fresh


def test_page_points_social_cards_at_a_real_image(client, ctx):
    from campaign.campaigns import sample

    sample.load_if_empty()
    page = client.get(f"/c/{sample.SLUG}").text
    assert f'<meta property="og:image" content="http://localhost/c/{sample.SLUG}/card.png?v=0">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    image = client.get(f"/c/{sample.SLUG}/card.png?v=0")
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert "max-age" in image.headers["Cache-Control"]
    assert Image.open(BytesIO(image.data)).size == (1200, 630)


@pytest.mark.parametrize(
    ("phone", "link"),
    [("(360) 555-0198", "tel:3605550198"), ("+44 1632 960412", "tel:+441632960412"), ("none", "")],
)
def test_tel_links(phone, link):
    assert sharing.tel(phone) == link


def test_mailto_encodes_spaces_and_newlines():
    assert sharing.mailto("a@example.org", subject="Hi there", body="A\nB & C") == (
        "mailto:a@example.org?subject=Hi%20there&body=A%0AB%20%26%20C")




def test_the_shared_example_article_becomes_a_full_campaign_page(runner, client):
    result = runner.invoke(args=["import-article", str(shared_example()), "--slug", "example", "--open-anyway"])
    assert result.exit_code == 0 and "Every line was placed." in result.output
    page = client.get("/c/example").text
    text = html.unescape(page)
    assert "thedefensepost.com" in text and "Saturday, August 16, 2025" in text
    assert "The proposed security guarantees for Ukraine" in text  # the commentary
    assert "What Can We Personally Do About This?</h3>" in text
    assert "Exact Actions You Can Take</h3>" in text
    assert text.count('<div class="action ') == 3 + 7 + 1  # suggestions, actions, closing words
    for name in ["Elizabeth Warren", "Ilhan Omar", "International Crisis Group", "Peace Action",
                 "#PeaceForUkraine", "#DiplomacyFirst", "I urge you to support policies"]:
        assert name in text
    assert "senator_warren@warren.senate.gov" not in text  # a placeholder, flagged unverified
    assert text.count("has not been checked yet") == 2


OFFICIALS_ARTICLE = FIXTURES / "representatives" / "article-officials.txt"
LEGISLATORS = FIXTURES / "representatives" / "legislators.yaml"


@pytest.fixture
def officials_page(runner, client):
    """The made-up article naming two members of the fixture Congress and a councillor, open."""

    def load(*, congress: bool = True) -> str:
        if congress:
            result = runner.invoke(args=["representatives", "import-congress", str(LEGISLATORS)])
            assert result.exit_code == 0, result.output
        result = runner.invoke(args=["import-article", str(OFFICIALS_ARTICLE), "--slug", "survey", "--open-anyway"])
        assert result.exit_code == 0, result.output
        return client.get("/c/survey").text

    return load


def _contact_items(page: str) -> list[str]:
    """Each contact card of the page, as its text."""
    return [html.unescape(part.split("</li>", 1)[0]) for part in page.split('<li class="contact">')[1:]]


def test_a_matched_official_shows_the_official_record_never_the_articles(officials_page):
    page = officials_page()
    marta, ruth, _jane = _contact_items(page)
    assert "Marta J. Lindqvist" in marta and "U.S. Senator, Minnesota" in marta
    assert "100 Russell Senate Office Building Washington DC 20510" in marta
    assert 'href="https://www.lindqvist.senate.example/contact"' in marta and 'href="tel:2022241001"' in marta
    assert "Ruth Okafor" in ruth and "U.S. Representative, MN-05" in ruth
    assert "200 Longworth House Office Building" in ruth
    assert "official list of members" in marta and "official list of members" in ruth
    text = html.unescape(page)
    for article_detail in ["9 Sample Street", "1 Wrong Avenue", "marta@lindqvist.example", "ruth.okafor@mail.example"]:
        assert article_detail not in text


def test_an_unmatched_official_shows_no_unverified_detail(officials_page):
    page = officials_page()
    jane = _contact_items(page)[2]
    assert "Jane Roe" in jane and "Councillor" in jane
    assert "has not been checked yet" in jane
    text = html.unescape(page)
    assert "5 Town Hall Square" not in text and "jane.roe@example.org" not in text


def test_without_the_members_loaded_no_article_address_is_shown(officials_page):
    text = html.unescape(officials_page(congress=False))
    assert "Sen. Marta Lindqvist (D-Minn.)" in text
    for article_detail in ["9 Sample Street", "1 Wrong Avenue", "5 Town Hall Square", "@"]:
        assert article_detail not in text.split('class="actions"', 1)[1]
    assert text.count("has not been checked yet") == 3


def test_an_organizers_own_contact_keeps_its_address(client, make_campaign, make_organizer, login):
    slug = make_campaign()
    login(client, make_organizer(campaigns_owned=[slug]))
    saved = client.post(f"/organizer/c/{slug}/actions/new", data={
        "kind": "contact", "title": "Call the clerk", "contacts-0-name": "County Clerk",
        "contacts-0-office": "Clerk", "contacts-0-address": "1 Courthouse Square",
        "contacts-0-phone": "555 0100"})
    assert saved.status_code == 303
    text = html.unescape(client.get(f"/c/{slug}").text)
    assert "1 Courthouse Square" in text and "tel:5550100" in text
    assert "has not been checked yet" not in text


def test_contact_and_letter_cards_start_with_a_postcode_box(officials_page):
    page = officials_page()
    cards = page.split('<div class="action ')[1:]
    boxed = [card.split('"', 1)[0] for card in cards if 'class="postcode-box"' in card]
    assert boxed == ["action-contact", "action-letter"]
    for card in cards:
        if 'class="postcode-box"' in card:  # first thing under the card's title
            assert re.search(r'</h[34]>\s*<form method="get" action="/c/survey/representatives" '
                             r'class="postcode-box">', card)
            box = card.split('class="postcode-box"', 1)[1].split("</form>", 1)[0]
            assert '<input type="hidden" name="country" value="US">' in box
            assert 'name="postcode"' in box and "Your ZIP code" in box


def test_the_postcode_box_leads_to_the_visitors_own_representatives(app, officials_page, client):
    with app.app_context():
        representative_data.add_mapping("55401", "MN", "MN-05")
        db.session.commit()
    page = officials_page()
    # Submit a card's box as a browser would: its action, its hidden country, and a ZIP code.
    boxes = re.findall(r'<form method="get" action="([^"]+)" class="postcode-box">\s*'
                       r'<input type="hidden" name="country" value="(\w+)">', page)
    assert len(boxes) == 2
    action, country = boxes[-1]
    answer = client.get(action, query_string={"country": country, "postcode": "55401"})
    assert answer.status_code == 200
    assert "Ruth Okafor" in answer.text and "Owen Brandt" in answer.text


@pytest.mark.parametrize(("name", "slug"), [
    ("creek-separate-lines.txt", "creek"),
    ("transit-one-line-items.txt", "transit"),
])
def test_no_letter_opens_a_mail_to_nobody(imported, name, slug):
    page = imported(name, slug)
    assert "Your letter" in page
    letters = [href for href, text in links(page) if text == "Open in my email app"]
    assert [href for href in letters if href.split("?")[0] == "mailto:"] == []


def test_a_letter_under_verified_contacts_is_addressed_to_them(imported):
    page = imported("creek-separate-lines.txt", "creek")
    letters = [href for href, text in links(page) if text == "Open in my email app"]
    assert [href.split("?")[0] for href in letters] == ["mailto:rosa.delgado-whitcomb@cascadecounty.gov"]
    assert "Sincerely," in query_of(letters[0])["body"]


def test_action_headings_follow_what_you_can_do_without_skipping(app, client, make_campaign):
    from campaign.campaigns import store
    from campaign.extensions import db
    from campaign.models import Action

    slug = make_campaign()
    with app.app_context():
        campaign = store.get_by_slug(slug)
        db.session.add_all([
            Action(campaign_id=campaign.id, position=0, kind="text", title="Come to the hearing"),
            Action(campaign_id=campaign.id, position=1, kind="text", title="Bring a friend",
                   details={"section": "Ways to help"}),
        ])
        db.session.commit()
    page = client.get(f"/c/{slug}").text
    actions = page.split('id="actions-heading"', 1)[1]
    assert "<h3>Come to the hearing</h3>" in actions  # no section: straight under the h2
    assert "<h3>Ways to help</h3>" in actions and "<h4>Bring a friend</h4>" in actions
