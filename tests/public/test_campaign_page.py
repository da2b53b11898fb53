"""The campaign page leads with the ask, and what a signer (or anyone else) sees afterwards."""
from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from campaign.campaigns import store
from campaign.mail import backends, outbox
from tests import representative_data
from tests.helpers import confirm_link, shared_example


@pytest.fixture
def example(app, runner):
    """The shared example article, imported and opened; its campaign's plain values."""
    result = runner.invoke(args=["import-article", str(shared_example()), "--slug", "example", "--open-anyway"])
    assert result.exit_code == 0, result.output
    representative_data.load(app)
    with app.app_context():
        campaign = store.get_by_slug("example")
        return {"slug": "example", "title": campaign.title, "target": campaign.target,
                "statement": campaign.petition_text, "headline": campaign.article.headline,
                "paragraphs": campaign.article.paragraphs,
                "commentary": [p for p in campaign.commentary.split("\n\n") if p.strip()]}


def _text(page) -> str:
    return html.unescape(page.text)


def _sign(client, slug: str, signer) -> None:
    assert client.post(f"/c/{slug}/sign", data=signer()).status_code == 303


def test_one_h1_the_title_then_target_statement_count_and_form_before_the_story(client, example):
    page = client.get("/c/example")
    text = _text(page)
    assert re.findall(r"<h1[^>]*>(.*?)</h1>", text, re.DOTALL) == [example["title"]]
    assert example["title"] != example["headline"]
    story = text.index('id="story-heading">The story</h2>')
    ask = [text.index(f"To: {example['target']}"), text.index(example["statement"]),
           text.index("<progress "), text.index('<form method="post" action="/c/example/sign'),
           text.index('name="full_name"')]
    assert ask == sorted(ask) and ask[-1] < story


def test_the_headline_is_shown_once_as_the_storys_own_heading(client, example):
    text = _text(client.get("/c/example"))
    assert text.count(example["headline"]) == 1
    assert f'<h3 class="headline">{example["headline"]}</h3>' in text


def test_the_story_and_why_it_matters_fold_after_their_first_paragraphs(client, example):
    text = _text(client.get("/c/example"))
    story_fold = text.index("<summary>Read the whole story</summary>")
    assert text.index(example["paragraphs"][0]) < story_fold < text.index(example["paragraphs"][-1])
    why = text.index('id="commentary-heading">Why it matters</h2>')
    why_fold = text.index("<summary>Read more on why it matters</summary>")
    assert why < text.index(example["commentary"][0]) < why_fold < text.index(example["commentary"][-1])
    assert text.count('<details class="fold">') == 2


def test_preview_card_share_text_and_emails_use_the_title_not_the_headline(app, client, example, signer):
    page = client.get("/c/example").text
    title = html.escape(example["title"])
    assert f'<meta property="og:title" content="{title}">' in page
    assert f'<meta name="twitter:title" content="{title}">' in page
    assert html.escape(example["headline"]) not in page.split("</head>")[0]
    tweet = re.search(r'href="(https://twitter\.com/intent/tweet\?[^"]+)"', page).group(1)
    assert parse_qs(urlsplit(html.unescape(tweet)).query)["text"] == [example["title"]]
    _sign(client, "example", signer)
    with app.app_context():
        outbox.deliver_due()
    [mail] = [m for m in backends.memory_outbox if m["To"] == signer()["email"]]
    assert example["title"] in mail["Subject"] and example["headline"] not in mail["Subject"]


def test_a_signer_who_confirmed_gets_a_next_step_page(app, client, example, signer):
    _sign(client, "example", signer)
    with app.app_context():
        outbox.deliver_due()
    [mail] = [m for m in backends.memory_outbox if m["To"] == signer()["email"]]
    confirmed = client.get(client.post(confirm_link(mail.get_content())).headers["Location"])
    text = _text(confirmed)
    assert "Thank you: your signature counts" in text
    campaign_page = _text(app.test_client().get("/c/example"))
    channels = re.findall(r'data-channel="([a-z-]+)"', campaign_page)
    assert channels and re.findall(r'data-channel="([a-z-]+)"', text) == channels
    assert re.search(r'<input type="text" id="share-link" value="http://localhost/c/example\?ref=copy" readonly>',
                     text)
    assert 'data-copy="share-link" hidden>Copy link</button>' in text
    assert "data-share-sheet hidden" in text
    assert 'href="/c/example/representatives">Find your representatives, with a letter ready</a>' in text
    assert 'name="postcode"' in text  # the contact and letter cards' postcode box
    assert text.count('<div class="action ') >= 5  # the other actions follow


def test_a_remembered_signer_sees_you_signed_and_others_the_form(app, client, example, signer):
    _sign(client, "example", signer)
    mine = _text(client.get("/c/example"))
    assert "<h3>You signed</h3>" in mine
    you_signed = mine[mine.index("<h3>You signed</h3>"):mine.index("Someone else signing")]
    assert 'data-channel="whatsapp"' in you_signed and "data-share-sheet" in you_signed
    assert 'href="/c/example/representatives">Write to your representatives</a>' in mine
    # The form is still there for someone else at this browser, folded away.
    assert mine.index("<summary>Someone else signing in this browser?</summary>") < mine.index('name="full_name"')
    theirs = _text(app.test_client().get("/c/example"))
    assert "You signed" not in theirs and "Someone else signing" not in theirs
    assert 'name="full_name"' in theirs


@pytest.mark.parametrize("page", ["signed", "confirmed"])
def test_signed_and_confirmed_pages_opened_by_someone_else_thank_no_one(client, example, page):
    response = client.get(f"/c/example/{page}")
    assert response.status_code == 200
    text = _text(response)
    for misleading in ["Thank you", "your signature", "Your signature", "Check your email", "You have signed"]:
        assert misleading not in text
    assert example["title"] in text
