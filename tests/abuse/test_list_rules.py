"""Allow and block lists: their values, held signatures, the organizer's page, review of held ones."""
from __future__ import annotations

import ipaddress

import pytest
from sqlalchemy import select

from campaign.abuse import list_rules
from campaign.abuse.list_rules import InvalidRule, Rules, clean_value
from campaign.accounts import organizers
from campaign.campaigns import store
from campaign.extensions import db
from campaign.models import (
    AuditEntry,
    ListRule,
    OutboxMessage,
    RuleKind,
    Signature,
    SignatureStatus,
)
from tests.helpers import confirm_link, count_rows, links, signatures
from tests.signing.test_confirmations import count, deliver

BLOCKED_NET = "203.0.113.0/24"


@pytest.mark.parametrize(("kind", "raw", "stored"), [
    ("allow_ip", " 198.51.100.23 ", "198.51.100.23"),
    ("block_ip", "203.0.113.9/24", "203.0.113.0/24"),
    ("block_ip", "2001:DB8::/48", "2001:db8::/48"),
    ("block_ip", "::ffff:203.0.113.9", "203.0.113.9"),
    ("block_domain", "Spam.Example.", "spam.example"),
    ("block_domain", "@spam.example", "spam.example"),
    ("block_domain", "bücher.example", "xn--bcher-kva.example"),
    ("block_domain", "googlemail.com", "gmail.com"),
    ("block_email", "A.Bot+petitions@GoogleMail.com", "abot@gmail.com"),
])
def test_values_are_stored_as_signatures_are_compared(kind, raw, stored):
    assert clean_value(kind, raw) == stored


@pytest.mark.parametrize(("kind", "raw", "message"), [
    ("block_ip", "", "Enter a value."),
    ("block_ip", "203.0.113", "Enter an IP address"),
    ("allow_ip", "0.0.0.0/0", "too wide"),
    ("block_ip", "2001::/12", "too wide"),
    ("block_domain", "someone@spam.example", "Enter the domain alone"),
    ("block_domain", "localhost", "Enter a domain name"),
    ("block_domain", "spam..example", "not a valid domain"),
    ("block_domain", "-spam.example", "Enter a domain name"),
    ("block_domain", "203.0.113.9", "Enter a domain name"),
    ("block_email", "not an email", "not valid"),
    ("allow_email", "a@b.example", "Choose what kind"),
])
def test_unusable_values_are_refused_with_a_reason(kind, raw, message):
    with pytest.raises(InvalidRule, match=message):
        clean_value(kind, raw)


def test_rules_match_addresses_networks_domains_and_emails():
    rules = Rules(allowed=(_net("198.51.100.0/24"),), blocked=(_net(BLOCKED_NET), _net("2001:db8::/48")),
                  domains=frozenset({"spam.example"}), emails=frozenset({"bot@example.org"}))
    assert rules.allows("198.51.100.200") and rules.allows("::ffff:198.51.100.7")
    assert not rules.allows("198.51.101.1") and not rules.allows(None) and not rules.allows("junk")
    assert rules.block_reason("203.0.113.77", "a@example.org") == "block_ip"
    assert rules.block_reason("2001:db8:0:1::5", "a@example.org") == "block_ip"
    assert rules.block_reason("192.0.2.1", "x@spam.example") == "block_domain"
    assert rules.block_reason("192.0.2.1", "x@mail.spam.example") == "block_domain"
    assert rules.block_reason("192.0.2.1", "x@notspam.example") == ""
    assert rules.block_reason("203.0.113.77", "bot@example.org") == "block_email"
    assert rules.block_reason("", "a@example.org") == ""


def _net(text: str):
    return ipaddress.ip_network(text)


@pytest.fixture
def lists_owner(app, client, make_campaign, make_organizer, login):
    """A campaign (confirmation needed) whose owner is logged in on `client`; returns its slug."""
    slug = make_campaign()
    login(client, make_organizer(campaigns_owned=[slug]))
    return slug


def _add(client, slug: str, kind: str, value: str, **extra):
    return client.post(f"/organizer/c/{slug}/lists", data={"kind": kind, "value": value, **extra})


def _sign_from(app, slug: str, address: str, **fields):
    data = {"full_name": "Sam Signer", "email": "sam@example.org", "postcode": "02139",
            "country": "US", "show_name": "y"} | fields
    return app.test_client().post(f"/c/{slug}/sign", data=data, environ_base={"REMOTE_ADDR": address})


@pytest.mark.parametrize(("kind", "value", "address", "email", "reason"), [
    ("block_ip", BLOCKED_NET, "203.0.113.45", "sam@example.org", "block_ip"),
    ("block_domain", "spam.example", "192.0.2.10", "sam@mx.spam.example", "block_domain"),
    ("block_email", "Sam+x@Example.org", "192.0.2.10", "sam@example.org", "block_email"),
])
@pytest.mark.parametrize("confirmation", [True, False], ids=["confirm", "at-once"])
def test_a_blocked_signature_is_held_answered_alike_and_never_counted(
        app, client, make_campaign, make_organizer, login, kind, value, address, email, reason,
        confirmation):
    slug = make_campaign(require_confirmation=confirmation)
    login(client, make_organizer(campaigns_owned=[slug]))
    assert _add(client, slug, kind, value).status_code == 303
    normal = _sign_from(app, slug, "192.0.2.99", email="other@example.org")
    blocked = _sign_from(app, slug, address, email=email)
    assert blocked.status_code == normal.status_code == 303
    assert blocked.headers["Location"] == normal.headers["Location"] == f"/c/{slug}/signed"
    with app.app_context():
        held = db.session.scalar(select(Signature).where(Signature.email == email))
        assert (held.status, held.held_reason, held.confirmed_at) == ("held", reason, None)
        assert [m.to_address for m in db.session.scalars(select(OutboxMessage))] == ["other@example.org"]
    assert count(client, slug) == (0 if confirmation else 1)
    # Signing again from the blocked place sends nothing either, and stores nothing more.
    assert _sign_from(app, slug, address, email=email).status_code == 303
    with app.app_context():
        assert count_rows(Signature) == 2 and count_rows(OutboxMessage) == 1


def test_held_signatures_leak_into_no_count_and_no_public_list(app, client, make_campaign,
                                                              make_organizer, login):
    slug = make_campaign(require_confirmation=False)
    login(client, make_organizer(campaigns_owned=[slug]))
    _add(client, slug, "block_domain", "spam.example")
    for n in range(3):
        _sign_from(app, slug, "192.0.2.10", email=f"bot{n}@spam.example", full_name=f"Bot Number{n}")
    assert count(client, slug) == 0
    assert "Bot Number" not in app.test_client().get(f"/c/{slug}").text
    overview = " ".join(client.get(f"/organizer/c/{slug}/").text.split())
    assert "<dt>Confirmed</dt><dd>0</dd>" in overview and "<dt>Signed today</dt><dd>0</dd>" in overview
    assert "<dt>Pending</dt><dd>0</dd>" in overview
    assert "3 signatures are held for review" in overview
    home = " ".join(client.get("/organizer/").text.split())
    assert "Bot Number" not in home
    held_list = client.get(f"/organizer/c/{slug}/signers?status=held")
    assert held_list.status_code == 200 and held_list.text.count("(blocked email domain)") == 3
    confirmed_export = client.get(f"/organizer/c/{slug}/signers.csv?confirmed=1").text
    assert "Bot" not in confirmed_export and confirmed_export.count("\n") == 1  # the header


def test_release_sends_the_confirmation_and_the_link_counts(app, client, lists_owner):
    slug = lists_owner
    _add(client, slug, "block_ip", BLOCKED_NET)
    _sign_from(app, slug, "203.0.113.45")
    assert deliver(app) == []
    [held] = _held_ids(app)
    answer = client.post(f"/organizer/c/{slug}/signers/{held}/release")
    assert answer.status_code == 303
    with app.app_context():
        [signature] = signatures()
        assert (signature.status, signature.held_reason) == ("pending", "")
    [message] = deliver(app)
    assert message["To"] == "sam@example.org"
    link = confirm_link(message.get_content())
    assert app.test_client().post(link).status_code == 303 and count(client, slug) == 1
    with app.app_context():
        [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "signers.released"))
        assert entry.detail == {"count": 1}


def test_release_counts_at_once_where_no_confirmation_is_needed(app, client, make_campaign,
                                                                  make_organizer, login):
    slug = make_campaign(require_confirmation=False)
    login(client, make_organizer(campaigns_owned=[slug]))
    _add(client, slug, "block_email", "sam@example.org")
    _sign_from(app, slug, "192.0.2.10")
    [held] = _held_ids(app)
    client.post(f"/organizer/c/{slug}/signers/{held}/release")
    assert count(client, slug) == 1
    [thanks] = deliver(app)
    assert thanks["Subject"].startswith("Thank you for signing")


def test_invalidating_a_held_one_and_restoring_it_holds_it_again(app, client, lists_owner):
    slug = lists_owner
    _add(client, slug, "block_ip", BLOCKED_NET)
    _sign_from(app, slug, "203.0.113.45")
    [held] = _held_ids(app)
    client.post(f"/organizer/c/{slug}/signers/{held}/invalidate")
    assert _statuses(app) == ["invalidated"]
    client.post(f"/organizer/c/{slug}/signers/{held}/restore")
    assert _statuses(app) == ["held"] and deliver(app) == []


def test_bulk_release_of_the_held_ones_after_seeing_how_many(app, client, lists_owner):
    slug = lists_owner
    _add(client, slug, "block_domain", "spam.example")
    for n in range(3):
        _sign_from(app, slug, "192.0.2.10", email=f"p{n}@spam.example")
    _sign_from(app, slug, "192.0.2.11", email="ok@example.org")
    page = client.get(f"/organizer/c/{slug}/signers?status=held")
    [release] = [href for href, text in links(page.text) if text == "Release all matching…"]
    preview = client.get(release)
    assert "Release 3 signers?" in preview.text
    done = client.post(release, data={"operation": "release", "expected": 3})
    assert done.status_code == 303
    assert sorted(_statuses(app)) == ["pending"] * 4
    assert len(deliver(app)) == 4  # three confirmations now, the normal signer's earlier


def test_organizer_adds_and_removes_entries_with_audit_lines(app, client, lists_owner):
    slug = lists_owner
    for kind, value in [("allow_ip", "198.51.100.0/24"), ("block_ip", "203.0.113.7"),
                        ("block_domain", "spam.example"), ("block_email", "bot@example.org")]:
        added = _add(client, slug, kind, value, note="seen on Monday")
        assert added.status_code == 303 and added.headers["Location"] == f"/organizer/c/{slug}/lists"
    page = client.get(f"/organizer/c/{slug}/lists")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    for value in ("198.51.100.0/24", "203.0.113.7", "spam.example", "bot@example.org"):
        assert f"<code>{value}</code>" in page.text
    assert "For every campaign" not in page.text  # only admins add those
    with app.app_context():
        rule_id = db.session.scalar(select(ListRule.id).where(ListRule.value == "spam.example"))
    assert client.post(f"/organizer/c/{slug}/lists/{rule_id}/remove").status_code == 303
    assert "<code>spam.example</code>" not in client.get(f"/organizer/c/{slug}/lists").text
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action.like("list_rule.%")))
        lines = [(e.action, e.detail["kind"]) for e in entries]
        assert lines[-1] == ("list_rule.removed", "block_domain") and len(lines) == 5
        assert "bot@example.org" not in repr([e.detail for e in db.session.scalars(select(AuditEntry))])


@pytest.mark.parametrize(("kind", "value", "message"), [
    ("block_ip", "203.0.113.300", "Enter an IP address"),
    ("block_domain", "bot@spam.example", "Enter the domain alone"),
    ("nonsense", "spam.example", "Not a valid choice"),
])
def test_bad_entries_get_422_with_a_message_and_store_nothing(app, client, lists_owner, kind, value,
                                                              message):
    answer = _add(client, lists_owner, kind, value)
    assert answer.status_code == 422 and message in answer.text
    with app.app_context():
        assert count_rows(ListRule) == 0


def test_adding_without_the_form_token_is_refused(app, client, lists_owner):
    app.config["WTF_CSRF_ENABLED"] = True
    refused = _add(client, lists_owner, "block_domain", "spam.example")
    assert refused.status_code == 400 and "This form has expired" in refused.text
    with app.app_context():
        assert count_rows(ListRule) == 0


def test_a_duplicate_entry_is_refused(app, client, lists_owner):
    assert _add(client, lists_owner, "block_domain", "spam.example").status_code == 303
    again = _add(client, lists_owner, "block_domain", "SPAM.example")
    assert again.status_code == 422 and "spam.example is already on this list." in again.text


def test_only_admins_add_and_remove_entries_for_every_campaign(app, client, make_campaign,
                                                               make_organizer, login):
    mine, other = make_campaign(), make_campaign()
    login(client, make_organizer(campaigns_owned=[mine]))
    refused = _add(client, mine, "block_domain", "spam.example", every_campaign="y")
    assert refused.status_code == 422 and "Only administrators" in refused.text
    admin = app.test_client()
    login(admin, make_organizer("admin@example.org", role="admin"))
    assert "For every campaign" in admin.get(f"/organizer/c/{mine}/lists").text
    assert _add(admin, mine, "block_domain", "spam.example", every_campaign="y").status_code == 303
    _sign_from(app, other, "192.0.2.10", email="x@spam.example")
    assert _statuses(app) == ["held"]  # in the other campaign too
    with app.app_context():
        [rule] = db.session.scalars(select(ListRule))
        assert rule.campaign_id is None
    assert "every campaign" in client.get(f"/organizer/c/{mine}/lists").text
    assert client.post(f"/organizer/c/{mine}/lists/{rule.id}/remove").status_code == 404
    assert admin.post(f"/organizer/c/{mine}/lists/{rule.id}/remove").status_code == 303


def test_another_campaigns_entry_cannot_be_removed_from_here(app, client, lists_owner, make_campaign):
    other = make_campaign()
    with app.app_context():
        rule = ListRule(campaign_id=store.get_by_slug(other).id, kind=RuleKind.BLOCK_IP,
                        value="203.0.113.7")
        db.session.add(rule)
        db.session.commit()
        rule_id = rule.id
    assert client.post(f"/organizer/c/{lists_owner}/lists/{rule_id}/remove").status_code == 404
    with app.app_context():
        assert count_rows(ListRule) == 1


def test_a_change_applies_at_once_despite_the_cache(app, client, lists_owner):
    app.config["TALLY_CACHE_SECONDS"] = 60.0
    slug = lists_owner
    _sign_from(app, slug, "203.0.113.45", email="before@example.org")  # caches the empty lists
    _add(client, slug, "block_ip", BLOCKED_NET)
    _sign_from(app, slug, "203.0.113.45", email="after@example.org")
    assert _statuses(app) == ["pending", "held"]


def test_the_lists_page_can_be_filled_from_a_link(client, lists_owner):
    page = client.get(f"/organizer/c/{lists_owner}/lists?kind=block_domain&value=spam.example")
    assert 'value="spam.example"' in page.text
    assert '<option selected value="block_domain">' in page.text


def _held_ids(app) -> list[int]:
    with app.app_context():
        return [s.id for s in signatures() if s.status == SignatureStatus.HELD]


def _statuses(app) -> list[str]:
    with app.app_context():
        return [s.status for s in signatures()]


def test_entries_for_an_unknown_campaign_slug_are_only_the_global_ones(app, ctx, make_campaign):
    slug = make_campaign()
    admin = organizers.create("root@example.org", "correct horse battery staple", role="admin")
    list_rules.add(store.get_by_slug(slug), "block_domain", "spam.example", organizer=admin)
    list_rules.add(store.get_by_slug(slug), "block_email", "x@example.org", organizer=admin,
                   every_campaign=True)
    db.session.commit()
    assert list_rules.rules_for(slug).domains == {"spam.example"}
    assert list_rules.rules_for("no-such-campaign") == Rules(emails=frozenset({"x@example.org"}))
