"""Deliveries and answers: the rules of a record, the packet's SHA-256, the accountability rows."""
from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from campaign.accounts import organizers
from campaign.campaigns import store
from campaign.delivery import accountability, answers, archive
from campaign.extensions import db
from campaign.models import TARGET_OFFICE, AuditEntry, Delivery
from tests import seats
from tests.seats import EXPECTED, EXPECTED_CONFIRMED

DELIVERED = {name for name, (count, _) in EXPECTED.items() if count}

world, owner = seats.world, seats.owner

TODAY = date(2026, 3, 20)


def _record(slug: str, key: str, **fields) -> Delivery:
    campaign = store.get_by_slug(slug)
    office = answers.office_of(campaign, key)
    values = {"delivered_on": date(2026, 3, 10), "method": "email", "with_packet": False,
              "answer": None, "today": TODAY, **fields}
    row = answers.record(campaign, office, organizer=organizers.get_by_email("org@example.org"),
                         **values)
    db.session.commit()
    return row


@pytest.fixture
def organizer_account(make_organizer, world):
    return make_organizer(campaigns_owned=[world[0]])


def test_the_rows_are_the_target_and_every_representative_with_constituents(app, world):
    slug, _ = world
    with app.app_context():
        rows = accountability.rows(store.get_by_slug(slug), today=TODAY)
    assert rows[0].key == TARGET_OFFICE and rows[0].name == "The County Board"
    assert rows[0].constituents == EXPECTED_CONFIRMED
    by_name = {row.name: row.constituents for row in rows[1:]}
    assert by_name == {name: count for name, (count, _) in EXPECTED.items() if count}
    assert all(row.delivered_on is None and row.answer_status is None for row in rows)


def test_a_recorded_answer_is_stored_and_shown_in_its_row(app, world, organizer_account):
    slug, ids = world
    key = answers.representative_key(ids["Ilhan Omar"])
    with app.app_context():
        _record(slug, key, answer=answers.Answer("supports", date(2026, 3, 15), "  I back it. ",
                                                 "https://omar.house.gov/answer"))
        stored = db.session.scalar(select(Delivery))
        assert (stored.office_name, stored.answer_status, stored.answer_quote) == (
            "Ilhan Omar", "supports", "I back it.")
        row = next(r for r in accountability.rows(store.get_by_slug(slug), today=TODAY)
                   if r.key == key)
        assert (row.constituents, row.status_label, row.days_waiting) == (3, "Supports", None)
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "delivery.recorded"))
        assert entry.detail["answer"] == "supports" and "I back it." not in str(entry.detail)


def test_an_unanswered_delivery_counts_the_days_since(app, world, organizer_account):
    slug, _ = world
    with app.app_context():
        _record(slug, TARGET_OFFICE, delivered_on=date(2026, 3, 1), method="post")
        row = accountability.rows(store.get_by_slug(slug), today=TODAY)[0]
        assert (row.delivered_on, row.method_label, row.days_waiting) == (date(2026, 3, 1), "Post", 19)


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"delivered_on": date(2026, 3, 21)}, "delivered_on", "cannot be in the future"),
    ({"method": "pigeon"}, "method", "Choose how"),
    ({"answer": answers.Answer("supports", date(2026, 3, 9))}, "answered_on", "before the delivery"),
    ({"answer": answers.Answer("supports", date(2026, 3, 21))}, "answered_on", "in the future"),
    ({"answer": answers.Answer("maybe", date(2026, 3, 12))}, "answer_status", "Choose the office"),
    ({"answer": answers.Answer("opposes", date(2026, 3, 12), "x" * 1001)}, "answer_quote", "at most 1,000"),
    ({"answer": answers.Answer("opposes", date(2026, 3, 12), url="javascript:alert(1)")},
     "answer_url", "http:// or https://"),
    ({"answer": answers.Answer("opposes", date(2026, 3, 12), url="https://")}, "answer_url", "http"),
    ({"answer": answers.Answer("opposes", date(2026, 3, 12), url="http://[bad")}, "answer_url", "http"),
    ({"with_packet": True}, "with_packet", "never downloaded"),
])
def test_a_record_breaking_a_rule_is_refused_with_its_reason(app, world, organizer_account,
                                                             fields, field, message):
    slug, ids = world
    with app.app_context():
        with pytest.raises(answers.InvalidRecord) as refused:
            _record(slug, answers.representative_key(ids["Angie Craig"]), **fields)
        assert refused.value.field == field and message in str(refused.value)
        db.session.rollback()
        assert db.session.scalar(select(Delivery)) is None


def test_the_target_has_no_packet(app, world, organizer_account):
    with app.app_context(), pytest.raises(answers.InvalidRecord, match="representatives only"):
        _record(world[0], TARGET_OFFICE, with_packet=True)


def test_with_the_packet_stores_the_sha256_of_the_pdf_downloaded(app, client, owner):
    slug, ids = owner
    pdf = client.get(f"/organizer/c/{slug}/delivery/{ids['Ilhan Omar']}.pdf")
    assert pdf.status_code == 200
    with app.app_context():
        row = _record(slug, answers.representative_key(ids["Ilhan Omar"]), with_packet=True)
        assert row.packet_sha256 == hashlib.sha256(pdf.data).hexdigest()
        # Another office's packet is not this one's.
        with pytest.raises(answers.InvalidRecord):
            _record(slug, answers.representative_key(ids["Angie Craig"]), with_packet=True)


def _assert_records_each_packet(app, slug: str, ids: dict[str, int], pdfs: dict[str, bytes],
                                via: str) -> None:
    """Recording "with the packet" keeps the SHA-256 of the very PDF bytes handed over."""
    assert set(pdfs) == DELIVERED
    with app.app_context():
        campaign = store.get_by_slug(slug)
        for name, pdf in pdfs.items():
            key = answers.representative_key(ids[name])
            assert answers.last_packet_download(campaign.id, ids[name]).via == via
            row = _record(slug, key, with_packet=True)
            assert row.packet_sha256 == hashlib.sha256(pdf).hexdigest()
        # One compact entry: representative ids and hashes, nothing of a signer.
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export.delivery"))
        assert entry.detail["packets"] == {str(ids[name]): hashlib.sha256(pdf).hexdigest()
                                           for name, pdf in pdfs.items()}


def test_with_the_packet_after_the_zip_stores_the_sha256_of_each_pdf_in_it(app, client, owner):
    slug, ids = owner
    response = client.get(f"/organizer/c/{slug}/delivery.zip")
    assert response.status_code == 200
    zipped = zipfile.ZipFile(io.BytesIO(response.data))  # the whole stream read
    rows = csv.DictReader(io.StringIO(zipped.read("summary.csv").decode()))
    pdfs = {row["representative"]: zipped.read(row["file"]) for row in rows}
    _assert_records_each_packet(app, slug, ids, pdfs, "the zip of every packet")


def test_with_the_packet_after_the_command_stores_the_sha256_of_each_file(app, runner, owner,
                                                                          tmp_path):
    slug, ids = owner
    result = runner.invoke(args=["export", "delivery", slug, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    rows = csv.DictReader(io.StringIO((tmp_path / "summary.csv").read_text(encoding="utf-8")))
    pdfs = {row["representative"]: (tmp_path / row["file"]).read_bytes() for row in rows}
    _assert_records_each_packet(app, slug, ids, pdfs, "flask export delivery")


def test_the_latest_download_wins_and_a_cut_zip_records_nothing(app, client, owner):
    slug, ids = owner
    assert zipfile.ZipFile(io.BytesIO(client.get(f"/organizer/c/{slug}/delivery.zip").data))
    pdf = client.get(f"/organizer/c/{slug}/delivery/{ids['Ilhan Omar']}.pdf").data
    with app.app_context():
        campaign_id = store.get_by_slug(slug).id
        stream = archive.zip_stream(campaign_id, organizer_id=None, source="web",
                                    now=datetime.now(UTC))
        next(stream)  # the first packet sent, then the client hangs up
        stream.close()
        cut = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export.delivery")
                                 .order_by(AuditEntry.id.desc())).first()
        assert cut.detail["complete"] is False and "packets" not in cut.detail
        row = _record(slug, answers.representative_key(ids["Ilhan Omar"]), with_packet=True)
        assert row.packet_sha256 == hashlib.sha256(pdf).hexdigest()
        # An office whose latest is the zip keeps the zip's hash, not the single PDF's.
        craig = answers.last_packet_download(campaign_id, ids["Angie Craig"])
        assert craig is not None and craig.via == "the zip of every packet"


def test_offices_are_the_targets_and_representatives_only(app, world):
    slug, ids = world
    with app.app_context():
        campaign = store.get_by_slug(slug)
        assert answers.office_of(campaign, "representative-999999") is None
        assert answers.office_of(campaign, "representative-0") is None
        assert answers.office_of(campaign, "../etc") is None
        keys = accountability.office_keys(campaign)
        assert answers.representative_key(ids["Kelly Morrison"]) not in keys  # no constituent signed
        assert {TARGET_OFFICE, answers.representative_key(ids["Ilhan Omar"])} <= keys


def test_the_threshold_marks_delivery_due(app, world):
    with app.app_context():
        campaign = store.get_by_slug(world[0])
        assert not accountability.delivery_due(campaign, 10_000)
        campaign.response_threshold = 9
        assert accountability.delivery_due(campaign, 9)
        assert not accountability.delivery_due(campaign, 8)
