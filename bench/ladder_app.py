"""Steps between the ceiling and Campaign: what each thing signing must do costs on this stack.

The ceiling (ceiling_app.py) inserts one row with the database driver and checks nothing.
Campaign must also keep a session cookie with a CSRF token, write through Flask-SQLAlchemy,
store three rows in one transaction (the signature, its confirmation token, the email in the
outbox) and check the form. Each level here adds one of those to the level before, in the
plainest code that does it, so that the benchmark shows where the ceiling's budget goes:

    1  Flask session + Flask-WTF CSRF token (GET issues it, POST checks it); one row, driver
    2  level 1, the row written through Flask-SQLAlchemy's session (a Core INSERT, the cheapest
       way through it; Campaign writes the same way), committed
    3  level 2, three rows in one transaction (signature, token hash, outbox message)
    4  level 3, a Flask-WTF form with email-validator, the page and the email from Jinja
       templates (compiled once)

Serve it like Campaign, through sign_load.py (same client, same row check on `signatures`):

    .venv/bin/python bench/sign_load.py --pythonpath bench --skip-ceiling --skip-gets \\
        --app-spec 'ladder_app:create_app(level=2)'

It reads DATABASE_URL in the app's spelling (sqlite:////abs/path or postgresql+psycopg://...)
and SECRET_KEY, both set by sign_load.py. Tables are created on first start.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import secrets
import tempfile
import uuid
from datetime import UTC, datetime, timedelta

import ceiling_app  # the same page, and the same SQLite settings
from flask import Flask, redirect, request
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect, generate_csrf
from sqlalchemy import ForeignKey, String, event, insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from wtforms import BooleanField, StringField
from wtforms.validators import Email, InputRequired, Length

LEVELS = {1: "session + CSRF", 2: "+ SQLAlchemy write", 3: "+ three rows", 4: "+ form and templates"}

FIELDS = ("full_name", "email", "postcode", "country")
EMAIL = """Dear {{ name }},

please confirm your signature of "{{ title }}" by opening this link within {{ days }} days:
{{ link }}
"""


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class Signature(db.Model):
    __tablename__ = "signatures"
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80))
    full_name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str] = mapped_column(String(320))
    postcode: Mapped[str] = mapped_column(String(16))
    country: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[datetime]


class ConfirmationToken(db.Model):
    __tablename__ = "confirmation_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    signature_id: Mapped[int] = mapped_column(ForeignKey("signatures.id"))
    token_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str]
    message_id: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]


class SignForm(FlaskForm):
    full_name = StringField(validators=[InputRequired(), Length(max=255)])
    email = StringField(validators=[InputRequired(), Email(check_deliverability=False)])
    postcode = StringField(validators=[Length(max=16)])
    country = StringField(validators=[InputRequired(), Length(min=2, max=2)])
    show_name = BooleanField()


@event.listens_for(Engine, "connect")
def _sqlite_like_the_app(dbapi_connection, _record) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA busy_timeout = 15000")
        cursor.close()


def create_app(level: int = 1) -> Flask:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {sorted(LEVELS)}")
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=os.environ["SECRET_KEY"],
        SQLALCHEMY_DATABASE_URI=os.environ["DATABASE_URL"],
        # As Campaign: a ping before each request on PostgreSQL, none on a SQLite file.
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": not os.environ["DATABASE_URL"].startswith("sqlite")},
        SESSION_COOKIE_SECURE=False,
    )
    CSRFProtect(app)
    db.init_app(app)
    with app.app_context(), _startup_lock():
        db.create_all()
    raw = _RawInsert(os.environ["DATABASE_URL"]) if level == 1 else None
    page = ceiling_app.PAGE
    jinja_page = page.replace("{slug}", "{{ slug }}").replace("{token}", "{{ token }}")
    page_template = app.jinja_env.from_string(jinja_page)
    email_template = app.jinja_env.from_string(EMAIL)
    insert_signature = insert(Signature.__table__).returning(Signature.__table__.c.id)
    insert_token, insert_message = insert(ConfirmationToken.__table__), insert(OutboxMessage.__table__)

    @app.get("/c/<slug>")
    def sign_page(slug: str):
        if level >= 4:
            return page_template.render(slug=slug, token=generate_csrf())
        return page.format(slug=slug, token=generate_csrf())

    @app.get("/c/<slug>/count.json")
    def count(slug: str):
        return {"count": 0}

    @app.get("/c/<slug>/signed")
    def signed(slug: str):
        return "<!doctype html><p>Check your email.</p>"

    @app.post("/c/<slug>/sign")
    def sign(slug: str):
        now = datetime.now(UTC)
        if level >= 4:
            form = SignForm()
            if not form.validate_on_submit():
                return {"errors": form.errors}, 422
            fields = {name: form[name].data.strip() for name in FIELDS}
        else:
            fields = {name: request.form.get(name, "") for name in FIELDS}
        if raw is not None:
            raw.insert(slug, fields, now)
            return redirect(f"/c/{slug}/signed", 303)
        connection = db.session.connection()
        signature_id = connection.execute(insert_signature, {"slug": slug, "created_at": now, **fields}
                                          ).scalar()
        if level >= 3:
            token = secrets.token_urlsafe(32)
            connection.execute(insert_token, {"signature_id": signature_id,
                                              "token_hash": hashlib.sha256(token.encode()).hexdigest(),
                                              "expires_at": now + timedelta(days=7)})
            link = f"{request.host_url}c/{slug}/confirm/{token}"
            body = (email_template.render(name=fields["full_name"], title=slug, days=7, link=link)
                    if level >= 4 else f"Dear {fields['full_name']},\n\nplease confirm: {link}\n")
            connection.execute(insert_message, {"to_address": fields["email"],
                                                "subject": f"Please confirm: {slug}", "body": body,
                                                "message_id": f"<{uuid.uuid4().hex}@ladder>", "created_at": now})
        db.session.commit()
        return redirect(f"/c/{slug}/signed", 303)

    return app


class _RawInsert:
    """Level 1 writes like the ceiling: the driver, one connection per process, autocommit."""

    def __init__(self, url: str) -> None:
        self.url, self.conn = url, None
        mark = "?" if url.startswith("sqlite") else "%s"
        self.sql = ("INSERT INTO signatures (slug, full_name, email, postcode, country, created_at) "
                    f"VALUES ({mark}, {mark}, {mark}, {mark}, {mark}, {mark})")
        self.connect = ceiling_app.connect

    def insert(self, slug: str, fields: dict, now: datetime) -> None:
        if self.conn is None:
            self.conn = self.connect(self.url)
        created = now.isoformat(" ") if self.url.startswith("sqlite") else now
        self.conn.execute(self.sql, (slug, fields["full_name"], fields["email"], fields["postcode"],
                                     fields["country"], created))


class _startup_lock:
    """Workers start together: one creates the tables, the others then find them."""

    def __enter__(self):
        self.file = open(os.path.join(tempfile.gettempdir(), "campaign-ladder-app.lock"), "w")
        fcntl.flock(self.file, fcntl.LOCK_EX)

    def __exit__(self, *exc):
        fcntl.flock(self.file, fcntl.LOCK_UN)
        self.file.close()
