"""Commands: creating and managing campaigns, the database and the outbox from the shell."""
import pytest
from sqlalchemy import select

from campaign.campaigns import readiness
from campaign.extensions import db
from campaign.mail import backends, outbox
from campaign.models import AuditEntry, Campaign, CampaignStatus
from tests import seats
from tests.helpers import FIXTURES


def test_create_open_close_and_list(app, runner):
    result = runner.invoke(args=["campaign", "create", "save-the-pier", "--title", "Save the pier",
                                 "--petition", "Keep the pier open to the public.", "--goal", "300"])
    assert result.exit_code == 0, result.output
    assert "Created draft campaign /c/save-the-pier" in result.output
    assert runner.invoke(args=["campaign", "open", "save-the-pier"]).exit_code == 0
    with app.app_context():
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == "save-the-pier"))
        assert (campaign.status, campaign.goal, campaign.require_confirmation) == ("open", 300, True)
    assert app.test_client().get("/c/save-the-pier").status_code == 200
    listing = runner.invoke(args=["campaign", "list"]).output
    assert "save-the-pier\topen\t0/300\tSave the pier" in listing
    assert runner.invoke(args=["campaign", "close", "save-the-pier"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(Campaign.status)) == CampaignStatus.CLOSED


def test_create_refuses_bad_slug_and_duplicates(app, runner):
    args = ["campaign", "create", "Bad Slug!", "--title", "T", "--petition", "P"]
    result = runner.invoke(args=args)
    assert result.exit_code != 0 and "slug" in result.output
    ok = ["campaign", "create", "pier", "--title", "T", "--petition", "P", "--open", "--no-confirmation"]
    assert runner.invoke(args=ok).exit_code == 0
    again = runner.invoke(args=ok)
    assert again.exit_code != 0 and "already exists" in again.output
    with app.app_context():
        assert db.session.scalar(select(Campaign.require_confirmation)) is False


@pytest.mark.parametrize("title", ["Save the\npier", "Save the\rpier", "Save the\x00pier"])
def test_create_refuses_a_title_with_a_line_break(app, runner, title):
    """The title is every email's subject: a line break would make them impossible to send."""
    result = runner.invoke(args=["campaign", "create", "pier", "--title", title, "--petition", "P"])
    assert result.exit_code != 0
    assert "The title cannot contain line breaks or control characters." in result.output
    with app.app_context():
        assert db.session.scalar(select(Campaign.id)) is None


def test_unknown_campaign_for_open(runner):
    result = runner.invoke(args=["campaign", "open", "nope"])
    assert result.exit_code != 0 and "No campaign 'nope'" in result.output


def test_init_db_loads_the_sample_once(app, runner):
    assert "Sample campaign: /c/keep-library-grants" in runner.invoke(args=["init-db"]).output
    assert "Sample campaign" not in runner.invoke(args=["init-db"]).output
    with app.app_context():
        assert len(db.session.scalars(select(Campaign)).all()) == 1


def test_outbox_send_delivers_queued_mail(app, runner):
    with app.app_context():
        outbox.enqueue(kind="test", to_address="a@example.org", subject="Hello", body="Body")
        db.session.commit()
    result = runner.invoke(args=["outbox", "send"])
    assert "sent 1, to retry 0, failed 0, still queued 0" in result.output
    assert [m["Subject"] for m in backends.memory_outbox] == ["Hello"]


def test_list_counts_only_confirmed_signatures(app, runner, make_campaign):
    slug = make_campaign(title="Mixed signers", goal=100)
    with app.app_context():
        seats.add_signers(slug, seats.STATUS_MIX)
        db.session.commit()
    listing = runner.invoke(args=["campaign", "list"]).output
    assert f"{slug}\topen\t2/100\tMixed signers\n" in listing


ARTICLES = FIXTURES / "articles"


def test_import_open_refuses_while_the_review_lists_open_items(app, runner):
    result = runner.invoke(args=["import-article", str(ARTICLES / "creek-separate-lines.txt"), "--slug", "creek",
                                 "--open"])
    assert result.exit_code == 1
    assert "Created draft campaign /c/creek" in result.output
    assert "Open items (4), as the review at /organizer/c/creek/review lists them:" in result.output
    assert "- Title is still the importer's draft: edit it or keep it." in result.output
    assert ("- Council Member Rosa Delgado-Whitcomb is not matched to an imported representative: "
            "No representatives of US are imported yet.") in result.output
    assert ("Error: Not opened: the campaign has 4 open items. Deal with them in the review, or run the "
            "command again with --open-anyway to open it as it is.") in result.output
    with app.app_context():
        assert db.session.scalar(select(Campaign.status)) == CampaignStatus.DRAFT
        assert db.session.scalar(select(AuditEntry.id)) is None
    assert app.test_client().get("/c/creek").status_code == 404


def _import_open_anyway(runner):
    return runner.invoke(args=["import-article", str(ARTICLES / "creek-separate-lines.txt"), "--slug", "creek",
                               "--open-anyway"]), "Created open campaign /c/creek"


def _open_anyway_after_import(runner):
    runner.invoke(args=["import-article", str(ARTICLES / "creek-separate-lines.txt"), "--slug", "creek"])
    return runner.invoke(args=["campaign", "open", "creek", "--open-anyway"]), "/c/creek is now open"


@pytest.mark.parametrize("open_anyway", [_import_open_anyway, _open_anyway_after_import],
                         ids=["import-article --open-anyway", "campaign open --open-anyway"])
def test_open_anyway_opens_with_open_items_and_audits_how_many(app, runner, open_anyway):
    result, said = open_anyway(runner)
    assert result.exit_code == 0, result.output
    assert said in result.output
    assert "Open items (4)" in result.output and "Not opened" not in result.output
    with app.app_context():
        assert db.session.scalar(select(Campaign.status)) == CampaignStatus.OPEN
        entry = db.session.scalar(select(AuditEntry))
        assert (entry.action, entry.detail) == ("campaign.status", {"status": "open", "source": "cli",
                                                                    "open_items": 4})
    assert app.test_client().get("/c/creek").status_code == 200


def test_import_open_opens_once_nothing_is_left_to_review(app, runner):
    path = str(ARTICLES / "night-flights-no-actions.txt")
    refused = runner.invoke(args=["import-article", path, "--open"])
    assert refused.exit_code == 1 and "Open items (3)" in refused.output
    with app.app_context():
        campaign = db.session.scalar(select(Campaign))
        for name in ("title", "target", "petition_text"):
            assert readiness.keep_draft(campaign, name)
        db.session.commit()
        slug = campaign.slug
    result = runner.invoke(args=["import-article", path, "--open"])  # the same campaign, updated
    assert result.exit_code == 0, result.output
    assert f"Updated open campaign /c/{slug}" in result.output and "Open items" not in result.output
    with app.app_context():
        assert db.session.scalar(select(Campaign.status)) == CampaignStatus.OPEN
        assert db.session.scalar(select(AuditEntry.detail)) == {"status": "open", "source": "cli"}


def test_campaign_open_refuses_while_the_review_lists_open_items(app, runner):
    imported = runner.invoke(args=["import-article", str(ARTICLES / "creek-separate-lines.txt"), "--slug", "creek"])
    assert imported.exit_code == 0, imported.output
    result = runner.invoke(args=["campaign", "open", "creek"])
    assert result.exit_code == 1
    assert "is now open" not in result.output
    assert "Open items (4), as the review at /organizer/c/creek/review lists them:" in result.output
    assert "- Title is still the importer's draft: edit it or keep it." in result.output
    assert ("Error: Not opened: the campaign has 4 open items. Deal with them in the review, or run the "
            "command again with --open-anyway to open it as it is.") in result.output
    with app.app_context():
        assert db.session.scalar(select(Campaign.status)) == CampaignStatus.DRAFT
        assert db.session.scalar(select(AuditEntry.id)) is None
    assert app.test_client().get("/c/creek").status_code == 404


def test_campaign_open_with_nothing_to_review_opens_and_audits(app, runner):
    runner.invoke(args=["campaign", "create", "pier", "--title", "Save the pier", "--petition", "P"])
    result = runner.invoke(args=["campaign", "open", "pier"])
    assert result.exit_code == 0, result.output
    assert result.output == "/c/pier is now open\n"
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry))
        assert (entry.action, entry.detail) == ("campaign.status", {"status": "open", "source": "cli"})
    again = runner.invoke(args=["campaign", "open", "pier"])
    assert (again.exit_code, again.output) == (0, "/c/pier is already open\n")
    with app.app_context():
        assert len(db.session.scalars(select(AuditEntry)).all()) == 1
