"""Contacts, letters, organizations and events read from an action's items."""
from __future__ import annotations

import re

from campaign.articles.results import Contact, Event, Item, Letter, Organization

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
_URL = re.compile(r"https?://[^\s)>\]]+|www\.[^\s)>\]]+")
_META_LABEL = re.compile(
    r"^(?:how|what|why|where|when|who|ways|tips|other|also|more|example|note)\b", re.IGNORECASE)
_EVENT_KEYS = {"what": "what", "when": "when", "date": "when", "time": "when", "where": "where",
               "venue": "where", "location": "where"}


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
