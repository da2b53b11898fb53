"""The call to action on the page: each card's content and links, read back from the HTML."""
import html
from io import BytesIO
from urllib.parse import unquote

import pytest
from PIL import Image

from campaign.campaigns import sharing
from tests.helpers import FIXTURES, SHARED, links, query_of

ARTICLES = FIXTURES / "articles"


@pytest.fixture
def imported(runner, client):
    """Import a fixture as an open campaign and return its page's HTML."""

    def load(name: str, slug: str) -> str:
        result = runner.invoke(args=["import-article", str(ARTICLES / name), "--slug", slug, "--open"])
        assert result.exit_code == 0, result.output
        page = client.get(f"/c/{slug}")
        assert page.status_code == 200
        return page.text

    return load


def test_contact_cards_show_offices_and_only_verified_emails(imported):
    page = imported("uk-maternity-unit.txt", "hartmoor")
    text = html.unescape(page)
    assert "Helen Achterberg" in text and "House of Commons, London SW1A 0AA" in text
    assert "Cllr" in text and "Council Offices, Station Road, Ashwick AW2 3LP" in text
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
    [verified] = [h for h, _ in links(page) if h.startswith("mailto:rosa.delgado-whitcomb@")]
    body = query_of(verified)["body"]
    assert body.startswith(example) and "[Your name]" in body
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


EXAMPLE = SHARED / "examples" / "article-security-guarantees.txt"


@pytest.mark.skipif(not EXAMPLE.exists(), reason=f"the shared example article is not at {EXAMPLE}")
def test_the_shared_example_article_becomes_a_full_campaign_page(runner, client):
    result = runner.invoke(args=["import-article", str(EXAMPLE), "--slug", "example", "--open"])
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
