#!/usr/bin/env python3
"""Signing throughput of Campaign under gunicorn, against the ceiling of the same stack.

For each database kind (SQLite, PostgreSQL) this script, in one run:

1. makes a fresh database (SQLite: a file in a temp dir; PostgreSQL: DROP/CREATE
   DATABASE campaign_bench, nothing else on the server is touched),
2. starts gunicorn serving campaign:create_app() in production mode on a free
   127.0.0.1 port (the app migrates itself and loads the sample campaign),
3. drives it with a loopback client that acts like a browser: each signature is a
   fresh visitor who GETs the campaign page, takes the form token
   cookie, and POSTs the sign form; success is a 303 to /c/<slug>/signed,
4. measures GET of the campaign page and of count.json (read-only load),
5. counts the rows stored (signatures, confirmation tokens, outbox) and compares them
   with the successful answers,
6. does the same sign load against bench/ceiling_app.py (bare Flask + one INSERT) on a
   fresh database of the same kind, under the same gunicorn settings,
7. stops every server it started, whatever happens.

Every load is bounded by a request count AND a wall-clock limit. Only 127.0.0.1 is
contacted. The client is stdlib only (threads + http.client with keep-alive).

Run from the project root:
    .venv/bin/python bench/sign_load.py
See bench/README.md for the options and the last results.
"""
from __future__ import annotations

import argparse
import atexit
import http.client
import itertools
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VENV_BIN = Path(sys.executable).parent
SLUG = "keep-library-grants"
HOST = "127.0.0.1"
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DB = "campaign_bench"
PG_APP_URL = f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_DB}"
PROTECTED_DATABASES = {"postgres", "test", "template0", "template1"}

_FORM_TOKEN = re.compile(rb'<input[^>]*\bname="form_token"[^>]*>')
_VALUE = re.compile(rb'\bvalue="([^"]*)"')


# --------------------------------------------------------------------------- servers

_servers: list[Server] = []


class Server:
    """A gunicorn master we started; stop() ends it (and so its workers) by its pid."""

    def __init__(self, name: str, argv: list[str], env: dict, cwd: Path, log_path: Path, port: int):
        self.name, self.port, self.log_path = name, port, log_path
        with open(log_path, "ab") as log:  # the child keeps its own copy of the descriptor
            self.proc = subprocess.Popen(
                argv, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        _servers.append(self)

    def wait_ready(self, path: str, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                conn.close()
                if resp.status == 200:
                    return
                last = f"HTTP {resp.status}"
            except OSError as error:
                last = repr(error)
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready after {timeout:.0f}s ({last}):\n{self.log_tail()}")

    def worker_pids(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == self.proc.pid:
                pids.append(int(entry.name))
        return pids

    def cpu_seconds(self) -> float:
        """utime+stime of the master and its workers, in seconds."""
        total = 0
        for pid in [self.proc.pid, *self.worker_pids()]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # gunicorn: graceful stop of the workers
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        if self in _servers:
            _servers.remove(self)


def stop_all_servers() -> None:
    for server in _servers:
        try:
            server.stop()
        except (OSError, subprocess.SubprocessError) as error:  # keep stopping the others
            print(f"could not stop {server.name}: {error!r}", file=sys.stderr)


def _on_signal(signum, frame):
    raise SystemExit(128 + signum)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def gunicorn_argv(args, app_spec: str, chdir: Path, port: int) -> list[str]:
    argv = [
        str(VENV_BIN / "gunicorn"),
        # Only the settings below: without --config gunicorn would read ./gunicorn.conf.py of its
        # working directory (the project's production file: 4 threads, which turn "sync" into
        # gthread, and the access log) for one server and not for the other.
        "--config", str(BENCH / "gunicorn_bench.conf.py"),
        "--bind", f"{HOST}:{port}",
        "--chdir", str(chdir),
        "--workers", str(args.workers),
        "--worker-class", args.worker_class,
        "--timeout", "60",
        "--graceful-timeout", "10",
        "--keep-alive", "5",
        "--log-level", "warning",
    ]
    if args.pythonpath:
        argv += ["--pythonpath", args.pythonpath]
    if args.access_log:  # as gunicorn.conf.py does (accesslog = "-"): to the server's log file
        argv += ["--access-logfile", "-"]
    if args.worker_class == "gthread":
        argv += ["--threads", str(args.threads)]
    return argv + [app_spec]


def server_label(args) -> str:
    if args.worker_class == "gthread":
        label = f"gunicorn {args.workers}x{args.threads} gthread"
    else:
        label = f"gunicorn {args.workers} {args.worker_class}"
    return label + (" + access log" if args.access_log else "")


# --------------------------------------------------------------------------- databases


@dataclass
class Database:
    kind: str  # sqlite | postgresql
    url: str  # in the app's spelling
    sqlite_path: Path | None = None

    def query_one(self, sql: str):
        if self.kind == "sqlite":
            conn = sqlite3.connect(self.sqlite_path, timeout=30)
            try:
                return conn.execute(sql).fetchone()[0]
            finally:
                conn.close()
        import psycopg

        with psycopg.connect("postgresql://" + self.url.split("://", 1)[1]) as conn:
            return conn.execute(sql).fetchone()[0]


def fresh_database(kind: str, workdir: Path, name: str) -> Database:
    if kind == "sqlite":
        path = workdir / f"{name}.sqlite"
        for suffix in ("", "-wal", "-shm", ".migrate-lock"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return Database("sqlite", f"sqlite:///{path}", path)
    import psycopg

    assert PG_DB not in PROTECTED_DATABASES
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB}")
    return Database("postgresql", PG_APP_URL)


# --------------------------------------------------------------------------- client


class Budget:
    """Hands out at most `count` units of work, and none after `seconds`."""

    def __init__(self, count: int, seconds: float):
        self.remaining = count
        self.deadline = time.monotonic() + seconds
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            if self.remaining <= 0 or time.monotonic() >= self.deadline:
                return False
            self.remaining -= 1
            return True


class Client:
    """One keep-alive connection to 127.0.0.1:port (http.client reopens it when closed)."""

    def __init__(self, port: int, timeout: float = 60.0):
        self.port, self.timeout = port, timeout
        self.conn = http.client.HTTPConnection(HOST, port, timeout=timeout)

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        try:
            self.conn.request(method, path, body=body, headers=headers or {})
            resp = self.conn.getresponse()
            data = resp.read()
        except Exception:
            self.conn.close()
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
            raise
        if resp.will_close:
            self.conn.close()
        return resp, data

    def close(self) -> None:
        self.conn.close()


@dataclass
class Stats:
    ok: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    error_samples: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)  # of the measured request, seconds
    flow_latencies: list[float] = field(default_factory=list)  # GET + POST, seconds
    lock: threading.Lock = field(default_factory=threading.Lock)
    elapsed: float = 0.0
    client_cpu: float = 0.0
    server_cpu: float = 0.0
    machine_busy: float = 0.0
    db_cpu: float = 0.0  # PostgreSQL's processes (all of them: other users of the server too)
    background_busy: float | None = None  # machine busy share just before, servers idle

    def error(self, kind: str, sample: str = "") -> None:
        with self.lock:
            self.errors[kind] = self.errors.get(kind, 0) + 1
            if sample and len(self.error_samples) < 5:
                self.error_samples.append(f"{kind}: {sample[:300]}")

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def machine_cpu_per_ok(self) -> float:
        """CPU of the whole machine (server, client, database, anything else) per success, s."""
        return self.machine_busy * (os.cpu_count() or 1) * self.elapsed / max(1, self.ok)

    @property
    def other_cpu_share(self) -> float:
        """Share of the machine's busy CPU that was neither server, client nor PostgreSQL.

        Near 0 on a quiet machine (kernel work for the sockets aside); large when something
        else ran during the load, and then the figures are not to be trusted.
        """
        machine = self.machine_busy * (os.cpu_count() or 1) * self.elapsed
        if machine <= 0:
            return 0.0
        return max(0.0, machine - self.server_cpu - self.client_cpu - self.db_cpu) / machine

    @property
    def rate(self) -> float:
        return self.ok / self.elapsed if self.elapsed else 0.0

    def pct(self, p: float, flow: bool = False) -> float:
        data = sorted(self.flow_latencies if flow else self.latencies)
        if not data:
            return float("nan")
        return data[min(len(data) - 1, round(p / 100 * (len(data) - 1)))] * 1000


def postgres_cpu_seconds() -> float:
    """utime+stime of the PostgreSQL server's processes (read from /proc, nothing else)."""
    return process_cpu_seconds("postgres")


def process_cpu_seconds(command: str) -> float:
    """utime+stime of every process whose command name is `command` (from /proc)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if stat.split("(", 1)[1].startswith(f"{command})"):
            fields = stat.rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _cpu_busy() -> tuple[int, int]:
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def wait_quiet(max_wait: float, threshold: float = 0.15) -> float:
    """Wait (at most max_wait s) until the machine is nearly idle; return the last busy share.

    Other work on the machine (a test run, a build) steals the CPU the figures depend on.
    """
    deadline = time.monotonic() + max_wait
    while True:
        b0 = _cpu_busy()
        time.sleep(1.0)
        b1 = _cpu_busy()
        busy = (b1[0] - b0[0]) / max(1, b1[1] - b0[1])
        if busy < threshold or time.monotonic() >= deadline:
            return busy


def run_threads(target, concurrency: int, stats: Stats, server: Server | None) -> Stats:
    cpu0, busy0 = time.process_time(), _cpu_busy()
    srv0 = server.cpu_seconds() if server else 0.0
    pg0 = postgres_cpu_seconds()
    start = time.perf_counter()
    threads = [threading.Thread(target=target, args=(i,), daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stats.elapsed = time.perf_counter() - start
    stats.client_cpu = time.process_time() - cpu0
    stats.server_cpu = (server.cpu_seconds() - srv0) if server else 0.0
    stats.db_cpu = postgres_cpu_seconds() - pg0
    busy1 = _cpu_busy()
    stats.machine_busy = (busy1[0] - busy0[0]) / max(1, busy1[1] - busy0[1])
    return stats


_email_seq = itertools.count()


def sign_load(port: int, slug: str, count: int, seconds: float, concurrency: int, tag: str,
              server: Server | None = None, quiet_wait: float = 0.0,
              visitor_headers: Callable[[int], dict] | None = None) -> Stats:
    """Browser-like signing: fresh visitor, GET the page, POST the form with its token.

    visitor_headers(n) gives extra headers for visitor n's requests (an X-Forwarded-For).
    """
    stats = Stats()
    if quiet_wait:
        stats.background_busy = wait_quiet(quiet_wait)
    budget = Budget(count, seconds)
    page, action, done = f"/c/{slug}", f"/c/{slug}/sign", f"/c/{slug}/signed"

    def visitor(thread_no: int) -> None:
        client = Client(port)
        try:
            while budget.take():
                n = next(_email_seq)
                extra = visitor_headers(n) if visitor_headers else {}
                t0 = time.perf_counter()
                try:
                    resp, html = client.request("GET", page, headers={"Accept": "text/html", **extra})
                except (OSError, http.client.HTTPException) as error:
                    stats.error("GET exception", repr(error))
                    continue
                if resp.status != 200:
                    stats.error(f"GET {resp.status}", html[:200].decode(errors="replace"))
                    continue
                match = _FORM_TOKEN.search(html)
                token = _VALUE.search(match.group(0)) if match else None
                if token is None:
                    stats.error("GET no form_token")
                    continue
                cookies = [
                    c.split(";", 1)[0] for c in (resp.msg.get_all("Set-Cookie") or [])
                ]
                body = urlencode({
                    "form_token": token.group(1).decode(),
                    "full_name": f"Bench Signer {n}",
                    "email": f"signer-{tag}-{n}@bench.example.com",
                    "postcode": f"{10000 + n % 89999:05d}",
                    "country": "US",
                }).encode()
                headers = {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Accept": "text/html",
                    "Origin": f"http://{HOST}:{port}",
                    "Referer": f"http://{HOST}:{port}{page}",
                    **extra,
                }
                if cookies:
                    headers["Cookie"] = "; ".join(cookies)
                t1 = time.perf_counter()
                try:
                    resp, reply = client.request("POST", action, body=body, headers=headers)
                except (OSError, http.client.HTTPException) as error:  # never retried: it may have been stored
                    stats.error("POST exception", repr(error))
                    continue
                t2 = time.perf_counter()
                location = resp.getheader("Location", "")
                if resp.status == 303 and location.endswith(done):
                    with stats.lock:
                        stats.ok += 1
                        stats.latencies.append(t2 - t1)
                        stats.flow_latencies.append(t2 - t0)
                else:
                    stats.error(f"POST {resp.status}", f"{location} {reply[:300].decode(errors='replace')}")
        finally:
            client.close()

    return run_threads(visitor, concurrency, stats, server)


def get_load(port: int, path: str, count: int, seconds: float, concurrency: int,
             server: Server | None = None, quiet_wait: float = 0.0) -> Stats:
    stats = Stats()
    if quiet_wait:
        stats.background_busy = wait_quiet(quiet_wait)
    budget = Budget(count, seconds)

    def reader(thread_no: int) -> None:
        client = Client(port)
        try:
            while budget.take():
                t0 = time.perf_counter()
                try:
                    resp, body = client.request("GET", path)
                except (OSError, http.client.HTTPException) as error:
                    stats.error("GET exception", repr(error))
                    continue
                t1 = time.perf_counter()
                if resp.status == 200 and body:
                    with stats.lock:
                        stats.ok += 1
                        stats.latencies.append(t1 - t0)
                else:
                    stats.error(f"GET {resp.status}", body[:200].decode(errors="replace"))
        finally:
            client.close()

    return run_threads(reader, concurrency, stats, server)


# --------------------------------------------------------------------------- one run


@dataclass
class SignResult:
    db: str
    app: str
    server: str
    concurrency: int
    stats: Stats
    warmup_ok: int
    rows: int
    extra_rows: dict[str, int]
    ceiling_rate: float | None = None

    @property
    def expected_rows(self) -> int:
        return self.warmup_ok + self.stats.ok

    @property
    def rows_ok(self) -> bool:
        return self.rows == self.expected_rows


@dataclass
class GetResult:
    db: str
    app: str
    path: str
    stats: Stats


def app_env(args, port: int, db: Database, mail_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CAMPAIGN_", "DATABASE_URL", "FLASK_"))}
    env.update(
        CAMPAIGN_ENV="production",
        SECRET_KEY="bench",
        BASE_URL=f"http://{HOST}:{port}",
        DATABASE_URL=db.url,
        MAIL_BACKEND="file",
        MAIL_FILE_DIR=str(mail_dir),
        OUTBOX_EMBEDDED_WORKER="0",
        LOAD_SAMPLE="1",
        SESSION_COOKIE_SECURE="0",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


def describe(stats: Stats, what: str) -> None:
    log(
        f"  {what}: {stats.ok} ok, {stats.error_count} errors in {stats.elapsed:.1f}s = {stats.rate:.1f}/s;"
        f" p50 {stats.pct(50):.1f} ms, p99 {stats.pct(99):.1f} ms;"
        f" CPU per ok: server {1000 * stats.server_cpu / max(1, stats.ok):.2f} ms,"
        f" client {1000 * stats.client_cpu / max(1, stats.ok):.2f} ms,"
        f" PostgreSQL {1000 * stats.db_cpu / max(1, stats.ok):.2f} ms;"
        f" machine busy {100 * stats.machine_busy:.0f}%, {100 * stats.other_cpu_share:.0f}% of it other work"
        + (f" (before: {100 * stats.background_busy:.0f}%)" if stats.background_busy is not None else "")
    )
    for sample in stats.error_samples:
        log(f"    error sample: {sample}")


def bench_database(args, kind: str, workdir: Path) -> tuple[list[SignResult], list[GetResult]]:
    signs: list[SignResult] = []
    gets: list[GetResult] = []
    label = server_label(args)

    # ---- Campaign
    db = fresh_database(kind, workdir, "campaign")
    port = free_port()
    mail_dir = workdir / f"mail-{kind}"
    log(f"{kind}: starting Campaign ({label}) on port {port}, {db.url}")
    server = Server(
        f"campaign-{kind}",
        gunicorn_argv(args, args.app_spec, ROOT, port),
        app_env(args, port, db, mail_dir),
        ROOT,
        workdir / f"gunicorn-campaign-{kind}.log",
        port,
    )
    try:
        server.wait_ready(f"/c/{SLUG}")
        warm = sign_load(port, SLUG, args.warmup, 30, min(args.concurrency, args.warmup), f"{kind}-warm")
        if warm.error_count:
            describe(warm, "warm-up")
        get_load(port, f"/c/{SLUG}/count.json", args.warmup, 30, args.concurrency)
        log(f"{kind}: signing, at most {args.signatures} signatures or {args.duration:.0f}s, "
            f"{args.concurrency} client threads")
        stats = sign_load(port, SLUG, args.signatures, args.duration, args.concurrency, kind, server,
                          args.quiet_wait)
        describe(stats, "sign (POST latency)")
        if not args.skip_gets:
            for path in (f"/c/{SLUG}", f"/c/{SLUG}/count.json"):
                get_stats = get_load(port, path, args.get_requests, args.get_duration, args.concurrency, server,
                                     args.quiet_wait)
                describe(get_stats, f"GET {path}")
                gets.append(GetResult(kind, "Campaign", path, get_stats))
    finally:
        server.stop()
    rows = db.query_one("SELECT count(*) FROM signatures")
    extra = {
        "confirmation_tokens": db.query_one("SELECT count(*) FROM confirmation_tokens"),
        "outbox_messages": db.query_one("SELECT count(*) FROM outbox_messages"),
    }
    result = SignResult(kind, "Campaign", label, args.concurrency, stats, warm.ok, rows, extra)
    log(f"  rows: signatures={rows} (expected {result.expected_rows} = {warm.ok} warm-up + {stats.ok}),"
        f" confirmation_tokens={extra['confirmation_tokens']}, outbox_messages={extra['outbox_messages']}")
    signs.append(result)

    # ---- ceiling
    if args.skip_ceiling:
        return signs, gets
    sys.path.insert(0, str(BENCH))
    import ceiling_app

    cdb = fresh_database(kind, workdir, "ceiling")
    ceiling_app.init_db(cdb.url)
    port = free_port()
    env = app_env(args, port, cdb, mail_dir)
    env["CEILING_DATABASE_URL"] = cdb.url
    log(f"{kind}: starting the ceiling app ({label}) on port {port}")
    server = Server(
        f"ceiling-{kind}",
        gunicorn_argv(args, "ceiling_app:app", BENCH, port),
        env,
        BENCH,
        workdir / f"gunicorn-ceiling-{kind}.log",
        port,
    )
    try:
        server.wait_ready(f"/c/{SLUG}")
        warm_c = sign_load(port, SLUG, args.warmup, 30, min(args.concurrency, args.warmup), f"{kind}-cwarm")
        log(f"{kind}: ceiling signing, same bounds")
        cstats = sign_load(port, SLUG, args.signatures, args.duration, args.concurrency, f"{kind}-c", server,
                           args.quiet_wait)
        describe(cstats, "ceiling sign (POST latency)")
        if not args.skip_gets:
            get_stats = get_load(port, f"/c/{SLUG}", args.get_requests, args.get_duration, args.concurrency, server,
                                 args.quiet_wait)
            describe(get_stats, f"ceiling GET /c/{SLUG}")
            gets.append(GetResult(kind, "ceiling", f"/c/{SLUG}", get_stats))
    finally:
        server.stop()
    crows = ceiling_app.count_rows(cdb.url)
    ceiling = SignResult(kind, "ceiling", label, args.concurrency, cstats, warm_c.ok, crows, {})
    log(f"  rows: ceiling_signatures={crows} (expected {ceiling.expected_rows})")
    result.ceiling_rate = cstats.rate
    signs.append(ceiling)
    return signs, gets


# --------------------------------------------------------------------------- report


def git_revision() -> str:
    try:
        rev = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=10, check=False).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10, check=False).stdout.strip()
        return f"{rev}{' (modified)' if dirty else ''}" or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def markdown(args, signs: list[SignResult], gets: list[GetResult]) -> str:
    busy = [s.stats.background_busy for s in signs if s.stats.background_busy is not None]
    busy += [g.stats.background_busy for g in gets if g.stats.background_busy is not None]
    lines = [
        f"Run {args.started} UTC at commit {args.commit}, {os.cpu_count()} cores,"
        f" {server_label(args)},"
        f" {args.concurrency} client threads, bounds: {args.signatures} signatures / {args.duration:.0f}s"
        f" per sign load, {args.get_requests} requests / {args.get_duration:.0f}s per GET load."
        + (f" Machine busy before the loads (servers idle): at most {100 * max(busy):.0f}%." if busy else ""),
        "",
        ("| DB | app | signatures ok | errors | signatures/s | POST p50 ms | POST p99 ms |"
        " GET+POST p50 ms | rows stored / expected | share of ceiling | server CPU ms/sig | client CPU ms/sig |"
        " PostgreSQL CPU ms/sig | machine CPU ms/sig | other work |"),
        "|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in signs:
        s = r.stats
        share = f"{100 * s.rate / r.ceiling_rate:.0f}%" if r.ceiling_rate else ("100%" if r.app == "ceiling" else "-")
        check = "ok" if r.rows_ok else "MISMATCH"
        lines.append(
            f"| {r.db} | {r.app} | {s.ok} | {s.error_count} | {s.rate:.1f} | {s.pct(50):.1f} | {s.pct(99):.1f} |"
            f" {s.pct(50, flow=True):.1f} | {r.rows} / {r.expected_rows} {check} | {share} |"
            f" {1000 * s.server_cpu / max(1, s.ok):.2f} | {1000 * s.client_cpu / max(1, s.ok):.2f} |"
            f" {1000 * s.db_cpu / max(1, s.ok):.2f} | {1000 * s.machine_cpu_per_ok:.2f} | {100 * s.other_cpu_share:.0f}% |"
        )
    if gets:
        lines += [
            "",
            ("| DB | app | GET | requests ok | errors | requests/s | p50 ms | p99 ms | server CPU ms/req |"
            " PostgreSQL CPU ms/req | machine CPU ms/req | other work |"),
            "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for g in gets:
            s = g.stats
            lines.append(
                f"| {g.db} | {g.app} | {g.path} | {s.ok} | {s.error_count} | {s.rate:.1f} |"
                f" {s.pct(50):.1f} | {s.pct(99):.1f} | {1000 * s.server_cpu / max(1, s.ok):.2f} |"
                f" {1000 * s.db_cpu / max(1, s.ok):.2f} | {1000 * s.machine_cpu_per_ok:.2f} | {100 * s.other_cpu_share:.0f}% |"
            )
    noisy = [r.stats for r in signs if r.stats.other_cpu_share > 0.15]
    noisy += [g.stats for g in gets if g.stats.other_cpu_share > 0.15]
    if noisy:
        lines += ["", (f"WARNING: other work took more than 15% of the CPU during {len(noisy)} load(s):"
                      " those figures are low; run again on a quiet machine.")]
    return "\n".join(lines)


def as_json(args, signs, gets) -> dict:
    def stats(s: Stats) -> dict:
        return {
            "ok": s.ok, "errors": s.errors, "elapsed_s": round(s.elapsed, 3), "rate": round(s.rate, 2),
            "p50_ms": round(s.pct(50), 2), "p99_ms": round(s.pct(99), 2),
            "flow_p50_ms": round(s.pct(50, True), 2) if s.flow_latencies else None,
            "server_cpu_s": round(s.server_cpu, 2), "client_cpu_s": round(s.client_cpu, 2),
            "machine_busy": round(s.machine_busy, 3), "machine_cpu_ms_per_ok": round(1000 * s.machine_cpu_per_ok, 2),
            "postgres_cpu_s": round(s.db_cpu, 2), "other_cpu_share": round(s.other_cpu_share, 3), "background_busy": s.background_busy,
        }

    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": args.commit,
        "args": vars(args),
        "sign": [
            {"db": r.db, "app": r.app, "server": r.server, **stats(r.stats), "warmup_ok": r.warmup_ok,
             "rows": r.rows, "expected_rows": r.expected_rows, "extra_rows": r.extra_rows,
             "ceiling_rate": r.ceiling_rate}
            for r in signs
        ],
        "get": [{"db": g.db, "app": g.app, "path": g.path, **stats(g.stats)} for g in gets],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--databases", default="sqlite,postgresql",
                        help="comma-separated: sqlite, postgresql (default: both)")
    parser.add_argument("--signatures", type=int, default=3000, help="max signatures per sign load")
    parser.add_argument("--duration", type=float, default=60.0, help="max seconds per sign load")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads")
    parser.add_argument("--get-requests", type=int, default=3000, help="max requests per GET load")
    parser.add_argument("--get-duration", type=float, default=20.0, help="max seconds per GET load")
    parser.add_argument("--warmup", type=int, default=40, help="signatures before measuring (stored too)")
    # sync x3 was the fastest for Campaign on 2 cores, with the best tail on SQLite (README)
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--access-log", action="store_true", help="gunicorn access log on (as gunicorn.conf.py)")
    parser.add_argument("--quiet-wait", type=float, default=30.0,
                        help="before each load, wait up to this many seconds for the machine to be idle")
    # Every visitor here is 127.0.0.1, which the per-address sign limit would refuse after
    # ten: the core figure runs without limits; bench/sign_limits_bench.py measures them.
    parser.add_argument("--app-spec", default="campaign:create_app(RATELIMIT_ENABLED=False)",
                        help="what gunicorn serves as Campaign (to measure a variant, e.g. a patched factory)")
    parser.add_argument("--pythonpath", help="passed to gunicorn --pythonpath (where --app-spec's module is)")
    parser.add_argument("--skip-ceiling", action="store_true")
    parser.add_argument("--skip-gets", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--keep-workdir", action="store_true", help="keep the temp dir (logs, SQLite files)")
    args = parser.parse_args(argv)
    kinds = [k.strip() for k in args.databases.split(",") if k.strip()]
    for kind in kinds:
        if kind not in ("sqlite", "postgresql"):
            parser.error(f"unknown database kind {kind!r}")
    if not (0 < args.signatures <= 100_000 and 0 < args.duration <= 600 and 0 < args.concurrency <= 64
            and 0 < args.get_requests <= 100_000 and 0 < args.get_duration <= 600):
        parser.error("bounds out of range (at most 100000 requests, 600 s, 64 threads)")

    args.started = f"{datetime.now(UTC):%Y-%m-%d %H:%M}"
    args.commit = git_revision()  # the code the servers load: taken before they start
    log(f"Campaign at commit {args.commit}; {server_label(args)}; {args.concurrency} client threads")
    atexit.register(stop_all_servers)
    signal.signal(signal.SIGTERM, _on_signal)
    workdir = Path(tempfile.mkdtemp(prefix="campaign-bench-"))
    signs: list[SignResult] = []
    gets: list[GetResult] = []
    try:
        for kind in kinds:
            s, g = bench_database(args, kind, workdir)
            signs += s
            gets += g
    finally:
        stop_all_servers()
        if args.keep_workdir:
            log(f"work dir kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    table = markdown(args, signs, gets)
    print("\n" + table)
    if args.json:
        args.json.write_text(json.dumps(as_json(args, signs, gets), indent=2, default=str))
    failed = [r for r in signs if r.stats.error_count or not r.rows_ok]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
