"""Representative and postcode → district files read into records: pure, no database.

The records, the rules every format shares, and the project's plain CSVs of representatives
and of postcodes for any country (README, "Representatives and districts"); the US files are
read in us_congress. Each parser returns the good records and, for every row or record it
skipped, where it was and why; a file that cannot be read as a whole raises UnreadableFile.
"""
from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar
from urllib.parse import urlsplit

import pycountry

from campaign.models import PostcodeDistrict, Representative
from campaign.places import countries
from campaign.representatives import greetings
from campaign.signing import signer_input

T = TypeVar("T")

# A UK outward code ("SW1A", "M1"): a mapping may give one district for the whole of it.
_GB_OUTWARD = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?")

REPRESENTATIVE_COLUMNS = (
    "id", "name", "family_name", "office", "party", "country", "region", "district",
    "district_name", "email", "phone", "address", "contact_form_url", "website",
)
REPRESENTATIVE_REQUIRED = ("id", "name", "office", "country")
POSTCODE_COLUMNS = ("country", "postcode", "region", "district")
POSTCODE_REQUIRED = ("country", "postcode", "district")


class UnreadableFile(ValueError):
    """The file as a whole cannot be read: not UTF-8, not YAML, a wrong header..."""


class BadRecord(ValueError):
    """One row or record breaks a rule: it is skipped, with this as the reason."""


@dataclass(frozen=True)
class Skipped:
    """A row or record left out: where ("line 12", "record 3 (K000367)") and why."""

    where: str
    reason: str


@dataclass(frozen=True)
class RepresentativeRecord:
    """One representative as a file describes them, checked and cleaned."""

    external_id: str
    name: str
    office: str
    country: str
    family_name: str = ""  # as the file gives it, else read from the name (family_name_of)
    party: str = ""
    region: str = ""
    district: str = ""
    district_name: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    contact_form_url: str = ""
    website: str = ""
    ids: dict = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class PostcodeRecord:
    """One postcode in one district."""

    country: str
    postcode: str
    region: str
    district: str


@dataclass
class Parsed(Generic[T]):
    """What a parser found: the records to store, how many it read, what it left out."""

    records: list[T] = field(default_factory=list)
    read: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@functools.cache
def us_states() -> frozenset[str]:
    """USPS codes of the states, DC and the territories (ISO 3166-2 "US-XX")."""
    subdivisions = pycountry.subdivisions.get(country_code="US") or []
    return frozenset(s.code.removeprefix("US-") for s in subdivisions)


# --- CSV files ----------------------------------------------------------------------------

def parse_representatives_csv(text: str) -> Parsed[RepresentativeRecord]:
    """The plain CSV of representatives (columns: REPRESENTATIVE_COLUMNS)."""
    return parse_csv(text, REPRESENTATIVE_COLUMNS, REPRESENTATIVE_REQUIRED, _representative_row,
                      lambda record: record.external_id)


def parse_postcodes_csv(text: str) -> Parsed[PostcodeRecord]:
    """The plain CSV of postcodes to districts (columns: POSTCODE_COLUMNS)."""
    return parse_csv(text, POSTCODE_COLUMNS, POSTCODE_REQUIRED, _postcode_row, postcode_key)


def postcode_key(record: PostcodeRecord) -> Hashable:
    """A postcode row's identity: the same postcode in the same district is a repeat."""
    return record.country, record.postcode, record.district


def parse_csv(text: str, columns: tuple[str, ...], required: tuple[str, ...],
               make: Callable[[dict[str, str]], T], key: Callable[[T], Hashable]) -> Parsed[T]:
    """Each row made into a record by make(), or skipped with its line number and reason."""
    parsed: Parsed[T] = Parsed()
    first_line: dict[Hashable, int] = {}
    for line, row in _csv_rows(text, columns, required):
        parsed.read += 1
        try:
            if isinstance(row, str):
                raise BadRecord(row)
            record = make(row)
            if key(record) in first_line:
                raise BadRecord(f"repeats line {first_line[key(record)]}")
        except BadRecord as error:
            parsed.skipped.append(Skipped(f"line {line}", str(error)))
            continue
        first_line[key(record)] = line
        parsed.records.append(record)
    return parsed


def _csv_rows(text: str, columns: tuple[str, ...],
              required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str] | str]]:
    """(line number, the row by column name — or why it has the wrong shape)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip().lower() for name in next(reader, [])]
        missing = [name for name in required if name not in header]
        unknown = [name for name in header if name not in columns]
        if missing or unknown or len(set(header)) != len(header):
            problems = [f"missing {', '.join(missing)}" if missing else "",
                        f"unknown {', '.join(unknown)}" if unknown else "",
                        "a column named twice" if len(set(header)) != len(header) else ""]
            raise UnreadableFile(
                f"Wrong header row ({'; '.join(p for p in problems if p)}). "
                f"The columns are: {', '.join(columns)} (required: {', '.join(required)}).")
        line = reader.line_num
        for row in reader:
            start, line = line + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue  # a blank line
            if len(row) != len(header):
                yield start, f"has {len(row)} fields, the header has {len(header)}"
                continue
            values = dict.fromkeys(columns, "")
            values.update((name, cell.strip()) for name, cell in zip(header, row))
            yield start, values
    except csv.Error as error:
        raise UnreadableFile(f"Not readable as CSV at line {reader.line_num}: {error}") from None


def _representative_row(row: dict[str, str]) -> RepresentativeRecord:
    for name in REPRESENTATIVE_REQUIRED:
        if not row[name]:
            raise BadRecord(f"{name} is empty")
    country = _country(row["country"])
    email = ""
    if row["email"]:
        try:
            email = signer_input.clean_email(row["email"])
        except signer_input.InvalidInput as error:
            raise BadRecord(str(error)) from None
    return checked(RepresentativeRecord(
        external_id=row["id"], name=row["name"], office=row["office"].lower(), country=country,
        family_name=family_name_of(row["family_name"], row["name"]), party=row["party"],
        region=_region(row["region"], country), district=row["district"],
        district_name=row["district_name"], email=email, phone=row["phone"],
        address=row["address"],
        contact_form_url=web_address(row["contact_form_url"], "contact_form_url"),
        website=web_address(row["website"], "website"),
    ))


def _postcode_row(row: dict[str, str]) -> PostcodeRecord:
    country = _country(row["country"])
    if not row["district"]:
        raise BadRecord("district is empty")
    return checked(PostcodeRecord(country, _postcode(row["postcode"], country),
                                   _region(row["region"], country), row["district"]))


# --- field rules --------------------------------------------------------------------------

def family_name_of(given: str, name: str) -> str:
    """The family name a file gives, else the one read from the name as letters always did."""
    if given:
        return given
    derived = greetings.family_name(name)
    # Too long for its column: left empty, and read from the name where a letter needs it.
    return derived if len(derived) <= _column_limits(Representative)["family_name"] else ""


def us_state(code: str) -> str:
    """The code, if it is a US state's or territory's."""
    if code not in us_states():
        raise BadRecord(f"unknown US state {code!r}")
    return code


def _region(value: str, country: str) -> str:
    return us_state(value.upper()) if country == "US" and value else value


def _country(value: str) -> str:
    code = value.upper()
    if not countries.is_assigned(code):
        raise BadRecord(f"country {value!r} is not an ISO 3166-1 code such as US or GB")
    return code


def web_address(value: str, column: str) -> str:
    """The value, if empty or an http(s) address with a host."""
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise BadRecord(f"{column} {value!r} is not an http(s) address")
    return value


def _postcode(value: str, country: str) -> str:
    """Cleaned as the sign form cleans it; in the UK an outward code ("SW1A") may stand alone."""
    outward = value.upper().replace(" ", "")
    if country == "GB" and _GB_OUTWARD.fullmatch(outward):
        return outward
    try:
        postcode = signer_input.clean_postcode(value, country)
    except signer_input.InvalidInput as error:
        raise BadRecord(f"postcode {value!r}: {error}") from None
    if not postcode:
        raise BadRecord("postcode is empty")
    return postcode


def checked(record: T) -> T:
    """The record, if every text fits its column (a database refuses longer values)."""
    model = Representative if isinstance(record, RepresentativeRecord) else PostcodeDistrict
    for name, limit in _column_limits(model).items():
        value = getattr(record, name, None)
        if isinstance(value, str) and len(value) > limit:
            raise BadRecord(f"{name} is longer than {limit} characters")
    return record


@functools.cache
def _column_limits(model: type) -> dict[str, int]:
    return {column.name: column.type.length for column in model.__table__.columns
            if getattr(column.type, "length", None)}
