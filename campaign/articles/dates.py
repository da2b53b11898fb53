"""Read the published date-time a byline prints, with its time zone."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_DATE = re.compile(
    r"^(?:(?P<weekday>[A-Za-z]+)\.?,?\s+)?"
    r"(?:(?P<month>[A-Za-z]+)\.?\s+(?P<day>[0-9]{1,2})(?:st|nd|rd|th)?"
    r"|(?P<day2>[0-9]{1,2})(?:st|nd|rd|th)?\s+(?P<month2>[A-Za-z]+)\.?)"
    r",?\s+(?P<year>[0-9]{4}),?\s+(?:at\s+)?"
    r"(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2}))?"
    r"\s*(?P<ampm>[AaPp]\.?[Mm]\.?(?![A-Za-z]))?\s*(?P<zone>.*)$"
)
_MONTH_NAMES = ["january", "february", "march", "april", "may", "june", "july", "august",
                "september", "october", "november", "december"]
_MONTHS = {name: number for number, full in enumerate(_MONTH_NAMES, start=1)
           for name in (full, full[:3])} | {"sept": 9}
_WEEKDAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_WEEKDAYS = {name: number for number, full in enumerate(_WEEKDAY_NAMES)
             for name in (full, full[:3])} | {"tues": 1, "thur": 3, "thurs": 3}
_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+-])([0-9]{1,2})(?::?([0-9]{2}))?$", re.IGNORECASE)
_IANA = re.compile(r"^[A-Za-z_]+(?:/[A-Za-z0-9_+-]+)+$")
# Generic US names follow daylight saving, so they need the tz database, not a fixed offset.
_GENERIC = {"eastern time": "America/New_York", "et": "America/New_York",
            "central time": "America/Chicago", "ct": "America/Chicago",
            "mountain time": "America/Denver", "mt": "America/Denver",
            "pacific time": "America/Los_Angeles", "pt": "America/Los_Angeles"}


def _fixed_zones() -> dict[str, tzinfo]:
    """Zone names that say their own offset: US standard/daylight names, UK and UTC."""
    zones: dict[str, tzinfo] = {}
    us = [("eastern", "E", -5), ("central", "C", -6), ("mountain", "M", -7),
          ("pacific", "P", -8), ("alaska", "AK", -9), ("hawaii-aleutian", "H", -10)]
    for region, letter, hours in us:
        for word, abbr, shift in (("standard", "ST", 0), ("daylight", "DT", 1)):
            zone = timezone(timedelta(hours=hours + shift), letter + abbr)
            zones[f"{region} {word} time"] = zones[(letter + abbr).lower()] = zone
    zones["hawaii standard time"] = zones["hst"]
    for names, hours, abbr in ((("british summer time", "bst"), 1, "BST"),
                               (("greenwich mean time", "gmt"), 0, "GMT"),
                               (("coordinated universal time", "utc", "z"), 0, "UTC")):
        for name in names:
            zones[name] = timezone(timedelta(hours=hours), abbr)
    return zones


_FIXED = _fixed_zones()


def _zone(printed: str) -> tzinfo | None:
    """The time zone a printed name stands for, or None when it is not one we know."""
    key = printed.strip().strip("()").strip()
    name = " ".join(key.lower().split())
    if name in _FIXED:
        return _FIXED[name]
    offset = _OFFSET.match(key)
    if offset:
        sign = -1 if offset.group(1) == "-" else 1
        minutes = int(offset.group(2)) * 60 + int(offset.group(3) or 0)
        return timezone(sign * timedelta(minutes=minutes)) if minutes < 24 * 60 else None
    if name in _GENERIC or _IANA.match(key):
        try:
            return ZoneInfo(_GENERIC.get(name, key))
        except (ZoneInfoNotFoundError, ValueError, OSError):
            return None
    return None


def parse_published(printed: str) -> tuple[datetime | None, str]:
    """The date-time a byline prints, with its zone, and "" — or None and why it was not read."""
    text = printed.strip()
    if text[:1].isdigit() and "-" in text[:5]:
        try:
            stamp = datetime.fromisoformat(text)
        except ValueError:
            return None, f"could not read the date {text!r}"
        return (stamp, "") if stamp.tzinfo else (None, f"the date {text!r} has no time zone")
    parts = _DATE.match(text)
    if not parts:
        return None, f"could not read the date {text!r}"
    zone_name = parts.group("zone").strip()
    zone = _zone(zone_name) if zone_name else None
    if zone is None:
        why = f"unknown time zone {zone_name!r}" if zone_name else "no time zone"
        return None, f"{why} in the date {text!r}: published_at left empty"
    try:
        stamp = _datetime(parts, zone)
    except ValueError:
        return None, f"the date {text!r} does not exist"
    weekday = (parts.group("weekday") or "").lower()
    if weekday and _WEEKDAYS.get(weekday) != stamp.weekday():
        return None, f"the weekday in {text!r} does not match the date: published_at left empty"
    return stamp, ""


def _datetime(parts: re.Match, zone: tzinfo) -> datetime:
    """Build the datetime from the matched parts; ValueError when they make no date."""
    month = _MONTHS.get((parts.group("month") or parts.group("month2")).lower())
    if month is None:
        raise ValueError("unknown month")
    hour = int(parts.group("hour"))
    if parts.group("ampm"):
        if not 1 <= hour <= 12:
            raise ValueError("hour out of range for AM/PM")
        hour = hour % 12 + (12 if parts.group("ampm")[0] in "Pp" else 0)
    day = int(parts.group("day") or parts.group("day2"))
    return datetime(int(parts.group("year")), month, day, hour, int(parts.group("minute")),
                    int(parts.group("second") or 0), tzinfo=zone)
