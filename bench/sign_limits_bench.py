#!/usr/bin/env python3
"""What the rate limits (counted in Redis) and the abuse watch cost the sign request.

For each database kind (SQLite, PostgreSQL) and each round, this script runs the sign load of
bench/sign_load.py against three servers, each gunicorn with campaign:create_app() on a fresh
database (the same settings as sign_load.py):

  no limits   RATELIMIT_ENABLED=False: the core's sign request, the baseline;
  Redis       the limits on, counted in Redis (REDIS_URL, a key prefix of this run's own),
              PROXY_FIX_HOPS=1 and a unique X-Forwarded-For per visitor, so that every
              visitor is an address of its own and the default SIGN_RATE_LIMIT refuses none;
  Redis+watch the same, while an organizer reads the campaign's overview (with the abuse
              watch) once a second for the whole load.

It reports signatures per second, POST latency, server and Redis CPU per signature, the
overview's latency, and checks that every accepted signature is stored. Only 127.0.0.1 is
contacted; the Redis keys of the run are deleted at the end; servers are stopped by pid.

Run from the project root, with PostgreSQL and Redis on 127.0.0.1:
    .venv/bin/python bench/sign_limits_bench.py [--databases sqlite] [--rounds 2]
Results: bench/README.md, "Limits and the abuse watch".
"""
from __future__ import annotations

import argparse
import atexit
import http.client
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sign_load
from sign_load import HOST, ROOT, SLUG, VENV_BIN, Client, Server, Stats

ORGANIZER = "bench-organizer@example.org"
VARIANTS = ("no limits", "Redis", "Redis+watch")
_PASSWORD = re.compile(r"Password \(shown only this once[^:]*\): (\S+)")


@dataclass
class WatchReads:
    """The organizer's overview reads during one load."""

    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def pct(self, p: float) -> float:
        data = sorted(self.latencies)
        if not data:
            return float("nan")
        return data[min(len(data) - 1, round(p / 100 * (len(data) - 1)))] * 1000


@dataclass
class Run:
    db: str
    variant: str
    round: int
    stats: Stats
    rows: int
    expected: int
    redis_cpu: float = 0.0
    watch: WatchReads | None = None
    redis_keys: int = 0


def forwarded_for(n: int) -> dict:
    """A public-looking address of its own for visitor n, as nginx would report it."""
    return {"X-Forwarded-For": f"100.{64 + n // 65536 % 64}.{n // 256 % 256}.{n % 256}"}


def create_organizer(env: dict) -> str:
    """An admin account on the server's database; its generated password."""
    done = subprocess.run([str(VENV_BIN / "flask"), "--app", "campaign", "organizer", "create", ORGANIZER,
                           "--admin", "--generate"], env=env, cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=False)
    match = _PASSWORD.search(done.stdout)
    if done.returncode != 0 or match is None:
        raise RuntimeError(f"could not create the organizer:\n{done.stdout}\n{done.stderr}")
    return match.group(1)


def log_in(port: int, password: str) -> str:
    """The session cookie of a logged-in organizer."""
    client = Client(port)
    try:
        resp, html = client.request("GET", "/auth/login")
        token = sign_load._VALUE.search(sign_load._CSRF.search(html).group(0)).group(1).decode()
        cookie = "; ".join(c.split(";", 1)[0] for c in resp.msg.get_all("Set-Cookie") or [])
        body = urlencode({"csrf_token": token, "email": ORGANIZER, "password": password}).encode()
        resp, _ = client.request("POST", "/auth/login", body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
            "Origin": f"http://{HOST}:{port}", "Referer": f"http://{HOST}:{port}/auth/login"})
        if resp.status != 303:
            raise RuntimeError(f"login answered {resp.status}")
        return "; ".join(c.split(";", 1)[0] for c in resp.msg.get_all("Set-Cookie") or [])
    finally:
        client.close()


def read_overview_every_second(port: int, cookie: str, stop: threading.Event) -> WatchReads:
    """Start a thread that GETs the overview once a second until stop is set."""
    reads = WatchReads()

    def reader() -> None:
        client = Client(port)
        try:
            while not stop.wait(1.0):
                t0 = time.perf_counter()
                try:
                    resp, html = client.request("GET", f"/organizer/c/{SLUG}/", headers={"Cookie": cookie})
                except (OSError, http.client.HTTPException) as error:
                    reads.errors.append(repr(error))
                    continue
                if resp.status == 200 and b"Unusual activity" in html:
                    reads.latencies.append(time.perf_counter() - t0)
                else:
                    reads.errors.append(f"GET overview {resp.status}")
        finally:
            client.close()

    threading.Thread(target=reader, daemon=True, name="overview-reader").start()
    return reads


def one_run(args, kind: str, variant: str, number: int, workdir: Path, prefix: str) -> Run:
    db = sign_load.fresh_database(kind, workdir, f"limits-{number}")
    port = sign_load.free_port()
    env = sign_load.app_env(args, port, db, workdir / "mail")
    app_spec = "campaign:create_app()"
    if variant == "no limits":
        app_spec = "campaign:create_app(RATELIMIT_ENABLED=False)"
    else:
        env.update(REDIS_URL=args.redis_url, RATELIMIT_KEY_PREFIX=prefix, PROXY_FIX_HOPS="1",
                   DASHBOARD_CACHE_SECONDS=str(args.dashboard_cache))
    sign_load.log(f"{kind}: {variant} (round {number}) on port {port}")
    server = Server(f"{variant}-{kind}", sign_load.gunicorn_argv(args, app_spec, ROOT, port), env, ROOT,
                    workdir / f"gunicorn-{kind}-{number}-{variant.replace(' ', '-')}.log", port)
    stop, reads = threading.Event(), None
    headers = forwarded_for if variant != "no limits" else None
    try:
        server.wait_ready(f"/c/{SLUG}")
        warm = sign_load.sign_load(port, SLUG, args.warmup, 30, min(args.concurrency, args.warmup),
                                   f"{kind}-{number}-warm", visitor_headers=headers)
        if variant == "Redis+watch":
            reads = read_overview_every_second(port, log_in(port, create_organizer(env)), stop)
        redis0 = sign_load.process_cpu_seconds("redis-server")
        stats = sign_load.sign_load(port, SLUG, args.signatures, args.duration, args.concurrency,
                                    f"{kind}-{number}", server, args.quiet_wait, visitor_headers=headers)
        redis_cpu = sign_load.process_cpu_seconds("redis-server") - redis0
        stop.set()
        sign_load.describe(stats, f"sign, {variant}")
    finally:
        stop.set()
        server.stop()
    rows = db.query_one("SELECT count(*) FROM signatures")
    run = Run(kind, variant, number, stats, rows, warm.ok + stats.ok, redis_cpu, reads)
    if variant != "no limits":
        run.redis_keys = _count_and_delete_keys(args.redis_url, prefix)
    sign_load.log(f"  rows {rows} (expected {run.expected}); redis keys {run.redis_keys}"
                  + (f"; overview reads {len(reads.latencies)}, p50 {reads.pct(50):.0f} ms,"
                     f" p99 {reads.pct(99):.0f} ms, errors {len(reads.errors)}" if reads else ""))
    return run


def _count_and_delete_keys(url: str, prefix: str) -> int:
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(f"*{prefix}*", count=1000))
    for start in range(0, len(keys), 500):
        client.delete(*keys[start:start + 500])
    return len(keys)


def markdown(args, runs: list[Run]) -> str:
    lines = [
        (f"Run {args.started} UTC at commit {args.commit}, {os.cpu_count()} cores,"
        f" {sign_load.server_label(args)}, {args.concurrency} client threads, at most"
        f" {args.signatures} signatures / {args.duration:.0f} s per load,"
        f" DASHBOARD_CACHE_SECONDS={args.dashboard_cache:g}."),
        "",
        ("| DB | variant | round | signatures ok | errors | signatures/s | vs no limits | POST p50 ms |"
        " POST p99 ms | server CPU ms/sig | Redis CPU ms/sig | overview reads | overview p50 / p99 ms |"
        " rows stored / expected | other work |"),
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|",
    ]
    for run in runs:
        s = run.stats
        base = next((r for r in runs if r.db == run.db and r.round == run.round
                     and r.variant == "no limits"), None)
        versus = f"{100 * s.rate / base.stats.rate:.0f}%" if base and base.stats.rate else "-"
        reads = run.watch
        lines.append(
            f"| {run.db} | {run.variant} | {run.round} | {s.ok} | {s.error_count} | {s.rate:.1f} | {versus} |"
            f" {s.pct(50):.1f} | {s.pct(99):.1f} | {1000 * s.server_cpu / max(1, s.ok):.2f} |"
            f" {1000 * run.redis_cpu / max(1, s.ok):.2f} |"
            f" {len(reads.latencies) if reads else '-'}{f' ({len(reads.errors)} failed)' if reads and reads.errors else ''} |"
            f" {f'{reads.pct(50):.0f} / {reads.pct(99):.0f}' if reads else '-'} |"
            f" {run.rows} / {run.expected} {'ok' if run.rows == run.expected else 'MISMATCH'} |"
            f" {100 * s.other_cpu_share:.0f}% |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--rounds", type=int, default=1, help="each variant this many times, interleaved")
    parser.add_argument("--signatures", type=int, default=3000)
    parser.add_argument("--duration", type=float, default=45.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=40)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--quiet-wait", type=float, default=30.0)
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14",
                        help="the Redis database the limits are counted in (keys of this run only)")
    parser.add_argument("--dashboard-cache", type=float, default=30.0,
                        help="DASHBOARD_CACHE_SECONDS of the servers (0: recount on every view)")
    parser.add_argument("--keep-workdir", action="store_true")
    args = parser.parse_args(argv)
    args.pythonpath, args.access_log = None, False  # as sign_load's defaults
    kinds = [k.strip() for k in args.databases.split(",") if k.strip()]
    if not set(kinds) <= {"sqlite", "postgresql"} or not 0 < args.rounds <= 5:
        parser.error("databases: sqlite, postgresql; rounds: 1 to 5")
    args.started = f"{datetime.now(UTC):%Y-%m-%d %H:%M}"
    args.commit = sign_load.git_revision()
    atexit.register(sign_load.stop_all_servers)
    signal.signal(signal.SIGTERM, sign_load._on_signal)
    prefix = f"bench-{secrets.token_hex(4)}"
    workdir = Path(tempfile.mkdtemp(prefix="campaign-limits-bench-"))
    runs: list[Run] = []
    try:
        for kind in kinds:
            for number in range(1, args.rounds + 1):
                for variant in VARIANTS:
                    runs.append(one_run(args, kind, variant, number, workdir, f"{prefix}-{number}"))
    finally:
        sign_load.stop_all_servers()
        if args.keep_workdir:
            sign_load.log(f"work dir kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print("\n" + markdown(args, runs))
    failed = [r for r in runs if r.stats.error_count or r.rows != r.expected or (r.watch and r.watch.errors)]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
