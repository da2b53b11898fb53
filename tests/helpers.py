"""Small helpers shared by tests: reading what the app stored and sent."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from sqlalchemy import func, select, text

from campaign.extensions import db
from campaign.mail import backends
from campaign.models import OutboxMessage, Signature

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "tests" / "fixtures"
# The shared folder beside the checkout: the example article and the real data files.
SHARED = REPO_ROOT.parent / "shared"


def count_rows(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def signatures() -> list[Signature]:
    return list(db.session.scalars(select(Signature).order_by(Signature.id)))


def outbox_messages() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def query_plan(statement) -> str:
    """How the database would run a query, forcing PostgreSQL off sequential scans (test
    tables are tiny, so it would otherwise never pick an index)."""
    compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        return " ".join(db.session.execute(text(f"EXPLAIN {compiled}")).scalars())
    return " ".join(row[-1] for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")))


def sent_bodies() -> list[str]:
    """Bodies of the messages delivered through the memory backend."""
    return [m.get_content() for m in backends.memory_outbox]


def confirm_link(body: str) -> str:
    """The path of the confirmation link in an email body."""
    match = re.search(r"https?://[^/\s]+(/c/[a-z0-9-]+/confirm/[A-Za-z0-9_-]+)", body)
    assert match, body
    return match.group(1)


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href, self._text = dict(attrs).get("href", ""), []

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((self._href, " ".join("".join(self._text).split())))
            self._href = None


def links(page: str) -> list[tuple[str, str]]:
    """Every link of a page as (href, visible text), hrefs unescaped."""
    parser = _Anchors()
    parser.feed(page)
    return parser.links


def query_of(url: str) -> dict[str, str]:
    """A link's query string as a dict (last value wins)."""
    return dict(parse_qsl(urlsplit(url).query))
