"""The ceiling: the least a Flask app can do for one signature, on the same stack.

GET  /c/<slug>        a small HTML page with a hidden token and a session-less form
GET  /c/<slug>/signed a tiny thank-you page
POST /c/<slug>/sign   inserts one row into ceiling_signatures and answers 303

No ORM, no forms library, no CSRF check, no templates: plain Flask and the database
driver (sqlite3 or psycopg), one connection kept per thread. It reads the database URL
from CEILING_DATABASE_URL (or DATABASE_URL), in the app's own spelling:
    sqlite:////abs/path/file.sqlite
    postgresql+psycopg://postgres@127.0.0.1:5432/campaign_bench

SQLite gets the durability the app asks for (WAL, synchronous=FULL, busy_timeout 15 s),
so the comparison is about the code on top, not about fsync.

Run it:  gunicorn --chdir bench -w 2 -k gthread --threads 4 ceiling_app:app
"""
from __future__ import annotations

import os
import secrets
import sqlite3
import threading
from datetime import UTC, datetime

from flask import Flask, abort, redirect, request

DATABASE_URL = os.environ.get("CEILING_DATABASE_URL") or os.environ.get("DATABASE_URL", "")

CREATE_SQLITE = """
CREATE TABLE IF NOT EXISTS ceiling_signatures (
    id INTEGER PRIMARY KEY,
    slug VARCHAR(80) NOT NULL,
    full_name VARCHAR(255) NOT NULL,
    email VARCHAR(320) NOT NULL,
    postcode VARCHAR(16) NOT NULL,
    country VARCHAR(2) NOT NULL,
    created_at TIMESTAMP NOT NULL
)"""
CREATE_POSTGRES = CREATE_SQLITE.replace("id INTEGER PRIMARY KEY", "id BIGSERIAL PRIMARY KEY").replace(
    "TIMESTAMP", "TIMESTAMPTZ"
)
INSERT = (
    "INSERT INTO ceiling_signatures (slug, full_name, email, postcode, country, created_at) "
    "VALUES ({p}, {p}, {p}, {p}, {p}, {p})"
)

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign</title></head>
<body><h1>Sign the petition</h1>
<form method="post" action="/c/{slug}/sign">
<input id="csrf_token" name="csrf_token" type="hidden" value="{token}">
<input name="full_name"><input name="email"><input name="postcode"><input name="country" value="US">
<button type="submit">Sign</button>
</form></body></html>
"""


def backend(url: str) -> str:
    if url.startswith("sqlite:///"):
        return "sqlite"
    if url.startswith(("postgresql://", "postgresql+psycopg://", "postgres://")):
        return "postgresql"
    raise RuntimeError(f"CEILING_DATABASE_URL must be sqlite:///... or postgresql+psycopg://..., not {url!r}")


def _sqlite_path(url: str) -> str:
    return url[len("sqlite:///"):]


def _pg_conninfo(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


def connect(url: str):
    """A new DB-API connection configured like the app's."""
    if backend(url) == "sqlite":
        conn = sqlite3.connect(_sqlite_path(url), isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA busy_timeout = 15000")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = FULL")
        return conn
    import psycopg

    return psycopg.connect(_pg_conninfo(url), autocommit=True)


def init_db(url: str) -> None:
    """Create the table (call once before starting the workers)."""
    conn = connect(url)
    try:
        conn.execute(CREATE_SQLITE if backend(url) == "sqlite" else CREATE_POSTGRES)
    finally:
        conn.close()


def count_rows(url: str) -> int:
    conn = connect(url)
    try:
        return conn.execute("SELECT count(*) FROM ceiling_signatures").fetchone()[0]
    finally:
        conn.close()


_local = threading.local()


def _conn():
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = _local.conn = connect(DATABASE_URL)
    return conn


def create_app() -> Flask:
    app = Flask(__name__)
    placeholder = "?" if backend(DATABASE_URL) == "sqlite" else "%s"
    insert = INSERT.format(p=placeholder)

    @app.get("/c/<slug>")
    def page(slug: str):
        return PAGE.format(slug=slug, token=secrets.token_urlsafe(32))

    @app.get("/c/<slug>/signed")
    def signed(slug: str):
        return "<!doctype html><p>Thank you.</p>"

    @app.post("/c/<slug>/sign")
    def sign(slug: str):
        form = request.form
        if not form.get("csrf_token") or not form.get("email"):
            abort(400)
        _conn().execute(
            insert,
            (
                slug,
                form.get("full_name", ""),
                form["email"],
                form.get("postcode", ""),
                form.get("country", ""),
                datetime.now(UTC).isoformat() if placeholder == "?" else datetime.now(UTC),
            ),
        )
        return redirect(f"/c/{slug}/signed", 303)

    return app


if DATABASE_URL:
    app = create_app()
