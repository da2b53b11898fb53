"""A small world of representatives and signers, stored directly, for the counts and packets tests.

Minnesota: two senators and the members for MN-02, MN-03, MN-04 and MN-05; ZIP 55405 lies in
MN-03 and MN-05. Alaska: one senator and its at-large member. Every count the tests expect is
in EXPECTED below, worked out by hand from SIGNERS.
"""
from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from campaign.campaigns import store
from campaign.extensions import db
from campaign.models import Outreach, PostcodeDistrict, Representative, Signature, SignatureStatus

CONFIRMED, PENDING, INVALIDATED, HELD = (SignatureStatus.CONFIRMED, SignatureStatus.PENDING,
                                         SignatureStatus.INVALIDATED, SignatureStatus.HELD)
T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

# (name, office, region, district, district_name)
REPRESENTATIVES = [
    ("Amy Klobuchar", "senator", "MN", "", ""),
    ("Tina Smith", "senator", "MN", "", ""),
    ("Angie Craig", "representative", "MN", "MN-02", "Minnesota's 2nd congressional district"),
    ("Kelly Morrison", "representative", "MN", "MN-03", "Minnesota's 3rd congressional district"),
    ("Betty McCollum", "representative", "MN", "MN-04", "Minnesota's 4th congressional district"),
    ("Ilhan Omar", "representative", "MN", "MN-05", "Minnesota's 5th congressional district"),
    ("Lisa Murkowski", "senator", "AK", "", ""),
    ("Nick Begich", "representative", "AK", "AK-AL", "Alaska at-large"),
]
# (name, email, country, postcode, region, district, district_choices, status)
SIGNERS = [
    ("Zoë Ångström", "zoe@example.org", "US", "55401", "MN", "MN-05", "", CONFIRMED),
    ("Дмитрий Петров", "dima@example.org", "US", "55401", "MN", "MN-05", "", CONFIRMED),
    ("<b>Bold</b> Tables", "bold@example.org", "US", "55454", "MN", "MN-05", "", CONFIRMED),
    ("Pat Pending", "pat@example.org", "US", "55401", "MN", "MN-05", "", PENDING),
    ("Ivan Invalid", "ivan@example.org", "US", "55401", "MN", "MN-05", "", INVALIDATED),
    ("Hal Held", "hal@example.org", "US", "55401", "MN", "MN-05", "", HELD),
    ("Carl Craig", "carl@example.org", "US", "55044", "MN", "MN-02", "", CONFIRMED),
    ("Sam Shared", "sam@example.org", "US", "55405", "MN", "", "MN-03 MN-05", CONFIRMED),
    ("Sue Shared", "sue@example.org", "US", "55405", "MN", "", "MN-03 MN-05", CONFIRMED),
    ("Uma Unknown", "uma@example.org", "US", "55999", "MN", "", "", CONFIRMED),
    ("Al Aska", "al@example.org", "US", "99501", "AK", "AK-AL", "", CONFIRMED),
    ("Gwen Britain", "gwen@example.org", "GB", "SW1A 1AA", "", "", "", CONFIRMED),
]
# What a representative's row says: (constituents, in shared postcodes).
EXPECTED = {
    "Amy Klobuchar": (7, 0), "Tina Smith": (7, 0), "Angie Craig": (1, 0),
    "Kelly Morrison": (0, 2), "Ilhan Omar": (3, 2), "Lisa Murkowski": (1, 0),
    "Nick Begich": (1, 0),
}
EXPECTED_CONFIRMED = 9
EXPECTED_UNKNOWN = 2  # Uma (a ZIP of no known district) and Gwen (no mapping for GB)
OMAR_SIGNERS = ["<b>Bold</b> Tables", "Zoë Ångström", "Дмитрий Петров"]

# Signers of every status on one campaign, of whom 2 count: what every list of campaigns shows.
STATUS_MIX = [(f"Mix Signer {n}", f"mix{n}@example.org", "US", "55401", "MN", "MN-05", "", status)
              for n, status in enumerate([CONFIRMED, CONFIRMED, PENDING, PENDING, PENDING,
                                          INVALIDATED, HELD])]
STATUS_MIX_CONFIRMED, STATUS_MIX_PENDING = 2, 3

_sources = itertools.count(1)


def add_representatives() -> dict[str, int]:
    """Store REPRESENTATIVES and the ZIP mapping; return their ids by name."""
    ids = {}
    source = f"test-{next(_sources)}"
    for number, (name, office, region, district, district_name) in enumerate(REPRESENTATIVES):
        representative = Representative(
            source=source, external_id=f"X{number}", name=name, office=office, country="US",
            region=region, district=district, district_name=district_name)
        db.session.add(representative)
        db.session.flush()
        ids[name] = representative.id
    for postcode, district in [("55401", "MN-05"), ("55405", "MN-03"), ("55405", "MN-05"),
                               ("55044", "MN-02"), ("99501", "AK-AL")]:
        db.session.add(PostcodeDistrict(source=source, country="US", postcode=postcode,
                                        region=postcode.startswith("99") and "AK" or "MN",
                                        district=district))
    return ids


def add_signers(slug: str, signers=SIGNERS, *, start: datetime = T0) -> None:
    """Store signers on a campaign, an hour apart from start."""
    campaign = store.get_by_slug(slug)
    for number, (name, email, country, postcode, region, district, choices, status) in enumerate(signers):
        signed = start + timedelta(hours=number)
        db.session.add(Signature(
            campaign_id=campaign.id, full_name=name, email=email, email_key=email, postcode=postcode,
            country=country, region=region, district=district, district_choices=choices,
            status=status, created_at=signed,
            confirmed_at=signed + timedelta(minutes=5) if status == CONFIRMED else None))


def add_outreach(slug: str, representative_id: int, channel: str, visitors: int) -> None:
    """Store outreaches by distinct visitors."""
    campaign = store.get_by_slug(slug)
    for visitor in range(visitors):
        db.session.add(Outreach(campaign_id=campaign.id, representative_id=representative_id,
                                representative_name="", channel=channel,
                                visitor_key=f"{channel}-{visitor}-{representative_id}"))


def build_world(app, slug: str, *, other_slug: str | None = None) -> dict[str, int]:
    """The whole world on campaign slug (and one stray signer on other_slug); ids by name."""
    with app.app_context():
        ids = add_representatives()
        add_signers(slug)
        if other_slug:
            add_signers(other_slug, [("Olga Other", "olga@example.org", "US", "55401", "MN",
                                      "MN-05", "", CONFIRMED)])
        add_outreach(slug, ids["Ilhan Omar"], "email", 2)
        add_outreach(slug, ids["Ilhan Omar"], "phone", 1)
        add_outreach(slug, ids["Betty McCollum"], "form", 1)
        db.session.commit()
        db.session.remove()
    return ids


@pytest.fixture
def world(app, make_campaign):
    """The world on a new campaign (and a stray signer on another): (slug, ids by name)."""
    slug = make_campaign(title="Keep the library grants",
                         petition_text="We ask Congress to keep the library grants.")
    return slug, build_world(app, slug, other_slug=make_campaign(title="Another"))


@pytest.fixture
def owner(client, world, make_organizer, login):
    """The world, with client logged in as the campaign's owner: (slug, ids by name)."""
    login(client, make_organizer(campaigns_owned=[world[0]]))
    return world
