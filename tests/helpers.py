"""Small helpers shared by tests: reading what the app stored and sent."""
from __future__ import annotations

import re
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import func, select, text

import config
from campaign import create_app
from campaign.extensions import db
from campaign.mail import backends
from campaign.models import OutboxMessage, Signature

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = REPO_ROOT / "tests" / "fixtures"
# The shared folder beside the checkout: the example article and the real data files.
SHARED = REPO_ROOT.parent / "shared"


def shared_example() -> Path:
    """The real article of the shared folder; CI always has it, so its absence fails the test."""
    path = SHARED / "examples" / "article-security-guarantees.txt"
    if not path.exists():
        pytest.fail(f"{path} is missing: the tests read the shared folder beside the checkout")
    return path


def count_rows(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def signatures() -> list[Signature]:
    return list(db.session.scalars(select(Signature).order_by(Signature.id)))


def outbox_messages() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


# Written when an organizer's page is merely opened (organizers.load_session), so not a change.
_NOT_STATE = {("organizer_sessions", "last_seen_at")}


def database_snapshot() -> dict[str, list[tuple]]:
    """Every row of every table, in key order: equal snapshots mean nothing was stored."""
    snapshot = {}
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if (table.name, c.name) not in _NOT_STATE]
        rows = db.session.execute(select(*columns).order_by(*table.primary_key.columns))
        snapshot[table.name] = [tuple(row) for row in rows]
    return snapshot


STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def state_changing_routes(walked: Callable[[str], bool]) -> list[tuple[str, str, str]]:
    """(method, rule, endpoint) of every route that may change state, of the blueprints
    walked(name) accepts, as the app's url_map has them."""
    app = create_app(config.TestingConfig)
    return sorted(
        (method, rule.rule, rule.endpoint)
        for rule in app.url_map.iter_rules()
        if walked(rule.endpoint.partition(".")[0])
        for method in (rule.methods or set()) & STATE_CHANGING
    )


def url_of(rule: str, values: dict) -> str:
    """A url_map rule with its <converter:name> parts filled in from values."""
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda part: str(values[part[1]]), rule)


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
    # get_body: the text part of a message with attachments (an event's .ics) too.
    return [m.get_body(("plain",)).get_content() for m in backends.memory_outbox]


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


def wait_until(condition: Callable[[], bool], *, timeout: float = 10, what: str = "the condition") -> None:
    """Poll until condition() holds; AssertionError after timeout seconds (a deadline, so a
    slow machine waits longer instead of failing, and a hang does not last forever)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.005)
