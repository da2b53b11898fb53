"""The review step: an imported campaign's drafted ask, what still needs a look, and opening."""
import html

from sqlalchemy import select

from campaign.campaigns import imports
from campaign.extensions import db
from campaign.models import AuditEntry, Campaign, Representative
from tests.helpers import FIXTURES

ARTICLES = FIXTURES / "articles"


def _import(client, name: str, slug: str):
    text = (ARTICLES / name).read_text(encoding="utf-8")
    return client.post("/organizer/new/article", data={"article_text": text, "slug": slug})


def _campaign(slug: str) -> Campaign:
    return db.session.scalar(select(Campaign).where(Campaign.slug == slug))


def _text(response) -> str:
    return html.unescape(response.text)


def _edit_form(campaign: Campaign, **changes) -> dict:
    """The edit form as the page sends it back, with changes."""
    article = campaign.article
    data = {"title": campaign.title, "slug": campaign.slug, "petition_text": campaign.petition_text,
            "target": campaign.target, "goal": str(campaign.goal), "default_country": campaign.default_country,
            "require_confirmation": "y", "deliver_names": "y", "commentary": campaign.commentary,
            "hashtags": " ".join(f"#{tag}" for tag in campaign.hashtags), "headline": article.headline,
            "source": article.source, "published_text": article.published_text,
            "categories": ", ".join(article.categories), "body": article.body}
    return {**data, **changes}


def test_an_import_leads_to_the_review_of_its_drafted_ask(app, client, organizer):
    response = _import(client, "creek-separate-lines.txt", "creek")
    assert response.status_code == 303 and response.headers["Location"].endswith("/organizer/c/creek/review")
    page = _text(client.get("/organizer/c/creek/review"))
    assert "Read " in page and "Drafted from the article: the title, the target, the petition text" in page
    assert "<h1>Review before opening</h1>" in page
    assert "Send the Cedar Creek mine permit back for an independent review of flood risk" in page
    assert "To: County Council Member Rosa Delgado-Whitcomb" in page
    assert "action 1 'Email Your County Council Member', example letter" in page  # where it came from
    assert page.count("Keep as drafted") == 3
    assert "Title is still the importer's draft" in page
    # No representatives are imported: the official is listed as not matched, with why.
    assert "Council Member Rosa Delgado-Whitcomb is not matched to an imported representative" in page
    with app.app_context():
        campaign = _campaign("creek")
        assert campaign.title.startswith("Send the Cedar Creek mine permit back")
        assert campaign.article.headline.startswith("County Grants Permit")
        assert sorted(campaign.drafted_fields) == ["petition_text", "target", "title"]


def test_the_overview_links_to_the_review(app, client, organizer):
    _import(client, "creek-separate-lines.txt", "creek")
    page = client.get("/organizer/c/creek/").text
    assert 'href="/organizer/c/creek/review"' in page and "Review the campaign before opening it" in page


def test_unchecked_emails_are_listed_until_checked(app, client, organizer):
    _import(client, "transit-one-line-items.txt", "buses")
    page = _text(client.get("/organizer/c/buses/review"))
    assert "The email of Marisol Vance in “Contact Your State Lawmakers” (marisol.vance@senate.example.gov) is unchecked." in page
    assert "Tobias Lindqvist" in page
    with app.app_context():
        assert imports.verify_contact(_campaign("buses"), "Marisol Vance") == 1
        db.session.commit()
    page = _text(client.get("/organizer/c/buses/review"))
    assert "marisol.vance@senate.example.gov) is unchecked" not in page
    assert "t.lindqvist@house.state.il.us) is unchecked" in page


def test_an_official_matched_to_a_representative_is_not_an_open_item(app, client, organizer):
    with app.app_context():
        db.session.add(Representative(source="test", external_id="v1", name="Marisol Vance", office="senator",
                                      country="US", region="IL", email="vance@senate.example.gov"))
        db.session.commit()
    _import(client, "transit-one-line-items.txt", "buses")
    page = _text(client.get("/organizer/c/buses/review"))
    assert "Senator Marisol Vance: matched" in page
    assert "Senator Marisol Vance is not matched" not in page
    assert "Representative Tobias Lindqvist is not matched to an imported representative" in page


def test_editing_a_field_clears_its_mark_and_keeping_one_clears_it_too(app, client, organizer):
    _import(client, "uk-maternity-unit.txt", "hartmoor")
    with app.app_context():
        form = _edit_form(_campaign("hartmoor"), title="Keep the Hartmoor maternity unit open")
    assert client.post("/organizer/c/hartmoor/edit", data=form).status_code == 303
    with app.app_context():
        assert sorted(_campaign("hartmoor").drafted_fields) == ["petition_text", "target"]
    page = _text(client.get("/organizer/c/hartmoor/review"))
    assert "Edited or kept by an organizer" in page and page.count("Keep as drafted") == 2
    edit = _text(client.get("/organizer/c/hartmoor/edit"))
    assert 'id="target-hint"' in edit and 'id="title-hint"' not in edit  # the edit form says which are drafts

    response = client.post("/organizer/c/hartmoor/review/keep", data={"field": "target"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/organizer/c/hartmoor/review")
    with app.app_context():
        campaign = _campaign("hartmoor")
        assert list(campaign.drafted_fields) == ["petition_text"]
        assert campaign.target == "MPs and Councillors"  # kept as drafted
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "campaign.draft_kept"))
        assert entry.detail == {"field": "target"}
    assert "Target kept as drafted." in _text(client.get("/organizer/c/hartmoor/review"))
    assert client.post("/organizer/c/hartmoor/review/keep", data={"field": "slug"}).status_code == 400


def test_saving_the_form_unchanged_keeps_the_marks(app, client, organizer):
    _import(client, "uk-maternity-unit.txt", "hartmoor")
    with app.app_context():
        form = _edit_form(_campaign("hartmoor"), goal="2500")
    assert client.post("/organizer/c/hartmoor/edit", data=form).status_code == 303
    with app.app_context():
        assert sorted(_campaign("hartmoor").drafted_fields) == ["petition_text", "target", "title"]


def test_reimporting_keeps_what_the_organizer_edited_and_its_mark_cleared(app, client, organizer):
    _import(client, "uk-maternity-unit.txt", "hartmoor")
    with app.app_context():
        form = _edit_form(_campaign("hartmoor"), petition_text="Keep births at Hartmoor General.")
    client.post("/organizer/c/hartmoor/edit", data=form)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import-article", str(ARTICLES / "uk-maternity-unit.txt"), "--slug", "hartmoor"])
    assert "Updated draft campaign /c/hartmoor" in result.output
    with app.app_context():
        campaign = _campaign("hartmoor")
        assert campaign.petition_text == "Keep births at Hartmoor General."
        assert sorted(campaign.drafted_fields) == ["target", "title"]


def test_opening_with_open_items_asks_for_confirmation(app, client, organizer):
    _import(client, "transit-one-line-items.txt", "buses")
    refused = client.post("/organizer/c/buses/status", data={"to": "open"})
    assert refused.status_code == 409
    page = _text(refused)
    assert "Not opened: the campaign has 7 open items." in page and "<title>Error: Review" in page
    # Three drafted fields, two unchecked emails, two officials not matched (none imported).
    assert "Title is still the importer's draft" in page and page.count("is unchecked") == 2
    assert page.count("is not matched to an imported representative") == 2
    assert 'name="confirm_open_items"' in page and "Open with 7 open items still listed above" in page
    with app.app_context():
        assert _campaign("buses").status == "draft"
    assert app.test_client().get("/c/buses").status_code == 404  # still a draft

    opened = client.post("/organizer/c/buses/status", data={"to": "open", "confirm_open_items": "y"})
    assert opened.status_code == 303
    with app.app_context():
        assert _campaign("buses").status == "open"
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "campaign.status"))
        assert entry.detail["open_items"] == 7 and entry.detail["status"] == "open"
    assert "Keep Night Buses Running" in app.test_client().get("/c/buses").text


def test_a_campaign_with_nothing_open_opens_at_once(app, client, organizer):
    _import(client, "lot-rent-no-marker.txt", "lot-rent")
    for field in ("title", "target", "petition_text"):
        client.post("/organizer/c/lot-rent/review/keep", data={"field": field})
    page = _text(client.get("/organizer/c/lot-rent/review"))
    assert "Nothing: every drafted field was edited or kept" in page
    assert "The article's actions name no officials." in page
    assert 'name="confirm_open_items"' not in page
    assert client.post("/organizer/c/lot-rent/status", data={"to": "open"}).status_code == 303
    with app.app_context():
        assert _campaign("lot-rent").status == "open"


def test_closing_never_asks(app, client, organizer):
    _import(client, "transit-one-line-items.txt", "buses")
    client.post("/organizer/c/buses/status", data={"to": "open", "confirm_open_items": "y"})
    assert client.post("/organizer/c/buses/status", data={"to": "close"}).status_code == 303


def test_another_organizers_review_is_not_found(app, client, make_organizer, login):
    login(client, make_organizer())
    _import(client, "creek-separate-lines.txt", "creek")
    other = app.test_client()
    login(other, make_organizer("other@example.org"))
    assert other.get("/organizer/c/creek/review").status_code == 404
    assert other.post("/organizer/c/creek/review/keep", data={"field": "title"}).status_code == 404
    with app.app_context():
        assert len(_campaign("creek").drafted_fields) == 3


def test_when_no_rule_fits_the_field_stays_as_before_and_is_flagged(app, client, organizer):
    _import(client, "night-flights-no-actions.txt", "flights")
    page = _text(client.get("/organizer/c/flights/review"))
    assert "No rule fit the target (No official or body is named" in page  # the import's report
    assert "Target is still the importer's draft" in page
    # The title is an ask from the commentary, flagged as a draft with where it came from.
    assert "the commentary, 'We want a full night-time ban between 11 p.m. an…'" in page
    assert "Title is still the importer's draft: edit it or keep it." in page
    with app.app_context():
        campaign = _campaign("flights")
        assert campaign.title == "Commit to a full night-time ban between 11 p.m. and 6 a.m."
        assert campaign.title != campaign.article.headline and campaign.target == ""
        assert sorted(campaign.drafted_fields) == ["petition_text", "target", "title"]


def test_a_last_resort_title_is_flagged_as_such(app, client, organizer):
    _import(client, "council-parking-no-actions.txt", "parking")
    page = _text(client.get("/organizer/c/parking/review"))
    assert "Ask your representatives to act on the 40% rise in town centre parking charges" in page
    assert ("a last resort from the headline: what the headline's actor acts on, after 'Approves'; "
            "no target named") in page
    assert ("Title is still the importer's draft, a last resort made from the headline: write the ask "
            "or keep it.") in page
    client.post("/organizer/c/parking/review/keep", data={"field": "title"})
    page = _text(client.get("/organizer/c/parking/review"))
    assert "a last resort made from the headline" not in page
    with app.app_context():
        assert "title" not in _campaign("parking").drafted_fields