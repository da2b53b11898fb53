#!/usr/bin/env python3
"""How long the abuse watch takes to count a busy campaign's last 48 hours.

For each database kind, this script makes a fresh database (SQLite: a file in a temp dir;
PostgreSQL: DROP/CREATE DATABASE campaign_bench_watch on 127.0.0.1, nothing else touched),
migrates it, loads --rows signatures spread over the last 48 hours (random addresses, 60% at
three big mail providers, the rest at 5,000 small domains; every 50th from one address, a
flood), and times campaign.abuse.watch.watch (wall and this process's CPU, which on SQLite
is all of it) over --repeat runs after one warm-up.

Run from the project root:
    .venv/bin/python bench/abuse_watch_bench.py [--rows 200000] [--databases sqlite]
Results: bench/README.md, "Limits and the abuse watch".
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import config
from campaign import create_app, database
from campaign.abuse import network, watch
from campaign.campaigns import store
from campaign.clock import utcnow
from campaign.extensions import db
from campaign.models import CampaignStatus, Signature

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DB = "campaign_bench_watch"
BIG_PROVIDERS = ["gmail.com", "yahoo.com", "outlook.com"]
FLOOD_EVERY = 50


def database_url(kind: str, workdir: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'watch.sqlite'}"
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB}")
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_DB}"


def load(campaign_id: int, rows: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    now, batch = utcnow(), []
    for n in range(rows):
        address = "203.0.113.9" if n % FLOOD_EVERY == 0 else ".".join(
            str(rng.randrange(1, 255)) for _ in range(4))
        ip_hash, net_hash = network.ip_hashes("bench", address)
        domain = rng.choice(BIG_PROVIDERS) if rng.random() < 0.6 else f"d{rng.randrange(5000)}.example"
        at = now - timedelta(seconds=rng.randrange(48 * 3600))
        email = f"s{n}@{domain}"
        batch.append({"campaign_id": campaign_id, "full_name": "Signer", "email": email, "email_key": email,
                          "country": "US", "postcode": "02139", "postcode_area": "021", "status": "confirmed",
                          "created_at": at, "confirmed_at": at, "ip_hash": ip_hash, "ip_net_hash": net_hash})
        if len(batch) == 5000 or n == rows - 1:
            db.session.execute(Signature.__table__.insert(), batch)
            batch = []
    db.session.commit()


def bench(kind: str, rows: int, repeat: int, workdir: Path) -> str:
    app = create_app(config.TestingConfig, SQLALCHEMY_DATABASE_URI=database_url(kind, workdir))
    with app.app_context():
        database.upgrade_schema()
        campaign = store.create(slug="busy", title="Busy", petition_text="...",
                                    status=CampaignStatus.OPEN)
        db.session.commit()
        started = time.monotonic()
        load(campaign.id, rows)
        if kind == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE signatures")
        print(f"{kind}: {rows} signatures loaded in {time.monotonic() - started:.0f} s", flush=True)
        walls, cpus, flags = [], [], 0
        for run in range(repeat + 1):
            wall, cpu = time.perf_counter(), time.process_time()
            result = watch.watch(campaign.id, now=utcnow(), common_domains=BIG_PROVIDERS)
            if run:  # the first run warms the caches
                walls.append(time.perf_counter() - wall)
                cpus.append(time.process_time() - cpu)
            flags = len(result.flags)
        db.session.remove()
        db.engine.dispose()
    return (f"| {kind} | {rows:,} | {statistics.median(walls):.2f} | {max(walls):.2f} |"
            f" {statistics.median(cpus):.2f} | {1e6 * statistics.median(walls) / rows:.1f} | {flags} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    lines = [("| DB | signatures in 48 h | median s | slowest s | median CPU s (this process) |"
             " µs per signature | flags |"), "|---|---:|---:|---:|---:|---:|---:|"]
    with tempfile.TemporaryDirectory(prefix="campaign-watch-bench-") as workdir:
        for kind in [k.strip() for k in args.databases.split(",") if k.strip()]:
            lines.append(bench(kind, args.rows, args.repeat, Path(workdir)))
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
