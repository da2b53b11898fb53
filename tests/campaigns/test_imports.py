"""Importing article files into campaigns: the command, re-imports, and the sample."""
import dataclasses
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from campaign import articles
from campaign.campaigns import imports, sample, store
from campaign.extensions import db
from campaign.models import Action, Article, Campaign, Signature, SignatureStatus
from tests.helpers import FIXTURES, count_rows

ARTICLES = FIXTURES / "articles"


def _import(runner, name: str, *args: str):
    result = runner.invoke(args=["import-article", str(ARTICLES / name), *args])
    assert result.exit_code == 0, result.output
    return result


def _campaign(slug: str) -> Campaign:
    return db.session.scalar(select(Campaign).where(Campaign.slug == slug))


def test_import_creates_a_draft_campaign_with_article_and_actions(app, runner):
    result = _import(runner, "uk-maternity-unit.txt", "--slug", "hartmoor")
    assert "Created draft campaign /c/hartmoor" in result.output
    assert "news paragraphs: 6" in result.output
    assert ("Drafted from the article: the title, the target, the petition text. Review them before opening."
            in result.output)
    with app.app_context():
        campaign = _campaign("hartmoor")
        article = campaign.article
        assert article.headline.startswith("Health Board Proposes Moving Births")
        assert article.source == "Northern Dales Gazette"
        assert article.published_text == "Thursday, June 4, 2026, 10:05:00 AM British Summer Time"
        assert article.published_at.isoformat() == "2026-06-04T09:05:00+00:00"
        assert article.categories == ["Health & Social Care", "Local Government", "NHS – Regional Services"]
        assert len(article.paragraphs) == 6
        assert campaign.commentary.startswith("Nobody should have to choose")
        assert campaign.title == "Keep Births in Hartmoor"  # drafted as an ask, not the headline
        assert campaign.target == "MPs and Councillors"
        assert sorted(campaign.drafted_fields) == ["petition_text", "target", "title"]
        assert campaign.status == "draft"
        assert [a.kind for a in campaign.actions] == ["petition", "contact", "event", "share"]
        assert campaign.hashtags == ["SaveHartmoorBirths", "HartmoorMaternity"]
        contacts = campaign.actions[1].details["contacts"]
        assert [(c["office"], c["name"], c["email_verified"]) for c in contacts] == [
            ("MP", "Helen Achterberg", True),
            ("MP", "Daniel Okafor", True),
            ("Cllr", "Priya Raman", False),
            ("Councillor", "Tom Hebblethwaite", False),
        ]


def test_import_open_anyway_makes_it_public(app, runner, client):
    _import(runner, "creek-separate-lines.txt", "--slug", "creek", "--open-anyway")
    assert client.get("/c/creek").status_code == 200


@pytest.mark.parametrize(("name", "slug"), [
    ("lot-rent-no-marker.txt", "support-the-lot-rent-cap-before-the-hearing"),
    ("river-sewage-contact-title.txt", "stop-the-spills"),
    # A last-resort title's slug starts at its topic, not at "ask-your-representatives-to-act-on".
    ("council-parking-no-actions.txt", "40-rise-in-town-centre-parking-charges"),
    ("lead-pipes-call-only.txt", "lead-pipe-replacement"),
])
def test_slug_comes_from_the_drafted_title_not_the_headline(app, runner, name, slug):
    result = _import(runner, name)
    assert f"Created draft campaign /c/{slug}\n" in result.output
    with app.app_context():
        campaign = _campaign(slug)
        assert campaign is not None and campaign.article.headline != campaign.title


def test_a_slug_from_the_title_stays_unique(app, ctx):
    imported = articles.read_article((ARTICLES / "lot-rent-no-marker.txt").read_text())
    slugs = [imports.import_article(imported, match_existing=False).campaign.slug for _ in range(3)]
    assert slugs == ["support-the-lot-rent-cap-before-the-hearing",
                     "support-the-lot-rent-cap-before-the-hearing-2",
                     "support-the-lot-rent-cap-before-the-hearing-3"]


@pytest.mark.parametrize(("title", "slug"), [
    ("Send the Cedar Creek mine permit back for an independent review of flood risk",
     "send-the-cedar-creek-mine-permit-back-for-an-independent"),  # whole words, at most 60
    ("Tell the Hospital Board to act on the options for the Kelby emergency department",
     "options-for-the-kelby-emergency-department"),
    ("Act on the news that town council has no plan for flooded homes", "town-council-has-no-plan-for-flooded-homes"),
    ("Act on !!!", "act-on"),
])
def test_title_slug_is_short_and_readable(title, slug):
    assert imports.title_slug(title) == slug
    assert len(slug) <= imports.SLUG_WORDS_MAX and store.is_valid_slug(slug)


def test_report_lists_what_could_not_be_read(app, runner, tmp_path):
    path = tmp_path / "odd.txt"
    path.write_text("A headline\nno date here\n\n### Things\nstray words before any action\n1. **Do it**: now\n")
    result = runner.invoke(args=["import-article", str(path)])
    assert result.exit_code == 0, result.output
    assert "line 5:" in result.output
    assert "stray words before any action" in result.output


def test_reimport_updates_in_place_and_keeps_signatures(app, runner, tmp_path):
    original = (ARTICLES / "uk-maternity-unit.txt").read_text()
    path = tmp_path / "article.txt"
    path.write_text(original)
    _import(runner, str(path), "--slug", "hartmoor", "--open-anyway")
    assert runner.invoke(args=["campaign", "verify-contact", "hartmoor", "Priya Raman"]).exit_code == 0
    with app.app_context():
        campaign = _campaign("hartmoor")
        campaign.title = "Keep births at Hartmoor"  # an organizer's own edit
        db.session.add(Signature(campaign_id=campaign.id, full_name="Ann", email="ann@example.org",
                                 email_key="ann@example.org", country="GB", postcode="HM1 2DD",
                                 status=SignatureStatus.CONFIRMED))
        db.session.commit()
    path.write_text(original.replace("about 30 miles away.", "about 31 miles away, by road."))
    result = runner.invoke(args=["import-article", str(path)])  # matched by source and headline
    assert "Updated open campaign /c/hartmoor" in result.output
    with app.app_context():
        assert count_rows(Campaign) == 1 and count_rows(Article) == 1 and count_rows(Signature) == 1
        campaign = _campaign("hartmoor")
        assert "about 31 miles away, by road." in campaign.article.body
        assert campaign.title == "Keep births at Hartmoor"
        assert count_rows(Action) == len(campaign.actions) == 4
        raman = [c for c in campaign.actions[1].details["contacts"] if c["name"] == "Priya Raman"]
        assert raman[0]["email_verified"] is True


def test_verify_contact_corrects_the_email(app, runner):
    _import(runner, "uk-maternity-unit.txt", "--slug", "hartmoor")
    result = runner.invoke(args=["campaign", "verify-contact", "hartmoor", "tom hebblethwaite",
                                 "--email", "tom.h@northdales.gov.uk"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        [tom] = [c for c in _campaign("hartmoor").actions[1].details["contacts"]
                 if c["name"] == "Tom Hebblethwaite"]
        assert (tom["email"], tom["email_verified"]) == ("tom.h@northdales.gov.uk", True)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["hartmoor", "Nobody Here"], "No contact named"),
        (["nope", "Priya Raman"], "No campaign"),
        (["hartmoor", "Priya Raman", "--email", "not-an-email"], "not valid"),
    ],
)
def test_verify_contact_refusals(app, runner, args, message):
    _import(runner, "uk-maternity-unit.txt", "--slug", "hartmoor")
    result = runner.invoke(args=["campaign", "verify-contact", *args])
    assert result.exit_code != 0 and message in result.output


def test_import_refuses_a_bad_slug(runner):
    result = runner.invoke(args=["import-article", str(ARTICLES / "uk-maternity-unit.txt"), "--slug", "Bad Slug"])
    assert result.exit_code != 0 and "slug" in result.output


def test_sample_comes_through_the_importer(app, ctx):
    campaign = sample.load_if_empty()
    assert campaign.slug == sample.SLUG and campaign.status == "open"
    assert campaign.article.published_at == datetime(2026, 3, 10, 13, 15, tzinfo=UTC)
    assert [a.kind for a in campaign.actions] == ["petition", "letter", "share", "organizations", "event"]
    assert campaign.hashtags == ["SaveOurLibraries", "LibrariesWork"]


def test_control_characters_in_a_headline_are_removed_and_reported(app, runner, tmp_path):
    """The headline is shown on the page and in the review: nothing in it may break a line."""
    original = (ARTICLES / "uk-maternity-unit.txt").read_text()
    path = tmp_path / "article.txt"
    path.write_text("Births\x0b Move\x85 to\u2028Hartmoor\x1b\n" + original.split("\n", 1)[1])
    result = _import(runner, str(path), "--slug", "hartmoor")
    assert "note: removed 3 control characters" in result.output
    with app.app_context():
        assert _campaign("hartmoor").article.headline == "Births Move to Hartmoor"


@pytest.mark.parametrize("headline", ["Births move\nto Hartmoor", "Births move\rto Hartmoor",
                                      "Births move\tto Hartmoor"])
def test_import_refuses_a_title_with_a_line_break(app, ctx, headline):
    """Read by other means than the file reader, a headline is still checked before storing."""
    imported = articles.read_article((ARTICLES / "uk-maternity-unit.txt").read_text())
    imported = dataclasses.replace(imported, headline=headline)
    with pytest.raises(store.InvalidCampaign, match="headline cannot contain line breaks or control"):
        imports.import_article(imported, slug="hartmoor")
    db.session.rollback()
    assert count_rows(Campaign) == 0
