"""Signer exports: CSV and JSON read back, formulas neutralized, filters, access, audit, CLI."""
from __future__ import annotations

import csv
import io
import json
import logging
import os
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from campaign import audit
from campaign.campaigns import store as campaign_module
from campaign.delivery import exports
from campaign.extensions import db
from campaign.models import AuditEntry, Organizer, Signature, SignatureStatus
from tests import seats

owner = seats.owner  # and its world: representatives, a postcode mapping and signers
world = seats.world

T0 = datetime(2025, 1, 31, 9, 5, 0, 250000, tzinfo=UTC)
CONFIRMED, PENDING, INVALIDATED = (SignatureStatus.CONFIRMED, SignatureStatus.PENDING,
                                   SignatureStatus.INVALIDATED)
# (full_name, email, postcode, status, contact_ok, comment, source): stored directly, bypassing
# the sign form's rules, the way an old import or a bug might have left them.
PEOPLE = [
    ("Zoë Ångström Núñez", "zoe@example.org", "02139", CONFIRMED, True,
     'Yes, "really",\nand a second line', "twitter"),
    ("=cmd|' /C calc'!A0", "-dash@example.org", "10001", CONFIRMED, False, "@SUM(1+1)", ""),
    ("Cher", "+plus@example.org", "90210", PENDING, True, "\tTabbed in", "=HYPERLINK(\"x\")"),
    ("Bob +1", "bob@example.org", "60601", CONFIRMED, True, "\rCarriage", "-email"),
    ("Mallory Spam", "spam@example.org", "99999", INVALIDATED, True, "", ""),
]
# Each person's stored state and district, as signing stores them from the postcode ("" when
# the ZIP is unknown or, for Cher's, shared by two districts until she picks one).
PLACES = [("MA", "MA-07"), ("NY", "NY-12"), ("CA", ""), ("IL", "IL-07"), ("", "")]
PLACE_OF = {person[1]: place for person, place in zip(PEOPLE, PLACES)}
# The same people as the CSV must show them; city, state and district last.
EXPECTED_CSV = [
    ["Zoë Ångström", "Núñez", "zoe@example.org", "02139", "US", "2025-01-31T09:05:00Z",
     "2025-01-31T09:08:00Z", "confirmed", 'Yes, "really",\nand a second line', "true", "twitter",
     "Cambridge", "MA", "MA-07"],
    ["'=cmd|' /C", "calc'!A0", "'-dash@example.org", "10001", "US", "2025-01-31T09:06:00Z",
     "2025-01-31T09:09:00Z", "confirmed", "'@SUM(1+1)", "false", "", "New York", "NY", "NY-12"],
    ["Cher", "", "'+plus@example.org", "90210", "US", "2025-01-31T09:07:00Z", "", "pending",
     "'\tTabbed in", "true", "'=HYPERLINK(\"x\")", "Beverly Hills", "CA", ""],
    ["Bob", "'+1", "bob@example.org", "60601", "US", "2025-01-31T09:08:00Z",
     "2025-01-31T09:11:00Z", "confirmed", "'\rCarriage", "true", "'-email", "Chicago", "IL", "IL-07"],
    ["Mallory", "Spam", "spam@example.org", "99999", "US", "2025-01-31T09:09:00Z", "",
     "invalidated", "", "true", "", "", "", ""],
]


def add_signers(app, slug: str, people=PEOPLE, *, start: datetime = T0, step=timedelta(minutes=1)):
    """Store signatures straight into the table, one a step apart."""
    with app.app_context():
        campaign = campaign_module.get_by_slug(slug)
        for i, (name, email, postcode, status, contact_ok, comment, source) in enumerate(people):
            signed = start + i * step
            region, district = PLACE_OF.get(email, ("", ""))
            db.session.add(Signature(
                campaign_id=campaign.id, full_name=name, email=email, email_key=email.lower(),
                postcode=postcode, country="US", status=status, contact_ok=contact_ok,
                comment=comment, source=source, created_at=signed, region=region, district=district,
                district_choices="CA-30 CA-36" if email == "+plus@example.org" else "",
                confirmed_at=signed + timedelta(minutes=3) if status == CONFIRMED else None))
        db.session.commit()


@pytest.fixture
def owned(app, client, make_campaign, make_organizer, login):
    """A campaign with PEOPLE signed, and its owner logged in on client."""
    slug = make_campaign(slug="river")
    add_signers(app, slug)
    login(client, make_organizer(campaigns_owned=[slug]))
    return slug


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def audit_entries(app) -> list[AuditEntry]:
    with app.app_context():
        query = select(AuditEntry).where(AuditEntry.action == "export.signers")
        return list(db.session.scalars(query.order_by(AuditEntry.id)))


def test_csv_reads_back_with_every_column(owned, client):
    response = client.get("/organizer/c/river/signers.csv")
    assert response.status_code == 200
    rows = read_csv(response.text)
    assert rows[0] == list(exports.COLUMNS)
    assert rows[1:] == EXPECTED_CSV
    assert not response.data.startswith(b"\xef\xbb\xbf")


def test_bom_only_when_asked_and_the_file_still_parses(owned, client):
    response = client.get("/organizer/c/river/signers.csv?bom=1")
    bom = b"\xef\xbb\xbf"
    assert response.data.startswith(bom) and not response.data.startswith(bom * 2)
    assert read_csv(response.data.decode("utf-8-sig"))[1:] == EXPECTED_CSV
    json_body = client.get("/organizer/c/river/signers.json?bom=1").data
    assert json_body.startswith(b"[")  # JSON never gets a BOM


@pytest.mark.parametrize(("query", "expected"), [
    ("", [0, 1, 2, 3, 4]),
    ("?confirmed=1", [0, 1, 3]),
    ("?contact=1", [0, 2, 3, 4]),
    ("?confirmed=1&contact=1", [0, 3]),
    ("?confirmed=0&contact=false&bom=no", [0, 1, 2, 3, 4]),
])
def test_filters(owned, client, query, expected):
    rows = read_csv(client.get(f"/organizer/c/river/signers.csv{query}").text)
    assert rows[1:] == [EXPECTED_CSV[i] for i in expected]
    records = client.get(f"/organizer/c/river/signers.json{query}").json
    assert [r["email"] for r in records] == [PEOPLE[i][1] for i in expected]


def test_a_flag_that_is_neither_yes_nor_no_is_refused(owned, client):
    assert client.get("/organizer/c/river/signers.csv?confirmed=maybe").status_code == 400


def test_json_parses_back_to_the_same_records(owned, client):
    response = client.get("/organizer/c/river/signers.json")
    assert response.mimetype == "application/json"
    records = json.loads(response.data.decode("utf-8"))
    assert [list(r) for r in records] == [list(exports.COLUMNS)] * len(PEOPLE)
    for record, row, person in zip(records, EXPECTED_CSV, PEOPLE):
        assert record["contact_ok"] is person[4]
        assert record["confirmed_at"] == (row[6] or None)
        # The raw values: neutralizing is for spreadsheets, not for programs.
        raw = (record["email"], record["comment"], record["source"])
        assert raw == (person[1], person[5], person[6])
        assert record["signed_at"] == row[5] and record["status"] == row[7]
    assert records[1]["first_name"] == "=cmd|' /C" and records[2]["last_name"] == ""


def test_download_headers(owned, client, clock):
    today = clock.now.strftime("%Y%m%d")  # the app's stopped clock: no midnight in between
    for fmt, media_type in [("csv", "text/csv; charset=utf-8"), ("json", "application/json")]:
        response = client.get(f"/organizer/c/river/signers.{fmt}")
        assert response.headers["Content-Type"] == media_type
        disposition = f'attachment; filename="river-signers-{today}.{fmt}"'
        assert response.headers["Content-Disposition"] == disposition
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        response.close()  # not read: a server closes the stream, and so must a test


def test_another_organizers_campaign_is_404(app, client, owned, make_campaign, make_organizer,
                                            login):
    theirs = make_campaign(slug="not-yours")
    add_signers(app, theirs)
    for path in ("signers.csv", "signers.json", "exports", "exports?format=csv"):
        assert client.get(f"/organizer/c/{theirs}/{path}").status_code == 404
    assert client.get("/organizer/c/no-such-campaign/signers.csv").status_code == 404
    assert audit_entries(app) == []


def test_strangers_get_401_for_data_and_the_login_page_otherwise(app, make_campaign):
    slug = make_campaign()
    anonymous = app.test_client()
    assert anonymous.get(f"/organizer/c/{slug}/signers.csv").status_code == 401
    assert anonymous.get(f"/organizer/c/{slug}/signers.json").status_code == 401
    page = anonymous.get(f"/organizer/c/{slug}/exports")
    assert page.status_code == 302 and "/auth/login" in page.headers["Location"]


def test_each_download_is_audited_with_its_row_count(app, owned, client, caplog):
    caplog.set_level(logging.INFO, logger="campaign.delivery.export_log")
    assert client.get("/organizer/c/river/signers.csv?confirmed=1").data
    assert client.get("/organizer/c/river/signers.json").data
    with app.app_context():
        organizer_id = db.session.scalar(select(Organizer.id))
        campaign_id = campaign_module.get_by_slug("river").id
    entries = audit_entries(app)
    assert [(e.organizer_id, e.campaign_id) for e in entries] == [(organizer_id, campaign_id)] * 2
    assert [e.detail for e in entries] == [
        {"format": "csv", "filters": {"confirmed_only": True, "contact_only": False}, "rows": 3,
         "complete": True, "source": "web"},
        {"format": "json", "filters": {"confirmed_only": False, "contact_only": False}, "rows": 5,
         "complete": True, "source": "web"},
    ]
    logged = caplog.text
    assert "exported 3 rows" in logged
    assert not any(part in logged for person in PEOPLE for part in person[:2])


def test_a_client_hanging_up_mid_download_is_audited_with_the_rows_sent(app, client, owned):
    many = [(f"Signer Number{i}", f"s{i}@example.org", "02139", CONFIRMED, True, "", "")
            for i in range(2 * exports.CHUNK_ROWS + 5)]
    add_signers(app, owned, many, start=T0 + timedelta(days=1), step=timedelta(seconds=1))
    response = client.get("/organizer/c/river/signers.csv")
    first = next(iter(response.response))
    assert first.startswith(b"first_name,")
    response.close()  # what the server does when the client goes away
    (entry,) = audit_entries(app)
    assert entry.detail["rows"] == exports.CHUNK_ROWS and entry.detail["complete"] is False


def test_paging_keeps_order_across_ties_and_pages(app, owned):
    twins = [(f"Twin Number{i}", f"t{i}@example.org", "02139", CONFIRMED, False, "", "")
             for i in range(7)]
    add_signers(app, owned, twins, start=T0 + timedelta(days=2), step=timedelta(0))  # one instant
    with app.app_context():
        campaign_id = campaign_module.get_by_slug("river").id
        expected = list(db.session.scalars(
            select(Signature.id).where(Signature.campaign_id == campaign_id)
            .order_by(Signature.created_at, Signature.id)))
        for size in (1, 2, 3, 5, 100):
            rows = exports.signer_rows(campaign_id, exports.Filters(), page_size=size)
            ids = [row[0] for row in rows]
            assert ids == expected, size


def test_an_empty_list_is_a_header_or_an_empty_array(client, make_campaign, make_organizer, login):
    slug = make_campaign()
    login(client, make_organizer(campaigns_owned=[slug]))
    assert read_csv(client.get(f"/organizer/c/{slug}/signers.csv").text) == [list(exports.COLUMNS)]
    assert client.get(f"/organizer/c/{slug}/signers.json").json == []


def test_exports_page_counts_each_choice_and_sends_the_form_to_the_download(owned, client):
    page = client.get("/organizer/c/river/exports")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    counts = page.text.split('id="export-counts"')[1].split("</table>")[0]
    cells = [c.split("</td>")[0] for c in counts.split('<td class="num">')[1:]]
    assert cells == ["5", "3", "4", "2"]
    assert 'id="confirmed" name="confirmed" value="1" checked' in page.text
    sent = client.get("/organizer/c/river/exports?format=json&confirmed=1&contact=1&bom=0")
    assert sent.status_code == 303
    assert sent.headers["Location"] == "/organizer/c/river/signers.json?confirmed=1&contact=1"


@pytest.mark.parametrize(("cell", "expected"), [
    ("=1+1", "'=1+1"), ("+44 20", "'+44 20"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("\nx", "'\nx"), ("", ""), ("Ada", "Ada"), ("a=b", "a=b"),
    ("'quoted", "'quoted"), (" =1", " =1"),
])
def test_neutralize(cell, expected):
    assert exports.neutralize(cell) == expected


@pytest.mark.parametrize(("name", "split"), [
    ("Ada Lovelace", ("Ada", "Lovelace")), ("Cher", ("Cher", "")), ("", ("", "")),
    ("Mary Jane van der Berg", ("Mary Jane van der", "Berg")),
    ("  Grace   Hopper ", ("Grace", "Hopper")),
    ("李 小龙", ("李", "小龙")),
])
def test_split_name(name, split):
    assert exports.split_name(name) == split


def test_chunks_count_their_records_and_join_into_valid_files():
    records = [("A", "B", f"{i}@x.org", "1", "US", "2025-01-01T00:00:00Z", None, "pending", "",
                False, "", "", "", "") for i in range(5)]
    csv_parts = list(exports.csv_chunks(records, chunk_rows=2))
    assert [n for _, n in csv_parts] == [2, 2, 1]
    assert len(read_csv("".join(t for t, _ in csv_parts))) == 6
    json_parts = list(exports.json_chunks(records, chunk_rows=2))
    assert [n for _, n in json_parts] == [2, 2, 1, 0]
    parsed = json.loads("".join(t for t, _ in json_parts))
    assert [r["email"] for r in parsed] == [r[2] for r in records]
    assert json.loads("".join(t for t, _ in exports.json_chunks([]))) == []


def test_cli_writes_csv_to_stdout_and_audits_without_an_organizer(app, runner, make_campaign):
    slug = make_campaign()
    add_signers(app, slug)
    result = runner.invoke(args=["export", "signers", slug, "--contact-only"])
    assert result.exit_code == 0, result.output
    assert read_csv(result.stdout)[1:] == [EXPECTED_CSV[i] for i in (0, 2, 3, 4)]
    assert f"Exported 4 rows of /c/{slug}" in result.stderr
    (entry,) = audit_entries(app)
    assert entry.organizer_id is None
    assert entry.detail == {"format": "csv", "rows": 4, "complete": True, "source": "cli",
                            "filters": {"confirmed_only": False, "contact_only": True}}


def test_cli_writes_json_to_a_private_file(app, runner, make_campaign, tmp_path):
    slug = make_campaign()
    add_signers(app, slug)
    out = tmp_path / "out" / "signers.json"
    out.parent.mkdir()
    result = runner.invoke(args=["export", "signers", slug, "--format", "json", "--confirmed-only",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    emails = [r["email"] for r in json.loads(out.read_text("utf-8"))]
    assert emails == [PEOPLE[i][1] for i in (0, 1, 3)]
    assert os.stat(out).st_mode & 0o777 == 0o600
    assert [p.name for p in out.parent.iterdir()] == ["signers.json"]  # no temporary file left
    bom = runner.invoke(args=["export", "signers", slug, "--bom"])
    assert bom.stdout_bytes.startswith(b"\xef\xbb\xbf")


def test_cli_unknown_campaign(runner):
    result = runner.invoke(args=["export", "signers", "nope"])
    assert result.exit_code != 0 and "No campaign 'nope'" in result.output


def test_cli_refuses_a_file_in_a_missing_directory(app, runner, make_campaign, tmp_path):
    slug = make_campaign()
    missing = tmp_path / "no" / "x.csv"
    result = runner.invoke(args=["export", "signers", slug, "--out", str(missing)])
    assert result.exit_code != 0 and "Could not write" in result.output


# --- No download without its audit line ---------------------------------------------------

def test_the_audit_line_is_committed_before_the_first_byte_leaves(app, owned, client):
    response = client.get("/organizer/c/river/signers.csv")  # headers made, body not yet read
    (started,) = audit_entries(app)
    assert started.detail["complete"] is False and started.detail["rows"] == 0
    assert read_csv(response.text)[1:] == EXPECTED_CSV
    (finished,) = audit_entries(app)
    assert finished.id == started.id
    assert finished.detail["complete"] is True and finished.detail["rows"] == len(PEOPLE)


def _record_fails(monkeypatch, app) -> None:
    def refuse(*args, **kwargs):
        raise OperationalError("INSERT INTO audit_log", {}, Exception("disk I/O error"))

    monkeypatch.setattr(audit, "record", refuse)


def _commit_fails(monkeypatch, app) -> None:
    def refuse():
        raise OperationalError("COMMIT", {}, Exception("database is locked"))

    monkeypatch.setattr(db.session, "commit", refuse)


DOWNLOADS = ["signers.csv", "signers.json", "representatives.csv", "representatives.json",
             "delivery/{omar}.pdf", "delivery.zip"]


@pytest.mark.parametrize("path", DOWNLOADS)
@pytest.mark.parametrize("failure", [_record_fails, _commit_fails], ids=["record", "commit"])
def test_a_download_whose_audit_line_cannot_be_written_sends_no_data(app, client, owner,
                                                                     monkeypatch, path, failure):
    slug, ids = owner
    failure(monkeypatch, app)
    response = client.get(f"/organizer/c/{slug}/" + path.format(omar=ids["Ilhan Omar"]))
    assert response.status_code == 503
    assert "Content-Disposition" not in response.headers
    body = response.get_data(as_text=True)
    assert "could not be recorded in the audit log" in body or "The download did not start" in body
    signers = [part for person in seats.SIGNERS for part in (person[0], person[1])]
    representatives = [person[0] for person in seats.REPRESENTATIVES]
    assert not [word for word in signers + representatives if word in body]
    monkeypatch.undo()
    with app.app_context():
        assert db.session.scalars(select(AuditEntry).where(
            AuditEntry.action.like("export.%"))).all() == []


def test_targeting_columns_keep_each_signers_place_for_a_reimport(owned, client):
    """City, state and district come through CSV and JSON alike, ready to map on a re-import."""
    rows = read_csv(client.get("/organizer/c/river/signers.csv").text)
    header = rows[0]
    by_email = {row[header.index("email")]: row for row in rows[1:]}
    zoe = by_email["zoe@example.org"]
    assert [zoe[header.index(c)] for c in ("city", "state", "district")] == ["Cambridge", "MA", "MA-07"]
    records = {r["email"]: r for r in client.get("/organizer/c/river/signers.json").json}
    assert (records["bob@example.org"]["city"], records["bob@example.org"]["state"],
            records["bob@example.org"]["district"]) == ("Chicago", "IL", "IL-07")
    # A ZIP shared by two districts has no district until the signer picks one: left blank.
    assert records["+plus@example.org"]["district"] == ""
