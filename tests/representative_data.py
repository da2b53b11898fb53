"""Representatives and ZIP → district rows written straight into the test database.

Made-up people in real states: Minnesota with a ZIP in one district (55401), a ZIP split
between two (55416) and Alaska's at-large seat (99501).
"""
from __future__ import annotations

from campaign.extensions import db
from campaign.models import PostcodeDistrict, Representative

SOURCE = "test-fixture"

SENATORS_MN = ("Avery Lake", "Blair Stone")
MEMBER_MN_05 = "Casey River"  # no email, as for most members of Congress
MEMBER_MN_03 = "Dana Hill"
DANA_EMAIL = "dana.hill@house.example"
MEMBER_AK = "Emery Frost"
SENATOR_AK = "Finley Snow"


def add_representative(**fields) -> Representative:
    fields.setdefault("source", SOURCE)
    fields.setdefault("external_id", fields["name"].replace(" ", "-").lower())
    fields.setdefault("country", "US")
    representative = Representative(**fields)
    db.session.add(representative)
    return representative


def add_mapping(postcode: str, region: str, *district_codes: str) -> None:
    for code in district_codes:
        db.session.add(PostcodeDistrict(source=SOURCE, country="US", postcode=postcode,
                                        region=region, district=code))


def load(app) -> dict[str, int]:
    """Minnesota and Alaska; returns the representatives' ids by name."""
    with app.app_context():
        people = [
            add_representative(
                name=SENATORS_MN[0], office="senator", party="Democrat", region="MN",
                phone="202-224-3244", contact_form_url="https://lake.senate.example/contact",
                address="425 Dirksen Senate Office Building\nWashington, DC 20510"),
            add_representative(
                name=SENATORS_MN[1], office="senator", party="Democrat", region="MN",
                phone="202-224-5641", contact_form_url="https://stone.senate.example/contact"),
            add_representative(
                name=MEMBER_MN_05, office="representative", party="Democrat", region="MN",
                district="MN-05", phone="(202) 225-4755",
                contact_form_url="https://river.house.example/contact",
                website="https://river.house.example"),
            add_representative(
                name=MEMBER_MN_03, office="representative", party="Republican", region="MN",
                district="MN-03", phone="202-225-2871", email=DANA_EMAIL,
                address="1 Main St\nMinneapolis, MN 55416"),
            add_representative(
                name=MEMBER_AK, office="representative", party="Independent", region="AK",
                district="AK-AL", phone="202-225-5765"),
            add_representative(
                name=SENATOR_AK, office="senator", party="Republican", region="AK",
                phone="202-224-3004"),
        ]
        add_mapping("55401", "MN", "MN-05")
        add_mapping("55416", "MN", "MN-03", "MN-05")
        add_mapping("99501", "AK", "AK-AL")
        db.session.commit()
        ids = {person.name: person.id for person in people}
        db.session.remove()
    return ids
