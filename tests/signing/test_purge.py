"""Retention: `flask purge` anonymizes campaigns closed long ago, keeping every count."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import event, select, update

from campaign.campaigns import store
from campaign.clock import utcnow
from campaign.counts import constituents, stats, tallies
from campaign.extensions import db
from campaign.models import (
    AuditEntry,
    Campaign,
    CampaignStatus,
    ConfirmationToken,
    OutboxMessage,
    Representative,
    Signature,
    SignatureStatus,
)
from campaign.signing import purge
from tests.helpers import count_rows, signatures
from tests.public.test_signer_controls import removal_link
from tests.signing.test_confirmations import deliver, sign

NOW = utcnow()
DAY = timedelta(days=1)
CONFIRMED, PENDING = SignatureStatus.CONFIRMED, SignatureStatus.PENDING


@dataclass(frozen=True)
class Person:
    name: str
    country: str = "US"
    region: str = "MN"
    postcode: str = "55401"
    district: str = ""
    choices: str = ""
    status: str = CONFIRMED
    age: timedelta = 200 * DAY
    live_link: bool = False  # a confirmation link that has not expired yet


# Confirmed signers in a district, in a shared postcode, in no known district, abroad; and
# one of each other status.
CROWD = [
    Person("Ada Lovelace", district="MN-05"),
    Person("Grace Hopper", district="MN-05", postcode="55402"),
    Person("Alan Turing", choices="MN-03 MN-05", postcode="55416"),
    Person("Emmy Noether", district="MN-03", postcode="55305"),
    Person("Kurt Goedel", region="WI", postcode="53703"),
    Person("Marie Curie", country="FR", region="", postcode="75005"),
    Person("Spam Bot", district="MN-05", status=SignatureStatus.INVALIDATED),
    Person("Held Back", district="MN-05", status=SignatureStatus.HELD),
]


def add_signers(campaign_id: int, people: list[Person]) -> None:
    for number, person in enumerate(people):
        email = f"{person.name.split()[0].lower()}@example.org"
        signature = Signature(
            campaign_id=campaign_id, full_name=person.name, email=email, email_key=email,
            postcode=person.postcode, country=person.country, region=person.region,
            district=person.district, district_choices=person.choices,
            postcode_area=person.postcode[:3], comment=f"{person.name} cares", show_name=True,
            contact_ok=number % 2 == 0, source="facebook" if number % 3 else "",
            ip_hash=f"ip-{number}", ip_net_hash=f"net-{number}", status=person.status,
            created_at=NOW - person.age,
            confirmed_at=NOW - person.age + DAY if person.status != PENDING else None)
        db.session.add(signature)
        db.session.flush()
        expires = NOW + DAY if person.live_link else NOW - person.age + 14 * DAY
        db.session.add(ConfirmationToken(signature_id=signature.id, token_hash=f"{signature.id:064}",
                                         created_at=NOW - person.age, expires_at=expires))
        db.session.add(OutboxMessage(
            kind="confirm", to_address=email, subject="Please confirm", body=f"Hello {person.name}",
            message_id=f"<{signature.id}@test>", campaign_id=campaign_id, recipient_key=email,
            status="sent", created_at=NOW - person.age))


def backdate(slug: str, **values) -> int:
    """Set a campaign's fields as they were long ago; updated_at is left as given."""
    campaign_id = store.get_by_slug(slug).id
    db.session.execute(update(Campaign).where(Campaign.id == campaign_id)
                       .values(updated_at=values.pop("updated_at", NOW), **values))
    return campaign_id


@pytest.fixture
def world(app, make_campaign):
    """A campaign closed 200 days ago, one past its closing date, one closed 10 days ago, one open."""
    for name in ("closed", "expired", "recent", "open"):
        make_campaign(slug=name)
    with app.app_context():
        ids = {
            "closed": backdate("closed", status=CampaignStatus.CLOSED, updated_at=NOW - 200 * DAY),
            "expired": backdate("expired", closes_at=NOW - 190 * DAY),
            "recent": backdate("recent", status=CampaignStatus.CLOSED, updated_at=NOW - 10 * DAY),
            "open": backdate("open"),
        }
        for name in ("closed", "expired", "recent"):
            add_signers(ids[name], CROWD)
        add_signers(ids["open"], CROWD[:2] + [
            Person("Old Pending", status=PENDING, age=31 * DAY),
            Person("Young Pending", status=PENDING, age=29 * DAY),
            Person("Asked Again", status=PENDING, age=40 * DAY, live_link=True),
        ])
        add_signers(ids["closed"], [Person("Never Confirmed", status=PENDING, age=199 * DAY)])
        for name, office, district in [("Sen. Amy", "senator", ""), ("Rep. Ilhan", "representative", "MN-05"),
                                       ("Rep. Dean", "representative", "MN-03")]:
            db.session.add(Representative(source="test", external_id=name, name=name, office=office,
                                          country="US", region="MN", district=district))
        db.session.commit()
    return ids


def figures(campaign_id: int) -> dict:
    """Every count a campaign shows: totals, places, districts, representatives, time, sources."""
    campaign = db.session.get(Campaign, campaign_id)
    totals = stats.totals_for([campaign], now=NOW)[campaign_id]
    return {
        "public": tallies.confirmed_count(campaign_id),
        "totals": (totals.confirmed, totals.invalidated, totals.today),
        "places": stats.geography(campaign_id),
        "over_time": stats.over_time(campaign_id),
        "sources": stats.by_source(campaign_id, total=totals.confirmed),
        "contact": stats.contact_share(campaign_id, total=totals.confirmed),
        "districts": constituents.district_counts(campaign_id),
        "representatives": constituents.report(campaign_id),
        "held": len([s for s in signatures() if s.campaign_id == campaign_id and s.status == "held"]),
    }


def rows_of(campaign_id: int) -> list[tuple]:
    return [(s.id, s.full_name, s.email, s.email_key, s.postcode, s.comment, s.ip_hash, s.status)
            for s in signatures() if s.campaign_id == campaign_id]


def test_purge_keeps_every_count_and_removes_personal_data(app, runner, world):
    anonymized = [world["closed"], world["expired"]]
    with app.app_context():
        before = {campaign_id: figures(campaign_id) for campaign_id in world.values()}
        assert before[world["closed"]]["representatives"].seats  # the test counts something
        updated_at = db.session.get(Campaign, world["closed"]).updated_at

    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "Anonymized /c/closed (closed " in result.output
    assert "Anonymized /c/expired (closed " in result.output
    assert "8 signatures, 8 confirmation links and 8 emails removed" in result.output
    assert "/c/recent" not in result.output and "/c/open" not in result.output

    with app.app_context():
        for campaign_id in world.values():
            assert figures(campaign_id) == before[campaign_id], campaign_id
        for signature in signatures():
            if signature.campaign_id not in anonymized:
                continue
            assert (signature.full_name, signature.email, signature.postcode, signature.comment,
                    signature.ip_hash, signature.ip_net_hash, signature.show_name) == ("", "", "", "", "", "", False)
            assert signature.email_key == f"purged:{signature.id}"
            assert signature.country and signature.postcode_area  # what the counts stand on stays
        for campaign_id in anonymized:
            campaign = db.session.get(Campaign, campaign_id)
            assert campaign.anonymized_at is not None
            assert not db.session.scalars(select(OutboxMessage).where(OutboxMessage.campaign_id == campaign_id)).all()
            assert not db.session.scalars(select(ConfirmationToken).join(Signature).where(
                Signature.campaign_id == campaign_id)).all()
        assert db.session.get(Campaign, world["closed"]).updated_at == updated_at
        assert db.session.get(Campaign, world["recent"]).anonymized_at is None
        assert [s.full_name for s in signatures() if s.campaign_id == world["recent"]] == [p.name for p in CROWD]
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "campaign.anonymized")).all()
        assert sorted((e.campaign_id, e.detail["signatures"]) for e in entries) == [(i, 8) for i in sorted(anonymized)]


def test_stale_pending_signatures_are_deleted_in_every_campaign(app, runner, world):
    result = runner.invoke(args=["purge"])
    assert "Deleted 2 pending signatures unconfirmed for over 30 days" in result.output
    with app.app_context():
        names = {s.full_name for s in signatures() if s.campaign_id == world["open"]}
        assert names == {"Ada Lovelace", "Grace Hopper", "Young Pending", "Asked Again"}
        assert not [s for s in signatures() if s.campaign_id == world["closed"] and s.status == PENDING]
        addresses = {m.to_address for m in db.session.scalars(select(OutboxMessage))}
        assert "old@example.org" not in addresses and "young@example.org" in addresses


def test_a_second_run_does_nothing(app, runner, world):
    assert runner.invoke(args=["purge"]).exit_code == 0
    with app.app_context():
        after_first = {campaign_id: rows_of(campaign_id) for campaign_id in world.values()}
    second = runner.invoke(args=["purge"])
    assert second.exit_code == 0
    assert "Nothing to purge." in second.output and "Anonymized" not in second.output
    with app.app_context():
        assert {campaign_id: rows_of(campaign_id) for campaign_id in world.values()} == after_first


def test_dry_run_says_what_it_would_do_and_changes_nothing(app, runner, world):
    with app.app_context():
        before = {campaign_id: rows_of(campaign_id) for campaign_id in world.values()}
    result = runner.invoke(args=["purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Would anonymize /c/closed" in result.output and "8 signatures, 8 confirmation links and 8 emails removed" in result.output
    assert "Would delete 2 pending signatures" in result.output
    with app.app_context():
        assert {campaign_id: rows_of(campaign_id) for campaign_id in world.values()} == before
        assert db.session.get(Campaign, world["closed"]).anonymized_at is None


def test_days_and_pending_days_options(app, runner, world):
    result = runner.invoke(args=["purge", "--days", "5", "--pending-days", "300"])
    assert result.exit_code == 0, result.output
    assert "Anonymized /c/recent" in result.output
    assert "Deleted 0 pending signatures unconfirmed for over 300 days" in result.output
    assert runner.invoke(args=["purge", "--batch", "0"]).exit_code != 0


class Killed(Exception):
    """The purge process stopping half-way."""


@pytest.fixture
def updates_of_signatures(app):
    """Count each UPDATE of signatures; `fail_at` makes the nth one fail, as if the run were killed."""
    seen = {"count": 0, "fail_at": None}

    def spy(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE SIGNATURES"):
            seen["count"] += 1
            if seen["count"] == seen["fail_at"]:
                raise Killed

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", spy)
    yield seen
    event.remove(engine, "before_cursor_execute", spy)


def test_runs_in_batches_and_resumes_after_being_killed(app, make_campaign, updates_of_signatures):
    slug = make_campaign()
    with app.app_context():
        campaign_id = backdate(slug, status=CampaignStatus.CLOSED, updated_at=NOW - 181 * DAY)
        add_signers(campaign_id, CROWD[:5])
        db.session.commit()
        updates_of_signatures["fail_at"] = 2
        with pytest.raises(Killed):
            purge.purge(now=NOW, days=180, pending_days=30, batch=2)
        db.session.rollback()
        assert sorted(bool(row[1]) for row in rows_of(campaign_id)) == [False, False, True, True, True]
        assert db.session.get(Campaign, campaign_id).anonymized_at is None

        updates_of_signatures.update(count=0, fail_at=None)
        report = purge.purge(now=NOW, days=180, pending_days=30, batch=2)
        assert [done.signatures for done in report.campaigns] == [3]
        assert updates_of_signatures["count"] == 2  # rows 3-4, then row 5
        assert not [row for row in rows_of(campaign_id) if row[1]]
        assert db.session.get(Campaign, campaign_id).anonymized_at is not None


def test_the_removal_link_dies_with_anonymization(app, client, runner, make_campaign, signer):
    slug = make_campaign()
    sign(client, slug, signer())
    [message] = deliver(app)
    link = removal_link(message.get_content())
    with app.app_context():
        backdate(slug, status=CampaignStatus.CLOSED, updated_at=NOW - 181 * DAY)
        db.session.commit()
    assert client.get(link).status_code == 200
    runner.invoke(args=["purge", "--pending-days", "1000"])
    assert client.get(link).status_code == 404
    with app.app_context():
        assert count_rows(Signature) == 1


def test_old_data_deletion_emails_are_deleted(app, runner):
    with app.app_context():
        for age, key in [(31, "old@example.org"), (1, "new@example.org")]:
            db.session.add(OutboxMessage(kind="data_request", to_address=key, subject="s", body="b",
                                         message_id=f"<{key}>", recipient_key=key, created_at=NOW - age * DAY))
        db.session.commit()
    assert "and 1 older data-deletion emails" in runner.invoke(args=["purge"]).output
    with app.app_context():
        assert [m.to_address for m in db.session.scalars(select(OutboxMessage))] == ["new@example.org"]


def _campaign(status: str, closes_in_days: int | None, edited_days_ago: int) -> Campaign:
    closes_at = NOW + closes_in_days * DAY if closes_in_days is not None else None
    return Campaign(status=status, closes_at=closes_at, updated_at=NOW - edited_days_ago * DAY)


@pytest.mark.parametrize(("status", "closes_in", "edited_ago", "closed_ago"), [
    (CampaignStatus.OPEN, None, 300, None),  # open
    (CampaignStatus.OPEN, 10, 300, None),  # open until a date to come
    (CampaignStatus.OPEN, -200, 300, 200),  # past its date
    (CampaignStatus.CLOSED, None, 190, 190),  # closed by the organizer: its last change
    (CampaignStatus.CLOSED, 30, 190, 190),  # closed before its date
    (CampaignStatus.CLOSED, -200, 5, 200),  # past its date, edited lately
    (CampaignStatus.DRAFT, -200, 300, None),  # drafts are never purged
])
def test_when_a_campaign_closed(status, closes_in, edited_ago, closed_ago):
    closed = purge.closed_at(_campaign(status, closes_in, edited_ago), NOW)
    assert closed == (None if closed_ago is None else NOW - closed_ago * DAY)


def test_a_campaign_reopened_after_anonymization_is_purged_again(app, runner, world):
    runner.invoke(args=["purge"])
    with app.app_context():
        # Anonymized long ago, then reopened, and closed again 181 days ago.
        backdate("closed", status=CampaignStatus.CLOSED, updated_at=NOW - 181 * DAY,
                 anonymized_at=NOW - 190 * DAY)
        add_signers(world["closed"], [Person("Late Comer", age=185 * DAY)])
        db.session.commit()
    result = runner.invoke(args=["purge"])
    assert "Anonymized /c/closed" in result.output and "1 signatures" in result.output
    with app.app_context():
        assert not [s for s in signatures() if s.campaign_id == world["closed"] and s.full_name]
