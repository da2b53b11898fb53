"""Districts: the postcode lookup, what signing stores, and recomputing after a new mapping."""
import pytest
from sqlalchemy import select, text

from campaign.campaigns import store
from campaign.clock import utcnow
from campaign.extensions import db
from campaign.models import PostcodeDistrict, Signature
from campaign.places import districts
from campaign.places.districts import Place
from campaign.places.redistricting import reassigned
from campaign.signing.signatures import SignerDetails, sign
from tests.helpers import query_plan, signatures
from tests.representatives.test_sources import POSTCODES_CSV, ZCCD, ZCCD_CHANGED, _import


@pytest.fixture
def mapped(app, runner):
    """The fixture ZIP and UK mappings imported."""
    _import(runner, "import-zccd", ZCCD)
    _import(runner, "import-postcodes", POSTCODES_CSV, "--source", "uk-test")
    return app


@pytest.mark.parametrize(("country", "postcode", "region", "found"), [
    ("US", "55401", "MN", ("MN-05",)),
    ("US", "55401-1234", "MN", ("MN-05",)),  # ZIP+4: its 5-digit ZIP
    ("US", "55418", "MN", ("MN-03", "MN-05")),  # shared
    ("US", "99501", "AK", ("AK-AL",)),
    ("US", "90210", "CA", ()),  # not in the mapping: the state still comes from the ZIP
    ("GB", "SW1A 1AA", "England", ("E14000001",)),
    ("GB", "EH1 1YZ", "Scotland", ("S14000002",)),  # only its outward code is mapped
    ("GB", "M1 1AE", "", ()),
    ("DE", "10115", "", ()),
    ("US", "", "", ()),
])
def test_lookup(mapped, ctx, country, postcode, region, found):
    place = districts.lookup(country, postcode)
    assert (place.region, place.districts) == (region, found)
    assert place.district == (found[0] if len(found) == 1 else "")
    assert place.district_choices == (" ".join(found) if len(found) > 1 else "")
    assert districts.assignment(country, postcode) == (place.district, place.district_choices)
    assert districts.lookup_many([(country, postcode), ("US", "55402")])[country, postcode] == place


def test_a_zip_across_a_state_line_takes_its_own_state(app, ctx):
    # 55401 is a Minnesota ZIP (the zipcodes data); rows in two states must not make the
    # region depend on the order the database returns them in.
    db.session.add_all([
        PostcodeDistrict(source="t", country="US", postcode="55401", region="IA", district="IA-04"),
        PostcodeDistrict(source="t", country="US", postcode="55401", region="MN", district="MN-01"),
        PostcodeDistrict(source="t", country="US", postcode="51001", region="SD", district="SD-AL"),
        PostcodeDistrict(source="t", country="US", postcode="51001", region="NE", district="NE-03"),
    ])
    db.session.flush()
    assert districts.lookup("US", "55401") == Place("US", "55401", "MN", ("IA-04", "MN-01"))
    # A ZIP whose own state is neither: the first alphabetically, every time.
    assert districts.lookup("US", "51001").region == "NE"


def test_lookup_reads_the_country_postcode_index(mapped, ctx):
    plan = query_plan(districts.lookup_query("US", ["55401-1234", "55401"]))
    assert "ix_postcode_districts_country_postcode" in plan


def _sign(email: str, postcode: str, slug: str, country: str = "US") -> int:
    details = SignerDetails(full_name="Ada Lovelace", email=email, country=country,
                            postcode=postcode)
    sign(store.get_by_slug(slug), details, now=utcnow())
    return db.session.scalar(select(Signature.id).order_by(Signature.id.desc()).limit(1))


@pytest.mark.parametrize(("postcode", "country", "district", "choices", "region"), [
    ("55401", "US", "MN-05", "", "MN"),
    ("55418", "US", "", "MN-03 MN-05", "MN"),
    ("55401-6789", "US", "MN-05", "", "MN"),
    ("90210", "US", "", "", "CA"),
    ("SW1A 1AA", "GB", "E14000001", "", "England"),
    ("10115", "DE", "", "", ""),
])
def test_signing_stores_the_district_or_its_choices(mapped, make_campaign, postcode, country,
                                                     district, choices, region):
    slug = make_campaign()
    with mapped.test_request_context():  # signing writes a confirmation link
        _sign("ada@example.org", postcode, slug, country)
        db.session.commit()
        [signature] = signatures()
        assert (signature.district, signature.district_choices, signature.region) == (
            district, choices, region)


def test_the_sign_form_stores_the_choices_of_a_shared_zip(mapped, client, make_campaign, signer):
    slug = make_campaign()
    response = client.post(f"/c/{slug}/sign", data=signer(postcode="55418-0001"))
    assert response.status_code == 303
    with mapped.app_context():
        [signature] = signatures()
        assert (signature.district, signature.district_choices) == ("", "MN-03 MN-05")


def test_a_uk_postcode_with_a_hyphen_is_the_same_postcode(mapped, client, make_campaign, signer):
    slug = make_campaign(default_country="GB")
    for email, postcode in [("one@example.org", "SW1A-1AA"), ("two@example.org", "sw1a 1aa")]:
        response = client.post(f"/c/{slug}/sign",
                               data=signer(email=email, country="GB", postcode=postcode))
        assert response.status_code == 303
    with mapped.app_context():
        stored = {(s.postcode, s.postcode_area, s.region, s.district) for s in signatures()}
        assert stored == {("SW1A 1AA", "SW", "England", "E14000001")}
    page = client.get(f"/c/{slug}/representatives",
                      query_string={"country": "GB", "postcode": "SW1A-1AA"})
    assert page.status_code == 200
    assert "<strong>SW1A 1AA</strong>" in page.text


def _districts() -> dict[str, tuple[str, str, str]]:
    return {s.email: (s.region, s.district, s.district_choices) for s in signatures()}


def test_recompute_after_a_new_mapping(mapped, runner, make_campaign):
    slug, other = make_campaign(), make_campaign()
    with mapped.test_request_context():
        _sign("one@example.org", "55401", slug)  # MN-05, then MN-03 alone
        picked = _sign("picked@example.org", "55418", slug)  # picks MN-05: still a candidate
        _sign("shared@example.org", "55418", slug)  # MN-03 or MN-05, then MN-04 or MN-05
        _sign("gone@example.org", "55402", slug)  # MN-05, then not in the mapping
        _sign("ak@example.org", "99501", slug)  # AK-AL before and after
        _sign("elsewhere@example.org", "55402", other)  # another campaign's
        db.session.get(Signature, picked).district = "MN-05"
        db.session.commit()
    _import(runner, "import-zccd", ZCCD_CHANGED)
    output = _import(runner, "recompute-districts", slug)
    assert f"Recomputed the districts of 5 signatures of /c/{slug}: 4 changed." in output
    with mapped.app_context():
        assert _districts() == {
            "one@example.org": ("MN", "MN-03", ""),
            "picked@example.org": ("MN", "MN-05", "MN-04 MN-05"),
            "shared@example.org": ("MN", "", "MN-04 MN-05"),
            "gone@example.org": ("MN", "", ""),
            "ak@example.org": ("AK", "AK-AL", ""),
            "elsewhere@example.org": ("MN", "MN-05", ""),  # not this campaign: left as it was
        }
    assert "6 signatures: 1 changed." in _import(runner, "recompute-districts")
    assert "6 signatures: 0 changed." in _import(runner, "recompute-districts")


def test_recompute_keeps_purged_campaigns_and_fills_regions(mapped, runner, make_campaign):
    purged, live = make_campaign(), make_campaign()
    with mapped.test_request_context():
        kept = _sign("kept@example.org", "55401", purged)
        _sign("uk@example.org", "SW1A 1AB", live, country="GB")
        # As the purge leaves a campaign: no postcode, the counts' district stays.
        db.session.get(Signature, kept).postcode = ""
        store.get_by_slug(purged).anonymized_at = utcnow()
        db.session.execute(text("DELETE FROM postcode_districts WHERE country = 'GB'"))
        db.session.execute(text("UPDATE signatures SET region = '', district = '' "
                                "WHERE country = 'GB'"))
        db.session.commit()
    _import(runner, "import-postcodes", POSTCODES_CSV, "--source", "uk-test")
    # The purged campaign's signature is not even read.
    assert "Recomputed the districts of 1 signatures: 1 changed." in _import(
        runner, "recompute-districts")
    with mapped.app_context():
        assert _districts() == {"kept@example.org": ("MN", "MN-05", ""),
                                "uk@example.org": ("England", "E14000001", "")}


def test_recompute_of_an_unknown_campaign_is_refused(runner):
    result = runner.invoke(args=["representatives", "recompute-districts", "nope"])
    assert result.exit_code != 0 and "No campaign 'nope'" in result.output


@pytest.mark.parametrize(("old", "place", "new"), [
    # A pick beside its candidates stays while it is a candidate; the candidates are refreshed.
    (("MN", "MN-05", "MN-03 MN-05"), ("MN", ("MN-04", "MN-05")), ("MN", "MN-05", "MN-04 MN-05")),
    (("MN", "MN-05", "MN-03 MN-05"), ("MN", ("MN-03", "MN-04")), ("MN", "", "MN-03 MN-04")),
    (("MN", "MN-05", "MN-03 MN-05"), ("MN", ("MN-03",)), ("MN", "MN-03", "")),
    # A district the old mapping gave, now shared: honestly shared, not guessed.
    (("MN", "MN-05", ""), ("MN", ("MN-03", "MN-05")), ("MN", "", "MN-03 MN-05")),
    # No region known now: the stored one stays.
    (("MN", "MN-05", ""), ("", ()), ("MN", "", "")),
])
def test_reassigned(old, place, new):
    region, found = place
    assert reassigned(old, Place("US", "55418", region, found)) == new
