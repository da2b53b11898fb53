#!/usr/bin/env python3
"""The count's history (confirmed signatures per hour) at a million signatures, uncached.

For PostgreSQL, then SQLite (--only to pick one), in one run:

1. a fresh database (PostgreSQL: DROP/CREATE DATABASE campaign_bench_history on 127.0.0.1 as
   user postgres, nothing else on the server touched; SQLite: a file in a temp dir), migrated
   with the app's own migrations;
2. --rows signatures in one campaign and --other-rows in another (COPY on PostgreSQL,
   executemany on SQLite), signed over --days days: 85% confirmed, 12% pending, 3% invalidated;
3. times (median and slowest of --repeat runs after a warm-up) the GROUP BY alone, the whole
   history (hours filled, running totals), /c/<slug>/history.json and .csv and the campaign
   page, all with the caches off (TALLY_CACHE_SECONDS = 0), and prints the query plan;
4. drops the PostgreSQL database (unless --keep) and deletes the SQLite file.

Run from the project root:
    .venv/bin/python bench/history_bench.py [--rows 1000000] [--only postgresql]
Results: bench/README.md, "The count's history".
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import seeding

import config
from campaign import create_app, database
from campaign.campaigns import store
from campaign.clock import utcnow
from campaign.counts import history
from campaign.extensions import db

PG_DB = "campaign_bench_history"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_APP_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_DB}"
SLUG, OTHER_SLUG = "big-campaign", "other-campaign"
COLUMNS = ("campaign_id", "full_name", "email", "email_key", "postcode", "country", "region",
           "postcode_area", "district", "district_choices", "comment", "comment_hidden",
           "show_name", "contact_ok", "source", "ip_hash", "ip_net_hash", "status", "created_at",
           "confirmed_at")


def generate(campaign_id: int, count: int, start: datetime, days: int, seed: int) -> Iterator[tuple]:
    """Signature rows in COLUMNS order, in no particular time order; the same for the same seed."""
    rng = random.Random(seed)
    for n in range(count):
        created = start + timedelta(seconds=rng.random() * days * 86400)
        status = rng.choices(("confirmed", "pending", "invalidated"), cum_weights=(85, 97, 100))[0]
        confirmed = created + timedelta(minutes=rng.randint(1, 90)) if status == "confirmed" else None
        email = f"s{seed}-{n}@example.org"
        yield (campaign_id, f"Signer {n}", email, email, "02139", "US", "MA", "021", "", "", "",
               False, False, False, "", "", "", status, created, confirmed)


def load(kind: str, path: Path | None, batches: list[tuple[int, int, int]], start: datetime,
         days: int) -> None:
    """executemany in one transaction (SQLite), or COPY then VACUUM ANALYZE (PostgreSQL)."""
    rows = (generate(campaign_id, count, start, days, seed) for campaign_id, count, seed in batches)
    if kind == "sqlite":
        seeding.load_sqlite(path, COLUMNS, rows)
    else:
        seeding.load_postgres(PG_APP_URL, COLUMNS, rows)


def fresh_postgres(drop_only: bool = False) -> None:
    """Drop this benchmark's own database, and make it again unless drop_only."""
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        if not drop_only:
            conn.execute(f"CREATE DATABASE {PG_DB}")


def make_app(url: str):
    """The app on url (caches off), migrated, with the two campaigns."""
    app = create_app(config.TestingConfig, SQLALCHEMY_DATABASE_URI=url, RATELIMIT_ENABLED=False)
    with app.app_context():
        database.upgrade_schema()
        store.create(slug=SLUG, title="A million signers", petition_text="We ask.", goal=2_000_000,
                     status="open")
        store.create(slug=OTHER_SLUG, title="Another", petition_text="p", goal=100, status="open")
        db.session.commit()
        ids = (store.get_by_slug(SLUG).id, store.get_by_slug(OTHER_SLUG).id)
        db.session.remove()
    return app, ids


def _timed(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(median ms, slowest ms) of repeat runs after one warm-up run."""
    run()
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        run()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), max(times)


def _get(client, path: str) -> Callable[[], None]:
    def run() -> None:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        response.get_data()
    return run


def measure(app, campaign_id: int, args) -> tuple[dict[str, tuple[float, float]], list[str]]:
    """Each measure's timings, and notes: the plan, the hours and the total checked."""
    results, notes = {}, []
    with app.app_context():
        hours = history.history(campaign_id, open_now=True, now=utcnow())
        confirmed = db.session.execute(db.text(
            "SELECT count(*) FROM signatures WHERE campaign_id = :c AND status = 'confirmed'"),
            {"c": campaign_id}).scalar()
        assert hours[-1].total == confirmed, (hours[-1].total, confirmed)
        notes.append(f"{confirmed:,} confirmed, over {len(hours):,} hours")
        statement = history.select_hours(campaign_id).compile(
            db.engine, compile_kwargs={"literal_binds": True})
        prefix = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
        plan = db.session.execute(db.text(prefix + str(statement))).all()
        notes.append("plan: " + " / ".join(str(row[-1]).strip() for row in plan[:3]))
        results["GROUP BY hour (the query alone)"] = _timed(
            lambda: history.hourly_counts(campaign_id), args.repeat)
        results["history: hours filled, running totals"] = _timed(
            lambda: history.history(campaign_id, open_now=True, now=utcnow()), args.repeat)
        db.session.remove()
    client = app.test_client()
    for path in (f"/c/{SLUG}/history.json", f"/c/{SLUG}/history.csv", f"/c/{SLUG}"):
        results[f"GET {path}"] = _timed(_get(client, path), args.repeat)
    return results, notes


def bench(kind: str, args) -> list[str]:
    """Load, measure and clean up one database kind; returns markdown lines."""
    start = utcnow() - timedelta(days=args.days)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite" if kind == "sqlite" else None
        if kind == "postgresql":
            fresh_postgres()
        app, (big_id, other_id) = make_app(f"sqlite:///{path}" if path else PG_APP_URL)
        began = time.perf_counter()
        load(kind, path, [(big_id, args.rows, 1), (other_id, args.other_rows, 2)], start, args.days)
        lines = [f"### {kind}", "",
                 f"Loaded {args.rows + args.other_rows:,} rows in {time.perf_counter() - began:.0f} s.", ""]
        print(lines[2], flush=True)
        results, notes = measure(app, big_id, args)
        lines += [f"- {note}" for note in notes] + ["", "| measure (uncached) | median (max) ms |",
                                                    "| --- | ---: |"]
        lines += [f"| {name} | {median:,.0f} ({slowest:,.0f}) |" for name, (median, slowest) in results.items()]
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if kind == "postgresql" and not args.keep:
            fresh_postgres(drop_only=True)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--other-rows", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=30, help="how long the signing went on")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    args = parser.parse_args()
    began = time.perf_counter()
    lines = [f"Run {utcnow():%Y-%m-%d %H:%M} UTC: `{' '.join(sys.argv)}`", ""]
    for kind in ("postgresql", "sqlite"):
        if args.only in (None, kind):
            lines += bench(kind, args) + [""]
    lines.append(f"Whole run: {time.perf_counter() - began:.0f} s.")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
