#!/usr/bin/env python3
"""The district lookup on the sign path, against the full real ZIP → district mapping.

For each database kind this script:

1. makes a fresh database (SQLite: a file in a temp dir; PostgreSQL: DROP/CREATE DATABASE
   campaign_bench_districts on 127.0.0.1 as user postgres; nothing else is touched) and
   migrates it with the app's own migrations,
2. imports the real zccd.csv and legislators-current.yaml with the app's importers (the
   `flask representatives import-*` code), timing each and printing its report summary,
3. prints the query plan of the lookup (ZIP, and ZIP+4 with its ZIP),
4. times districts.lookup() over --lookups postcodes (75% ZIPs of the file, 15% ZIP+4,
   10% ZIPs not in it), median of --repeat rounds, next to a bare `SELECT 1` through the same
   session as the floor of any query,
5. drops the PostgreSQL database (unless --keep) and deletes the SQLite file.

Run from the project root:
    .venv/bin/python bench/district_lookup_bench.py [--only sqlite] [--lookups 5000]
Results: bench/README.md, "District lookup".
"""
from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select, text

from bench.export_bench import make_app, postgres_admin

DATA = ROOT.parent / "shared" / "data"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_NAME = "campaign_bench_districts"


def fresh_database(backend: str, workdir: Path) -> str:
    """An empty database for the backend, and its SQLAlchemy URL."""
    if backend == "sqlite":
        return f"sqlite:///{workdir / 'districts.sqlite'}"
    postgres_admin(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)", f"CREATE DATABASE {PG_NAME}")
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_NAME}"


def sample_postcodes(zccd: Path, count: int) -> list[str]:
    """ZIPs of the file, some as ZIP+4, and some the file does not hold."""
    with zccd.open(encoding="utf-8-sig", newline="") as handle:
        known = sorted({row["zcta"].zfill(5) for row in csv.DictReader(handle)})
    rng = random.Random(5)
    unknown = [f"{n:05d}" for n in range(0, 100000, 7) if f"{n:05d}" not in set(known)]
    postcodes = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.75:
            postcodes.append(rng.choice(known))
        elif roll < 0.90:
            postcodes.append(f"{rng.choice(known)}-{rng.randrange(10000):04d}")
        else:
            postcodes.append(rng.choice(unknown))
    return postcodes


def timed(action: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    outcome = action()
    return time.perf_counter() - started, outcome


def per_call_us(action: Callable[[str], object], postcodes: list[str], repeat: int) -> float:
    """Median over rounds of one round's time divided by its calls, in microseconds."""
    rounds = []
    for _ in range(repeat):
        started = time.perf_counter()
        for postcode in postcodes:
            action(postcode)
        rounds.append((time.perf_counter() - started) / len(postcodes) * 1e6)
    return statistics.median(rounds)


def query_plan(db, keys: list[str]) -> list[str]:
    from campaign.places import districts

    compiled = districts.lookup_query("US", keys).compile(
        db.engine, compile_kwargs={"literal_binds": True})
    if db.engine.dialect.name == "postgresql":
        return list(db.session.execute(text(f"EXPLAIN {compiled}")).scalars())
    return [row[-1] for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))]


def run_backend(backend: str, args, workdir: Path) -> dict:
    from campaign import database
    from campaign.clock import utcnow
    from campaign.extensions import db
    from campaign.places import districts, regions
    from campaign.representatives import sources

    url = fresh_database(backend, workdir)
    app = make_app(url)
    result: dict = {"backend": backend}
    with app.app_context():
        with database.migration_lock():
            database.upgrade_schema()
        for name, action in (
            ("zccd", lambda: sources.import_zccd(args.zccd)),
            ("congress", lambda: sources.import_congress(args.legislators,
                                                                         now=utcnow())),
        ):
            seconds, report = timed(lambda run=action: (run(), db.session.commit())[0])
            result[name] = (seconds, report)
            print(f"{backend}: import {name}: {seconds:.2f} s, read {report.read}, imported "
                  f"{report.imported}, skipped {len(report.skipped)}, "
                  f"{len(report.warnings)} warnings", flush=True)
        result["plans"] = {keys[-1] if len(keys) == 1 else "ZIP+4": query_plan(db, keys)
                           for keys in (["55401"], ["55401-1234", "55401"])}
        db.session.commit()
        regions.load()  # built once per process at first use; not what is measured
        postcodes = sample_postcodes(args.zccd, args.lookups)
        per_call_us(lambda p: districts.lookup("US", p), postcodes[:200], 1)  # warm caches
        result["lookup_us"] = per_call_us(lambda p: districts.lookup("US", p), postcodes,
                                          args.repeat)
        result["select1_us"] = per_call_us(lambda p: db.session.execute(select(1)).scalar(),
                                           postcodes, args.repeat)
        assert districts.lookup("US", "55401").districts == ("MN-05",)
        db.session.remove()
        db.engine.dispose()
    if backend == "postgresql" and not args.keep:
        postgres_admin(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
    return result


def report(results: list[dict], args, load: tuple[float, float]) -> str:
    summary = (f"{args.lookups} lookups per round, median of {args.repeat} rounds; load average "
               f"{load[0]:.1f} at the start and {load[1]:.1f} at the end (2 cores: above 2, "
               "other work shared the machine and the figures are high).")
    header = ("| database | import zccd.csv | import legislators | lookup, µs per call | "
              "`SELECT 1`, µs per call |")
    lines = [summary, "", header, "| --- | --- | --- | --- | --- |"]
    for r in results:
        lines.append(f"| {r['backend']} | {r['zccd'][0]:.2f} s | {r['congress'][0]:.2f} s | "
                     f"{r['lookup_us']:.0f} | {r['select1_us']:.0f} |")
    for r in results:
        for label, plan in r["plans"].items():
            lines += ["", f"{r['backend']} plan ({label}):", "```", *plan, "```"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--lookups", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--zccd", type=Path, default=DATA / "zccd.csv")
    parser.add_argument("--legislators", type=Path, default=DATA / "legislators-current.yaml")
    parser.add_argument("--keep", action="store_true", help="Keep the PostgreSQL database.")
    args = parser.parse_args()
    backends = [args.only] if args.only else ["sqlite", "postgresql"]
    load_at_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="district-bench-") as workdir:
        results = [run_backend(backend, args, Path(workdir)) for backend in backends]
    print()
    print(report(results, args, (load_at_start, os.getloadavg()[0])))


if __name__ == "__main__":
    main()
