"""The rules for an event's fields, shared by the organizer's form and a visitor's offer to host.

check() takes the fields as typed and returns them clean, the times in UTC, or raises
InvalidEvent with a message for each field that breaks a rule, so that a form shows them all
at once. Country and postcode follow the sign form's rules (signing.signer_input).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from importlib import resources
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

from campaign.events import times
from campaign.places import regions, towns
from campaign.signing import signer_input
from campaign.signing.signer_input import InvalidInput

TITLE_MAX = 200
DESCRIPTION_MAX = 5000
VENUE_MAX = 200
ADDRESS_MAX = 300
TOWN_MAX = 100
REGION_MAX = 100
URL_MAX = 2000
CAPACITY_MAX = 100_000
DURATION_MIN_MINUTES = 15
DURATION_MAX_MINUTES = 24 * 60
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_TIME = re.compile(r"^([0-9]{2}):([0-9]{2})(?::[0-9]{2})?$")
_WHOLE = re.compile(r"^[0-9]{1,7}$")
# The zones most people of a country live in, in the order they are usually listed; other
# countries' come from the time zone database's own table (zone.tab).
_COMMON_ZONES = {
    "US": ("America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
           "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu"),
    "CA": ("America/Toronto", "America/Winnipeg", "America/Edmonton", "America/Vancouver",
           "America/Halifax", "America/St_Johns", "America/Regina"),
    "AU": ("Australia/Sydney", "Australia/Melbourne", "Australia/Brisbane", "Australia/Adelaide",
           "Australia/Perth", "Australia/Hobart", "Australia/Darwin"),
}


class InvalidEvent(ValueError):
    """Some fields break a rule: errors maps each field's name to the message shown beside it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {message}" for name, message in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class EventInput:
    """An event's fields as typed. The end is an end time on the same day, or a duration."""

    title: str = ""
    description: str = ""
    date: str = ""  # the event's own day, YYYY-MM-DD
    start_time: str = ""  # HH:MM on the event's clock
    end_time: str = ""
    duration_minutes: str = ""
    timezone: str = ""
    venue_name: str = ""
    address: str = ""
    town: str = ""
    region: str = ""
    postcode: str = ""
    country: str | None = None  # None: not sent, the campaign's
    online_url: str = ""
    capacity: str = ""


@dataclass(frozen=True)
class EventFields:
    """An event's fields, checked and clean, ready to store."""

    title: str
    description: str
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC
    timezone: str
    venue_name: str
    address: str
    town: str
    region: str
    postcode: str
    country: str
    online_url: str
    capacity: int | None

    def values(self) -> dict:
        """The fields as a dict of Event's column names."""
        return asdict(self)


def check(raw: EventInput, *, default_country: str, now: datetime,
          unchanged_start: datetime | None = None) -> EventFields:
    """The fields clean, or InvalidEvent with every problem.

    unchanged_start: an edited event's stored start; kept as it was, it may lie in the past.
    """
    errors: dict[str, str] = {}

    def rule(name: str, clean, *args):
        try:
            return clean(*args)
        except InvalidInput as error:
            errors.setdefault(name, str(error))
            return None

    title = rule("title", _line, raw.title, TITLE_MAX, _l("Please give the event a title."))
    description = rule("description", _paragraphs, raw.description, DESCRIPTION_MAX)
    zone = rule("timezone", _zone, raw.timezone)
    starts_at, ends_at = _times(raw, zone, errors)
    if starts_at is not None and starts_at <= now and starts_at != unchanged_start:
        errors.setdefault("date", str(_l("The event cannot start in the past.")))
    country = rule("country", lambda value: signer_input.clean_country(value, default=default_country),
                   raw.country)
    online_url = rule("online_url", clean_online_url, raw.online_url)
    venue_name = rule("venue_name", _line, raw.venue_name, VENUE_MAX)
    address = rule("address", _line, raw.address, ADDRESS_MAX)
    town = rule("town", _line, raw.town, TOWN_MAX)
    region = rule("region", _line, raw.region, REGION_MAX)
    postcode = ""
    in_person = bool(venue_name or address or raw.postcode.strip())
    if in_person and country:
        if not address and "address" not in errors:
            errors["address"] = str(_l("Please enter the street address."))
        postcode = rule("postcode", signer_input.clean_postcode, raw.postcode, country) or ""
    elif not online_url and "online_url" not in errors:
        errors["address"] = str(_l("Please give an address and postcode, or a link for an "
                                   "online event."))
    capacity = rule("capacity", clean_capacity, raw.capacity)
    if errors:
        raise InvalidEvent(errors)
    if country == "US" and postcode:
        region = regions.region_for(country, postcode) or (region or "").upper()
        town = town or towns.us_city(postcode)
    return EventFields(
        title=title, description=description, starts_at=starts_at, ends_at=ends_at,
        timezone=zone, venue_name=venue_name, address=address, town=town, region=region,
        postcode=postcode, country=country, online_url=online_url, capacity=capacity)


def _times(raw: EventInput, zone: str | None,
           errors: dict[str, str]) -> tuple[datetime | None, datetime | None]:
    """(starts_at, ends_at) in UTC from the local day, start and end time (or duration)."""
    day = _day(raw.date, errors)
    start = _clock(raw.start_time, "start_time", _l("Please enter the start time."), errors)
    end = _clock(raw.end_time, "end_time", None, errors) if raw.end_time.strip() else None
    minutes = None
    if end is None and "end_time" not in errors:
        minutes = _duration(raw.duration_minutes, errors)
    if day is None or start is None or zone is None or (end is None and minutes is None):
        return None, None
    local_start = datetime.combine(day, start)
    try:
        starts_at = times.to_utc(local_start, zone)
    except ValueError as error:
        errors["start_time"] = str(error)
        return None, None
    if end is None:
        return starts_at, starts_at + timedelta(minutes=minutes)
    local_end = datetime.combine(day, end)
    if local_end <= local_start:
        errors["end_time"] = str(_l("The end must be after the start (on the same day)."))
        return None, None
    try:
        ends_at = times.to_utc(local_end, zone)
    except ValueError as error:
        errors["end_time"] = str(error)
        return None, None
    if ends_at <= starts_at:  # a clock set back between start and end
        errors["end_time"] = str(_l("The end must be after the start (on the same day)."))
        return None, None
    return starts_at, ends_at


def _day(value: str, errors: dict[str, str]) -> date | None:
    value = (value or "").strip()
    if not value:
        errors["date"] = str(_l("Please enter the date."))
        return None
    try:
        if not _DATE.match(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        errors["date"] = str(_l("Please enter a date like 2027-03-14."))
        return None


def _clock(value: str, name: str, missing, errors: dict[str, str]) -> time | None:
    value = (value or "").strip()
    if not value:
        if missing is not None:
            errors[name] = str(missing)
        return None
    match = _TIME.match(value)
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        errors[name] = str(_l("Please enter a time like 18:30."))
        return None
    return time(int(match[1]), int(match[2]))


def _duration(value: str, errors: dict[str, str]) -> int | None:
    value = (value or "").strip()
    if not value:
        errors["end_time"] = str(_l("Please enter the end time."))
        return None
    if not _WHOLE.match(value) or not DURATION_MIN_MINUTES <= int(value) <= DURATION_MAX_MINUTES:
        errors["duration_minutes"] = str(_l("Please choose how long the event lasts."))
        return None
    return int(value)


def _zone(value: str) -> str:
    value = (value or "").strip()
    if value not in times.zone_names():
        raise InvalidInput(_l("Please choose a time zone from the list."))
    return value


def _line(value: str | None, limit: int, missing=None) -> str:
    """One line of text: NFC, printable, single spaces; required when missing is given."""
    value = " ".join(unicodedata.normalize("NFC", value or "").split(" "))
    signer_input.check_printable(value)
    value = " ".join(value.split())
    if not value and missing is not None:
        raise InvalidInput(missing)
    if len(value) > limit:
        raise InvalidInput(_l("Please keep this to %(num)d characters.", num=limit))
    return value


def _paragraphs(value: str | None, limit: int) -> str:
    """Plain text over several lines (line breaks kept, Windows' made plain)."""
    value = unicodedata.normalize("NFC", (value or "").replace("\r\n", "\n").replace("\r", "\n"))
    value = value.strip()
    signer_input.check_printable(value, allow="\n\t")
    if len(value) > limit:
        raise InvalidInput(_l("Please keep this to %(num)d characters.", num=limit))
    return value


def clean_online_url(value: str | None) -> str:
    """An online event's link: https with a host name, or "" for none."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) > URL_MAX or not value.isascii() or any(c.isspace() or ord(c) < 32 for c in value):
        raise InvalidInput(_l("Please enter a web address starting with https://."))
    try:
        parts = urlsplit(value)
        port_ok = parts.port is None or parts.port > 0
    except ValueError:
        port_ok = False
    if not port_ok or parts.scheme.lower() != "https" or not parts.hostname or "." not in parts.hostname \
            or parts.username or parts.password:
        raise InvalidInput(_l("Please enter a web address starting with https://."))
    return value


def clean_capacity(value: str | None) -> int | None:
    """How many people may come, guests included: 1 to CAPACITY_MAX, or None for no limit."""
    value = (value or "").strip().replace(",", "")
    if not value:
        return None
    if not _WHOLE.match(value) or not 1 <= int(value) <= CAPACITY_MAX:
        raise InvalidInput(_l("Please enter a number from 1 to %(num)s, or leave it empty for "
                              "no limit.", num=f"{CAPACITY_MAX:,}"))
    return int(value)


def zone_choices(country: str) -> list[str]:
    """Every zone a form offers, the country's usual ones first, then the rest by name."""
    first = country_zones(country)
    return first + sorted(set(times.zone_names()) - set(first))


def country_zones(country: str) -> list[str]:
    """The zones of a country, its most used first (empty for a country the table lacks)."""
    common = _COMMON_ZONES.get(country, ())
    known = times.zone_names()
    ordered = list(common) + [zone for zone in _zone_table().get(country, ()) if zone not in common]
    return [zone for zone in ordered if zone in known]


def default_zone(country: str) -> str:
    """The zone a new event's form starts with: the country's first usual one, else UTC."""
    zones = country_zones(country)
    return zones[0] if zones else "UTC"


@cache
def _zone_table() -> dict[str, tuple[str, ...]]:
    """Country code to its zones, from the tzdata package's zone.tab (empty if absent)."""
    table: dict[str, list[str]] = {}
    try:
        text = (resources.files("tzdata") / "zoneinfo" / "zone.tab").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            parts = line.split("\t")
            if len(parts) >= 3:
                table.setdefault(parts[0], []).append(parts[2])
    return {code: tuple(zones) for code, zones in table.items()}
