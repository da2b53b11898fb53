"""The `flask organizer` commands: accounts and their campaigns from the shell."""
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from campaign.accounts import passwords
from campaign.clock import utcnow
from campaign.extensions import db
from campaign.models import AuditEntry, CampaignMember, Organizer
from tests.conftest import ORGANIZER_PASSWORD

STRONG = "violet kettle argues softly"


def _organizer(email):
    return db.session.scalar(select(Organizer).where(Organizer.email == email))


def test_create_asks_twice_and_hides_the_password(app, runner):
    result = runner.invoke(args=["organizer", "create", "Ada@Example.org"],
                           input=f"{STRONG}\n{STRONG}\n")
    assert result.exit_code == 0, result.output
    assert "Created organizer ada@example.org" in result.output
    assert STRONG not in result.output
    with app.app_context():
        organizer = _organizer("ada@example.org")
        assert organizer.role == "organizer"
        assert passwords.verify(organizer.password_hash, STRONG)


def test_create_asks_again_after_a_weak_or_mistyped_password(app, runner):
    typed = f"password123\n{STRONG}\nsomething else\n{STRONG}\n{STRONG}\n"
    result = runner.invoke(args=["organizer", "create", "ada@example.org", "--admin"], input=typed)
    assert result.exit_code == 0, result.output
    assert "most common passwords" in result.output
    assert "do not match" in result.output
    with app.app_context():
        assert _organizer("ada@example.org").role == "admin"


def test_create_gives_up_when_no_strong_password_comes(app, runner):
    result = runner.invoke(args=["organizer", "create", "ada@example.org"], input="short\n")
    assert result.exit_code != 0 and "at least 8" in result.output
    with app.app_context():
        assert _organizer("ada@example.org") is None


def test_generate_prints_the_password_once(app, runner):
    result = runner.invoke(args=["organizer", "create", "ada@example.org", "--generate"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("Password")]
    assert len(lines) == 1
    password = lines[0].rsplit(": ", 1)[1]
    assert len(password) >= 20
    assert result.output.count(password) == 1
    login = app.test_client().post("/auth/login", data={"email": "ada@example.org",
                                                        "password": password})
    assert login.status_code == 303


@pytest.mark.parametrize(
    ("email", "message"),
    [("org@example.org", "There is already an organizer org@example.org"),
     ("ORG@example.org", "There is already an organizer org@example.org"),
     ("not an address", "email")],
)
def test_create_refuses_duplicates_and_bad_addresses(runner, make_organizer, email, message):
    make_organizer("org@example.org")
    result = runner.invoke(args=["organizer", "create", email, "--generate"])
    assert result.exit_code != 0 and message in result.output
    assert "Password" not in result.output


def test_add_gives_a_campaign_and_list_shows_it(app, runner, make_campaign, make_organizer):
    slug = make_campaign()
    email = make_organizer()
    make_organizer("admin@example.org", role="admin")
    assert runner.invoke(args=["organizer", "add", slug, email]).exit_code == 0
    result = runner.invoke(args=["organizer", "add", slug, email, "--owner"])
    assert result.exit_code == 0 and f"can now manage /c/{slug} (owner)" in result.output
    with app.app_context():
        assert db.session.scalar(select(CampaignMember.role)) == "owner"
    listing = runner.invoke(args=["organizer", "list"]).output.splitlines()
    assert listing == ["admin@example.org\tadmin\t0 campaigns\tlast login never",
                       "org@example.org\torganizer\t1 campaigns\tlast login never"]


@pytest.mark.parametrize(
    ("slug", "email", "message"),
    [("nope", "org@example.org", "No campaign 'nope'"),
     (None, "nobody@example.org", "No organizer with the address 'nobody@example.org'")],
)
def test_add_refuses_unknown_campaigns_and_people(runner, make_campaign, make_organizer,
                                                  slug, email, message):
    existing = make_campaign()
    make_organizer()
    result = runner.invoke(args=["organizer", "add", slug or existing, email])
    assert result.exit_code != 0 and message in result.output


def test_unlock_lifts_the_lock(app, runner, make_organizer):
    email = make_organizer()
    with app.app_context():
        db.session.execute(update(Organizer).values(locked_until=utcnow() + timedelta(minutes=9)))
        db.session.commit()
    assert "locked" in runner.invoke(args=["organizer", "list"]).output
    client = app.test_client()
    login = {"email": email, "password": ORGANIZER_PASSWORD}
    assert client.post("/auth/login", data=login).status_code == 401
    result = runner.invoke(args=["organizer", "unlock", email])
    assert result.exit_code == 0 and f"Unlocked {email}" in result.output
    assert client.post("/auth/login", data=login).status_code == 303
    again = runner.invoke(args=["organizer", "unlock", email])
    assert "was not locked" in again.output


def test_set_password_ends_sessions_and_is_audited(app, runner, make_organizer, login):
    email = make_organizer()
    client = app.test_client()
    login(client, email)
    result = runner.invoke(args=["organizer", "set-password", email], input=f"{STRONG}\n{STRONG}\n")
    assert result.exit_code == 0, result.output
    assert client.get("/organizer/").status_code == 302
    with app.app_context():
        assert passwords.verify(_organizer(email).password_hash, STRONG)
        assert db.session.scalar(select(AuditEntry.action)) == "organizer.password_reset"
