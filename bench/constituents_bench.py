#!/usr/bin/env python3
"""Counts per representative, the public JSON, the map and delivery packets at a million signatures.

For SQLite, then PostgreSQL, in one run:

1. a fresh database (SQLite: a file in a temp dir; PostgreSQL: DROP/CREATE DATABASE
   campaign_bench_reps on 127.0.0.1 as user postgres; nothing else on the server is touched),
   migrated with the app's own migrations;
2. representatives for every state (two senators, and House seats by the 2020 apportionment),
   then --rows signatures in one campaign and --other-rows in another (executemany on SQLite,
   COPY on PostgreSQL): 85% confirmed, 12% pending, 3% invalidated; 70% US with real ZIP codes,
   their states and a district drawn from the ZIP, 3% of US signers in a ZIP shared by two
   districts; the rest abroad with no district;
3. times (median and slowest of --repeat runs after a warm-up) each aggregate, the whole
   report, the pages and documents that show it, uncached and as served (cached), and the
   delivery packets of the largest district and the largest state;
4. prints each query plan's first line, so that an index-only pass can be seen;
5. drops the PostgreSQL database (unless --keep) and deletes the SQLite file.

Run from the project root:
    .venv/bin/python bench/constituents_bench.py [--rows 1000000] [--only sqlite] [--zip]
Results: bench/README.md, "Counts per representative".
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import zlib
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
from campaign.counts import constituents
from campaign.delivery import archive, contents, packet_pdf
from campaign.extensions import db
from campaign.models import MemberRole, Representative
from campaign.places import regions

PG_DB = "campaign_bench_reps"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_APP_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_DB}"
PASSWORD = "correct horse battery staple"
SLUG, OTHER_SLUG = "big-campaign", "other-campaign"
# House seats per state after the 2020 census (435 in all); one means at-large.
SEATS = {
    "AL": 7, "AK": 1, "AZ": 9, "AR": 4, "CA": 52, "CO": 8, "CT": 5, "DE": 1, "FL": 28, "GA": 14,
    "HI": 2, "ID": 2, "IL": 17, "IN": 9, "IA": 4, "KS": 4, "KY": 6, "LA": 6, "ME": 2, "MD": 8,
    "MA": 9, "MI": 13, "MN": 8, "MS": 4, "MO": 8, "MT": 2, "NE": 3, "NV": 4, "NH": 2, "NJ": 12,
    "NM": 3, "NY": 26, "NC": 14, "ND": 1, "OH": 15, "OK": 5, "OR": 6, "PA": 17, "RI": 2, "SC": 7,
    "SD": 1, "TN": 9, "TX": 38, "UT": 4, "VT": 1, "VA": 11, "WA": 10, "WV": 2, "WI": 8, "WY": 1,
}
COLUMNS = ("campaign_id", "full_name", "email", "email_key", "postcode", "country", "region",
           "postcode_area", "district", "district_choices", "comment", "comment_hidden",
           "show_name", "contact_ok", "source", "ip_hash", "ip_net_hash", "status", "created_at",
           "confirmed_at")


def district_of(state: str, number: int) -> str:
    return f"{state}-AL" if SEATS[state] == 1 else f"{state}-{number:02d}"


def representatives() -> Iterator[Representative]:
    for state, seats in SEATS.items():
        for seat in (1, 2):
            yield Representative(source="bench", external_id=f"{state}-S{seat}",
                                 name=f"Senator {seat} of {state}", office="senator",
                                 country="US", region=state)
        for number in range(1, seats + 1):
            code = district_of(state, number)
            yield Representative(source="bench", external_id=code, name=f"Member for {code}",
                                 office="representative", country="US", region=state,
                                 district=code, district_name=f"{state} district {number}")


def generate(campaign_id: int, count: int, start: datetime, seed: int) -> Iterator[tuple]:
    """Signature rows in COLUMNS order; the same rows for the same seed."""
    rng = random.Random(seed)
    zips = [(zip_code, state) for zip_code, state in sorted(regions.load().items())
            if state in SEATS]
    for n in range(count):
        created = start + timedelta(seconds=rng.random() * 30 * 86400)
        status = rng.choices(("confirmed", "pending", "invalidated"), cum_weights=(85, 97, 100))[0]
        confirmed = created + timedelta(minutes=10) if status == "confirmed" else None
        district = choices = region = ""
        if rng.random() < 0.7:
            country = "US"
            postcode, region = zips[rng.randrange(len(zips))]
            seats = SEATS[region]
            number = 1 + zlib.crc32(postcode.encode()) % seats
            if seats > 1 and rng.random() < 0.03:  # a ZIP split by a district line
                other = 1 + number % seats
                choices = " ".join(sorted((district_of(region, number), district_of(region, other))))
            else:
                district = district_of(region, number)
        else:
            country, postcode = rng.choice(("GB", "CA", "FR", "DE")), f"{rng.randint(1000, 99999)}"
        email = f"s{seed}-{n}@example.org"
        yield (campaign_id, f"Signer {n} Ñandú", email, email, postcode, country, region,
               regions.postcode_area(country, postcode), district, choices, "", False, False,
               False, "", "", "", status, created, confirmed)


def load(kind: str, path: Path | None, batches: list[tuple[int, int, int]], start: datetime) -> None:
    """executemany in one transaction (SQLite), or COPY then VACUUM ANALYZE (PostgreSQL)."""
    rows = (generate(campaign_id, count, start, seed) for campaign_id, count, seed in batches)
    if kind == "sqlite":
        seeding.load_sqlite(path, COLUMNS, rows)
    else:
        seeding.load_postgres(PG_APP_URL, COLUMNS, rows)


def fresh_postgres(drop_only: bool = False) -> None:
    """Drop this benchmark's own database, and make it again unless drop_only."""
    import psycopg

    statements = [f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)"]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        for statement in statements + ([] if drop_only else [f"CREATE DATABASE {PG_DB}"]):
            conn.execute(statement)


def make_app(url: str):
    """The app on url, migrated, with the campaigns, their organizer and the representatives."""
    app = create_app(config.TestingConfig, SQLALCHEMY_DATABASE_URI=url, RATELIMIT_ENABLED=False)
    with app.app_context():
        database.upgrade_schema()
        big = store.create(slug=SLUG, title="A million signers", petition_text="We ask.",
                               target="Congress", goal=2_000_000, status="open")
        store.create(slug=OTHER_SLUG, title="Another", petition_text="p", goal=100,
                         status="open")
        organizer = organizers.create("organizer@example.org", PASSWORD)
        memberships.add_member(big, organizer, MemberRole.OWNER)
        db.session.add_all(list(representatives()))
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


def _ok(response) -> None:
    assert response.status_code == 200, response.status_code
    response.get_data()


def _plan(sql: str, campaign_id: int) -> str:
    prefix = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
    rows = db.session.execute(db.text(prefix + sql), {"c": campaign_id}).all()
    return " / ".join(str(row[-1]) for row in rows[:2])


def measure(app, campaign_id: int, args) -> tuple[dict[str, tuple[float, float]], list[str]]:
    """Each measure's timings, and notes: plans, sizes, the packets' counts checked."""
    results, notes = {}, []
    with app.app_context():
        report = constituents.report(campaign_id)
        # The figures must add up before their timings mean anything.
        by_district = constituents.district_counts(campaign_id)
        assert (sum(by_district.by_district.values()) + sum(by_district.shared.values())
                + by_district.unknown) == report.confirmed
        notes.append(f"{report.confirmed:,} confirmed; {len(report.seats)} seats with "
                     f"constituents; {len(report.shared)} shared-ZIP groups, "
                     f"{sum(g.count for g in report.shared):,} signers in them")
        for name, columns in (("districts", "district, district_choices"),
                              ("regions", "country, region")):
            sql = (f"SELECT {columns}, count(*) FROM signatures WHERE campaign_id = :c "
                   "AND status = 'confirmed' GROUP BY 1, 2")
            notes.append(f"plan, {name}: `{_plan(sql, campaign_id)}`")
        for name, run in {
            "GROUP BY district, district_choices": lambda: constituents.district_counts(campaign_id),
            "GROUP BY country, region": lambda: constituents.region_counts(campaign_id),
            "constituents.report (both, outreaches, representatives)":
                lambda: constituents.report(campaign_id),
            "representatives CSV text": lambda: constituents.report_csv(
                constituents.report(campaign_id)),
        }.items():
            results[name] = _timed(run, args.repeat)
            db.session.rollback()
        results.update(_packets(campaign_id, report, args, notes))
    results.update(_pages(app, args))
    return results, notes


def _packets(campaign_id: int, report, args, notes: list[str]) -> dict[str, tuple[float, float]]:
    results = {}
    campaign = store.get_by_slug(SLUG)
    districts = [s for s in report.seats if s.district]
    largest = {"district": max(districts, key=lambda s: s.constituents),
               "state": max((s for s in report.seats if not s.district),
                            key=lambda s: s.constituents)}
    for kind, seat in largest.items():
        representative = db.session.get(Representative, seat.id)
        packet = contents.build(campaign, representative, in_shared=seat.in_shared, now=utcnow())
        assert packet.count == seat.constituents == len(packet.signers)
        pdf = packet_pdf.render(packet)
        notes.append(f"largest {kind}: {seat.name}, {seat.constituents:,} constituents, PDF "
                     f"{len(pdf) / 1e6:.1f} MB")
        results[f"packet of the largest {kind}: names from the database"] = _timed(
            lambda r=representative, s=seat: contents.build(campaign, r, in_shared=s.in_shared,
                                                            now=utcnow()), 1)
        results[f"packet of the largest {kind}: the PDF"] = _timed(
            lambda p=packet: packet_pdf.render(p), 1)
    if args.zip:
        began = time.perf_counter()
        stream = archive.zip_stream(campaign_id, organizer_id=None, source="bench",
                                             now=utcnow())
        size = sum(len(chunk) for chunk in stream)
        seconds = time.perf_counter() - began
        notes.append(f"the whole zip: {len(archive.seats_to_deliver(campaign_id))} "
                     f"packets, {size / 1e6:.0f} MB in {seconds:.0f} s")
    return results


def _pages(app, args) -> dict[str, tuple[float, float]]:
    results = {}
    client = app.test_client()
    assert client.post("/auth/login", data={"email": "organizer@example.org",
                                            "password": PASSWORD}).status_code == 303
    for ttl, label in ((0, "counted on each request"), (3, "as served (TALLY_CACHE_SECONDS=3)")):
        app.config["TALLY_CACHE_SECONDS"] = ttl
        results[f"GET /c/<slug>.json, {label}"] = _timed(
            lambda: _ok(client.get(f"/c/{SLUG}.json")), args.repeat)
        results[f"GET /c/<slug> with the map, {label}"] = _timed(
            lambda: _ok(client.get(f"/c/{SLUG}")), args.repeat)
    app.config["TALLY_CACHE_SECONDS"] = 0
    results["GET organizer representatives page"] = _timed(
        lambda: _ok(client.get(f"/organizer/c/{SLUG}/representatives")), args.repeat)
    return results


def bench(kind: str, args) -> list[str]:
    """Load, measure and clean up one database kind; returns markdown lines."""
    start = utcnow() - timedelta(days=30)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite" if kind == "sqlite" else None
        if kind == "postgresql":
            fresh_postgres()
        app, (big_id, other_id) = make_app(f"sqlite:///{path}" if path else PG_APP_URL)
        began = time.perf_counter()
        load(kind, path, [(big_id, args.rows, 1), (other_id, args.other_rows, 2)], start)
        lines = [f"### {kind}", "",
                 f"Loaded {args.rows + args.other_rows:,} rows in {time.perf_counter() - began:.0f} s.",
                 ""]
        print(lines[2], flush=True)
        results, notes = measure(app, big_id, args)
        lines += [f"- {note}" for note in notes] + ["", "| measure | median (max) ms |",
                                                    "| --- | ---: |"]
        lines += [f"| {name} | {median:,.0f} ({slowest:,.0f}) |"
                  for name, (median, slowest) in results.items()]
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
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    parser.add_argument("--zip", action="store_true", help="also time the zip of every packet")
    args = parser.parse_args()
    began = time.perf_counter()
    lines = [f"Run {utcnow():%Y-%m-%d %H:%M} UTC: `{' '.join(sys.argv)}`", ""]
    for kind in ("sqlite", "postgresql"):
        if args.only in (None, kind):
            lines += bench(kind, args) + [""]
    lines.append(f"Whole run: {time.perf_counter() - began:.0f} s.")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
