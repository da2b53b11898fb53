#!/usr/bin/env python3
"""The organizer dashboard's queries at a million signatures, on SQLite and PostgreSQL.

For each database kind this script, in one run:

1. makes a fresh database (SQLite: a file in a temp dir; PostgreSQL: DROP/CREATE DATABASE
   campaign_bench_dash on 127.0.0.1 as user postgres; nothing else on the server is touched)
   and migrates it with the app's own migrations,
2. bulk-loads --rows signatures into one campaign (executemany on SQLite, COPY on
   PostgreSQL), plus --other-rows into a second campaign so that every query must pick its
   campaign out of a shared table: 30 days, heavy in the first two; 85% confirmed, 12%
   pending, 3% invalidated; US (real ZIP codes and their states), GB, CA, FR, DE, AU;
   six share channels; 30% allowed contact,
3. times each query of campaign/stats.py (median and slowest of --repeat runs, after one
   warm-up run) and the whole overview page and the campaign list through the Flask test
   client, logged in as the campaign's organizer, after checking that the figures add up,
4. times the overview page once more as configured by default: served from the last count
   while a background thread recounts (DASHBOARD_CACHE_SECONDS),
5. drops the PostgreSQL database (unless --keep) and deletes the SQLite file.

Run from the project root:
    .venv/bin/python bench/dashboard_bench.py [--rows 1000000] [--only sqlite]
Results: bench/dashboard_results.md.
"""
from __future__ import annotations

import argparse
import itertools
import random
import statistics
import sys
import tempfile
import time
import timeit
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import seeding

import config
from campaign import create_app, database
from campaign.accounts import memberships, organizers
from campaign.campaigns import store
from campaign.clock import utcnow
from campaign.counts import stats
from campaign.extensions import db
from campaign.models import MemberRole
from campaign.places import regions

PG_DB = "campaign_bench_dash"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_APP_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_DB}"
PASSWORD = "correct horse battery staple"
SLUG, OTHER_SLUG = "big-campaign", "other-campaign"
DAYS = 30
COLUMNS = (
    "campaign_id", "full_name", "email", "email_key", "postcode", "country", "region",
    "postcode_area", "district", "comment", "comment_hidden", "show_name", "contact_ok", "source", "ip_hash",
    "ip_net_hash", "status", "created_at", "confirmed_at",
)
COUNTRIES = (("US", 70), ("GB", 15), ("CA", 5), ("FR", 4), ("DE", 3), ("AU", 3))
SOURCES = (("", 40), ("twitter", 20), ("facebook", 15), ("email", 12), ("whatsapp", 8),
           ("newsletter", 5))
STATUSES = (("confirmed", 85), ("pending", 12), ("invalidated", 3))
GB_AREAS = ("SW", "SE", "E", "N", "NW", "W", "EC", "WC", "M", "B", "LS", "G", "EH", "CF", "BS")

def _weighted(pairs) -> Callable[[random.Random], str]:
    values, weights = zip(*pairs)
    cumulative = list(itertools.accumulate(weights))
    return lambda rng: rng.choices(values, cum_weights=cumulative)[0]


def generate(campaign_id: int, count: int, start: datetime, seed: int) -> Iterator[tuple]:
    """Signature rows in COLUMNS order; the same rows for the same seed."""
    rng = random.Random(seed)
    country_of, source_of, status_of = _weighted(COUNTRIES), _weighted(SOURCES), _weighted(STATUSES)
    zips = sorted(regions.load().items())
    span = DAYS * 86400
    for n in range(count):
        country = country_of(rng)
        region = ""
        if country == "US":
            postcode, region = zips[rng.randrange(len(zips))]
        elif country == "GB":
            postcode = f"{rng.choice(GB_AREAS)}{rng.randint(1, 20)} {rng.randint(0, 9)}AB"
        else:
            postcode = f"{rng.randint(1000, 99999)}"
        # u**3 puts about 40% of the signatures in the first 48 hours, as a viral start does.
        created = start + timedelta(seconds=span * rng.random() ** 3)
        status = status_of(rng)
        confirmed = None
        if status == "confirmed":  # minutes later, by the link in the email; never after now
            delay = timedelta(seconds=rng.expovariate(1 / 600))
            confirmed = min(created + delay, start + timedelta(seconds=span))
        email = f"s{seed}-{n}@example.org"
        yield (campaign_id, f"Signer {n}", email, email, postcode, country, region,
               regions.postcode_area(country, postcode), "", "",
               False, rng.random() < 0.5, rng.random() < 0.3, source_of(rng), "", "", status,
               created, confirmed)


def load_sqlite(path: Path, batches: list[tuple[int, int, int]], start: datetime) -> None:
    seeding.load_sqlite(path, COLUMNS, (generate(campaign_id, count, start, seed)
                                        for campaign_id, count, seed in batches))


def load_postgres(batches: list[tuple[int, int, int]], start: datetime) -> None:
    seeding.load_postgres(PG_APP_URL, COLUMNS, (generate(campaign_id, count, start, seed)
                                                for campaign_id, count, seed in batches))


def fresh_postgres(drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        if not drop_only:
            conn.execute(f"CREATE DATABASE {PG_DB}")


def make_app(url: str, **settings):
    """The app on url, migrated, with the two campaigns and their organizer (made once)."""
    app = create_app(config.TestingConfig, SQLALCHEMY_DATABASE_URI=url, RATELIMIT_ENABLED=False,
                     **settings)
    with app.app_context():
        database.upgrade_schema()  # nothing to do the second time
        if store.get_by_slug(SLUG) is None:
            big = store.create(slug=SLUG, title="A million signers", petition_text="p",
                                   target="t", goal=2_000_000, status="open")
            store.create(slug=OTHER_SLUG, title="Another", petition_text="p", target="t",
                             goal=100, status="open")
            organizer = organizers.create("organizer@example.org", PASSWORD)
            memberships.add_member(big, organizer, MemberRole.OWNER)
            db.session.commit()
        ids = (store.get_by_slug(SLUG).id, store.get_by_slug(OTHER_SLUG).id)
        db.session.remove()
    return app, ids


def _timed(run: Callable[[], object], repeat: int) -> tuple[float, float, bool]:
    """(median ms, slowest ms, whether timed once); runs over a second are timed once."""
    began = time.perf_counter()
    run()  # warm-up: query plans, caches, the ZIP table
    once = time.perf_counter() - began >= 1
    times = []
    for _ in range(1 if once else repeat):
        began = time.perf_counter()
        run()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times), max(times), once


def truncated_group_by(campaign_id: int) -> int:
    """The alternative to stats' range counts: GROUP BY a truncated hour (for comparison)."""
    if db.engine.dialect.name == "postgresql":
        key = "date_trunc('hour', timezone('UTC', confirmed_at))"
    else:
        key = "strftime('%Y-%m-%d %H:00:00', confirmed_at)"
    sql = (f"SELECT {key}, count(*) FROM signatures WHERE campaign_id = :c "
           "AND status = 'confirmed' GROUP BY 1")
    return len(db.session.execute(db.text(sql), {"c": campaign_id}).all())


def measure(app, repeat: int) -> dict[str, tuple[float, float, bool]]:
    """Timings of each query of the dashboard, of stats.overview, and of the two pages."""
    results = {}
    with app.app_context():
        campaign = store.get_by_slug(SLUG)
        now = utcnow()
        figures = stats.overview(campaign, now=now)
        # The figures must add up before their timings mean anything.
        assert sum(b.count for b in figures.over_time) == figures.totals.confirmed
        assert figures.places.countries.total == figures.totals.confirmed
        queries = {
            "totals (status GROUP BY + today)": lambda: stats.totals_for([campaign], now=now),
            "over time (range count per bucket)": lambda: stats.over_time(campaign.id, until=now),
            "over time, GROUP BY truncated hour (not used)":
                lambda: truncated_group_by(campaign.id),
            "geography: country, US state, postcode area": lambda: stats.geography(campaign.id),
            "by source": lambda: stats.by_source(campaign.id, total=1),
            "contact share": lambda: stats.contact_share(campaign.id, total=1),
            "stats.overview (all but the alternative)": lambda: stats.overview(campaign, now=now),
        }
        for name, run in queries.items():
            results[name] = _timed(run, repeat)
            db.session.rollback()
    client = app.test_client()
    login = {"email": "organizer@example.org", "password": PASSWORD}
    answer = client.post("/auth/login", data=login)
    assert answer.status_code == 303, answer.status_code
    for name, path in (("GET overview page, counted on each view", f"/organizer/c/{SLUG}/"),
                       ("GET campaign list", "/organizer/")):
        results[name] = _timed(lambda path=path: _ok(client.get(path)), repeat)
    # As configured by default: the first view counts, later views get the last count while
    # a background thread recounts every DASHBOARD_CACHE_SECONDS.
    app.config["DASHBOARD_CACHE_SECONDS"] = 30
    results["GET overview page, recounted in the background"] = _timed(
        lambda: _ok(client.get(f"/organizer/c/{SLUG}/")), repeat)
    app.config["DASHBOARD_CACHE_SECONDS"] = 0
    return results


def _ok(response) -> None:
    assert response.status_code == 200, response.status_code


def bench(kind: str, args) -> list[str]:
    """Load, measure and clean up one database kind; returns markdown lines."""
    start = utcnow() - timedelta(days=DAYS)
    with tempfile.TemporaryDirectory() as tmp:
        if kind == "sqlite":
            path = Path(args.keep_sqlite or Path(tmp) / "bench.sqlite")
            path.unlink(missing_ok=True)
            url = f"sqlite:///{path}"
        else:
            fresh_postgres()
            url = PG_APP_URL
        app, (big_id, other_id) = make_app(url)
        batches = [(big_id, args.rows, 1), (other_id, args.other_rows, 2)]
        began = time.perf_counter()
        if kind == "sqlite":
            load_sqlite(path, batches, start)
        else:
            load_postgres(batches, start)
        loaded = time.perf_counter() - began
        total = args.rows + args.other_rows
        lines = [f"### {kind}", "", f"Loaded {total:,} rows in {loaded:.1f} s.", ""]
        print(lines[2], flush=True)
        if args.load_only:
            return lines
        columns = {"as migrated": measure(app, args.repeat)}
        print(f"{kind}: measured as migrated", flush=True)
        lines += _table(columns)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if kind == "postgresql" and not args.keep:
            fresh_postgres(drop_only=True)
    return lines


def _table(columns: dict[str, dict[str, tuple[float, float, bool]]]) -> list[str]:
    heads = list(columns)
    lines = ["| measure | " + " | ".join(f"{h}: median (max) ms" for h in heads) + " |",
             "| --- |" + " ---: |" * len(heads)]
    for name in columns[heads[0]]:
        cells = []
        for head in heads:
            median, slowest, once = columns[head][name]
            cells.append(f"{median:,.0f} ({slowest:,.0f})" + (" ¹" if once else ""))
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    if any(once for column in columns.values() for _, _, once in column.values()):
        lines += ["", "¹ over a second: timed once after the warm-up run."]
    return lines


def region_lookup_cost() -> list[str]:
    """What regions.region_for costs on the sign request: the first call, then each call."""
    def rss_mb() -> float:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * 4096 / 1e6

    before, began = rss_mb(), time.perf_counter()
    assert regions.region_for("US", "02139") == "MA"  # builds the table
    loaded, grown = time.perf_counter() - began, rss_mb() - before
    first = (f"- First call, building the ZIP table ({len(regions.load()):,} ZIP codes): "
             f"{loaded * 1000:,.0f} ms, +{grown:.0f} MB resident")
    lines = ["### Region lookup (on the sign request)", "", first]
    cases = (("a US ZIP+4", ("US", "02139-4307")), ("an unknown ZIP", ("US", "00000")),
             ("a non-US postcode", ("GB", "SW1A 1AA")))
    for label, args in cases:
        each = timeit.timeit(lambda args=args: regions.region_for(*args), number=200_000) / 200_000
        lines.append(f"- Each later call, {label}: {each * 1e9:,.0f} ns")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=1_000_000,
                        help="signatures in the measured campaign")
    parser.add_argument("--other-rows", type=int, default=100_000,
                        help="signatures in another campaign")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each measure")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="one database kind")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument("--keep-sqlite", metavar="PATH",
                        help="build the SQLite file here and keep it")
    parser.add_argument("--load-only", action="store_true",
                        help="load and measure nothing (with --keep and --keep-sqlite)")
    args = parser.parse_args()
    began = time.perf_counter()
    lines = [f"Run {utcnow():%Y-%m-%d %H:%M} UTC: `{' '.join(sys.argv)}`", ""]
    lines += region_lookup_cost() + [""]
    for kind in ("sqlite", "postgresql"):
        if args.only in (None, kind):
            lines += bench(kind, args) + [""]
    lines.append(f"Whole run: {time.perf_counter() - began:.0f} s.")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
