"""Deliveries of the petition to offices and their answers: recording them, with their rules.

An office is a representative with constituents who signed, or the campaign's own target. Each
has at most one record per campaign: when and how the petition was delivered (with the SHA-256
of the packet PDF, when one was delivered), and the office's answer, or none yet.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit

from flask_babel import format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from campaign import audit
from campaign.extensions import db
from campaign.models import (
    TARGET_OFFICE,
    AnswerStatus,
    AuditEntry,
    Campaign,
    Delivery,
    DeliveryMethod,
    Organizer,
    Representative,
)

QUOTE_MAX = 1000
URL_MAX = 2000
PACKET_DOWNLOAD = "export.packet"  # the audit action of one packet's PDF download
ALL_PACKETS = "export.delivery"  # the zip of every packet, or `flask export delivery`
PACKET_HASHES = "packets"  # its detail's {representative id: SHA-256 of the PDF}, once complete
_REPRESENTATIVE_KEY = re.compile(r"representative-([1-9][0-9]{0,17})")

# Lazy: shown on the public page in the visitor's language, and in the organizer's forms.
METHOD_LABELS = {DeliveryMethod.EMAIL: _l("Email"), DeliveryMethod.POST: _l("Post"),
                 DeliveryMethod.IN_PERSON: _l("In person"), DeliveryMethod.WEB_FORM: _l("Web form")}
STATUS_LABELS = {AnswerStatus.SUPPORTS: _l("Supports"), AnswerStatus.OPPOSES: _l("Opposes"),
                 AnswerStatus.NO_POSITION: _l("No position"),
                 AnswerStatus.DECLINED: _l("Declined to answer")}


class InvalidRecord(ValueError):
    """A delivery or answer breaking a rule; field names the form field, the message says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Office:
    """Whom a delivery goes to: the campaign's target, or one representative."""

    key: str
    name: str
    representative_id: int | None = None


@dataclass(frozen=True)
class Answer:
    """An office's answer as typed: a status, its date, and a quote and/or a link."""

    status: str
    answered_on: date
    quote: str = ""
    url: str = ""


@dataclass(frozen=True)
class PacketDownload:
    """A packet PDF as the app sent it: the SHA-256 of its bytes, when and how it was made."""

    sha256: str
    at: datetime
    via: str = "its PDF"  # or "the zip of every packet", "flask export delivery"


def representative_key(representative_id: int) -> str:
    """The office key of a representative: "representative-12"."""
    return f"representative-{representative_id}"


def office_of(campaign: Campaign, key: str) -> Office | None:
    """The office a key names in this campaign; None for an unknown key or representative."""
    if key == TARGET_OFFICE:
        return Office(key, campaign.target.strip()) if campaign.target.strip() else None
    match = _REPRESENTATIVE_KEY.fullmatch(key)
    representative = db.session.get(Representative, int(match[1])) if match else None
    if representative is None:
        return None
    return Office(key, representative.name, representative.id)


def records(campaign_id: int) -> dict[str, Delivery]:
    """The campaign's delivery records by office key, in one query."""
    rows = db.session.scalars(select(Delivery).where(Delivery.campaign_id == campaign_id))
    return {row.office_key: row for row in rows}


def record_of(campaign_id: int, key: str) -> Delivery | None:
    """One office's delivery record, or None."""
    return db.session.scalar(select(Delivery).where(Delivery.campaign_id == campaign_id,
                                                    Delivery.office_key == key))


def packet_sha256(pdf: bytes) -> str:
    """The SHA-256 (hex) of a packet PDF's bytes, as `sha256sum packet.pdf` prints it."""
    return hashlib.sha256(pdf).hexdigest()


def packet_hashes(hashes: dict[int, str]) -> dict[str, dict[str, str]]:
    """The detail an all-packets export keeps: {"packets": {"12": sha256}} (JSON keys are text)."""
    return {PACKET_HASHES: {str(representative_id): sha for representative_id, sha in hashes.items()}}


def last_packet_download(campaign_id: int, representative_id: int) -> PacketDownload | None:
    """The latest download of this representative's packet PDF, from its audit entry.

    A PDF carries the time it was made, so the same packet made twice differs: the hash of
    the very file sent is kept in the audit entry of its download (`export.packet`) or of the
    zip or folder of every packet (`export.delivery`, when complete), and read back here.
    """
    in_all = AuditEntry.detail[(PACKET_HASHES, str(representative_id))].as_string()
    entry = db.session.scalar(
        select(AuditEntry)
        .where(AuditEntry.campaign_id == campaign_id,
               or_(and_(AuditEntry.action == PACKET_DOWNLOAD,
                        AuditEntry.detail["representative_id"].as_integer() == representative_id),
                   and_(AuditEntry.action == ALL_PACKETS, in_all.is_not(None))))
        .order_by(AuditEntry.id.desc()).limit(1)
    )
    if entry is None:
        return None
    detail = entry.detail or {}
    if entry.action == PACKET_DOWNLOAD:
        sha, via = detail.get("sha256"), "its PDF"
    else:
        sha = (detail.get(PACKET_HASHES) or {}).get(str(representative_id))
        via = ("flask export delivery" if detail.get("format") == "files"
               else "the zip of every packet")
    return PacketDownload(sha, entry.at, via) if isinstance(sha, str) else None


def record(campaign: Campaign, office: Office, *, organizer: Organizer, delivered_on: date,
           method: str, with_packet: bool, answer: Answer | None, today: date) -> Delivery:
    """Record (or change) the delivery to an office and its answer; audited, not committed."""
    _check_delivery(delivered_on, method, today)
    sha = _packet_hash(campaign, office) if with_packet else None
    if answer is not None:
        _check_answer(answer, delivered_on, today)
    row = record_of(campaign.id, office.key)
    created = row is None
    if row is None:
        row = Delivery(campaign_id=campaign.id, office_key=office.key)
        db.session.add(row)
    row.representative_id = office.representative_id
    row.office_name = office.name[:300]
    row.delivered_on, row.method, row.packet_sha256 = delivered_on, method, sha
    row.answer_status = answer.status if answer else None
    row.answered_on = answer.answered_on if answer else None
    row.answer_quote = answer.quote.strip() if answer else ""
    row.answer_url = answer.url.strip() if answer else ""
    db.session.flush()
    # The office and what was recorded, never a quote (an office's words, not ours to copy).
    audit.record("delivery.recorded" if created else "delivery.edited", organizer=organizer,
                 campaign=campaign, office=office.key, delivered_on=delivered_on.isoformat(),
                 method=method, packet=sha is not None, answer=row.answer_status or "none")
    return row


def clear(campaign: Campaign, office: Office, *, organizer: Organizer) -> bool:
    """Remove an office's record (recorded by mistake): not delivered again; audited."""
    row = record_of(campaign.id, office.key)
    if row is None:
        return False
    db.session.delete(row)
    audit.record("delivery.removed", organizer=organizer, campaign=campaign, office=office.key)
    return True


def _check_delivery(delivered_on: date, method: str, today: date) -> None:
    if delivered_on > today:
        raise InvalidRecord("delivered_on", _("The delivery date cannot be in the future."))
    if method not in set(DeliveryMethod):
        raise InvalidRecord("method", _("Choose how the petition was delivered."))


def _packet_hash(campaign: Campaign, office: Office) -> str:
    if office.representative_id is None:
        raise InvalidRecord("with_packet", _("Packets are made for representatives only: untick "
                                             "“with the packet” for the campaign’s target."))
    download = last_packet_download(campaign.id, office.representative_id)
    if download is None:
        raise InvalidRecord("with_packet", _("This office’s packet was never downloaded: download "
                                             "its PDF (the one you deliver), then record the delivery."))
    return download.sha256


def _check_answer(answer: Answer, delivered_on: date, today: date) -> None:
    if answer.status not in set(AnswerStatus):
        raise InvalidRecord("answer_status", _("Choose the office’s answer."))
    if answer.answered_on > today:
        raise InvalidRecord("answered_on", _("The answer date cannot be in the future."))
    if answer.answered_on < delivered_on:
        raise InvalidRecord("answered_on", _("The answer date cannot be before the delivery date."))
    if len(answer.quote.strip()) > QUOTE_MAX:
        raise InvalidRecord("answer_quote", _("The quote can be at most %(num)s characters.", num=format_number(QUOTE_MAX)))
    url = answer.url.strip()
    if url and not is_web_address(url):
        raise InvalidRecord("answer_url", _("The link must be a web address starting with "
                                            "http:// or https://."))


def is_web_address(url: str) -> bool:
    """Whether url is an http(s) address with a host, no spaces or control characters."""
    if len(url) > URL_MAX or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        return False
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # "http://[oops"
        return False
    return parts.scheme.lower() in ("http", "https") and bool(host)
