"""Counts per representative and delivery packets: the page, its downloads, each packet, the zip."""
from __future__ import annotations

from flask import abort, render_template, stream_with_context, url_for

from campaign.clock import utcnow
from campaign.counts import constituents
from campaign.delivery import answers, archive, contents, export_log, exports, packet_pdf
from campaign.extensions import db
from campaign.models import Campaign, Representative
from campaign.organizer.access import campaign_or_404, current_organizer
from campaign.organizer.blueprint import bp
from campaign.organizer.downloads import attachment


@bp.get("/c/<slug>/representatives")
def representatives(slug: str):
    """Each representative with their constituents who signed, shared postcodes apart."""
    campaign = campaign_or_404(current_organizer(), slug)
    return render_template("organizer/representatives.html", campaign=campaign,
                           report=constituents.report(campaign.id),
                           channels=constituents.CHANNELS)


@bp.get("/c/<slug>/representatives.csv")
def representatives_csv(slug: str):
    """The counts per representative as CSV; audited."""
    return _report_download(slug, "csv")


@bp.get("/c/<slug>/representatives.json")
def representatives_json(slug: str):
    """The counts per representative as JSON; audited."""
    return _report_download(slug, "json")


def _report_download(slug: str, fmt: str):
    organizer = current_organizer()
    campaign = campaign_or_404(organizer, slug)
    now = utcnow()
    found = constituents.report(campaign.id)
    text = (constituents.report_csv(found) if fmt == "csv"
            else constituents.report_json(found, slug=campaign.slug, generated_at=now))
    _audit_now(campaign, "export.representatives", fmt, rows=len(found.seats))
    return attachment(text, exports.MEDIA_TYPES[fmt],
                      f"{campaign.slug}-representatives-{now:%Y%m%d}.{fmt}")


def _packet(slug: str, representative_id: int) -> tuple[Campaign, contents.Packet]:
    campaign = campaign_or_404(current_organizer(), slug)
    representative = db.session.get(Representative, representative_id)
    if representative is None:
        abort(404)
    packet = contents.build(campaign, representative, now=utcnow(),
                            in_shared=constituents.shared_with(campaign.id, representative.district))
    if packet.count == 0:  # no constituent of theirs signed: nothing to deliver, as the list says
        abort(404)
    return campaign, packet


@bp.get("/c/<slug>/delivery")
def delivery_packets(slug: str):
    """The packets to deliver, one per representative with constituents who signed."""
    campaign = campaign_or_404(current_organizer(), slug)
    return render_template("organizer/delivery.html", campaign=campaign,
                           seats=archive.seats_to_deliver(campaign.id))


@bp.get("/c/<slug>/delivery/<int:representative_id>")
def packet_page(slug: str, representative_id: int):
    """One representative's packet as a printable page."""
    campaign, packet = _packet(slug, representative_id)
    return render_template("organizer/packet.html", campaign=campaign, packet=packet,
                           pdf_url=url_for(".packet_download", slug=slug,
                                           representative_id=representative_id))


@bp.get("/c/<slug>/delivery/<int:representative_id>.pdf")
def packet_download(slug: str, representative_id: int):
    """One representative's packet as a PDF; audited."""
    campaign, packet = _packet(slug, representative_id)
    pdf = packet_pdf.render(packet)
    # The hash of this very file, which a delivery "with the packet" records (answers.py).
    _audit_now(campaign, answers.PACKET_DOWNLOAD, "pdf", rows=1, signers=packet.count,
               names=packet.with_names, representative_id=representative_id,
               sha256=answers.packet_sha256(pdf))
    return attachment(pdf, "application/pdf",
                      archive.file_name(packet.representative, set()))


@bp.get("/c/<slug>/delivery.zip")
def delivery_zip(slug: str):
    """Every packet and the summary as a zip, streamed as it is made; audited before it starts."""
    organizer = current_organizer()
    campaign = campaign_or_404(organizer, slug)
    now = utcnow()
    filename = f"{campaign.slug}-delivery-{now:%Y%m%d}.zip"
    body = archive.zip_stream(campaign.id, organizer_id=organizer.id, source="web", now=now)
    return attachment(stream_with_context(body), "application/zip", filename)


def _audit_now(campaign: Campaign, action: str, fmt: str, **detail) -> None:
    # A small document made whole before it is sent: complete once the response starts. The
    # audit is committed first; if it cannot be, AuditUnavailable is a 503 and nothing is sent.
    db.session.rollback()
    export_log.begin(campaign.id, current_organizer().id, action, format=fmt,
                         complete=True, source="web", **detail)
