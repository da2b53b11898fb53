"""Rows made before the API existed get identifiers and a modified date when the schema moves on
(migration b7c0e5a1d001), and the API then lists them like any other."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

import flask_migrate
from sqlalchemy import select, text

from campaign.extensions import db
from campaign.models import Campaign, Outreach, Representative, Signature

BEFORE_THE_API = "0a667c91804f"
MADE = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
CONFIRMED = datetime(2026, 3, 1, 10, 5, tzinfo=UTC)


def _stamp(moment: datetime) -> str:
    # As each database reads a literal: SQLite keeps UTC text, PostgreSQL wants the zone.
    if db.engine.dialect.name == "postgresql":
        return moment.strftime("%Y-%m-%d %H:%M:%S+00:00")
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def _insert_old_rows() -> None:
    made, confirmed = _stamp(MADE), _stamp(CONFIRMED)
    db.session.execute(text(
        "INSERT INTO campaigns (id, slug, title, status, petition_text, target, goal, commentary,"
        " hashtags, require_confirmation, default_country, created_at, updated_at) VALUES "
        f"(1, 'old', 'An old petition', 'open', 'Text', 'Them', 10, '', '[]', true, 'US',"
        f" '{made}', '{made}')"))
    for number, status, confirmed_at in ((1, "confirmed", f"'{confirmed}'"),
                                         (2, "pending", "NULL"), (3, "confirmed", f"'{confirmed}'")):
        db.session.execute(text(
            "INSERT INTO signatures (id, campaign_id, full_name, email, email_key, postcode,"
            " country, region, district, comment, comment_hidden, show_name, contact_ok, source,"
            " status, created_at, confirmed_at) VALUES "
            f"({number}, 1, 'Signer {number}', 's{number}@example.org', 's{number}@example.org',"
            f" '02139', 'US', 'MA', '', '', false, false, false, '', '{status}', '{made}',"
            f" {confirmed_at})"))
    db.session.execute(text(
        "INSERT INTO representatives (id, source, external_id, name, office, party, country,"
        " region, district, district_name, email, phone, address, contact_form_url, website, ids,"
        f" imported_at) VALUES (1, 'old', 'x', 'Jane Roe', 'senator', '', 'US', 'MA', '', '', '',"
        f" '', '', '', '', '{{}}', '{made}')"))
    db.session.execute(text(
        "INSERT INTO outreaches (id, campaign_id, representative_id, representative_name, channel,"
        f" visitor_key, created_at) VALUES (1, 1, 1, 'Jane Roe', 'phone', 'v', '{made}')"))
    db.session.commit()


def test_old_rows_get_uuids_and_modified_dates(app, api, make_organizer, make_key):
    with app.app_context():
        flask_migrate.downgrade(revision=BEFORE_THE_API)
        _insert_old_rows()
        flask_migrate.upgrade()
        found = {model.__tablename__: db.session.scalars(select(model.uuid)).all()
                 for model in (Campaign, Signature, Outreach, Representative)}
        dates = db.session.execute(select(Signature.id, Signature.updated_at)
                                   .order_by(Signature.id)).all()
        db.session.remove()
    every = [value for values in found.values() for value in values]
    assert len(every) == len(set(every)) == 6  # one each, none shared
    assert all(uuid.UUID(value).version == 4 and str(uuid.UUID(value)) == value for value in every)
    # Modified when confirmed, or when made for one never confirmed.
    assert dates == [(1, CONFIRMED), (2, MADE), (3, CONFIRMED)]

    make_organizer("admin@example.org", role="admin")
    key = make_key("admin@example.org", new_organizer=False)
    petition = api(key, "/api/v1/petitions").json["_embedded"]["osdi:petitions"][0]
    assert petition["identifiers"] == [f"campaign:{found['campaigns'][0]}"]
    listed = api(key, petition["_links"]["osdi:signatures"]["href"].removeprefix(
        "http://localhost"), query_string={"filter": "modified_date gt '2026-03-01T10:00:00Z'"})
    assert listed.json["total_records"] == 2
