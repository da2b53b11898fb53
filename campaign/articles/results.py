"""What the article reader returns: frozen dataclasses of plain values, and to_json."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

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
