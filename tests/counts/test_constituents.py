"""Counts per representative: the aggregate, the organizer page, CSV and JSON read back, the CLI."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
from sqlalchemy import event, select

from campaign.campaigns import store
from campaign.counts import constituents
from campaign.extensions import db
from campaign.models import AuditEntry
from tests import seats
from tests.seats import EXPECTED, EXPECTED_CONFIRMED, EXPECTED_UNKNOWN

world, owner = seats.world, seats.owner  # the fixtures, shared with test_delivery


def _report(app, slug):
    with app.app_context():
        return constituents.report(store.get_by_slug(slug).id)


def test_each_seat_counts_its_confirmed_constituents(app, world):
    slug, _ = world
    report = _report(app, slug)
    assert {seat.name: (seat.constituents, seat.in_shared) for seat in report.seats} == {
        **EXPECTED, "Betty McCollum": (0, 0)}  # listed for her outreach alone
    assert report.confirmed == EXPECTED_CONFIRMED and report.unknown_district == EXPECTED_UNKNOWN
    # Senators first within their state, then the districts in order.
    assert [seat.name for seat in report.seats] == [
        "Lisa Murkowski", "Nick Begich", "Amy Klobuchar", "Tina Smith", "Angie Craig",
        "Kelly Morrison", "Betty McCollum", "Ilhan Omar"]


def test_shared_zip_signers_are_listed_apart_not_split(app, world):
    slug, _ = world
    [group] = _report(app, slug).shared
    assert group.districts == ("MN-03", "MN-05") and group.count == 2
    assert group.members == ("Kelly Morrison", "Ilhan Omar")


def test_outreaches_are_counted_per_channel(app, world):
    slug, _ = world
    seats = {seat.name: seat for seat in _report(app, slug).seats}
    assert seats["Ilhan Omar"].outreach == {"email": 2, "phone": 1, "form": 0, "letter": 0}
    assert seats["Betty McCollum"].outreach_total == 1
    assert seats["Angie Craig"].outreach_total == 0


def test_counts_come_from_aggregates_never_from_signature_rows(app, world):
    slug, _ = world
    statements = []
    with app.app_context():
        campaign_id = store.get_by_slug(slug).id
        listen = lambda *args: statements.append(args[2])
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            constituents.report(campaign_id)
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
    reading_signatures = [s for s in statements if "FROM signatures" in s]
    assert len(reading_signatures) == 2
    assert all("count(*)" in s and "GROUP BY" in s and "full_name" not in s
               for s in reading_signatures)


def test_a_campaign_without_signers_or_data_has_an_empty_report(app, make_campaign):
    slug = make_campaign()
    report = _report(app, slug)
    assert (report.confirmed, report.seats, report.shared, report.unknown_district) == (0, [], [], 0)


def test_the_organizer_page_lists_seats_and_shared_zips(client, owner):
    slug, _ = owner
    page = client.get(f"/organizer/c/{slug}/representatives")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    text = " ".join(page.text.split())
    assert "Ilhan Omar" in text and "Minnesota&#39;s 5th congressional district" in text
    row = text.split("Ilhan Omar", 1)[1].split("</tr>", 1)[0]
    # Constituents, in shared ZIPs, then contacted by email, phone, form and letter.
    assert re.findall(r'<td class="num">([^<]*)</td>', row) == ["3", "2", "2", "1", "0", "0"]
    assert "MN-03 / MN-05</th><td>Kelly Morrison / Ilhan Omar</td> <td class=\"num\">2</td>" in text
    assert "Olga Other" not in text and "zoe@example.org" not in text and "Zoë" not in text
    assert f'href="/organizer/c/{slug}/representatives.csv"' in text


def test_the_csv_reads_back_with_every_row(app, client, owner):
    slug, _ = owner
    response = client.get(f"/organizer/c/{slug}/representatives.csv")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith(
        f'attachment; filename="{slug}-representatives-')
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    seats = {r["representative"]: r for r in rows if r["kind"] == "seat"}
    assert {name: (int(r["constituents"]), int(r["in_shared_postcodes"]))
            for name, r in seats.items()} == {**EXPECTED, "Betty McCollum": (0, 0)}
    assert seats["Ilhan Omar"]["outreach_email"] == "2" and seats["Ilhan Omar"]["district"] == "MN-05"
    assert seats["Amy Klobuchar"]["region"] == "MN" and seats["Amy Klobuchar"]["district"] == ""
    [shared] = [r for r in rows if r["kind"] == "shared"]
    assert (shared["district"], shared["constituents"]) == ("MN-03 MN-05", "2")
    [unknown] = [r for r in rows if r["kind"] == "unknown"]
    assert unknown["constituents"] == str(EXPECTED_UNKNOWN)
    with app.app_context():
        [entry] = db.session.scalars(select(AuditEntry).where(
            AuditEntry.action == "export.representatives")).all()
        assert entry.detail["format"] == "csv" and entry.detail["rows"] == len(seats)


def test_the_json_reads_back(client, owner):
    slug, _ = owner
    response = client.get(f"/organizer/c/{slug}/representatives.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = json.loads(response.data)
    assert document["campaign"] == slug and document["confirmed_signatures"] == EXPECTED_CONFIRMED
    seats = {seat["name"]: seat for seat in document["representatives"]}
    assert seats["Tina Smith"]["constituents"] == 7 and seats["Ilhan Omar"]["outreach"]["phone"] == 1
    assert document["shared_postcodes"] == [{
        "districts": ["MN-03", "MN-05"], "representatives": ["Kelly Morrison", "Ilhan Omar"],
        "signature_count": 2}]
    assert document["unknown_district"] == EXPECTED_UNKNOWN
    assert "example.org" not in response.text and "Zoë" not in response.text


def test_a_spreadsheet_formula_in_a_name_is_neutralized(app, client, owner):
    slug, _ = owner
    with app.app_context():
        from campaign.models import Representative
        db.session.add(Representative(source="odd", external_id="1", name="=HYPERLINK(1)",
                                      office="representative", country="US", region="MN",
                                      district="MN-02"))
        db.session.commit()
    rows = list(csv.DictReader(io.StringIO(client.get(f"/organizer/c/{slug}/representatives.csv").text)))
    assert "'=HYPERLINK(1)" in {r["representative"] for r in rows}


@pytest.mark.parametrize("path", ["representatives.csv", "representatives.json"])
def test_downloads_need_a_login(client, world, path):
    slug, _ = world
    assert client.get(f"/organizer/c/{slug}/{path}").status_code == 401


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_the_command_writes_the_same(app, runner, world, tmp_path, fmt):
    slug, _ = world
    out = tmp_path / f"reps.{fmt}"
    result = runner.invoke(args=["export", "representatives", slug, "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    if fmt == "csv":
        names = {r["representative"] for r in csv.DictReader(io.StringIO(text)) if r["kind"] == "seat"}
    else:
        names = {seat["name"] for seat in json.loads(text)["representatives"]}
    assert names == set(EXPECTED) | {"Betty McCollum"}
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export.representatives"))
        assert entry.detail["source"] == "cli" and entry.organizer_id is None


def test_the_command_refuses_an_unknown_campaign(runner):
    result = runner.invoke(args=["export", "representatives", "no-such-campaign"])
    assert result.exit_code != 0 and "No campaign 'no-such-campaign'" in result.output
