"""Fixtures: an app per test on SQLite, and again on PostgreSQL when TEST_DATABASE_URL is set."""
from __future__ import annotations

import contextlib
import itertools
import os
import secrets
import shutil
import sqlite3
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from jinja2 import BytecodeCache
from sqlalchemy import create_engine, make_url, text
from werkzeug.routing import rules as werkzeug_rules

import config
from campaign import clock as clock_module
from campaign import create_app, database
from campaign.extensions import db
from campaign.mail import backends
from campaign.models import CampaignStatus
from tests import smtp_server as smtp

BACKENDS = ["sqlite"] + (["postgresql"] if config.TEST_DATABASE_URL else [])

# Property tests (@given) try the same examples on every run ("ci", the default), so that a
# run fails only for a change in the code, never for a new draw; `pytest
# --hypothesis-profile=random` draws new ones each run, and prints how to replay a failure.
# No deadline and no too_slow check in either: a loaded machine is no bug. A test's own
# @settings (max_examples...) still win.
_PROPERTIES = {"deadline": None, "print_blob": True, "suppress_health_check": [HealthCheck.too_slow]}
settings.register_profile("ci", settings.get_profile("default"), derandomize=True, **_PROPERTIES)
settings.register_profile("random", settings.get_profile("default"), **_PROPERTIES)
settings.load_profile("ci")


def _migrate(url: str) -> None:
    app = create_app(config.TestingConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        database.upgrade_schema()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file, copied for each test (migrating per test is slow)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    _migrate(f"sqlite:///{path}")
    # Fold the write-ahead log into the file, so that copying the file copies everything.
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture(scope="session")
def postgres_url():
    """A schema of its own in the test database, migrated once per session and dropped after.

    Its own schema, not the public one, so that two test runs at once do not collide.
    """
    schema = f"test_{os.getpid()}_{secrets.token_hex(3)}"
    base = make_url(config.TEST_DATABASE_URL)
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = base.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    _migrate(url)
    yield url
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _database_url(request, tmp_path: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "test.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    return request.getfixturevalue("postgres_url")


_compile_builder = werkzeug_rules.Rule._compile_builder
_BUILDERS: dict[tuple, object] = {}


def _shared_builder(rule, append_unknown=True):
    """Werkzeug compiles a URL builder from generated code for every rule of every new app:
    130 routes made that most of create_app's time, paid again by each test's app. Rules
    alike in their parts get one compiled builder (it reads converters from the rule it is
    bound to); a rule with a default for one of its variables is compiled as Werkzeug would."""
    defaults = rule.defaults or {}
    if any(dynamic and name in defaults for dynamic, name in rule._trace):
        return _compile_builder(rule, append_unknown)
    key = (tuple(rule._trace), tuple(defaults), append_unknown)
    if key not in _BUILDERS:
        _BUILDERS[key] = _compile_builder(rule, append_unknown)
    return _BUILDERS[key]


werkzeug_rules.Rule._compile_builder = _shared_builder


class _SharedBytecode(BytecodeCache):
    """Compiled templates kept for the session: each test's app would otherwise compile every
    template it renders again (a Jinja environment caches only its own)."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_BYTECODE = _SharedBytecode()


@pytest.fixture(params=BACKENDS)
def app(request, tmp_path):
    """The app on an isolated, migrated, empty database."""
    url = _database_url(request, tmp_path)
    app = create_app(
        config.TestingConfig,
        SQLALCHEMY_DATABASE_URI=url,
        MAIL_FILE_DIR=str(tmp_path / "mail"),
    )
    app.jinja_env.bytecode_cache = TEMPLATE_BYTECODE
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            tables = ", ".join(t.name for t in db.metadata.sorted_tables)
            db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            db.session.commit()
    backends.memory_outbox.clear()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    backends.memory_outbox.clear()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    """An app context for tests that call concept functions directly."""
    with app.app_context():
        yield
        db.session.remove()


class Clock:
    """The time campaign code reads from utcnow(), stopped until a test moves it."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def move(self, **delta) -> None:
        """Move the clock on by a timedelta's arguments: move(seconds=5), move(days=1)."""
        self.now += timedelta(**delta)


@pytest.fixture
def clock(app, monkeypatch) -> Clock:
    """Stop the app's clock at the current time; the test moves it instead of sleeping."""
    stopped = Clock(clock_module.utcnow())
    real = clock_module.utcnow
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] == "campaign" and getattr(module, "utcnow", None) is real:
            monkeypatch.setattr(module, "utcnow", lambda: stopped.now)
    return stopped


_slugs = itertools.count(1)


@pytest.fixture
def make_campaign(app):
    """Create a campaign (open, confirmation required, US by default) and return its slug."""
    from campaign.campaigns import store

    def make(**fields) -> str:
        fields.setdefault("slug", f"campaign-{next(_slugs)}")
        fields.setdefault("title", "Keep the river clean")
        fields.setdefault("petition_text", "We ask the county to stop the dumping.")
        fields.setdefault("target", "The County Board")
        fields.setdefault("goal", 100)
        fields.setdefault("status", CampaignStatus.OPEN)
        with app.app_context():
            campaign = store.create(**fields)
            db.session.commit()
            slug = campaign.slug
            db.session.remove()
        return slug

    return make


@pytest.fixture
def signer():
    """Form data for a valid US signer; keyword arguments override fields."""

    def data(**fields) -> dict:
        values = {
            "full_name": "Ada Lovelace",
            "email": "ada@example.org",
            "postcode": "02139",
            "country": "US",
            "comment": "",
        }
        values.update(fields)
        return {k: v for k, v in values.items() if v is not None}

    return data


ORGANIZER_PASSWORD = "correct horse battery staple"


@pytest.fixture
def make_organizer(app):
    """Create an organizer (optionally member of campaigns by slug); return their email."""
    from campaign.accounts import memberships, organizers
    from campaign.campaigns import store
    from campaign.models import MemberRole

    def make(email: str = "org@example.org", *, role: str = "organizer", campaigns_owned=()) -> str:
        with app.app_context():
            organizer = organizers.create(email, ORGANIZER_PASSWORD, role=role)
            for slug in campaigns_owned:
                memberships.add_member(store.get_by_slug(slug), organizer, MemberRole.OWNER)
            db.session.commit()
            address = organizer.email
            db.session.remove()
        return address

    return make


@pytest.fixture
def login():
    """Log a test client in as an organizer; returns the login answer."""

    def log_in(client, email: str, password: str = ORGANIZER_PASSWORD):
        response = client.post("/auth/login", data={"email": email, "password": password})
        assert response.status_code == 303, response.text[:500]
        return response

    return log_in


@pytest.fixture
def smtp_server():
    """A running SmtpServer on a port the system chose, stopped after the test."""
    with smtp.SmtpServer() as server:
        yield server


@pytest.fixture
def closed_port():
    """A socket holding a port where nothing listens (connections are refused) and that no
    other server can be given; SmtpServer(sock=closed_port) listens there later."""
    with smtp.refusing_socket() as sock:
        yield sock
