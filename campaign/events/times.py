"""Event times: shown in the event's own zone with the zone named, and an organizer's local
date and time turned into UTC across daylight-saving changes."""
from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel.dates import format_date, format_interval, format_time
from flask_babel import get_locale
from flask_babel import gettext as _

# Not places: tzdata's legacy and fixed-offset names, kept out of the select list.
_NOT_PLACES = ("Etc/", "SystemV/", "US/", "posix/", "right/")


@cache
def _known() -> frozenset[str]:
    return frozenset(available_timezones())


def is_zone(name: str) -> bool:
    """Whether name is an IANA time zone this system knows ("America/Chicago")."""
    return name in _known()


@cache
def zone_names() -> list[str]:
    """The IANA zone names to offer in a select list, sorted: places, and UTC."""
    return sorted(n for n in _known() if "/" in n and not n.startswith(_NOT_PLACES)) + ["UTC"]


def zone(name: str) -> ZoneInfo:
    """The zone of that IANA name; ValueError with a message for a name we do not know."""
    if not is_zone(name):
        raise ValueError(_("Choose a time zone from the list."))
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(_("Choose a time zone from the list.")) from None


def to_utc(local: datetime, zone_name: str) -> datetime:
    """The UTC moment of a wall-clock time in a zone; ValueError with a message when that
    time does not exist there (the clocks jump over it). A time that happens twice (the
    clocks go back) is the first of the two."""
    if local.tzinfo is not None:
        raise ValueError(_("Give the time as the clock in the event's place shows it."))
    tz = zone(zone_name)
    first = local.replace(tzinfo=tz, fold=0)  # fold=0: the earlier of two, if two
    moment = first.astimezone(UTC)
    if moment.astimezone(tz).replace(tzinfo=None) != local:
        raise ValueError(_("%(time)s does not exist in %(zone)s: the clocks go forward then. "
                           "Choose a later time.",
                           time=local.strftime("%Y-%m-%d %H:%M"), zone=zone_name))
    return moment


def local(moment: datetime, zone_name: str) -> datetime:
    """A stored UTC moment as the clock in the event's zone shows it."""
    return moment.astimezone(ZoneInfo(zone_name))


def zone_abbreviation(moment: datetime) -> str:
    """The zone's name at that moment as clocks there say it: "EDT", "CET"; "UTC+03" where
    the zone has no lettered abbreviation."""
    name = moment.tzname() or ""
    return name if name.isalpha() else f"UTC{name}"


def _locale() -> str:
    return str(get_locale() or "en")


def when(starts_at: datetime, ends_at: datetime, zone_name: str) -> str:
    """"Tuesday, March 10, 2026, 7:00 – 8:30 PM CDT", in the zone of the event and the
    language of the page or email."""
    start, end = local(starts_at, zone_name), local(ends_at, zone_name)
    locale, tz = _locale(), start.tzinfo
    day = format_date(start, "full", locale=locale)
    if start.date() == end.date():
        hours = format_interval(start, end, "hm", tzinfo=tz, locale=locale)
        named = zone_abbreviation(start)
        if zone_abbreviation(end) != named:  # the clocks change during the event
            hours = (f"{format_time(start, 'short', tzinfo=tz, locale=locale)} {named} – "
                     f"{format_time(end, 'short', tzinfo=tz, locale=locale)}")
        return f"{day}, {hours} {zone_abbreviation(end)}"
    return (f"{day}, {format_time(start, 'short', tzinfo=tz, locale=locale)} "
            f"{zone_abbreviation(start)} – {format_date(end, 'full', locale=locale)}, "
            f"{format_time(end, 'short', tzinfo=tz, locale=locale)} {zone_abbreviation(end)}")


def day(starts_at: datetime, zone_name: str) -> str:
    """The event's day as the page's language writes a short date: "Mar 10, 2026"."""
    return format_date(local(starts_at, zone_name), "medium", locale=_locale())


def place_time(starts_at: datetime, zone_name: str) -> str:
    """The start in the event's zone, with the zone: "7:00 PM CDT"."""
    start = local(starts_at, zone_name)
    return f"{format_time(start, 'short', tzinfo=start.tzinfo, locale=_locale())} {zone_abbreviation(start)}"
