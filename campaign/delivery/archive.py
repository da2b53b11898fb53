"""Every delivery packet of a campaign at once: PDFs and a summary, as a zip or in a folder."""
from __future__ import annotations

import os
import re
import unicodedata
import zipfile
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from campaign.counts import constituents
from campaign.delivery import answers, contents, export_log, exports, packet_pdf
from campaign.extensions import db
from campaign.models import Campaign, Representative

SUMMARY_NAME = "summary.csv"
SUMMARY_COLUMNS = ("representative", "office", "region", "district", "count", "sha256", "file")


@dataclass(frozen=True)
class Delivered:
    """One packet written: its file name, what its summary row says, and its PDF's SHA-256."""

    file: str
    packet: contents.Packet
    representative_id: int
    pdf_sha256: str  # of the very bytes written: what a delivery "with the packet" records


def seats_to_deliver(campaign_id: int) -> list[constituents.Seat]:
    """The representatives with at least one confirmed constituent who signed."""
    return [seat for seat in constituents.report(campaign_id).seats if seat.constituents]


def file_name(seat: constituents.Seat | Representative, taken: set[str]) -> str:
    """A packet's file name, "mn-05-representative-ilhan-omar.pdf", unique among taken."""
    ascii_name = unicodedata.normalize("NFKD", seat.name).encode("ascii", "ignore").decode()
    place = seat.district or seat.region
    words = re.findall(r"[a-z0-9]+", f"{place} {seat.office} {ascii_name}".lower())
    stem = "-".join(words)[:100]
    name = f"{stem}.pdf"
    if name in taken:
        name = f"{stem}-{seat.id}.pdf"
    taken.add(name)
    return name


def packets(campaign_id: int, *, now: datetime) -> Iterator[tuple[Delivered, bytes]]:
    """Each packet's file name, summary and PDF, one representative at a time.

    The read transaction ends after each packet: a slow download holds no snapshot.
    """
    taken: set[str] = set()
    for seat in seats_to_deliver(campaign_id):
        campaign = db.session.get(Campaign, campaign_id)
        representative = db.session.get(Representative, seat.id)
        if campaign is None or representative is None:  # removed meanwhile
            continue
        packet = contents.build(campaign, representative, in_shared=seat.in_shared, now=now)
        pdf = packet_pdf.render(packet)
        db.session.rollback()
        yield Delivered(file_name(seat, taken), packet, seat.id, answers.packet_sha256(pdf)), pdf


def summary_csv(delivered: list[Delivered]) -> str:
    """One row per packet: who it is for, the count, the manifest's SHA-256 and its file."""
    rows = [(d.packet.representative.name, d.packet.representative.office,
             d.packet.representative.region, d.packet.representative.district, d.packet.count,
             d.packet.sha256, d.file) for d in delivered]
    return exports.csv_table(SUMMARY_COLUMNS, rows)


class _Chunks:
    """A write-only stream that hands over what was written: zipfile's output, piece by piece."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def zip_stream(campaign_id: int, *, organizer_id: int | None, source: str,
               now: datetime) -> Generator[bytes, None, int]:
    """The zip of every packet and the summary, streamed; audited before its first byte.

    Raises audit.AuditUnavailable, before anything is made, when the audit entry cannot be
    written; the entry is completed with what was sent however the stream ends.
    """
    entry_id = _audit_start(campaign_id, organizer_id, "zip", source)
    return _zipped(entry_id, campaign_id, now)


def _zipped(entry_id: int, campaign_id: int, now: datetime) -> Generator[bytes, None, int]:
    sink = _Chunks()
    delivered: list[Delivered] = []
    complete = False
    try:
        # Not seekable: zipfile then writes each entry's sizes after its data.
        with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
            for entry, pdf in packets(campaign_id, now=now):
                # fpdf2 compresses the PDF's streams already: stored, not deflated again.
                archive.writestr(_info(entry.file, now, zipfile.ZIP_STORED), pdf)
                delivered.append(entry)
                yield sink.take()
            archive.writestr(_info(SUMMARY_NAME, now, zipfile.ZIP_DEFLATED), summary_csv(delivered))
        yield sink.take()
        complete = True
    finally:
        _audit_end(entry_id, delivered, complete)
    return len(delivered)


def _info(name: str, now: datetime, compression: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=now.timetuple()[:6])
    info.compress_type = compression
    info.external_attr = 0o600 << 16  # signer names: readable by whoever unpacks it only
    return info


def write_directory(campaign_id: int, directory: Path, *, now: datetime) -> list[Delivered]:
    """Write every packet's PDF and the summary into directory (made if missing); audited first.

    Raises audit.AuditUnavailable, writing nothing, when the audit entry cannot be written.
    """
    entry_id = _audit_start(campaign_id, None, "files", "cli")
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    delivered: list[Delivered] = []
    complete = False
    try:
        for entry, pdf in packets(campaign_id, now=now):
            _write_private(directory / entry.file, pdf)
            delivered.append(entry)
        _write_private(directory / SUMMARY_NAME, summary_csv(delivered).encode("utf-8"))
        complete = True
    finally:
        _audit_end(entry_id, delivered, complete)
    return delivered


def _write_private(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def _audit_start(campaign_id: int, organizer_id: int | None, fmt: str, source: str) -> int:
    return export_log.begin(campaign_id, organizer_id, answers.ALL_PACKETS, format=fmt, rows=0,
                                signers=0, names=False, complete=False, source=source)


def _audit_end(entry_id: int, delivered: list[Delivered], complete: bool) -> None:
    # Each PDF's hash only once the zip or folder is whole: a cut zip cannot be opened, and
    # an earlier download of the packet stays the one a delivery records.
    hashes = (answers.packet_hashes({d.representative_id: d.pdf_sha256 for d in delivered})
              if complete else {})
    export_log.finish(entry_id, rows=len(delivered),
                          signers=sum(d.packet.count for d in delivered),
                          names=any(d.packet.with_names for d in delivered), complete=complete,
                          **hashes)
