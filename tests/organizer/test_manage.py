"""Organizers create and edit campaigns: from pasted text or a form, fields, status, actions."""
import html
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from campaign.extensions import db
from campaign.models import Action, AuditEntry, Campaign, CampaignMember
from tests.helpers import FIXTURES

ARTICLES = FIXTURES / "articles"


class _TagCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def _tags(page: str) -> list:
    collector = _TagCollector()
    collector.feed(page)
    return collector.tags


def _campaign(slug: str) -> Campaign:
    return db.session.scalar(select(Campaign).where(Campaign.slug == slug))


def test_create_from_pasted_article(app, client, organizer):
    text = (ARTICLES / "uk-maternity-unit.txt").read_text()
    response = client.post("/organizer/new/article", data={"article_text": text, "slug": "hartmoor"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/organizer/c/hartmoor/review")
    page = client.get("/organizer/c/hartmoor/review")
    assert "Read 17 lines" in html.unescape(page.text)  # the importer's report, shown once
    with app.app_context():
        campaign = _campaign("hartmoor")
        assert campaign.status == "draft" and len(campaign.actions) == 4
        member = db.session.scalar(select(CampaignMember))
        assert (member.campaign_id, member.role) == (campaign.id, "owner")
    assert "Draft: only organizers see this" in client.get("/c/hartmoor").text  # its preview
    client.post("/auth/logout")
    assert client.get("/c/hartmoor").status_code == 404  # a draft is not public


@pytest.mark.parametrize(
    ("data", "message"),
    [({"article_text": ""}, "Paste the article"), ({"article_text": "x", "slug": "Bad Slug"}, "lower-case")],
)
def test_create_from_article_refusals(app, client, organizer, data, message):
    response = client.post("/organizer/new/article", data=data)
    assert response.status_code == 422 and message in response.text
    with app.app_context():
        assert db.session.scalar(select(Campaign.id)) is None


def test_pasting_never_takes_over_someone_elses_campaign(app, client, organizer, make_campaign):
    make_campaign(slug="taken")
    text = (ARTICLES / "creek-separate-lines.txt").read_text()
    response = client.post("/organizer/new/article", data={"article_text": text, "slug": "taken"})
    assert response.status_code == 422 and "already uses" in response.text
    client.post("/organizer/new/article", data={"article_text": text})
    client.post("/organizer/new/article", data={"article_text": text})  # the same article twice
    with app.app_context():
        assert len(db.session.scalars(select(Campaign)).all()) == 3


def test_create_from_form_then_edit_everything(app, client, organizer):
    response = client.post("/organizer/new/form", data={
        "title": "Fix the bridge", "slug": "", "petition_text": "Repair it.", "goal": "500",
        "default_country": "gb", "require_confirmation": "y"})
    assert response.status_code == 303
    edit = {
        "title": "Fix the old bridge", "slug": "old-bridge", "petition_text": "Repair it now.",
        "target": "The council", "goal": "750", "closes_at": "2030-01-31T18:00",
        "default_country": "GB", "hashtags": "#Bridge, FixIt #Bridge", "commentary": "**Why**: it is *unsafe*.",
        "headline": "Bridge closed", "source": "The Gazette", "source_url": "https://gazette.example/bridge",
        "published_text": "Monday", "categories": "Roads, Safety", "body": "First.\n\nSecond.",
    }
    assert client.post("/organizer/c/fix-the-bridge/edit", data=edit).status_code == 303
    with app.app_context():
        campaign = _campaign("old-bridge")
        assert (campaign.title, campaign.goal, campaign.target) == ("Fix the old bridge", 750, "The council")
        assert campaign.require_confirmation is False  # unticked
        assert campaign.hashtags == ["Bridge", "FixIt"]
        assert campaign.closes_at.isoformat() == "2030-01-31T18:00:00+00:00"
        assert campaign.article.categories == ["Roads", "Safety"]
        assert campaign.article.paragraphs == ["First.", "Second."]
    form = client.get("/organizer/c/old-bridge/edit").text
    assert 'value="#Bridge #FixIt"' in form and 'value="2030-01-31T18:00"' in form
    assert 'value="Roads, Safety"' in form
    client.post("/organizer/c/old-bridge/status", data={"to": "open"})
    page = client.get("/c/old-bridge").text
    assert "<strong>Why</strong>: it is <em>unsafe</em>." in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("goal", "0", "Number must be"), ("slug", "Has Spaces", "lower-case"), ("title", "", "needs a title"),
     ("default_country", "UK", "two-letter"), ("source_url", "javascript:alert(1)", "Invalid URL")],
)
def test_edit_refusals_change_nothing(app, client, organizer, field, value, message):
    client.post("/organizer/new/form", data={"title": "Fix", "petition_text": "P", "goal": "5",
                                             "default_country": "US"})
    data = {"title": "Fix", "slug": "fix", "petition_text": "P", "goal": "5", "default_country": "US", field: value}
    response = client.post("/organizer/c/fix/edit", data=data)
    assert response.status_code == 422 and message in response.text
    with app.app_context():
        assert _campaign("fix").goal == 5


@pytest.mark.parametrize("title", ["Fix the\nbridge", "Fix the\rbridge", "Fix the bridge\r\n",
                                   "Fix\tthe bridge", "Fix the\u2028bridge", "Fix the\x1bbridge"])
def test_a_title_with_a_line_break_or_control_character_is_refused(app, client, organizer, title):
    """The title is the subject of every email about the campaign: it must fit in a header."""
    new = client.post("/organizer/new/form", data={"title": title, "slug": "bridge",
                                                   "petition_text": "P", "goal": "5"})
    assert new.status_code == 422
    assert "The title cannot contain line breaks or control characters." in new.text
    with app.app_context():
        assert db.session.scalar(select(Campaign.id)) is None
    client.post("/organizer/new/form", data={"title": "Fix", "petition_text": "P", "goal": "5",
                                             "default_country": "US"})
    edit = client.post("/organizer/c/fix/edit", data={
        "title": title, "slug": "fix", "petition_text": "P", "goal": "5", "default_country": "US"})
    assert edit.status_code == 422
    assert ('<p class="error" id="title-error">The title cannot contain line breaks or control '
            'characters.') in edit.text  # next to the title, not the address
    with app.app_context():
        assert _campaign("fix").title == "Fix"


def test_markdown_is_cleaned(app, client, organizer):
    client.post("/organizer/new/form", data={"title": "Fix", "petition_text": "P", "goal": "5", "default_country": "US"})
    nasty = ('<script>alert(1)</script> [click](javascript:alert(1)) <img src=x onerror=alert(1)> '
             '<a href="https://x.example" onclick="steal()">x</a>')
    client.post("/organizer/c/fix/edit", data={"title": "Fix", "slug": "fix", "petition_text": "P", "goal": "5",
                                               "default_country": "US", "commentary": nasty, "headline": "H",
                                               "body": nasty})
    client.post("/organizer/c/fix/status", data={"to": "open"})
    page = client.get("/c/fix").text
    tags = _tags(page)
    assert [t for t, _ in tags if t == "script"] == ["script"]  # only our own script file
    assert not [(t, a) for t, attrs in tags for a, _ in attrs if a.startswith("on")]
    assert not [v for _, attrs in tags for a, v in attrs if a == "href" and (v or "").startswith("javascript")]
    assert ("a", [("href", "https://x.example"), ("rel", "noopener nofollow ugc")]) not in tags
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown as text, harmless


def test_status_open_close_reopen(app, client, organizer):
    client.post("/organizer/new/form", data={"title": "Fix", "petition_text": "P", "goal": "5", "default_country": "US"})
    for to, status in [("open", "open"), ("close", "closed"), ("open", "open"), ("draft", "draft")]:
        assert client.post("/organizer/c/fix/status", data={"to": to}).status_code == 303
        with app.app_context():
            assert _campaign("fix").status == status
    assert client.post("/organizer/c/fix/status", data={"to": "explode"}).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(AuditEntry.detail).where(AuditEntry.action == "campaign.status")
                                 .order_by(AuditEntry.id.desc()).limit(1)) == {
            "status": "draft", "changes": {"status": {"old": "open", "new": "draft"}}}


def test_actions_add_edit_verify_reorder_remove(app, client, organizer):
    text = (ARTICLES / "uk-maternity-unit.txt").read_text()
    client.post("/organizer/new/article", data={"article_text": text, "slug": "hartmoor"})
    with app.app_context():
        contact_id = db.session.scalar(select(Action.id).where(Action.kind == "contact"))
    page = client.get(f"/organizer/c/hartmoor/actions/{contact_id}").text
    assert "Priya Raman" in page and "2 emails to check" in client.get("/organizer/c/hartmoor/actions").text
    form = {"kind": "contact", "title": "Write to your MP"}
    people = [("Helen Achterberg", "helen.achterberg.mp@parliament.uk", True),
              ("Priya Raman", "cllr.raman@northdales.gov.uk", True), ("", "", False)]
    for index, (name, email, verified) in enumerate(people):
        form[f"contacts-{index}-name"] = name
        form[f"contacts-{index}-email"] = email
        if verified:
            form[f"contacts-{index}-email_verified"] = "y"
    assert client.post(f"/organizer/c/hartmoor/actions/{contact_id}", data=form).status_code == 303
    client.post("/organizer/c/hartmoor/status", data={"to": "open", "confirm_open_items": "y"})
    public = client.get("/c/hartmoor").text
    assert "mailto:cllr.raman@northdales.gov.uk" in public
    assert "Daniel Okafor" not in public  # left out of the edited list
    new = client.post("/organizer/c/hartmoor/actions/new", data={"kind": "event", "title": "Vigil",
                                                                 "event_what": "Candles", "event_when": "Friday 7pm"})
    assert new.status_code == 303
    with app.app_context():
        titles = [a.title for a in _campaign("hartmoor").actions]
        vigil = db.session.scalar(select(Action.id).where(Action.title == "Vigil"))
    assert titles[-1] == "Vigil"
    client.post(f"/organizer/c/hartmoor/actions/{vigil}/move", data={"direction": "up"})
    with app.app_context():
        assert [a.title for a in _campaign("hartmoor").actions][-2] == "Vigil"
    client.post(f"/organizer/c/hartmoor/actions/{vigil}/delete")
    with app.app_context():
        assert "Vigil" not in [a.title for a in _campaign("hartmoor").actions]


def test_action_with_bad_email_is_refused(app, client, organizer):
    client.post("/organizer/new/form", data={"title": "Fix", "petition_text": "P", "goal": "5", "default_country": "US"})
    response = client.post("/organizer/c/fix/actions/new", data={
        "kind": "contact", "title": "Call", "contacts-0-name": "Someone", "contacts-0-email": "not an email"})
    assert response.status_code == 422 and "not valid" in response.text
    with app.app_context():
        assert db.session.scalar(select(Action.id)) is None


def test_large_article_paste_is_accepted_for_organizers(app, client, organizer):
    text = (ARTICLES / "creek-separate-lines.txt").read_text() + ("\nMore news." * 9000)
    assert len(text.encode()) > 64 * 1024
    assert client.post("/organizer/new/article", data={"article_text": text}).status_code == 303


def test_edits_show_at_once_although_pages_are_cached(app, client, organizer):
    app.config["TALLY_CACHE_SECONDS"] = 60
    text = (ARTICLES / "creek-separate-lines.txt").read_text()
    client.post("/organizer/new/article", data={"article_text": text, "slug": "creek"})
    # The imported draft still has open items (drafted fields): opening it is confirmed.
    client.post("/organizer/c/creek/status", data={"to": "open", "confirm_open_items": "y"})
    visitor = app.test_client()
    assert "Attend the Council Meeting" in visitor.get("/c/creek").text
    with app.app_context():
        event_id = db.session.scalar(select(Action.id).where(Action.kind == "event"))
    client.post(f"/organizer/c/creek/actions/{event_id}", data={"kind": "event", "title": "Pack the chamber"})
    page = visitor.get("/c/creek").text
    assert "Pack the chamber" in page and "Attend the Council Meeting" not in page
    client.post(f"/organizer/c/creek/actions/{event_id}/delete")
    assert "Pack the chamber" not in visitor.get("/c/creek").text
