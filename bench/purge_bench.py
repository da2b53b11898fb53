#!/usr/bin/env python3
"""`flask purge` on a large closed campaign, while people sign another one, on SQLite and PostgreSQL.

For each database kind this script, in one run:

1. makes a fresh database and loads --rows signatures into a campaign and --other-rows into a
   second, open one, with the loaders of dashboard_bench.py (PostgreSQL: database
   campaign_bench_purge on 127.0.0.1 as user postgres, dropped at the end),
2. times signing the open campaign through the sign view for 2 s, one signature after
   another, as a baseline,
3. closes the first campaign 200 days ago, records every count the app shows of it, and
   purges it while a thread signs the open campaign as in 2,
4. reports how long the purge took, its longest transaction (BEGIN to COMMIT), each
   signature's time during it, and checks that the counts are unchanged, that no row kept
   personal data and that no signature was lost,
5. times a second run, which must find nothing to do,
6. closes the other campaign and purges it with two runs at once (overlapping cron jobs):
   each row must be anonymized by exactly one of them, the counts unchanged.

Run from the project root:
    .venv/bin/python bench/purge_bench.py [--rows 200000] [--only sqlite]
Results: bench/purge_results.md.
"""
from __future__ import annotations

import argparse
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

import dashboard_bench as loader
from sqlalchemy import event, func, select, update

from campaign.clock import utcnow
from campaign.counts import constituents, stats
from campaign.extensions import db
from campaign.models import Campaign, Signature
from campaign.signing import purge

loader.PG_DB = "campaign_bench_purge"
loader.PG_APP_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{loader.PG_DB}"


def figures(campaign_id: int) -> tuple:
    campaign = db.session.get(Campaign, campaign_id)
    totals = stats.totals_for([campaign], now=utcnow())[campaign_id]
    return (totals.confirmed, totals.invalidated, stats.geography(campaign_id),
            stats.over_time(campaign_id), stats.by_source(campaign_id, total=1),
            constituents.district_counts(campaign_id), constituents.region_counts(campaign_id))


def personal_rows(campaign_id: int) -> int:
    return db.session.scalar(select(func.count()).where(
        Signature.campaign_id == campaign_id, Signature.email_key.not_like("purged:%")))


class Transactions:
    """The longest transaction of the purging threads: from BEGIN (its lock taken) to COMMIT."""

    def __init__(self, engine) -> None:
        self.engine, self.purging, self.began, self.longest = engine, set(), {}, 0.0
        # Engine-wide "begin" listeners (database.py's BEGIN IMMEDIATE) run before this one.
        event.listen(engine, "begin", self.begin)
        event.listen(engine, "commit", self.commit)

    def start(self) -> None:
        self.purging.add(threading.get_ident())

    def begin(self, conn) -> None:
        self.began[threading.get_ident()] = time.perf_counter()

    def commit(self, conn) -> None:
        me = threading.get_ident()
        if me in self.purging and me in self.began:
            self.longest = max(self.longest, time.perf_counter() - self.began.pop(me))

    def close(self) -> None:
        event.remove(self.engine, "begin", self.begin)
        event.remove(self.engine, "commit", self.commit)


def run_purges(app, transactions: Transactions, runs: int) -> list[purge.PurgeReport]:
    reports: list[purge.PurgeReport] = []

    def one() -> None:
        with app.app_context():
            transactions.start()
            reports.append(purge.purge(now=utcnow(), days=180, pending_days=30, batch=1000))
            db.session.remove()

    threads = [threading.Thread(target=one) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return reports


def sign_until(app, stop: threading.Event, latencies: list[float]) -> None:
    client = app.test_client()
    n = 0
    while not stop.is_set():
        n += 1
        began = time.perf_counter()
        response = client.post(f"/c/{loader.OTHER_SLUG}/sign", data={
            "full_name": "Late Signer", "email": f"late-{n}@example.org", "postcode": "55401",
            "country": "US"})
        latencies.append(time.perf_counter() - began)
        assert response.status_code == 303, response.status_code


def close_long_ago(campaign_id: int) -> tuple:
    """Close a campaign 200 days ago; every count it shows."""
    db.session.execute(update(Campaign).where(Campaign.id == campaign_id).values(
        status="closed", updated_at=utcnow() - timedelta(days=200)))
    db.session.commit()
    return figures(campaign_id)


def check_purged(campaign_id: int, before: tuple, reports: list[purge.PurgeReport]) -> None:
    assert figures(campaign_id) == before, "a count changed"
    assert personal_rows(campaign_id) == 0
    # Each remaining row anonymized by exactly one run (stale pending ones were deleted).
    anonymized = sum(done.signatures for report in reports for done in report.campaigns)
    remaining = db.session.scalar(select(func.count()).where(Signature.campaign_id == campaign_id))
    assert anonymized == remaining, (anonymized, remaining)


def signing_during(app, action) -> tuple[float, list[float]]:
    """How long action() takes, and each signature's time while it runs."""
    stop, latencies = threading.Event(), []
    signer = threading.Thread(target=sign_until, args=(app, stop, latencies))
    signer.start()
    began = time.perf_counter()
    action()
    took = time.perf_counter() - began
    stop.set()
    signer.join()
    return took, sorted(latencies)


def bench(kind: str, args) -> list[str]:
    start = utcnow() - timedelta(days=230)
    if kind == "sqlite":
        path = Path(tempfile.mkdtemp()) / "purge.sqlite"
        url = f"sqlite:///{path}"
    else:
        loader.fresh_postgres()
        url = loader.PG_APP_URL
    app, (big_id, other_id) = loader.make_app(url)
    batches = [(big_id, args.rows, 1), (other_id, args.other_rows, 2)]
    if kind == "sqlite":
        loader.load_sqlite(path, batches, start)
    else:
        loader.load_postgres(batches, start)
    with app.app_context():
        _idle_took, idle = signing_during(app, lambda: time.sleep(2))
        before = close_long_ago(big_id)
        one = Transactions(db.engine)
    # One purge of the big campaign while people sign the other one.
    first: list[purge.PurgeReport] = []
    took, latencies = signing_during(app, lambda: first.extend(run_purges(app, one, runs=1)))
    one.close()
    with app.app_context():
        check_purged(big_id, before, first)
        began = time.perf_counter()
        assert purge.purge(now=utcnow(), days=180, pending_days=30, batch=1000).did_nothing
        rerun = time.perf_counter() - began
        # Two runs at once (overlapping cron jobs) on the other campaign.
        before_other = close_long_ago(other_id)
        both = Transactions(db.engine)
    reports = run_purges(app, both, runs=2)
    both.close()
    with app.app_context():
        check_purged(other_id, before_other, reports)
        db.session.remove()
        if kind == "postgresql" and not args.keep:
            db.engine.dispose()
    if kind == "postgresql" and not args.keep:
        loader.fresh_postgres(drop_only=True)
    return [(f"| {kind} | {args.rows:,} | {took:.1f} s | {args.rows / took:,.0f}/s | "
            f"{one.longest * 1000:.0f} ms | "
            f"{_median(idle)} / {idle[-1] * 1000:.0f} ms | {len(latencies)}: "
            f"{_median(latencies)} / {latencies[-1] * 1000:.0f} ms | {rerun * 1000:.0f} ms |")]


def _median(latencies: list[float]) -> str:
    return f"{latencies[len(latencies) // 2] * 1000:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--other-rows", type=int, default=20_000)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--keep", action="store_true", help="Keep the PostgreSQL database.")
    args = parser.parse_args()
    lines = [("| database | rows | purge | rate | longest transaction | signing alone: median / slowest | "
             "signatures during the purge: median / slowest | second run |"),
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for kind in [args.only] if args.only else ["sqlite", "postgresql"]:
        lines += bench(kind, args)
        print(lines[-1], flush=True)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
