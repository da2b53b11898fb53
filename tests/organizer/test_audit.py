"""The audit log: what an edit changed, single invalidations, and the admins' audit page."""
from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from campaign import audit
from campaign.campaigns import store
from campaign.extensions import db
from campaign.models import AuditEntry, Organizer, Signature
from campaign.organizer import audit as audit_page
from tests.helpers import query_plan

ADMIN = "admin@example.org"
ORGANIZER = "org@example.org"


def _entries(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        return list(db.session.scalars(query))


@pytest.fixture
def river(client, make_campaign, make_organizer, login):
    """An open campaign, with its owner logged in on client."""
    slug = make_campaign(slug="river", title="Keep the river clean", target="The County Board",
                         goal=100, petition_text="We ask the county to stop the dumping.")
    login(client, make_organizer(ORGANIZER, campaigns_owned=[slug]))
    return slug


EDIT = {"title": "Keep the river clean", "slug": "river", "target": "The County Board",
        "goal": "100", "closes_at": "", "default_country": "US", "require_confirmation": "y",
        "deliver_names": "y", "hashtags": "", "commentary": "",
        "petition_text": "We ask the county to stop the dumping."}


def test_an_edit_records_old_and_new_values_and_only_that_long_texts_changed(app, client, river):
    edit = EDIT | {"title": "Keep our river clean", "target": "The County Board of Supervisors",
                   "goal": "250", "closes_at": "2030-01-31T18:00", "default_country": "CA",
                   "require_confirmation": None, "hashtags": "#River",
                   "commentary": "The plant upstream dumps at night.",
                   "petition_text": "We ask the county to stop the dumping for good."}
    response = client.post("/organizer/c/river/edit",
                           data={k: v for k, v in edit.items() if v is not None})
    assert response.status_code == 303
    (entry,) = _entries(app, "campaign.edited")
    assert entry.detail == {"changes": {
        "title": {"old": "Keep the river clean", "new": "Keep our river clean"},
        "target": {"old": "The County Board", "new": "The County Board of Supervisors"},
        "goal": {"old": 100, "new": 250},
        "closes_at": {"old": None, "new": "2030-01-31T18:00:00+00:00"},
        "default_country": {"old": "US", "new": "CA"},
        "require_confirmation": {"old": True, "new": False},
        "petition_text": "changed", "commentary": "changed", "hashtags": "changed",
    }}
    assert "dumps at night" not in json.dumps(entry.detail)


def test_an_edit_that_changes_one_field_records_that_field_alone(app, client, river):
    client.post("/organizer/c/river/edit", data=EDIT)  # nothing changed
    client.post("/organizer/c/river/edit", data=EDIT | {"goal": "500"})
    client.post("/organizer/c/river/edit", data=EDIT | {"goal": "500", "closes_at": "2030-02-01T09:30"})
    assert [e.detail for e in _entries(app, "campaign.edited")] == [
        {"changes": {}},
        {"changes": {"goal": {"old": 100, "new": 500}}},
        {"changes": {"closes_at": {"old": None, "new": "2030-02-01T09:30:00+00:00"}}},
    ]


def test_a_status_change_records_old_and_new_status(app, client, river):
    assert client.post("/organizer/c/river/status", data={"to": "close"}).status_code == 303
    (entry,) = _entries(app, "campaign.status")
    assert entry.detail == {"status": "closed",
                            "changes": {"status": {"old": "open", "new": "closed"}}}


def _sign(app, slug: str, signer, **fields) -> int:
    response = app.test_client().post(f"/c/{slug}/sign", data=signer(**fields))
    assert response.status_code == 303
    with app.app_context():
        return db.session.scalar(select(Signature.id).where(
            Signature.email == fields.get("email", "ada@example.org")))


def test_a_single_invalidation_records_the_signature_and_the_reason_given(app, client, river,
                                                                         signer):
    ada = _sign(app, river, signer)
    grace = _sign(app, river, signer, full_name="Grace Hopper", email="grace@example.org")
    base = "/organizer/c/river/signers"
    assert client.post(f"{base}/{ada}/invalidate",
                       data={"reason": "  Bot: same as bot1@spam.example  "}).status_code == 303
    assert client.post(f"{base}/{grace}/invalidate", data={"reason": ""}).status_code == 303
    assert client.post(f"{base}/{grace}/restore").status_code == 303
    assert [e.detail for e in _entries(app, "signer.invalidated")] == [
        {"signature_id": ada, "count": 1, "reason": "Bot: same as [email]"},
        {"signature_id": grace, "count": 1},
    ]
    assert [e.detail for e in _entries(app, "signer.restored")] == [
        {"signature_id": grace, "count": 1}]
    assert _entries(app, "signers.invalidated") == []  # the bulk action's entry is another


def test_the_signer_list_offers_a_reason_field_and_refuses_an_overlong_reason(app, client, river,
                                                                               signer):
    ada = _sign(app, river, signer)
    page = client.get("/organizer/c/river/signers").text
    assert 'name="reason" maxlength="200"' in page
    response = client.post(f"/organizer/c/river/signers/{ada}/invalidate", data={"reason": "x" * 201})
    assert response.status_code == 422 and "at most 200 characters" in response.text
    with app.app_context():
        assert db.session.get(Signature, ada).status == "pending"
    assert _entries(app, "signer.invalidated") == []


# --- The page -----------------------------------------------------------------------------

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def logged(app, client, make_campaign, make_organizer, login):
    """Four entries of two organizers about two campaigns and none, a day apart; an admin
    logged in on client. Returns the ids of the organizers and campaigns by name."""
    lake, pier = make_campaign(slug="lake"), make_campaign(slug="pier")
    make_organizer(ORGANIZER, campaigns_owned=[lake, pier])
    make_organizer(ADMIN, role="admin")
    with app.app_context():
        org, admin = (db.session.scalar(select(Organizer).where(Organizer.email == e))
                      for e in (ORGANIZER, ADMIN))
        lake_row, pier_row = store.get_by_slug(lake), store.get_by_slug(pier)
        for days, action, who, where, detail in [
            (3, "campaign.edited", org, lake_row, {"changes": {"goal": {"old": 100, "new": 250}}}),
            (2, "export.signers", admin, pier_row, {"format": "csv", "rows": 12, "complete": True}),
            (1, "signer.invalidated", org, pier_row, {"signature_id": 7, "reason": "bot"}),
            (0, "list_rule.added", admin, None, {"kind": "block_ip", "rule_id": 3}),
        ]:
            audit.record(action, organizer=who, campaign=where, **detail).at = T0 - timedelta(days=days)
        db.session.commit()
        ids = {"org": org.id, "admin": admin.id, "lake": lake_row.id, "pier": pier_row.id}
    login(client, ADMIN)
    return ids


def _actions(page: str) -> list[str]:
    """The Action column of the page's table, top to bottom."""
    return re.findall(r"<tr>\s*<td>[^<]*</td>\s*<td>([^<]*)</td>", page)


def test_the_page_lists_every_entry_newest_first_with_its_detail(client, logged):
    page = client.get("/organizer/audit")
    assert page.status_code == 200
    assert _actions(page.text) == ["list_rule.added", "signer.invalidated", "export.signers",
                                   "campaign.edited"]
    assert "goal: 100 → 250" in page.text and "rows: 12" in page.text
    assert "/c/pier" in page.text and "2026-03-09 12:00:00" in page.text


@pytest.mark.parametrize(("query", "expected"), [
    ({"action": "export"}, ["export.signers"]),
    ({"action": "signer"}, ["signer.invalidated"]),
    ({"action": "campaign.edited"}, ["campaign.edited"]),
    ({"action": "campaign.edit"}, []),  # a family is a whole first part, not any prefix
    ({"organizer": "org"}, ["signer.invalidated", "campaign.edited"]),
    ({"campaign": "pier"}, ["signer.invalidated", "export.signers"]),
    ({"since": "2026-03-08", "until": "2026-03-09"}, ["signer.invalidated", "export.signers"]),
    ({"organizer": "admin", "since": "2026-03-10"}, ["list_rule.added"]),
])
def test_the_page_filters(client, logged, query, expected):
    args = {k: logged.get(v, v) for k, v in query.items()}
    page = client.get("/organizer/audit", query_string=args)
    assert page.status_code == 200
    assert _actions(page.text) == expected


def test_the_page_is_paged_by_entry_keeping_the_filters(client, logged, monkeypatch):
    monkeypatch.setattr(audit_page, "PAGE_SIZE", 1)
    first = client.get("/organizer/audit", query_string={"campaign": logged["pier"]}).text
    assert _actions(first) == ["signer.invalidated"]
    older = re.search(r'href="(/organizer/audit\?[^"]+)">Older entries', first).group(1)
    second = client.get(older.replace("&amp;", "&")).text
    assert _actions(second) == ["export.signers"]
    assert "Older entries" in second  # a full page: there may be more
    third = client.get(re.search(r'href="([^"]+)">Older entries', second).group(1)
                       .replace("&amp;", "&")).text
    assert _actions(third) == [] and "No entries match" in third


@pytest.mark.parametrize(("query", "message"), [
    ({"since": "last week"}, "Not a valid date value"),
    ({"organizer": "999"}, "Not a valid choice"),
    ({"campaign": "pier"}, "Not a valid choice"),
    ({"action": "x" * 61}, "longer than 60"),
])
def test_bad_filters_get_400_with_a_message(client, logged, query, message):
    page = client.get("/organizer/audit", query_string=query)
    assert page.status_code == 400 and message in page.text


def test_an_address_typed_into_an_older_entry_is_not_shown(app, client, logged):
    with app.app_context():
        audit.record("signers.invalidated", organizer=None, count=3,
                     reason="Same as bot1@spam.example and others")
        db.session.commit()
    page = client.get("/organizer/audit", query_string={"action": "signers"}).text
    assert "bot1@spam.example" not in page
    assert "reason: Same as [email] and others" in page


def test_only_admins_see_the_page_and_its_link(app, client, logged, login):
    assert 'href="/organizer/audit"' in client.get("/organizer/").text
    organizer = app.test_client()
    login(organizer, ORGANIZER)
    assert organizer.get("/organizer/audit").status_code == 404
    assert "/organizer/audit" not in organizer.get("/organizer/").text
    stranger = app.test_client().get("/organizer/audit")
    assert stranger.status_code == 302 and "/auth/login" in stranger.headers["Location"]


def test_no_signer_data_in_the_log_or_on_the_page_after_signer_actions(app, client, make_campaign,
                                                                      make_organizer, login,
                                                                      signer):
    slug = make_campaign(slug="river")
    make_organizer(ADMIN, role="admin")
    login(client, ADMIN)
    people = [("Ada Lovelace", "ada@example.org"), ("Grace Hopper", "grace@example.org")]
    ada, grace = (_sign(app, slug, signer, full_name=name, email=email, comment="Clean it")
                  for name, email in people)
    rows = f"/organizer/c/{slug}/signers"
    client.post(f"{rows}/{ada}/invalidate", data={"reason": "Ada Lovelace? ada@example.org"})
    client.post(f"{rows}/{ada}/restore")
    client.post(f"{rows}/{ada}/hide-comment")
    client.get(f"/organizer/c/{slug}/signers/bulk", query_string={"q": "grace"})
    client.post(f"{rows}/bulk?q=grace@example.org",
                data={"operation": "invalidate", "expected": "1", "reason": "grace@example.org"})
    client.get(f"/organizer/c/{slug}/signers.csv").close()
    client.post(f"{rows}/{grace}/delete", data={"sure": "y"})
    with app.app_context():
        details = json.dumps([e.detail for e in db.session.scalars(select(AuditEntry))])
    assert len(_entries(app, "signer.deleted")) == 1
    page = client.get("/organizer/audit").text
    for name, email in people:
        assert email not in details and email not in page
        # The name only as the reason typed it, which the log cannot tell from other words.
        assert name.split()[1] not in page.replace("Ada Lovelace?", "")
    assert "signer.invalidated" in page and f"signature_id: {ada}" in page


@pytest.mark.parametrize("before_id", [None, 1000])
def test_filtering_one_action_reads_the_action_index(app, before_id):
    """One action is an equality on action, read in id order from ix_audit_log_action_id on both
    databases. A family ("export") also needs LIKE 'export.%', which neither SQLite (its LIKE
    ignores case) nor PostgreSQL under a non-C collation reads from a plain btree."""
    f = audit.AuditFilter(action="signer.deleted")
    with app.app_context():
        plan = query_plan(audit.page_query(f, before_id=before_id))
    assert "ix_audit_log_action_id" in plan, plan


def test_a_long_map_in_a_detail_is_shown_by_its_size():
    """A zip's packet hashes (one per representative) would make a line of pages."""
    hashes = {str(n): "ab" * 32 for n in range(535)}
    assert audit.describe({"rows": 12, "packets": hashes}) == ["rows: 12", "packets: 535 entries"]
    assert audit.describe({"packets": {"7": "cd"}}) == ["packets: 7 cd"]
