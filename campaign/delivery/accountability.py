"""The accountability table: each office with its constituents who signed, delivery and answer.

The offices are the campaign's own target and every representative with confirmed constituents
who signed (counted as `counts.constituents` counts them, from its cached GROUP BY counts), and
any office with a delivery recorded. The public page and the public JSON show the same rows.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select

from campaign.counts import constituents
from campaign.delivery import answers
from campaign.extensions import db
from campaign.models import TARGET_OFFICE, Campaign, Delivery, Representative


@dataclass(frozen=True)
class Row:
    """One office of the table, with its record (if any) as plain values."""

    key: str
    name: str
    role: str  # "senator", "mp"...; "" for the campaign's target
    seat: str  # "Minnesota (whole state)"; "" for the target
    constituents: int  # the target's are every confirmed signer
    delivered_on: date | None = None
    method: str = ""
    packet_sha256: str | None = None
    answer_status: str | None = None
    answered_on: date | None = None
    quote: str = ""
    url: str = ""
    days_waiting: int | None = None  # days since delivery, while unanswered

    @property
    def is_target(self) -> bool:
        return self.key == TARGET_OFFICE

    @property
    def method_label(self) -> str:
        return str(answers.METHOD_LABELS.get(self.method, self.method))

    @property
    def status_label(self) -> str:
        return str(answers.STATUS_LABELS.get(self.answer_status or "", ""))


def _offices(campaign: Campaign) -> list[tuple[str, str, str, str, int, int | None]]:
    """(key, name, role, seat, constituents, representative id) of every office with signers."""
    by_district = constituents.cached_district_counts(campaign.id)
    by_region = constituents.cached_region_counts(campaign.id)
    offices = []
    if campaign.target.strip():
        offices.append((TARGET_OFFICE, campaign.target.strip(), "", "", sum(by_region.values()), None))
    signer_countries = {country for country, _ in by_region}
    if signer_countries:
        seats = db.session.scalars(select(Representative).where(
            Representative.country.in_(signer_countries),
            or_(Representative.district == "",
                Representative.district.in_(sorted(by_district.by_district)))))
        found = []
        for rep in seats:
            count = constituents.seat_count(rep, by_district, by_region)
            if count:
                found.append(((rep.country, rep.region, rep.district != "", rep.district,
                               rep.office, rep.name),
                              (answers.representative_key(rep.id), rep.name, rep.office,
                               constituents.seat_label(rep), count, rep.id)))
        offices += [office for _, office in sorted(found)]
    return offices


def rows(campaign: Campaign, *, today: date) -> list[Row]:
    """The table's rows: the target first, then representatives by place, then the rest."""
    recorded = answers.records(campaign.id)
    table = []
    for key, name, role, seat, count, _ in _offices(campaign):
        table.append(_row(key, name, role, seat, count, recorded.pop(key, None), today))
    # Offices delivered to whose constituents no longer count (invalidated, or a new import).
    for key, record in sorted(recorded.items(), key=lambda item: item[1].office_name):
        table.append(_row(key, record.office_name, "", "", 0, record, today))
    return table


def _row(key: str, name: str, role: str, seat: str, count: int, record: Delivery | None,
         today: date) -> Row:
    if record is None:
        return Row(key, name, role, seat, count)
    waiting = (today - record.delivered_on).days if record.answer_status is None else None
    return Row(key, name, role, seat, count, record.delivered_on, record.method,
               record.packet_sha256, record.answer_status, record.answered_on,
               record.answer_quote, record.answer_url, waiting)


def public_rows(campaign: Campaign, *, today: date) -> list[Row]:
    """The rows for the campaign page: none until a delivery is recorded (no count read)."""
    delivered = db.session.scalar(select(Delivery.id).where(Delivery.campaign_id == campaign.id)
                                  .limit(1))
    return rows(campaign, today=today) if delivered is not None else []


def delivery_due(campaign: Campaign, confirmed: int) -> bool:
    """Whether the confirmed count has reached the campaign's response threshold."""
    return campaign.response_threshold is not None and confirmed >= campaign.response_threshold


def document_rows(table: list[Row]) -> list[dict]:
    """The rows as the public JSON carries them (dates as YYYY-MM-DD)."""
    return [{
        "office": row.name,
        "kind": "target" if row.is_target else "representative",
        "role": row.role or None,
        "seat": row.seat or None,
        "constituents_signed": row.constituents,
        "delivered_on": row.delivered_on.isoformat() if row.delivered_on else None,
        "delivery_method": row.method or None,
        "packet_sha256": row.packet_sha256,
        "answer": ({"status": row.answer_status, "answered_on": row.answered_on.isoformat(),
                    "quote": row.quote, "url": row.url or None}
                   if row.answer_status and row.answered_on else None),
        "days_since_delivery": row.days_waiting,
    } for row in table]


def office_keys(campaign: Campaign) -> set[str]:
    """The keys of the offices with constituents who signed (and the target, if named)."""
    return {key for key, *_ in _offices(campaign)}
