"""Read an article file (headline, source and date, news, commentary, actions) into plain values."""
from __future__ import annotations

import bisect
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

KINDS = ("petition", "contact", "letter", "organizations", "share", "event", "host", "text")


@dataclass(frozen=True)
class Problem:
    """A line the reader could not place, with its 1-based number and why."""

    line: int
    text: str
    reason: str


@dataclass(frozen=True)
class Report:
    """What the reader found, what it could not place, and anything worth a second look."""

    lines: int
    read: list[str]
    problems: list[Problem]
    notes: list[str]


@dataclass(frozen=True)
class Item:
    """One `- **Label**: text` or `- text` item of an action, exactly as read."""

    label: str
    text: str


@dataclass(frozen=True)
class Contact:
    """An official named in an action; imported emails stay unverified until confirmed."""

    name: str
    office: str
    email: str
    email_verified: bool
    address: str
    phone: str
    note: str


@dataclass(frozen=True)
class Letter:
    """A letter template: the points to make and an example text without its quotes."""

    what_to_say: list[str]
    example: str


@dataclass(frozen=True)
class Organization:
    """A group an action suggests supporting."""

    name: str
    description: str
    url: str


@dataclass(frozen=True)
class Event:
    """A meeting to attend, or to host when `host` is true."""

    what: str
    when: str
    where: str
    host: bool


@dataclass(frozen=True)
class ImportedAction:
    """One numbered action, with the parts its kind calls for."""

    number: int
    title: str
    kind: str
    text: str
    items: list[Item]
    contacts: list[Contact]
    letter: Letter | None
    organizations: list[Organization]
    hashtags: list[str]
    petition_titles: list[str]
    event: Event | None


@dataclass(frozen=True)
class Section:
    """A `### ` heading and the numbered actions under it."""

    title: str
    actions: list[ImportedAction]


@dataclass(frozen=True)
class ImportedArticle:
    """Everything read from an article file, and the report of how it went."""

    headline: str
    source: str
    published_text: str
    published_at: datetime | None
    categories: list[str]
    paragraphs: list[str]
    commentary: list[str]
    sections: list[Section]
    closing: str
    report: Report


def to_json(article: ImportedArticle) -> dict:
    """The article as a dict of JSON values, the date as ISO 8601 text."""
    data = asdict(article)
    data["published_at"] = article.published_at.isoformat() if article.published_at else None
    return data


# ---- dates -----------------------------------------------------------------------------------

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


# ---- the parts of a line ---------------------------------------------------------------------

_NEWLINE = re.compile(r"\r\n|\r|\n")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff]")
_SPACES = re.compile(r"[\t\u2028\u2029]")
_MARKER = re.compile(
    r"^[*_#\s]*(?i:sign\s+(?:our|the|this)\s+petition(?:\s+(?:now|here|today))?)[*_]*")
_CATEGORIES = re.compile(r"^(?i:categories)\s*:\s*(.*)$")
_HEADING = re.compile(r"^#{1,6}(?:\s+(.*))?$")
_NUMBER = re.compile(r"^([0-9]{1,3})[.)]\s+")
_ACTION_START = re.compile(r"^[0-9]{1,3}[.)]\s+\*\*[^*\n]{1,300}\*\*")
_INLINE_ACTION = re.compile(r"(?<=\s)([0-9]{1,3})[.)]\s+(?=\*\*[^*\n]{1,300}\*\*)")
_TITLE = re.compile(r"^\*\*([^*\n]{1,300})\*\*\s*(?::|[-–—](?=\s))?\s*")
_ITEM_LINE = re.compile(r"^(?:[-•](?:\s+|(?=\*\*))|\*\s+)")
_BULLET = re.compile(r"(?<!\S)[-•](?=\s)")
_KNOWN_LABEL = re.compile(
    r"(?i:(e-?mail|address|telephone|phone|tel|fax|website|web|url|link|example|sample letter"
    r"|sample|what to say|what|when|where|date|time|venue|location|note))\s*:\s*")
_QUOTED = re.compile(r"“([^“”\n]{0,2000})”|\"([^\"\n]{0,2000})\"")
_ABBREV = re.compile(r"(?:^|[^\w.])(?:[A-Z]\.){1,3}$")


def _clean_lines(text: str) -> tuple[list[str], int]:
    """The file's lines, stripped, without control characters; and how many were removed."""
    raw = _NEWLINE.split(text.removeprefix("\ufeff"))
    if raw[-1] == "":
        raw.pop()  # a final newline ends the last line; it does not start another
    lines, removed = [], 0
    for line in raw:
        line, count = _CONTROLS.subn("", line)
        removed += count
        lines.append(_SPACES.sub(" ", line).strip())
    return lines, removed


def _plain(text: str) -> str:
    return text.replace("**", "").strip()


def _marker_end(line: str) -> int | None:
    """Where a petition marker opening the line ends, or None when the line is not a marker."""
    marker = _MARKER.match(line)
    if not marker:
        return None
    end = marker.end()
    after = line[end:end + 1]
    if after in (".", "!", ":"):
        return end + 1
    # Run into the next paragraph, the marker meets a capital with no space: "PetitionThe".
    if not after or after.isupper() or after.isdigit() or after in "\"“‘'(":
        return end
    return None


def _split_actions(body: str, last: int) -> tuple[str, list[tuple[int, str]]]:
    """Cut a line at each `N. **Title**` numbering the next action: the lead and the actions."""
    spans = [m.span() for m in _QUOTED.finditer(body)]
    cuts = []
    for found in _INLINE_ACTION.finditer(body):
        # Only the next number counts, so a "2. **x**" inside prose is not mistaken for an action.
        if int(found.group(1)) == last + 1 and not _inside(found.start(), spans):
            cuts.append(found)
            last += 1
    ends = [cut.start() for cut in cuts[1:]] + [len(body)]
    actions = [(int(cut.group(1)), body[cut.end():end].strip()) for cut, end in zip(cuts, ends)]
    return body[:cuts[0].start() if cuts else len(body)].strip(), actions


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    index = bisect.bisect_right(spans, (position, float("inf"))) - 1
    return index >= 0 and spans[index][0] < position < spans[index][1]


def _split_items(text: str) -> list[str]:
    """Cut text at its item bullets; the first piece is the text before any bullet."""
    spans = [m.span() for m in _QUOTED.finditer(text)]
    pieces, start = [], 0
    for bullet in _BULLET.finditer(text):
        at, end = bullet.span()
        if not _inside(at, spans) and _is_item_start(text, at, end):
            pieces.append(text[start:at].strip())
            start = end
    return pieces + [text[start:].strip()]


def _is_item_start(text: str, start: int, end: int) -> bool:
    """Whether a ` - ` begins an item, rather than sitting in prose or an address."""
    before = start - 1
    while before >= 0 and text[before].isspace():
        before -= 1
    if before < 0 or text[before] == ":":
        return True
    after = end
    while after < len(text) and text[after].isspace():
        after += 1
    if text.startswith("**", after) or _KNOWN_LABEL.match(text, after):
        return True
    # A sentence ended and a new one begins: "...negotiations. - Express ..." (not "D.C. - ").
    following = text[after:after + 1]
    if text[before] not in ".!?;)”\"" or not following:
        return False
    if not (following.isupper() or following in "“\""):
        return False
    return not _ABBREV.search(text[max(0, before - 8):before + 1])


def _item(piece: str) -> Item:
    """One item: `**Label**: text`, `Label: text` for the usual labels, or plain text."""
    bold = _TITLE.match(piece)
    if bold:
        return Item(_plain(bold.group(1)).rstrip(":").strip(), _plain(piece[bold.end():]))
    known = _KNOWN_LABEL.match(piece)
    if known:
        return Item(known.group(1), _plain(piece[known.end():]))
    return Item("", _plain(piece))


@dataclass
class _Draft:
    """An action while its lines are still being read."""

    number: int
    title: str
    text: str
    items: list[Item] = field(default_factory=list)


def _new_action(number: int, body: str) -> tuple[_Draft, bool]:
    """An action from `**Title**: text - items`; False when its title was not in bold."""
    bold = _TITLE.match(body)
    if bold:
        title, rest = bold.group(1), body[bold.end():]
    else:
        head, colon, tail = body.partition(":")
        title, rest = (head, tail) if colon and len(head) <= 80 else ("", body)
    pieces = _split_items(rest)
    items = [_item(piece) for piece in pieces[1:] if piece]
    return _Draft(number, _plain(title).rstrip(":").strip(), _plain(pieces[0]), items), bool(bold)



# ---- what an action holds --------------------------------------------------------------------

_ORGANIZE_GATHERING = (r"\borgani[sz]e (?:a|an|your own) (?:[\w-]+ )?(?:gathering|meeting|event"
                       r"|discussion|forum|vigil|rally|march|meetup|teach-in|workshop|screening)")
_KIND_WORDS = [(kind, re.compile("|".join(words), re.IGNORECASE)) for kind, words in (
    ("petition", [r"petition"]),
    ("host", [r"\bhost", r"community discussion", _ORGANIZE_GATHERING]),
    ("event", [r"\battend", r"meeting", r"\brall(?:y|ies)\b", r"town hall", r"\bevents?\b",
               r"\bvigil", r"\bmarch\b", r"protest", r"hearing", r"testify"]),
    ("letter", [r"letter", r"what to say"]),
    ("contact", [r"contact", r"write to", r"\bcall\b", r"\be-?mail", r"officials?\b",
                 r"representatives?\b", r"senators?\b", r"\bMPs?\b", r"council", r"congress",
                 r"lawmakers", r"legislators", r"governor", r"mayor"]),
    ("organizations", [r"organi[sz]ations?", r"\bngos?\b", r"\bgroups?\b", r"donat", r"charit",
                       r"non-?profits?"]),
    ("share", [r"\bshare", r"social media", r"hashtags?", r"spread the word", r"\bpost\b"]),
)]
_OFFICE_FIRST = re.compile(
    r"^(Senator|Sen\.|Representative|Rep\.|Congressman|Congresswoman|Congressmember"
    r"|Assemblymember|Assembly Member|Delegate|Lieutenant Governor|Governor|Gov\.|Mayor"
    r"|Councillor|Councilor|Councilmember|Council Member|Cllr\.?|Alderman|Alderwoman"
    r"|Supervisor|Commissioner|MP|MSP|MEP|MLA|MS)\s+(.+)$")
_OFFICE_LAST = re.compile(r"^(.+?)\s+(MP|MSP|MEP|MLA)$")
_PARTICLES = {"de", "da", "del", "van", "von", "der", "la", "le", "bin", "al", "and"}
_PART = re.compile(r"\b(e-?mail|address|telephone|phone|tel)\s*:", re.IGNORECASE)
_PART_KEYS = {"email": "email", "e-mail": "email", "address": "address", "phone": "phone",
              "telephone": "phone", "tel": "phone"}
_EMAIL = re.compile(r"[\w.+'-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
_PLACEHOLDER = re.compile(r"replace|placeholder|example|to be confirmed|\btbc\b|\btbd\b"
                          r"|not verified|unverified|dummy|xxx", re.IGNORECASE)
_HASHTAG = re.compile(r"(?<![\w&])#(\w+)")
_URL = re.compile(r"https?://[^\s)>\]]+|www\.[^\s)>\]]+")
_META_LABEL = re.compile(
    r"^(?:how|what|why|where|when|who|ways|tips|other|also|more|example|note)\b", re.IGNORECASE)
_EVENT_KEYS = {"what": "what", "when": "when", "date": "when", "time": "when", "where": "where",
               "venue": "where", "location": "where"}


def _kind_of(words: str) -> str:
    """The kind whose keyword is first: "Share the petition" shares; "Sign the petition" signs."""
    found = [(match.start(), order, kind) for order, (kind, pattern) in enumerate(_KIND_WORDS)
             if (match := pattern.search(words))]
    return min(found)[2] if found else "text"


def _office_and_name(label: str) -> tuple[str, str] | None:
    """("Senator", "Jane Doe") from "Senator Jane Doe" or ("MP", "Jane Doe") from "Jane Doe MP"."""
    first, last = _OFFICE_FIRST.match(label), _OFFICE_LAST.match(label)
    if first and _is_name(first.group(2)):
        return first.group(1), first.group(2)
    if last and _is_name(last.group(1)):
        return last.group(2), last.group(1)
    return None


def _is_name(text: str) -> bool:
    words = text.split()
    return 1 <= len(words) <= 6 and words[0][:1].isupper() and all(
        word[:1].isupper() or word in _PARTICLES for word in words)


def _contacts(items: list[Item]) -> list[Contact]:
    """Officials named by an item's label, with the email, address and phone items that follow."""
    contacts, parts = [], None
    for index, item in enumerate(items):
        if parts is not None and (item.label.lower() in _PART_KEYS or not item.label):
            _read_parts(parts, f"{item.label}: {item.text}" if item.label else item.text)
            continue
        if parts is not None:
            contacts.append(_contact(parts))
            parts = None
        following = items[index + 1:index + 2]
        titled = _office_and_name(item.label) if item.label else None
        if titled or (item.label and (_PART.search(item.text) or (
                following and following[0].label.lower() in _PART_KEYS))):
            office, name = titled or ("", item.label)
            parts = {"name": [name], "office": [office], "email": [], "address": [], "phone": [],
                     "note": []}
            _read_parts(parts, item.text)
    return contacts + ([_contact(parts)] if parts is not None else [])


def _read_parts(parts: dict[str, list[str]], text: str) -> None:
    """Add `Email: ... Address: ... Phone: ...` parts of text to a contact; the rest is a note."""
    pieces = _PART.split(text)
    parts["note"].append(pieces[0])
    for key, value in zip(pieces[1::2], pieces[2::2]):
        parts[_PART_KEYS[key.lower()]].append(value)


def _contact(parts: dict[str, list[str]]) -> Contact:
    """A contact from its gathered parts; an email marked as a placeholder is not verified."""
    def joined(key: str) -> str:
        return "; ".join(value.strip(" ,;") for value in parts[key] if value.strip(" ,;"))

    email_text = joined("email")
    found = _EMAIL.search(email_text) if "@" in email_text else None
    email = found.group(0) if found else ""
    leftover = (email_text[:found.start()] + email_text[found.end():]) if found else email_text
    leftover = leftover.strip(" ,;-")
    if leftover.startswith("(") and leftover.endswith(")"):
        leftover = leftover[1:-1].strip()
    note = "; ".join(filter(None, [leftover, joined("note")]))
    return Contact(name=parts["name"][0], office=parts["office"][0], email=email,
                   email_verified=bool(email) and not _PLACEHOLDER.search(email_text),
                   address=joined("address"), phone=joined("phone"), note=note)


def _letter(items: list[Item]) -> Letter | None:
    """The points to make (after "What to Say") and the quoted example letter, when given."""
    points, example, collecting = [], "", False
    for item in items:
        label = item.label.lower()
        if label.startswith(("what to say", "what to write", "talking points", "key points")):
            collecting = True
            points += [item.text] if item.text else []
        elif label.startswith(("example", "sample")):
            example, collecting = _unquote(item.text), False
        elif collecting and not item.label:
            points.append(item.text)
        else:
            collecting = False
    return Letter(points, example) if points or example else None


def _unquote(text: str) -> str:
    quoted = re.match(r"^[“\"‘'](.*)[”\"’'][.,;]?$", text, re.DOTALL)
    return quoted.group(1).strip() if quoted else text


def _organizations(items: list[Item]) -> list[Organization]:
    """Labelled items with a description are groups; a `Website:` item gives the last one's url."""
    found: list[dict[str, str]] = []
    for item in items:
        if item.label.lower() in ("website", "web", "url", "link"):
            if found and not found[-1]["url"]:
                found[-1]["url"] = _first_url(item.text) or item.text
        elif item.label and item.text and not _META_LABEL.match(item.label):
            url = _first_url(item.text)
            found.append({"name": item.label, "description": _without(url, item.text), "url": url})
    return [Organization(**group) for group in found]


def _without(url: str, text: str) -> str:
    """The description without a link in brackets or at its end; a link in a sentence stays."""
    if url and f"({url})" in text:
        return " ".join(text.replace(f"({url})", "").split()).replace(" .", ".")
    if url and text.rstrip(".,;:!? ").endswith(url):
        return text.rstrip(".,;:!? ").removesuffix(url).strip(" -–—:;,")
    return text


def _first_url(text: str) -> str:
    url = _URL.search(text)
    return url.group(0).rstrip(".,;:!?") if url else ""


def _event(kind: str, text: str, items: list[Item]) -> Event:
    """What, when and where from labelled items; otherwise the action's own words say what."""
    fields: dict[str, list[str]] = {"what": [], "when": [], "where": []}
    for item in items:
        key = _EVENT_KEYS.get(item.label.lower())
        if key and item.text:
            fields[key].append(item.text)
    plain = [item.text for item in items if not item.label and item.text]
    what = "; ".join(fields["what"]) or text or (plain[0] if plain else "")
    return Event(what, "; ".join(fields["when"]), "; ".join(fields["where"]), kind == "host")


def _unique(values: list[str]) -> list[str]:
    seen: set[str] = set()
    kept = []
    for value in values:
        if value.casefold() not in seen:
            seen.add(value.casefold())
            kept.append(value)
    return kept


def _finish_action(draft: _Draft) -> ImportedAction:
    """Classify a read action and pick out its contacts, letter, groups, hashtags and event."""
    items = draft.items
    words = [draft.title, draft.text] + [f"{item.label} {item.text}" for item in items]
    tags = [tag for text in words for tag in _HASHTAG.findall(text) if not tag.isdigit()]
    hashtags = _unique(tags)
    contacts, letter = _contacts(items), _letter(items)
    kind = _kind_of(draft.title)
    if kind == "text":
        # The title says nothing we know: what the items hold decides.
        kind = ("contact" if contacts else "letter" if letter else "share" if hashtags
                else _kind_of(" ".join(item.label for item in items)))
    elif kind == "contact" and letter and not contacts:
        kind = "letter"  # "Write to your members of Congress" with only a letter to send
    titles = [a or b for text in words for a, b in _QUOTED.findall(text) if (a or b).strip()]
    return ImportedAction(
        number=draft.number, title=draft.title, kind=kind, text=draft.text, items=list(items),
        contacts=contacts, letter=letter if kind in ("letter", "contact") else None,
        organizations=_organizations(items) if kind == "organizations" else [],
        hashtags=hashtags, petition_titles=_unique(titles) if kind == "petition" else [],
        event=_event(kind, draft.text, items) if kind in ("event", "host") else None)


# ---- the pass over the lines -----------------------------------------------------------------

class _Reader:
    """One pass over an article's lines, keeping what it read and what it could not place."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.headline = self.source = self.published_text = self.closing = self.marker = ""
        self.published_at: datetime | None = None
        self.categories: list[str] | None = None
        self.paragraphs: list[str] = []
        self.commentary: list[str] = []
        self.sections: list[tuple[str, list[_Draft]]] = []
        self.pending: list[tuple[int, str]] = []  # plain lines among actions, placed later
        self.part = "news"  # then "commentary" after the marker, "actions" after a heading
        self.read: list[str] = []
        self.notes: list[str] = []
        self.problems: list[Problem] = []

    def header(self) -> int:
        """Read the headline and the `source -- date` line; return the index the body starts at."""
        filled = [index for index, line in enumerate(self.lines) if line][:2]
        if not filled:
            self.notes.append("no text to read")
            return len(self.lines)
        self.headline = self.lines[filled[0]]
        self.read.append("headline")
        if len(filled) > 1 and self._byline(self.lines[filled[1]]):
            return filled[1] + 1
        self.notes.append("no 'source -- date' line after the headline")
        return filled[0] + 1

    def _byline(self, line: str) -> bool:
        source, dashes, printed = line.rpartition(" -- ")
        if not dashes:
            # An editor may have turned "--" into a dash: it counts only before a readable date.
            found = [line.rpartition(dash) for dash in (" — ", " – ") if dash in line]
            found = [parts for parts in found if parse_published(parts[2])[0] is not None]
            if not found:
                return False
            source, dashes, printed = found[0]
        if len(printed) > 120 or len(source) > 200:
            return False  # prose with a dash in it, not a byline
        if dashes != " -- ":
            self.notes.append(f"the byline is split by {dashes.strip()!r}, not '--'")
        self.source, self.published_text = source.strip(), printed.strip()
        self.published_at, why = parse_published(self.published_text)
        self.read.append("source and date")
        if why:
            self.notes.append(why)
        else:
            self.read.append(f"date {self.published_at.isoformat()}")
        return True

    def line(self, number: int, line: str) -> None:
        """Place one line of the body: news, marker, commentary, heading, action or closing."""
        heading = _HEADING.match(line)
        if heading:
            self._flush(ending=False)
            self.sections.append(((heading.group(1) or "").strip().strip("*#").strip(), []))
            self.part = "actions"
        elif self.part != "actions" and _ACTION_START.match(line):
            self.notes.append(f"numbered actions without a ### heading from line {number}")
            self.sections.append(("", []))
            self.part = "actions"
            self._action_line(number, line)
        elif self.part == "actions":
            self._action_line(number, line)
        elif self.part == "commentary":
            self.commentary.append(line)
        else:
            self._news(number, line)

    def _news(self, number: int, line: str) -> None:
        end = _marker_end(line)
        categories = _CATEGORIES.match(line)
        if end is not None:
            self.marker = f"petition marker '{line[:end].strip()}' at line {number}"
            self.part = "commentary"
            self.commentary += [line[end:].strip()] if line[end:].strip() else []
        elif categories and self.categories is not None:
            self.problems.append(Problem(number, line, "a second categories line"))
        elif categories:
            if self.paragraphs:
                self.notes.append(f"the categories line {number} comes after the news began")
            names = categories.group(1).split(",")
            self.categories = [name.strip() for name in names if name.strip()]
        else:
            self.paragraphs.append(line)

    def _action_line(self, number: int, line: str) -> None:
        start, bullet = _NUMBER.match(line), _ITEM_LINE.match(line)
        if start:
            self._flush(ending=False)
            lead, actions = _split_actions(line[start.end():], int(start.group(1)))
            self._add_actions(number, [(int(start.group(1)), lead)] + actions)
        elif bullet or _TITLE.match(line) or _KNOWN_LABEL.match(line):
            self._flush(ending=False)
            current = self._current()
            if current is None:
                self.problems.append(Problem(number, line, "an item before any numbered action"))
                return
            lead, actions = _split_actions(line[bullet.end():] if bullet else line, current.number)
            current.items.extend(_item(piece) for piece in _split_items(lead) if piece)
            self._add_actions(number, actions)
        else:
            self.pending.append((number, line))

    def _add_actions(self, number: int, actions: list[tuple[int, str]]) -> None:
        for action_number, body in actions:
            draft, titled = _new_action(action_number, body)
            self.sections[-1][1].append(draft)
            if not titled:
                self.notes.append(f"action {action_number} at line {number} has no **title**")

    def _current(self) -> _Draft | None:
        return self.sections[-1][1][-1] if self.sections and self.sections[-1][1] else None

    def _flush(self, ending: bool) -> None:
        """Place plain lines met among the actions, now that the next line shows where they go."""
        current, pending, self.pending = self._current(), self.pending, []
        if not pending:
            return
        text = "\n".join(line for _, line in pending)
        if current is None:
            self.problems += [Problem(n, line, "text under a heading before any numbered action")
                              for n, line in pending]
        elif ending:
            self.closing = text
        else:
            current.text = f"{current.text}\n{text}".strip()
            numbers = ", ".join(str(n) for n, _ in pending)
            self.notes.append(f"line {numbers} added to the text of action {current.number}")

    def article(self) -> ImportedArticle:
        """Finish the pass: place what is left and put the article and its report together."""
        self._flush(ending=True)
        if self.headline and self.categories is None:
            self.notes.append("no categories line")
        if self.headline and not self.marker:
            self.notes.append("no petition marker found: the text before the actions is kept as "
                              "news and the commentary is empty")
        sections = [Section(title, [_finish_action(d) for d in drafts])
                    for title, drafts in self.sections]
        count = [] if self.categories is None else [f"categories: {len(self.categories)}"]
        read = self.read + count
        read += [f"news paragraphs: {len(self.paragraphs)}"] * bool(self.headline)
        read += [self.marker] * bool(self.marker)
        read += [f"commentary paragraphs: {len(self.commentary)}"] * bool(self.commentary)
        read += [f"section '{s.title}': actions {len(s.actions)}" for s in sections]
        read += ["closing paragraph"] * bool(self.closing)
        return ImportedArticle(
            headline=self.headline, source=self.source, published_text=self.published_text,
            published_at=self.published_at, categories=self.categories or [],
            paragraphs=self.paragraphs, commentary=self.commentary, sections=sections,
            closing=self.closing, report=Report(len(self.lines), read, self.problems, self.notes))


def read_article(text: str) -> ImportedArticle:
    """Read an article file's text into its parts, with a report of what it could not place."""
    lines, removed = _clean_lines(text)
    reader = _Reader(lines)
    for index in range(reader.header(), len(lines)):
        if lines[index]:
            reader.line(index + 1, lines[index])
    if removed:
        reader.notes.append(f"removed {removed} control characters")
    return reader.article()
