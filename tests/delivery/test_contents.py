"""Delivery packets: the PDF's text, the manifest's SHA-256, counts only, the zip, the command."""
from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from campaign.campaigns import store
from campaign.delivery import contents, packet_pdf
from campaign.extensions import db
from campaign.models import AuditEntry
from tests import seats
from tests.seats import EXPECTED, OMAR_SIGNERS, SIGNERS

world, owner = seats.world, seats.owner  # the fixtures, shared with test_constituents

# The packets to expect: every representative with a constituent who signed.
DELIVERED = {name for name, (count, _) in EXPECTED.items() if count}


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def manifest_sha(text: str) -> str:
    match = re.search(r"SHA-256\s+([0-9a-f]{64})", text)
    assert match, text[:2000]
    return match.group(1)


def expected_list(names_and_towns: list[tuple[str, str]]) -> str:
    """The canonical list, written out from the packet's definition, not from the code."""
    ordered = sorted(names_and_towns, key=lambda pair: (pair[0].casefold(), pair[0], pair[1]))
    return "".join(f"{name}\t{town}\n" for name, town in ordered)


OMAR_LIST = expected_list([("Zoë Ångström", "Minneapolis, MN"), ("Дмитрий Петров", "Minneapolis, MN"),
                           ("<b>Bold</b> Tables", "Minneapolis, MN")])


def test_a_packet_pdf_has_the_petition_count_names_and_a_checkable_manifest(app, client, owner):
    slug, ids = owner
    response = client.get(f"/organizer/c/{slug}/delivery/{ids['Ilhan Omar']}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="mn-05-representative-ilhan-omar.pdf"')
    assert response.headers["Cache-Control"] == "no-store"
    text = pdf_text(response.data)
    flat = " ".join(text.split())
    assert "Petition: Keep the library grants" in flat
    assert "We ask Congress to keep the library grants." in flat
    assert "For Ilhan Omar, representative, Minnesota's 5th congressional district" in flat
    assert "3 constituents of yours signed" in flat
    assert "Signed between 1 March 2026 and 1 March 2026 (UTC)" in flat
    assert "A further 2 signers live in ZIP codes or postcodes shared" in flat
    for name in OMAR_SIGNERS:
        assert name in text
    assert text.count("Minneapolis, MN") == 3
    assert manifest_sha(text) == hashlib.sha256(OMAR_LIST.encode()).hexdigest()
    assert "Manifest: 3 signers" in flat
    # Nobody else's name, and no email or postcode of anyone.
    for name, email, _country, postcode, *_ in SIGNERS:
        assert email not in text and postcode not in text
        if name not in OMAR_SIGNERS:
            assert name not in text
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export.packet"))
        # With the SHA-256 of the very file sent, which a delivery "with the packet" records.
        assert entry.detail == {"format": "pdf", "rows": 1, "signers": 3, "names": True,
                                "complete": True, "source": "web",
                                "representative_id": ids["Ilhan Omar"],
                                "sha256": hashlib.sha256(response.data).hexdigest()}


def test_a_senator_counts_the_whole_state(client, owner):
    slug, ids = owner
    text = pdf_text(client.get(f"/organizer/c/{slug}/delivery/{ids['Amy Klobuchar']}.pdf").data)
    flat = " ".join(text.split())
    assert "For Amy Klobuchar, senator, Minnesota (whole state)" in flat
    assert "7 constituents of yours signed" in flat and "Manifest: 7 signers" in flat
    for name in ("Sam Shared", "Uma Unknown", "Carl Craig", *OMAR_SIGNERS):
        assert name in text
    for name in ("Pat Pending", "Ivan Invalid", "Hal Held", "Al Aska", "Olga Other"):
        assert name not in text
    assert "Carl Craig Lakeville, MN" in text
    assert "Uma Unknown MN\n" in text  # a ZIP of no known town: the state alone


def test_the_printable_page_escapes_names_and_matches_the_pdf(client, owner):
    slug, ids = owner
    page = client.get(f"/organizer/c/{slug}/delivery/{ids['Ilhan Omar']}")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert "&lt;b&gt;Bold&lt;/b&gt; Tables" in page.text and "<b>Bold</b>" not in page.text
    assert hashlib.sha256(OMAR_LIST.encode()).hexdigest() in page.text
    assert 'media="print"' in page.text and "zoe@example.org" not in page.text


def test_counts_only_packets_have_no_names(app, client, owner):
    slug, ids = owner
    with app.app_context():
        store.get_by_slug(slug).deliver_names = False
        db.session.commit()
    pdf = pdf_text(client.get(f"/organizer/c/{slug}/delivery/{ids['Ilhan Omar']}.pdf").data)
    page = client.get(f"/organizer/c/{slug}/delivery/{ids['Ilhan Omar']}").text
    for text in (pdf, re.sub(r"<[^>]+>", "", page)):
        assert "3 constituents of yours signed" in " ".join(text.split())
        assert "without their names" in text
        for name, *_ in SIGNERS:
            assert name not in text and name.replace("<", "&lt;") not in text
    # The manifest then hashes the signatures' reference numbers, ascending.
    with app.app_context():
        from campaign.models import Signature
        ids_listed = db.session.scalars(select(Signature.id).where(
            Signature.district == "MN-05", Signature.status == "confirmed",
            Signature.campaign_id == store.get_by_slug(slug).id).order_by(Signature.id)).all()
    assert manifest_sha(pdf) == hashlib.sha256(
        "".join(f"{i}\n" for i in ids_listed).encode()).hexdigest()


def test_an_anonymized_campaign_delivers_counts_only(app, client, owner):
    slug, ids = owner
    with app.app_context():
        store.get_by_slug(slug).anonymized_at = datetime.now(UTC)
        db.session.commit()
    text = pdf_text(client.get(f"/organizer/c/{slug}/delivery/{ids['Ilhan Omar']}.pdf").data)
    flat = " ".join(text.split())
    assert "3 constituents of yours signed" in flat and "names were deleted" in flat
    assert not any(name in text for name in OMAR_SIGNERS)


def test_the_zip_holds_every_packet_and_a_summary(app, client, owner):
    slug, _ = owner
    response = client.get(f"/organizer/c/{slug}/delivery.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    assert archive.testzip() is None
    summary = list(csv.DictReader(io.StringIO(archive.read("summary.csv").decode())))
    assert {row["representative"] for row in summary} == DELIVERED
    assert set(archive.namelist()) == {row["file"] for row in summary} | {"summary.csv"}
    for row in summary:
        text = pdf_text(archive.read(row["file"]))
        assert int(row["count"]) == EXPECTED[row["representative"]][0]
        assert f"{int(row['count'])} constituent" in text and f"For {row['representative']}," in text
        assert manifest_sha(text) == row["sha256"]
    omar = next(row for row in summary if row["representative"] == "Ilhan Omar")
    assert (omar["district"], omar["sha256"]) == ("MN-05", hashlib.sha256(OMAR_LIST.encode()).hexdigest())
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export.delivery"))
        assert entry.detail["rows"] == len(DELIVERED) and entry.detail["complete"] is True
        assert entry.detail["signers"] == sum(EXPECTED[name][0] for name in DELIVERED)


def test_the_packets_page_lists_who_gets_one(client, owner):
    slug, _ = owner
    page = client.get(f"/organizer/c/{slug}/delivery").text
    for name in DELIVERED:
        assert name in page
    assert "Kelly Morrison" not in page  # only shared-ZIP signers: no packet
    assert f"/organizer/c/{slug}/delivery.zip" in page


@pytest.mark.parametrize("path", ["delivery", "delivery/1", "delivery/1.pdf", "delivery.zip"])
def test_packets_need_a_login(client, world, path):
    slug, _ = world
    response = client.get(f"/organizer/c/{slug}/{path}")
    if path.endswith((".pdf", ".zip")):  # a download: 401, as for every organizer download
        assert response.status_code == 401 and response.location is None
    else:
        assert response.status_code == 302 and response.location.startswith("/auth/login?")


def test_an_unknown_representative_is_404(client, owner):
    slug, _ = owner
    assert client.get(f"/organizer/c/{slug}/delivery/999999.pdf").status_code == 404


def test_the_command_writes_every_packet_and_the_summary(app, runner, world, tmp_path):
    slug, _ = world
    out = tmp_path / "packets"
    result = runner.invoke(args=["export", "delivery", slug, "--out", str(out)])
    assert result.exit_code == 0, result.output
    summary = list(csv.DictReader(io.StringIO((out / "summary.csv").read_text(encoding="utf-8"))))
    assert {row["representative"] for row in summary} == DELIVERED
    assert {path.name for path in out.iterdir()} == {row["file"] for row in summary} | {"summary.csv"}
    for row in summary:
        assert manifest_sha(pdf_text((out / row["file"]).read_bytes())) == row["sha256"]
        assert (out / row["file"]).stat().st_mode & 0o077 == 0  # signer names: private
    assert f"Wrote {len(DELIVERED)} packets" in result.output
    with app.app_context():
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "export.delivery"))
        assert entry.detail["source"] == "cli" and entry.detail["format"] == "files"


def test_the_command_refuses_an_unknown_campaign(runner, tmp_path):
    result = runner.invoke(args=["export", "delivery", "nope", "--out", str(tmp_path)])
    assert result.exit_code != 0 and "No campaign 'nope'" in result.output


def test_the_canonical_list_is_name_tab_town_per_line():
    signers = [contents.Signer("Ann Lee", "Duluth, MN"), contents.Signer("Bo Chen", "Ely, MN")]
    assert contents.canonical_list(signers) == "Ann Lee\tDuluth, MN\nBo Chen\tEly, MN\n"
    assert contents.printed_name("  Ann \t\n Lee ") == "Ann Lee"
    assert contents.printed_name("Zoe\u0308") == "Zoë"  # NFC: one code point, as typed elsewhere


def test_the_edit_form_switches_to_counts_only(app, client, owner):
    slug, _ = owner
    [box] = re.findall(r'<input[^>]*name="deliver_names"[^>]*>', client.get(f"/organizer/c/{slug}/edit").text)
    assert "checked" in box  # names are delivered unless the organizer says otherwise
    data = {"title": "Keep the library grants", "slug": slug, "petition_text": "We ask.",
            "goal": "100", "default_country": "US", "require_confirmation": "y"}
    assert client.post(f"/organizer/c/{slug}/edit", data=data).status_code == 303
    with app.app_context():
        assert store.get_by_slug(slug).deliver_names is False
    assert client.post(f"/organizer/c/{slug}/edit",
                       data={**data, "deliver_names": "y"}).status_code == 303
    with app.app_context():
        assert store.get_by_slug(slug).deliver_names is True


def test_the_sign_form_says_where_names_go_only_when_they_do(app, client, make_campaign):
    slug = make_campaign()
    sentence = "your name and town go to your own representatives"
    assert sentence in " ".join(client.get(f"/c/{slug}").text.split())
    with app.app_context():
        campaign = store.get_by_slug(slug)
        campaign.deliver_names = False
        store.touch(campaign)
        db.session.commit()
    assert sentence not in " ".join(client.get(f"/c/{slug}").text.split())


def _add_craig_constituents(app, slug: str, names: list[str]) -> None:
    from tests.seats import add_signers

    with app.app_context():
        add_signers(slug, [(name, f"signer{n}@example.org", "US", "55044", "MN", "MN-02", "", "confirmed")
                           for n, name in enumerate(names)])
        db.session.commit()


def test_names_in_other_scripts_print_in_a_fallback_font(app, client, owner, caplog):
    fonts = app.config["PACKET_FALLBACK_FONTS"].split()
    missing = [name for name in fonts if not Path(name).is_file()]
    if missing:  # tests/browser-deps installs them, as the Dockerfile does
        pytest.fail(f"fallback fonts missing ({missing[0]} ...): apt-get install -y fonts-droid-fallback fonts-noto-core")
    slug, ids = owner
    _add_craig_constituents(app, slug, ["王小明", "अनीता शर्मा", "Ana 山田", "김민준"])
    pdf = client.get(f"/organizer/c/{slug}/delivery/{ids['Angie Craig']}.pdf").data
    flat = " ".join(pdf_text(pdf).split())
    assert "5 constituents of yours signed" in flat
    assert "王小明" in flat and "Ana 山田" in flat and "김민준" in flat
    assert packet_pdf.UNPRINTABLE not in flat
    # Only the fonts the names need are embedded, each as a subset.
    fonts = set(re.findall(rb"/BaseFont /[A-Z]{6}\+([A-Za-z-]+)", pdf))
    assert {b"DroidSansFallback", b"NanumGothic", b"NotoSansDevanagari"} <= fonts
    assert not any(font.startswith(b"NotoSans") and b"Devanagari" not in font for font in fonts), fonts
    assert "lacks" not in caplog.text and "subset" not in caplog.text


def test_a_name_no_font_can_show_is_marked_not_left_blank(app, client, owner, caplog):
    app.config["PACKET_FALLBACK_FONTS"] = ""
    slug, ids = owner
    _add_craig_constituents(app, slug, ["王小明"])
    flat = " ".join(pdf_text(client.get(f"/organizer/c/{slug}/delivery/{ids['Angie Craig']}.pdf").data).split())
    assert "2 constituents of yours signed" in flat
    assert packet_pdf.UNPRINTABLE in flat
    assert "lacks" not in caplog.text


def test_a_file_that_is_no_font_is_skipped(app, client, owner, tmp_path, caplog):
    not_a_font = tmp_path / "fake.ttf"
    not_a_font.write_text("not a font")
    app.config["PACKET_FALLBACK_FONTS"] = f"{not_a_font} {tmp_path / 'missing.ttf'}"
    slug, ids = owner
    _add_craig_constituents(app, slug, ["王小明"])
    response = client.get(f"/organizer/c/{slug}/delivery/{ids['Angie Craig']}.pdf")
    assert response.status_code == 200
    assert packet_pdf.UNPRINTABLE in " ".join(pdf_text(response.data).split())
    assert "fake.ttf is not a usable font" in caplog.text


def test_glyphs_the_font_lacks_stay_out_of_the_log(app, client, owner, caplog):
    # Text no font can show, where no note can stand in (the title), prints blank: the log
    # says how many glyphs, never which.
    app.config["PACKET_FALLBACK_FONTS"] = ""
    slug, ids = owner
    with app.app_context():
        store.get_by_slug(slug).title = "Keep the 王小明 grants"
        db.session.commit()
    response = client.get(f"/organizer/c/{slug}/delivery/{ids['Angie Craig']}.pdf")
    assert "1 constituent of yours signed" in " ".join(pdf_text(response.data).split())
    assert "Manifest: 1 signer ·" in " ".join(pdf_text(response.data).split())
    assert "lacks 3 glyphs" in caplog.text and "王" not in caplog.text and "738b" not in caplog.text
