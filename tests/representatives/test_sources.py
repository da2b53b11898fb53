"""Importing representatives and postcode → district mappings: reports, replacement, failures."""

import pytest
from sqlalchemy import select

from campaign.campaigns import store
from campaign.extensions import db
from campaign.models import Outreach, PostcodeDistrict, Representative
from campaign.representatives import sources
from tests.helpers import FIXTURES, count_rows

DATA_FILES = FIXTURES / "representatives"
LEGISLATORS = str(DATA_FILES / "legislators.yaml")
LEGISLATORS_CHANGED = str(DATA_FILES / "legislators-changed.yaml")
ZCCD = str(DATA_FILES / "zccd.csv")
ZCCD_CHANGED = str(DATA_FILES / "zccd-changed.csv")
REPRESENTATIVES_CSV = str(DATA_FILES / "representatives.csv")
POSTCODES_CSV = str(DATA_FILES / "postcodes.csv")


def _import(runner, *args: str) -> str:
    result = runner.invoke(args=["representatives", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _refused(runner, *args: str) -> str:
    """The command failed with a message, not a traceback."""
    result = runner.invoke(args=["representatives", *args])
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result.output


def _members(source: str = "us-congress") -> dict[str, Representative]:
    rows = db.session.scalars(select(Representative).where(Representative.source == source))
    return {row.external_id: row for row in rows}


def _postcodes(source: str) -> set[tuple[str, str, str, str]]:
    rows = db.session.execute(select(PostcodeDistrict.country, PostcodeDistrict.postcode,
                                     PostcodeDistrict.region, PostcodeDistrict.district)
                              .where(PostcodeDistrict.source == source))
    return {tuple(row) for row in rows}


def test_congress_import_reads_the_last_term_of_each_member(app, runner):
    output = _import(runner, "import-congress", LEGISLATORS)
    assert ("us-congress: read 11, imported 6 (added 6, updated 0, unchanged 0, removed 0), "
            "skipped 5") in output
    assert "skipped record 7: no bioguide id" in output
    assert "skipped record 8 (X000008): unknown US state 'ZZ'" in output
    assert "skipped record 9 (X000009): bad district None" in output
    assert "skipped record 10 (X000010): no terms" in output
    assert "skipped record 11 (X000003): repeats the bioguide id of record 3" in output
    assert "note: record 5 (X000005): contact_form 'ftp://hale.house.example/contact'" in output
    with app.app_context():
        members = _members()
        assert set(members) == {f"X00000{n}" for n in range(1, 7)}
        senator = members["X000001"]  # her earlier House term is not the current one
        assert (senator.name, senator.office, senator.party, senator.region, senator.district,
                senator.district_name) == (
            "Marta J. Lindqvist", "senator", "Democrat", "MN", "", "Minnesota")
        assert senator.phone == "202-224-1001"
        assert senator.address == "100 Russell Senate Office Building Washington DC 20510"
        assert senator.contact_form_url == "https://www.lindqvist.senate.example/contact"
        assert senator.website == "https://www.lindqvist.senate.example"
        assert senator.ids == {"bioguide": "X000001", "govtrack": 900001, "wikidata": "Q900001",
                               "fec": ["S0MN00001"]}
        assert members["X000002"].name == "Owen Brandt"  # no official_full: first and last
        house = members["X000003"]
        assert (house.office, house.district, house.district_name) == (
            "representative", "MN-05", "Minnesota's 5th congressional district")
        assert (members["X000004"].district, members["X000004"].district_name) == (
            "AK-AL", "Alaska at-large")
        delegate = members["X000005"]
        assert (delegate.office, delegate.district, delegate.district_name) == (
            "delegate", "DC-AL", "District of Columbia at-large")
        assert delegate.contact_form_url == ""  # the ftp address was left out, and said so
        assert {m.email for m in members.values()} == {""}  # the file has none: none invented
        assert {m.country for m in members.values()} == {"US"}


def test_reimport_updates_in_place_and_removes_who_left(app, runner, make_campaign):
    _import(runner, "import-congress", LEGISLATORS)
    slug = make_campaign()
    with app.app_context():
        before = {key: row.id for key, row in _members().items()}
        campaign = store.get_by_slug(slug)
        db.session.add(Outreach(campaign_id=campaign.id, representative_id=before["X000002"],
                                representative_name="Owen Brandt", channel="phone",
                                visitor_key="v" * 64))
        db.session.commit()
    output = _import(runner, "import-congress", LEGISLATORS_CHANGED)
    assert "read 6, imported 6 (added 1, updated 1, unchanged 4, removed 1), skipped 0" in output
    with app.app_context():
        after = _members()
        assert set(after) == {"X000001", "X000003", "X000004", "X000005", "X000006", "X000011"}
        for key in set(before) & set(after):  # outreaches keep pointing at the same rows
            assert after[key].id == before[key]
        assert (after["X000003"].phone, after["X000003"].party) == ("202-225-2222", "Independent")
        assert after["X000011"].district == "MN-03"
        outreach = db.session.scalar(select(Outreach))
        assert (outreach.representative_id, outreach.representative_name) == (None, "Owen Brandt")


def test_zccd_import_reports_rows_skipped_and_known_gaps(app, runner):
    _import(runner, "import-congress", LEGISLATORS)
    output = _import(runner, "import-zccd", ZCCD)
    assert "us-zccd: read 14, imported 9, skipped 5" in output
    assert "skipped line 11: bad ZIP code '55A01'" in output
    assert "skipped line 12: unknown US state 'ZZ'" in output
    assert "skipped line 13: bad cd 'x'" in output
    assert "skipped line 14: has 3 fields, the header has 4" in output
    assert "skipped line 15: repeats line 2" in output
    assert "note: 1 of 8 postcodes lie in more than one district" in output
    assert ("warning: US: 2 districts in the postcode mapping have no representative: "
            "MA-07, MN-03") in output
    assert ("warning: US: 1 representatives' districts have no postcode in the mapping: "
            "MN-08") in output
    with app.app_context():
        rows = _postcodes("us-zccd")
    assert ("US", "55418", "MN", "MN-03") in rows and ("US", "55418", "MN", "MN-05") in rows
    assert ("US", "99501", "AK", "AK-AL") in rows
    assert ("US", "20001", "DC", "DC-AL") in rows
    assert ("US", "02139", "MA", "MA-07") in rows  # the leading zero a spreadsheet dropped


def test_zccd_reimport_leaves_nothing_of_the_previous_file(app, runner):
    _import(runner, "import-postcodes", POSTCODES_CSV, "--source", "uk-test")
    _import(runner, "import-zccd", ZCCD)
    output = _import(runner, "import-zccd", ZCCD_CHANGED)
    assert "read 5, imported 5, skipped 0" in output
    assert "no district representatives imported yet" in output
    with app.app_context():
        assert _postcodes("us-zccd") == {
            ("US", "55401", "MN", "MN-03"), ("US", "55418", "MN", "MN-04"),
            ("US", "55418", "MN", "MN-05"), ("US", "99501", "AK", "AK-AL"),
            ("US", "20001", "DC", "DC-AL")}
        assert len(_postcodes("uk-test")) == 4  # another source is not touched


def test_plain_representatives_csv(app, runner):
    output = _import(runner, "import-csv", REPRESENTATIVES_CSV, "--source", "uk-test")
    assert ("uk-test: read 9, imported 2 (added 2, updated 0, unchanged 0, removed 0), "
            "skipped 7") in output
    assert "skipped line 5: name is empty" in output
    assert "skipped line 6: This email address is not valid" in output
    assert "skipped line 7: country 'XX' is not an ISO 3166-1 code" in output
    assert ("skipped line 8: contact_form_url 'javascript:alert(1)' is not an http(s) "
            "address") in output
    assert "skipped line 9: repeats line 2" in output
    assert "skipped line 10: has 3 fields, the header has 13" in output
    assert "skipped line 11: office is empty" in output
    with app.app_context():
        members = _members("uk-test")
    jane, sam = members["gb-001"], members["gb-002"]
    assert (jane.name, jane.office, jane.country, jane.region, jane.district,
            jane.district_name) == ("Jane Member", "mp", "GB", "England", "E14000001",
                                    "Holborn North")
    assert jane.email == "Jane.Member.MP@parliament.uk"
    assert jane.address == "House of Commons\nLondon SW1A 0AA"
    assert jane.contact_form_url == "https://members.parliament.uk/contact/1"
    assert (sam.email, sam.website, sam.office) == ("", "", "mp")  # no email: none made up


def test_plain_postcodes_csv_normalizes_as_the_sign_form(app, runner):
    output = _import(runner, "import-postcodes", POSTCODES_CSV, "--source", "uk-test")
    assert "uk-test: read 8, imported 4, skipped 4" in output
    assert "skipped line 5: postcode 'NOT A POSTCODE': Please enter a UK postcode" in output
    assert "skipped line 6: country 'XX' is not an ISO 3166-1 code" in output
    assert "skipped line 7: repeats line 2" in output
    assert "skipped line 8: district is empty" in output
    with app.app_context():
        assert _postcodes("uk-test") == {
            ("GB", "SW1A 1AA", "England", "E14000001"), ("GB", "SW1A 1AB", "England", "E14000001"),
            ("GB", "EH1", "Scotland", "S14000002"), ("FR", "75001", "Île-de-France", "FR-75-01")}


def test_files_with_a_byte_order_mark_are_read(app, runner, tmp_path):
    path = tmp_path / "postcodes.csv"
    path.write_bytes(b"\xef\xbb\xbfcountry,postcode,region,district\r\nGB,SW1A 1AA,England,E1\r\n")
    assert "read 1, imported 1, skipped 0" in _import(runner, "import-postcodes", str(path),
                                                       "--source", "bom")


@pytest.mark.parametrize(("command", "content", "message"), [
    ("import-zccd", None, "Cannot read"),
    ("import-zccd", b"zip,district\n55401,5\n", "Wrong header row (missing state_fips"),
    ("import-zccd", b"", "Wrong header row"),
    ("import-zccd", b"state_fips,state_abbr,zcta,cd\n27,MN,55401,5\n27,MN,\xff5540,5\n",
     "is not UTF-8 text (line 3)"),
    ("import-csv", b"id,name,office,country,e-mail\n", "unknown e-mail"),
    ("import-postcodes", b"country,postcode,district,district\n", "a column named twice"),
    ("import-congress", b"- id: [unclosed\n", "Not readable as YAML (line 2)"),
    ("import-congress", b"legislators: 3\n", "Expected a YAML list"),
    # Only bad rows, or none: the source's data is not wiped out.
    ("import-zccd", b"state_fips,state_abbr,zcta,cd\n27,ZZ,55401,5\n",
     "all 1 were skipped (line 2: unknown US state 'ZZ'). The previous data is kept."),
    ("import-postcodes", b"country,postcode,district\n", "it has none"),
    ("import-congress", b"[]\n", "No rows or records to import"),
])
def test_unreadable_files_are_refused_and_change_nothing(app, runner, tmp_path, command, content,
                                                         message):
    _import(runner, "import-zccd", ZCCD)
    _import(runner, "import-congress", LEGISLATORS)
    _import(runner, "import-csv", REPRESENTATIVES_CSV, "--source", "mine")
    _import(runner, "import-postcodes", POSTCODES_CSV, "--source", "mine")
    path = tmp_path / "input"
    if content is not None:
        path.write_bytes(content)
    source = ["--source", "mine"] if command in ("import-csv", "import-postcodes") else []
    assert message in _refused(runner, command, str(path), *source)
    with app.app_context():
        assert count_rows(Representative) == 6 + 2
        assert count_rows(PostcodeDistrict) == 9 + 4


def test_a_directory_is_refused(runner, tmp_path):
    assert "Error" in _refused(runner, "import-congress", str(tmp_path))


@pytest.mark.parametrize(("source", "message"), [
    ("us-congress", "belongs to its own importer"),
    ("us-zccd", "belongs to its own importer"),
    ("UK Commons", "lower-case letters"),
    ("x" * 41, "1 to 40"),
])
def test_source_names_are_checked(app, runner, source, message):
    assert message in _refused(runner, "import-csv", REPRESENTATIVES_CSV, "--source", source)
    assert message in _refused(runner, "import-postcodes", POSTCODES_CSV, "--source", source)
    with app.app_context():
        assert count_rows(Representative) == count_rows(PostcodeDistrict) == 0


def test_a_failure_midway_leaves_the_previous_data(app, runner, monkeypatch):
    _import(runner, "import-congress", LEGISLATORS)
    _import(runner, "import-zccd", ZCCD)
    with app.app_context():
        members_before = {key: (row.id, row.phone) for key, row in _members().items()}
        postcodes_before = _postcodes("us-zccd")

    def fail(countries):  # runs after the new rows are written and flushed
        raise RuntimeError("the database went away")

    monkeypatch.setattr(sources, "coverage_gaps", fail)
    assert runner.invoke(args=["representatives", "import-congress", LEGISLATORS_CHANGED]).exception
    assert runner.invoke(args=["representatives", "import-zccd", ZCCD_CHANGED]).exception
    with app.app_context():
        assert {key: (row.id, row.phone) for key, row in _members().items()} == members_before
        assert _postcodes("us-zccd") == postcodes_before


def test_list_filters_by_country_and_region(runner):
    _import(runner, "import-congress", LEGISLATORS)
    _import(runner, "import-csv", REPRESENTATIVES_CSV, "--source", "uk-test")
    listing = runner.invoke(args=["representatives", "list", "--country", "us", "--region", "MN"])
    lines = listing.stdout.splitlines()
    assert lines == [
        "US\tMN\t-\tsenator\tMarta J. Lindqvist\tDemocrat\tus-congress",
        "US\tMN\t-\tsenator\tOwen Brandt\tRepublican\tus-congress",
        "US\tMN\tMN-05\trepresentative\tRuth Okafor\tDemocrat\tus-congress",
        "US\tMN\tMN-08\trepresentative\tGus Pedersen\tRepublican\tus-congress",
    ]
    everyone = runner.invoke(args=["representatives", "list"]).stdout
    assert "GB\tEngland\tE14000001\tmp\tJane Member\tLabour\tuk-test" in everyone
    assert len(everyone.splitlines()) == 8
