"""The "viral day" surge: anonymous readers and signers at once, through nginx, on PostgreSQL.

Everything runs on this machine and talks over 127.0.0.1 only:

- PostgreSQL (127.0.0.1:5432, user postgres): the database `campaign_surge`, dropped and made
  again at the start (nothing else on the server is touched), schema and sample campaign from
  `flask init-db`;
- Redis (127.0.0.1:6379, db 13, keys under a prefix of the run, deleted at the end) for the
  rate limits, which stay on (raised: every signer here is 127.0.0.1);
- gunicorn with the production `gunicorn.conf.py` (gthread, access log), `--workers`/`--threads`;
- `flask outbox work`, the production outbox worker, sending by SMTP to
- an SMTP sink (tests/smtp_server.py, in a process of its own) that stamps each message's
  arrival and hands the confirmation link to the signer it is for;
- Debian's nginx with the shipped deploy/nginx.conf (tests/nginx_front.py: HTTPS, HTTP/2,
  micro-cache), `--nginx-workers` worker processes;
- readers: h2load (Debian's nghttp2-client, installed with apt-get when missing) at a fixed
  rate (`--rps` per connection), round robin over the campaign page, count.json and the badge,
  asking for gzip as browsers do;
- signers: this process, asyncio with keep-alive HTTP/1.1 over TLS, a new signer every
  1/`--sign-rate` s whatever the earlier ones are doing (open loop): the campaign page, the
  sign POST with its form token, the thank-you page it is sent to; then, once the email is in
  the sink, the confirmation page, its POST, and the confirmed page.

Bounded: the load lasts `--duration` s, signers still waiting for their email get at most
`--email-deadline` s more, and the whole run is stopped after `--timeout` s whatever happens;
every process it started is stopped (by its pid or process group) at the end, on error too.

Run from the project root:  .venv/bin/python bench/surge.py [--rate 3000 --sign-rate 100]
See bench/README.md ("Surge") for what it prints and the last results.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import re
import resource
import secrets
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/surge.py` puts bench/ first, not the project
    sys.path.insert(0, str(ROOT))

VENV_BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
SLUG = "keep-library-grants"  # the sample campaign (campaign/campaigns/sample.py)
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DB = "campaign_surge"
PG_URL = f"postgresql://postgres@127.0.0.1:5432/{PG_DB}"
REDIS_URL = "redis://127.0.0.1:6379/13"
LIMIT = "1000000 per minute"  # every signer is 127.0.0.1: the per-address limits stay on, raised

_FORM_TOKEN = re.compile(rb'name="form_token"[^>]*\bvalue="([^"]+)"|value="([^"]+)"[^>]*name="form_token"')
_CSRF_TOKEN = re.compile(rb'name="csrf_token"[^>]*\bvalue="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
_CONFIRM_PATH = re.compile(r"https?://[^/\s]+(/c/[a-z0-9-]+/confirm/[A-Za-z0-9_-]+)")


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of values, in their unit; nan when empty."""
    if not values:
        return float("nan")
    data = sorted(values)
    return data[min(len(data) - 1, max(0, math.ceil(p / 100 * len(data)) - 1))]


# --------------------------------------------------------------------------- the SMTP sink


def run_sink() -> int:
    """The SMTP sink's process: prints its port, then one line per message it accepts:
    arrival (epoch s), recipients, the confirmation path in the body (or -). Ends when its
    stdin closes (the bench has gone) or on SIGTERM."""
    from tests.smtp_server import SmtpServer

    out_lock = threading.Lock()

    class Sink(SmtpServer):
        def _record(self, command: str = "", message=None) -> None:  # keeps nothing in memory
            if message is None:
                return
            arrived = time.time()
            try:
                body = message.message.get_body(("plain",)).get_content()
                found = _CONFIRM_PATH.search(body)
            except Exception:  # noqa: BLE001 - a message we cannot read is still a delivery
                found = None
            line = f"{arrived:.6f}\t{','.join(message.recipients)}\t{found.group(1) if found else '-'}\n"
            with out_lock:
                sys.stdout.write(line)
                sys.stdout.flush()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    sink = Sink().start()
    print(f"PORT {sink.port}", flush=True)
    try:
        sys.stdin.read()  # until the bench closes our stdin, or dies
    finally:
        sink.stop()
    return 0


# --------------------------------------------------------------------------- processes and CPU


def children_of(pid: int) -> list[int]:
    """pid and its descendants (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += [child for child, parent in parents.items() if parent == current]
    return found


def cpu_of(pids: list[int]) -> float:
    """utime+stime of these processes, in seconds (a process gone counts 0)."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def pids_named(command: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "comm").read_text().strip() == command:
                    pids.append(int(entry.name))
    return pids


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    tick = os.sysconf("SC_CLK_TCK")
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / tick, sum(fields[:8]) / tick


def wait_quiet(max_wait: float, threshold: float = 0.15) -> float:
    """Wait (at most max_wait s) for the machine to be nearly idle; the last busy share."""
    deadline = time.monotonic() + max_wait
    while True:
        b0 = machine_busy()
        time.sleep(1.0)
        b1 = machine_busy()
        busy = (b1[0] - b0[0]) / max(1e-9, b1[1] - b0[1])
        if busy < threshold or time.monotonic() >= deadline:
            return busy


class Processes:
    """What this run started, by kind, for the CPU split and the teardown."""

    def __init__(self) -> None:
        self.roots: dict[str, int] = {}  # kind -> pid of the process (its children count too)

    def snapshot(self) -> dict[str, float]:
        """CPU seconds so far by kind; "machine" is all the busy CPU of the machine."""
        per_pid = all_processes()
        ours: set[int] = {os.getpid()}
        cpu: dict[str, float] = {}
        for kind, pid in self.roots.items():
            pids = children_of(pid)
            ours.update(pids)
            cpu[kind] = sum(per_pid.get(p, 0.0) for p in pids)
        cpu["signers (this process)"] = time.process_time()
        for kind, command in (("postgres", "postgres"), ("redis", "redis-server")):
            pids = pids_named(command)
            ours.update(pids)
            cpu[kind] = sum(per_pid.get(p, 0.0) for p in pids)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu["reaped children"] = children.ru_utime + children.ru_stime  # h2load once it has ended
        cpu["_others"] = {pid: value for pid, value in per_pid.items() if pid not in ours}
        cpu["machine"] = machine_busy()[0]
        return cpu


def all_processes() -> dict[int, float]:
    """utime+stime of every process, by pid."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            found[int(entry.name)] = cpu_of([int(entry.name)])
    return found


def cpu_delta(before: dict, after: dict) -> dict[str, float]:
    """CPU seconds by kind between two snapshots; processes not of this run (a test suite next
    door) as "other processes", counted from their start when they began meanwhile."""
    delta = {kind: after[kind] - before.get(kind, 0.0) for kind in after if not kind.startswith("_")}
    others_before = before.get("_others", {})
    delta["other processes (not this run)"] = sum(
        value - others_before.get(pid, 0.0) for pid, value in after.get("_others", {}).items())
    return delta


def stop_process(proc: subprocess.Popen, *, group: bool = False, wait: float = 20) -> None:
    """SIGTERM (to its process group when it has one of its own), then SIGKILL."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        if group:
            os.killpg(proc.pid, signal.SIGTERM)
        else:
            proc.terminate()
    try:
        proc.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            if group:
                os.killpg(proc.pid, signal.SIGKILL)
            else:
                proc.kill()
        proc.wait(timeout=10)


# --------------------------------------------------------------------------- set-up


def fresh_database() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB}")


def ensure_h2load() -> str:
    found = shutil.which("h2load")
    if found:
        return found
    log("h2load missing: apt-get install nghttp2-client")
    subprocess.run(["apt-get", "install", "-y", "-q", "nghttp2-client"], check=True, timeout=300,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}, stdout=subprocess.DEVNULL)
    found = shutil.which("h2load")
    if not found:
        raise RuntimeError("h2load still missing after installing nghttp2-client")
    return found


def clear_redis(prefix: str) -> None:
    with contextlib.suppress(Exception):
        import redis

        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()


# --------------------------------------------------------------------------- the signers' HTTP


class HttpError(Exception):
    pass


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    cookies: list[str]
    body: bytes


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.last_used = time.monotonic()
        self.usable = True

    def close(self) -> None:
        self.usable = False
        with contextlib.suppress(Exception):
            self.writer.close()


class Pool:
    """Keep-alive HTTP/1.1 connections over TLS to nginx, shared by the signers."""

    def __init__(self, port: int, context: ssl.SSLContext, timeout: float) -> None:
        self.port, self.context, self.timeout = port, context, timeout
        self.idle: list[Connection] = []
        self.opened = 0

    async def _acquire(self) -> tuple[Connection, bool]:
        while self.idle:
            conn = self.idle.pop()
            if conn.usable and time.monotonic() - conn.last_used < 30:  # nginx keeps 75 s
                return conn, True
            conn.close()
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(HOST, self.port, ssl=self.context, server_hostname=HOST), self.timeout)
        self.opened += 1
        return Connection(reader, writer), False

    async def request(self, method: str, path: str, headers: dict[str, str], body: bytes = b"") -> Reply:
        """One request. A GET that fails on a reused connection before its answer is sent once
        more on a new one; a POST never is (it may have been stored)."""
        for attempt in (0, 1):
            conn, reused = await self._acquire()
            try:
                reply = await asyncio.wait_for(self._exchange(conn, method, path, headers, body), self.timeout)
            except (OSError, asyncio.IncompleteReadError, HttpError, ssl.SSLError, TimeoutError) as error:
                conn.close()
                if method == "GET" and reused and attempt == 0 and not isinstance(error, TimeoutError):
                    continue
                raise
            conn.last_used = time.monotonic()
            if conn.usable:
                self.idle.append(conn)
            return reply
        raise AssertionError("unreachable")

    async def _exchange(self, conn: Connection, method: str, path: str, headers: dict[str, str],
                        body: bytes) -> Reply:
        head = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{self.port}", "User-Agent: campaign-surge"]
        head += [f"{name}: {value}" for name, value in headers.items()]
        if body or method == "POST":
            head.append(f"Content-Length: {len(body)}")
        conn.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        raw = await conn.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[1].isdigit():
            raise HttpError(f"bad status line {lines[0]!r}")
        answer_headers: dict[str, str] = {}
        cookies: list[str] = []
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                name, value = name.strip().lower(), value.strip()
                if name == "set-cookie":
                    cookies.append(value.split(";", 1)[0])
                answer_headers[name] = value
        if answer_headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await conn.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                if size == 0:
                    await conn.reader.readuntil(b"\r\n")
                    break
                chunks.append(await conn.reader.readexactly(size))
                await conn.reader.readexactly(2)
            data = b"".join(chunks)
        elif "content-length" in answer_headers:
            data = await conn.reader.readexactly(int(answer_headers["content-length"]))
        else:
            data = await conn.reader.read()
            conn.usable = False
        if answer_headers.get("connection", "").lower() == "close":
            conn.usable = False
        return Reply(int(parts[1]), answer_headers, cookies, data)


# --------------------------------------------------------------------------- the signers


@dataclass
class SignerStats:
    started: int = 0
    signed: int = 0  # 303 to /signed
    confirmed: int = 0  # 303 to /confirmed
    errors: Counter = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)
    page_ms: list[float] = field(default_factory=list)
    post_ms: list[float] = field(default_factory=list)
    flow_ms: list[float] = field(default_factory=list)  # page + POST + thank-you page
    confirm_post_ms: list[float] = field(default_factory=list)
    confirm_flow_ms: list[float] = field(default_factory=list)  # link page + POST + confirmed page
    email_delay_s: list[float] = field(default_factory=list)
    signed_emails: set[str] = field(default_factory=set)
    confirmed_emails: set[str] = field(default_factory=set)
    posted_emails: set[str] = field(default_factory=set)  # every POST sent, whatever its answer
    no_email: int = 0  # signed, no email within the deadline

    def error(self, kind: str, sample: str = "") -> None:
        self.errors[kind] += 1
        if sample and len(self.samples) < 8:
            self.samples.append(f"{kind}: {sample[:240]}")


class Signers:
    def __init__(self, pool: Pool, base_url: str, run_tag: str, email_deadline: float, think: float) -> None:
        self.pool, self.base_url, self.tag = pool, base_url, run_tag
        self.email_deadline, self.think = email_deadline, think
        self.stats = SignerStats()
        self.arrivals: dict[str, tuple[float, str]] = {}  # email -> (arrival epoch s, confirm path)
        self.waiters: dict[str, asyncio.Future] = {}
        self.arrived_total = 0
        self.deliveries: Counter = Counter()  # per recipient: more than 1 is a duplicate
        self.tasks: set[asyncio.Task] = set()

    def email_arrived(self, line: str) -> None:
        try:
            at, recipients, path = line.rstrip("\n").split("\t")
        except ValueError:
            return
        self.arrived_total += 1
        for email in recipients.split(","):
            self.deliveries[email] += 1
            if self.deliveries[email] > 1:
                continue
            self.arrivals[email] = (float(at), path)
            waiter = self.waiters.pop(email, None)
            if waiter is not None and not waiter.done():
                waiter.set_result(self.arrivals[email])

    async def _get(self, path: str, cookie: str, kind: str) -> Reply | None:
        headers = {"Accept": "text/html"}
        if cookie:
            headers["Cookie"] = cookie
        try:
            reply = await self.pool.request("GET", path, headers)
        except Exception as error:  # noqa: BLE001 - every failure is counted by kind
            self.stats.error(f"{kind} exception {type(error).__name__}", repr(error))
            return None
        if reply.status != 200:
            self.stats.error(f"{kind} {reply.status}", reply.body[:200].decode(errors="replace"))
            return None
        return reply

    async def _post(self, path: str, cookie: str, fields: dict[str, str], kind: str,
                    expect: str) -> Reply | None:
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html",
                   "Origin": self.base_url, "Referer": self.base_url + path}
        if cookie:
            headers["Cookie"] = cookie
        try:
            reply = await self.pool.request("POST", path, headers, urlencode(fields).encode())
        except Exception as error:  # noqa: BLE001 - never retried: it may have been stored
            self.stats.error(f"{kind} exception {type(error).__name__}", repr(error))
            return None
        if reply.status != 303 or not reply.headers.get("location", "").endswith(expect):
            self.stats.error(f"{kind} {reply.status}",
                             f"{reply.headers.get('location', '')} {reply.body[:200].decode(errors='replace')}")
            return None
        return reply

    @staticmethod
    def _cookie(jar: dict[str, str], reply: Reply) -> str:
        for cookie in reply.cookies:
            name, _, value = cookie.partition("=")
            jar[name] = value
        return "; ".join(f"{name}={value}" for name, value in jar.items())

    async def signer(self, n: int, *, confirm: bool = True) -> None:
        s = self.stats
        s.started += 1
        email = f"s{self.tag}-{n}@surge.example.com"
        page = f"/c/{SLUG}"
        t0 = time.monotonic()
        reply = await self._get(page, "", "page")
        if reply is None:
            return
        t1 = time.monotonic()
        found = _FORM_TOKEN.search(reply.body)
        if not found:
            s.error("page without form_token")
            return
        fields = {"form_token": (found.group(1) or found.group(2)).decode(), "full_name": f"Surge Signer {n}",
                  "email": email, "postcode": f"{10000 + n % 89999:05d}", "country": "US"}
        s.posted_emails.add(email)
        reply = await self._post(f"{page}/sign", "", fields, "sign POST", f"/c/{SLUG}/signed")
        if reply is None:
            return
        t2, signed_at = time.monotonic(), time.time()
        s.signed += 1
        s.signed_emails.add(email)
        jar: dict[str, str] = {}
        cookie = self._cookie(jar, reply)
        thanks = await self._get(f"/c/{SLUG}/signed", cookie, "thank-you page")
        t3 = time.monotonic()
        s.page_ms.append(1000 * (t1 - t0))
        s.post_ms.append(1000 * (t2 - t1))
        if thanks is None:
            return
        s.flow_ms.append(1000 * (t3 - t0))
        if not confirm:
            return

        if email in self.arrivals:
            arrived_at, link = self.arrivals[email]
        else:
            waiter = self.waiters.setdefault(email, asyncio.get_running_loop().create_future())
            try:
                arrived_at, link = await asyncio.wait_for(waiter, self.email_deadline)
            except TimeoutError:
                self.waiters.pop(email, None)
                s.no_email += 1
                return
        s.email_delay_s.append(arrived_at - signed_at)
        if link == "-":
            s.error("email without confirmation link")
            return
        # People read their mail a while after it comes, not all in the second the worker's
        # batch lands: without this, every batch of a poll becomes a burst of confirmations.
        await asyncio.sleep(random.uniform(0, 2 * self.think))
        c0 = time.monotonic()
        reply = await self._get(link, cookie, "confirm page")
        if reply is None:
            return
        cookie = self._cookie(jar, reply)
        found = _CSRF_TOKEN.search(reply.body)
        if not found:
            s.error("confirm page without csrf_token")
            return
        c1 = time.monotonic()
        reply = await self._post(link, cookie, {"csrf_token": (found.group(1) or found.group(2)).decode()},
                                 "confirm POST", f"/c/{SLUG}/confirmed")
        if reply is None:
            return
        c2 = time.monotonic()
        s.confirmed += 1
        s.confirmed_emails.add(email)
        cookie = self._cookie(jar, reply)
        done = await self._get(f"/c/{SLUG}/confirmed", cookie, "confirmed page")
        if done is None:
            return
        s.confirm_post_ms.append(1000 * (c2 - c1))
        s.confirm_flow_ms.append(1000 * (time.monotonic() - c0))

    def launch(self, n: int, *, confirm: bool = True) -> None:
        task = asyncio.ensure_future(self.signer(n, confirm=confirm))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)


# --------------------------------------------------------------------------- the run


@dataclass
class Readers:
    requests: int = 0
    ok: int = 0
    statuses: Counter = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    summary: dict[str, int] = field(default_factory=dict)  # h2load's own count of failures
    elapsed: float = 0.0
    command: str = ""


def read_h2load_log(path: Path, readers: Readers) -> None:
    with contextlib.suppress(OSError), open(path) as handle:
        for line in handle:
            parts = line.split("\t")
            if len(parts) >= 3:
                readers.requests += 1
                status = int(parts[1])
                readers.statuses[status] += 1
                if status == 200:
                    readers.ok += 1
                readers.latencies_ms.append(int(parts[2]) / 1000)


def parse_h2load_output(text: str, readers: Readers) -> None:
    found = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, "
                      r"(\d+) errored, (\d+) timeout", text)
    if found:
        names = ("total", "started", "done", "succeeded", "failed", "errored", "timeout")
        readers.summary = dict(zip(names, map(int, found.groups()), strict=True))
    found = re.search(r"finished in ([\d.]+)(m?s)", text)
    if found:
        readers.elapsed = float(found.group(1)) / (1000 if found.group(2) == "ms" else 1)


async def surge(args, base_url: str, https_port: int, context: ssl.SSLContext, sink: asyncio.subprocess.Process,
                procs: Processes, workdir: Path, h2load: str) -> dict:
    pool = Pool(https_port, context, timeout=30)
    signers = Signers(pool, base_url, secrets.token_hex(3), args.email_deadline, args.think)

    async def read_sink() -> None:
        while True:
            line = await sink.stdout.readline()
            if not line:
                return
            signers.email_arrived(line.decode())

    sink_reader = asyncio.ensure_future(read_sink())

    # Warm-up: every page once through nginx and a few signatures (their rows are expected too).
    for path in (f"/c/{SLUG}", f"/c/{SLUG}/count.json", f"/c/{SLUG}/badge.svg"):
        await pool.request("GET", path, {"Accept-Encoding": "gzip"})
    for n in range(args.warmup):
        await signers.signer(-1 - n, confirm=False)
    warm = signers.stats
    warmup_ok, warm_errors = warm.signed, dict(warm.errors)
    if warm.errors:
        log(f"warm-up errors: {dict(warm.errors)} {warm.samples[:3]}")
    signers.stats = SignerStats()
    signed_before = set(warm.signed_emails)
    posted_before = set(warm.posted_emails)

    busy_before = await asyncio.to_thread(wait_quiet, args.quiet_wait) if args.quiet_wait else None
    if busy_before is not None:
        log(f"machine busy before the load: {100 * busy_before:.0f}%")

    # Readers: h2load at a fixed rate, from now for the duration.
    per_client = args.rate / args.reader_connections
    uris = [f"{base_url}/c/{SLUG}", f"{base_url}/c/{SLUG}/count.json", f"{base_url}/c/{SLUG}/badge.svg"]
    h2_log = workdir / "h2load.log"
    command = [h2load, "-c", str(args.reader_connections), "-t", str(args.reader_threads),
               "-m", str(args.streams), "--rps", f"{per_client:g}", "-D", str(int(args.duration)),
               "--log-file", str(h2_log), "-H", "user-agent: Mozilla/5.0 (surge reader)",
               "-H", "accept: text/html,application/json,image/svg+xml,*/*"]
    if args.gzip:
        command += ["-H", "accept-encoding: gzip, deflate"]
    if args.h1:
        command.append("--h1")
    command += uris
    readers = Readers(command=" ".join(Path(c).name if c == h2load else c for c in command))
    cpu0 = procs.snapshot()
    wall0 = time.monotonic()
    reader_proc = None
    if args.rate > 0:
        reader_proc = start_logged(command, workdir / "h2load.out")

    # Signers: one every 1/sign_rate s (open loop), for the duration.
    profiler = None
    try:
        interval = 1 / args.sign_rate if args.sign_rate > 0 else None
        n = 0
        next_progress = wall0 + 10
        while interval is not None:
            due = wall0 + n * interval
            now = time.monotonic()
            if due >= wall0 + args.duration:
                break
            if due > now:
                await asyncio.sleep(due - now)
            signers.launch(n)
            n += 1
            if now >= next_progress:
                next_progress += 10
                s = signers.stats
                log(f"  {now - wall0:5.0f} s: {s.started} signers started, {s.signed} signed, "
                    f"{len(s.email_delay_s)} emails in, {s.confirmed} confirmed, {sum(s.errors.values())} errors, "
                    f"{len(signers.tasks)} in flight")
            if profiler is None and args.profile and now - wall0 >= args.duration / 3:
                profiler = start_profiler(args, procs, workdir)
        if interval is None:
            await asyncio.sleep(args.duration)
        sign_window = time.monotonic() - wall0
        if reader_proc is not None:
            await asyncio.to_thread(reader_proc.wait, args.duration + 60)
        cpu1 = procs.snapshot()
        cpu = cpu_delta(cpu0, cpu1)
        cpu["h2load (readers)"] = cpu.pop("reaped children")
        load_window = time.monotonic() - wall0
        signed_in_window = signers.stats.signed
        log(f"load over after {load_window:.1f} s; waiting for the signers still at work "
            f"({len(signers.tasks)}: their emails, at most {args.email_deadline:.0f} s)")
        drain_deadline = time.monotonic() + args.email_deadline + 2 * args.think + 40
        while signers.tasks and time.monotonic() < drain_deadline:
            await asyncio.sleep(0.5)
        for task in list(signers.tasks):
            task.cancel()
        for _ in list(signers.tasks):
            signers.stats.error("cancelled at the end")
    finally:
        if reader_proc is not None:
            stop_process(reader_proc, wait=5)
        if profiler is not None:
            for proc in profiler:
                stop_process(proc, wait=30)
    await asyncio.sleep(2)  # emails still on their way to the sink
    sink_reader.cancel()

    if reader_proc is not None:
        parse_h2load_output((workdir / "h2load.out").read_text(errors="replace"), readers)
        read_h2load_log(h2_log, readers)
    s = signers.stats
    return {
        "signers": s, "readers": readers, "warmup_ok": warmup_ok, "warm_errors": warm_errors,
        "signed_before": signed_before, "posted_before": posted_before,
        "cpu": cpu,
        "load_window": load_window, "sign_window": sign_window, "signed_in_window": signed_in_window,
        "busy_before": busy_before, "arrived_total": signers.arrived_total,
        "duplicates": sum(1 for count in signers.deliveries.values() if count > 1),
        "connections_opened": pool.opened,
    }


def start_logged(command: list[str], log_path: Path, **options) -> subprocess.Popen:
    """A process whose output goes to log_path."""
    with open(log_path, "wb") as out:  # the child keeps its own copy
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, **options)


def start_profiler(args, procs: Processes, workdir: Path) -> list[subprocess.Popen]:
    """py-spy on every gunicorn worker (and the outbox worker) for --profile seconds, sampling
    the thread that holds the GIL: Python's CPU, not time spent waiting (for the database)."""
    spy = shutil.which("py-spy") or str(VENV_BIN / "py-spy")
    if not Path(spy).exists():
        log("py-spy not installed (.venv/bin/pip install py-spy): no profile")
        return []
    started = []
    master = procs.roots["gunicorn"]
    targets = [(f"worker-{pid}", pid) for pid in children_of(master) if pid != master]
    targets.append(("outbox", procs.roots["outbox worker"]))
    for name, pid in targets:
        out = workdir / f"profile-{name}.txt"
        started.append(subprocess.Popen(
            [spy, "record", "--pid", str(pid), "--duration", str(int(args.profile)), "--rate", "50",
             "--format", "raw", "--output", str(out), "--nonblocking", "--gil"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    log(f"py-spy recording {len(started)} processes for {args.profile:.0f} s into {workdir}")
    return started


_FRAME = re.compile(r"^(?P<function>.*) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")


def _package(path: str) -> str:
    """The library a frame's file belongs to (py-spy names files from their import root):
    the app's module (campaign/...), a package's name, a template, or a stdlib module."""
    if path.startswith("campaign/"):
        return path
    if path.endswith(".html"):
        return "templates (jinja2)"
    if "/" in path and not path.startswith("<"):
        return path.split("/", 1)[0]
    return "stdlib:" + path


def summarize_profiles(paths: list[Path], top: int = 25) -> str:
    """py-spy's collapsed stacks (--format raw) of the workers, summed: where the CPU went, by
    the library running (self) and by the app's functions on the stack (inclusive)."""
    total = 0
    by_package: Counter = Counter()
    inclusive: Counter = Counter()
    for path in paths:
        with contextlib.suppress(OSError), open(path) as handle:
            for line in handle:
                stack, _, count_text = line.rstrip("\n").rpartition(" ")
                if not count_text.isdigit():
                    continue
                count = int(count_text)
                frames = [_FRAME.match(f) for f in stack.split(";")]
                frames = [f for f in frames if f]
                if not frames:
                    continue
                total += count
                leaf = frames[-1]
                package = _package(leaf["file"])
                by_package[package.split("/", 1)[0] if not package.startswith("campaign/") else "campaign"] += count
                seen = set()
                for frame in frames:
                    package = _package(frame["file"])
                    if package.startswith("campaign/") or frame["function"] in _LANDMARKS:
                        key = f"{package}:{frame['function']}"
                    else:
                        continue
                    if key not in seen:
                        seen.add(key)
                        inclusive[key] += count
    if not total:
        return "no profile samples"
    lines = [f"{total} samples (py-spy --gil, 50 a second: the thread holding the GIL)", "",
             "| running (leaf frame's library) | share |", "|---|---:|"]
    lines += [f"| {name} | {100 * n / total:.1f}% |" for name, n in by_package.most_common(12)]
    lines += ["", "| on the stack (inclusive) | share |", "|---|---:|"]
    lines += [f"| {name} | {100 * n / total:.1f}% |" for name, n in inclusive.most_common(top)]
    return "\n".join(lines)


# Library functions worth seeing inclusively next to the app's own.
_LANDMARKS = {"render_template", "validate_on_submit", "execute", "commit", "hit", "_send_request",
              "dispatch_request", "full_dispatch_request", "handle_request", "handle", "get_content",
              "save_session", "open_session", "protect", "validate_csrf", "generate_csrf", "__call__"}


def count_rows() -> dict:
    import psycopg

    with psycopg.connect(PG_URL) as conn:
        rows = conn.execute("SELECT lower(email), status FROM signatures").fetchall()
        outbox = dict(conn.execute("SELECT status, count(*) FROM outbox_messages GROUP BY status").fetchall())
        tokens = conn.execute("SELECT count(*) FROM confirmation_tokens").fetchone()[0]
    return {"signatures": {email: status for email, status in rows}, "outbox": outbox, "tokens": tokens}


# --------------------------------------------------------------------------- report


def report(args, result: dict, rows: dict, started: str) -> tuple[str, dict, bool]:
    s: SignerStats = result["signers"]
    r: Readers = result["readers"]
    window = result["load_window"]
    stored = rows["signatures"]
    expected = s.signed_emails | result["signed_before"]
    lost = sorted(e for e in expected if e not in stored)
    confirmed_lost = sorted(e for e in s.confirmed_emails if stored.get(e) != "confirmed")
    unanswered_stored = sorted(e for e in (s.posted_emails | result["posted_before"]) - expected if e in stored)
    extra_rows = len(stored) - len(expected) - len(unanswered_stored)
    reads_s = r.ok / window if window else 0.0
    signs_s = result["signed_in_window"] / result["sign_window"] if result["sign_window"] else 0.0
    delays = s.email_delay_s
    late = sum(1 for d in delays if d > args.email_deadline) + s.no_email
    reader_errors = (r.requests - r.ok) + r.summary.get("failed", 0) + r.summary.get("errored", 0) \
        + r.summary.get("timeout", 0) if r.command and args.rate else 0
    missing_reads = max(0, r.summary.get("total", 0) - r.summary.get("done", 0))
    signer_errors = sum(s.errors.values())
    cpu = result["cpu"]
    machine = cpu.get("machine", 0.0)
    named = sum(v for k, v in cpu.items() if k != "machine")
    cores = os.cpu_count() or 1
    aim = {
        "reads/s": reads_s >= 0.98 * args.rate,
        "signatures/s": signs_s >= 0.98 * args.sign_rate,
        "0 errors": reader_errors == 0 and signer_errors == 0,
        "0 lost": not lost and not confirmed_lost,
        "p99 < 1 s": all(pct(v, 99) < 1000 for v in (r.latencies_ms, s.post_ms, s.flow_ms) if v),
        "emails within 60 s": late == 0 and (not delays or max(delays) <= 60),
    }
    met = all(aim.values())

    def ms(values: list[float], p: float) -> str:
        return f"{pct(values, p):.0f}" if values else "-"

    lines = [
        f"Run {started} UTC, {cores} cores, gunicorn {args.workers} x {args.threads} gthread "
        f"(gunicorn.conf.py), nginx {args.nginx_workers} worker(s), readers {args.rate:g}/s over "
        f"{args.reader_connections} {'HTTP/1.1' if args.h1 else 'HTTP/2'} connections"
        f"{' asking for gzip' if args.gzip else ''}, signers {args.sign_rate:g}/s (confirming 0-{2 * args.think:g} s"
        f" after their email), {args.duration:g} s"
        + (f"; machine busy before: {100 * result['busy_before']:.0f}%" if result["busy_before"] is not None else "")
        + ".",
        "",
        "| load | asked /s | done /s | p50 ms | p99 ms | max ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
        (f"| reads (page, count.json, badge) | {args.rate:g} | {reads_s:.0f} | {ms(r.latencies_ms, 50)} |"
        f" {ms(r.latencies_ms, 99)} | {ms(r.latencies_ms, 100)} | {reader_errors} |"),
        (f"| sign: page GET | {args.sign_rate:g} | | {ms(s.page_ms, 50)} | {ms(s.page_ms, 99)} |"
        f" {ms(s.page_ms, 100)} | |"),
        (f"| sign: POST | {args.sign_rate:g} | {signs_s:.1f} | {ms(s.post_ms, 50)} | {ms(s.post_ms, 99)} |"
        f" {ms(s.post_ms, 100)} | {signer_errors} |"),
        (f"| sign flow: page + POST + thank-you page | | | {ms(s.flow_ms, 50)} | {ms(s.flow_ms, 99)} |"
        f" {ms(s.flow_ms, 100)} | |"),
        (f"| confirm: POST | | | {ms(s.confirm_post_ms, 50)} | {ms(s.confirm_post_ms, 99)} |"
        f" {ms(s.confirm_post_ms, 100)} | |"),
        (f"| confirm flow: link page + POST + confirmed page | | | {ms(s.confirm_flow_ms, 50)} |"
        f" {ms(s.confirm_flow_ms, 99)} | {ms(s.confirm_flow_ms, 100)} | |"),
        "",
        f"- reads: {r.requests} answered ({dict(sorted(r.statuses.items()))}); h2load: {r.summary or 'no summary'}"
        + (f"; {missing_reads} never done" if missing_reads else ""),
        (f"- signers: {s.started} started, {s.signed} signed (303), {s.confirmed} confirmed (303);"
        f" errors: {dict(s.errors) or 'none'}"),
        (f"- email from the sign answer to the sink: {len(delays)} arrived, p50 {pct(delays, 50):.1f} s,"
        f" p99 {pct(delays, 99):.1f} s, max {max(delays) if delays else float('nan'):.1f} s;"
        f" not within {args.email_deadline:g} s: {late}; duplicates: {result['duplicates']};"
        f" messages at the sink in all: {result['arrived_total']}"),
        (f"- rows: {len(stored)} signatures stored for {len(expected)} sign answers (303, warm-up"
        f" {result['warmup_ok']} included): {len(lost)} lost; {len(s.confirmed_emails)} confirmations answered,"
        f" {len(s.confirmed_emails) - len(confirmed_lost)} confirmed rows for them, {len(confirmed_lost)} lost;"
        f" stored without a 303 (a POST that failed): {len(unanswered_stored)}; other rows: {extra_rows};"
        f" outbox {rows['outbox']}, confirmation tokens {rows['tokens']}"),
        "",
        "| CPU during the load | seconds | share of the machine's busy time | cores |",
        "|---|---:|---:|---:|",
    ]
    for kind, value in sorted(cpu.items(), key=lambda item: -item[1]):
        if kind != "machine":
            lines.append(f"| {kind} | {value:.1f} | {100 * value / max(machine, 1e-9):.0f}% | {value / window:.2f} |")
    lines.append(f"| other (kernel, softirq, anything else) | {max(0.0, machine - named):.1f} |"
                 f" {100 * max(0.0, machine - named) / max(machine, 1e-9):.0f}% | {max(0.0, machine - named) / window:.2f} |")
    lines.append(f"| **machine** | {machine:.1f} | {100 * machine / (cores * window):.0f}% of {cores} cores"
                 f" over {window:.0f} s | {machine / window:.2f} |")
    lines += ["", "Aim (" + ", ".join(f"{k}: {'yes' if v else 'NO'}" for k, v in aim.items()) + "): "
              + ("**met**" if met else "**not met**")]
    for sample in s.samples:
        lines.append(f"- error sample: {sample}")
    data = {
        "started": started, "args": {k: v for k, v in vars(args).items() if k != "func"},
        "reads_per_s": reads_s, "reads": {"requests": r.requests, "ok": r.ok, "statuses": dict(r.statuses),
                                          "p50_ms": pct(r.latencies_ms, 50), "p99_ms": pct(r.latencies_ms, 99),
                                          "h2load": r.summary, "command": r.command},
        "signatures_per_s": signs_s, "signers": {
            "started": s.started, "signed": s.signed, "confirmed": s.confirmed, "errors": dict(s.errors),
            "post_p50_ms": pct(s.post_ms, 50), "post_p99_ms": pct(s.post_ms, 99),
            "flow_p50_ms": pct(s.flow_ms, 50), "flow_p99_ms": pct(s.flow_ms, 99),
            "confirm_post_p99_ms": pct(s.confirm_post_ms, 99),
            "email_delay_s": {"p50": pct(delays, 50), "p99": pct(delays, 99), "max": max(delays, default=None),
                              "late": late}},
        "rows": {"stored": len(stored), "expected": len(expected), "lost": len(lost),
                 "confirmed_lost": len(confirmed_lost), "outbox": rows["outbox"]},
        "cpu_s": cpu, "window_s": window, "aim": aim, "met": met,
    }
    return "\n".join(lines), data, met


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=3000, help="reads per second (h2load), 0 for none")
    parser.add_argument("--sign-rate", type=float, default=100, help="new signers per second, 0 for none")
    parser.add_argument("--duration", type=float, default=120, help="seconds of load")
    parser.add_argument("--workers", type=int, default=5, help="gunicorn workers (production: 2 x cores + 1)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (production: 4)")
    parser.add_argument("--nginx-workers", default="auto", help="nginx worker_processes (Debian's default: auto)")
    parser.add_argument("--reader-connections", type=int, default=30, help="h2load connections (clients)")
    parser.add_argument("--reader-threads", type=int, default=1, help="h2load threads")
    parser.add_argument("--streams", type=int, default=8, help="h2load concurrent streams per connection")
    parser.add_argument("--h1", action="store_true", help="readers over HTTP/1.1 instead of HTTP/2")
    parser.add_argument("--no-gzip", dest="gzip", action="store_false", help="readers do not ask for gzip")
    parser.add_argument("--email-deadline", type=float, default=60, help="seconds an email may take")
    parser.add_argument("--think", type=float, default=10,
                        help="mean seconds between an email's arrival and its confirmation (uniform, 0 to twice this)")
    parser.add_argument("--outbox-poll", type=float, default=5, help="OUTBOX_POLL_SECONDS (production: 5)")
    parser.add_argument("--warmup", type=int, default=10, help="signatures before the load (stored too)")
    parser.add_argument("--quiet-wait", type=float, default=180, help="wait up to this long for an idle machine")
    parser.add_argument("--profile", type=float, default=0,
                        help="record py-spy on the gunicorn and outbox workers for this many seconds, from a"
                             " third into the load")
    parser.add_argument("--timeout", type=float, help="hard limit on the whole run, s (default: duration + 400)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--keep-workdir", action="store_true", help="keep logs and profiles")
    parser.add_argument("--smtp-sink", action="store_true", help=argparse.SUPPRESS)  # the sink's process
    args = parser.parse_args(argv)
    if args.smtp_sink:
        return run_sink()
    if not (0 <= args.rate <= 50_000 and 0 <= args.sign_rate <= 1000 and 0 < args.duration <= 900
            and 1 <= args.workers <= 32 and 1 <= args.threads <= 64 and args.reader_connections >= 1):
        parser.error("out of range: rate <= 50000, sign-rate <= 1000, duration <= 900 s, workers <= 32")
    args.timeout = args.timeout or args.duration + 2 * args.think + 400

    def on_signal(signum, frame):
        raise SystemExit(f"stopped by signal {signum} (--timeout is {args.timeout:.0f} s)")

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGALRM, on_signal)
    signal.alarm(int(args.timeout))
    started = f"{datetime.now(UTC):%Y-%m-%d %H:%M}"
    workdir = Path(tempfile.mkdtemp(prefix="campaign-surge-"))
    met = False
    with contextlib.ExitStack() as stack:
        stack.callback(signal.alarm, 0)
        if not args.keep_workdir:
            stack.callback(shutil.rmtree, workdir, True)
        else:
            stack.callback(log, f"work dir kept: {workdir}")
        met = _run(args, stack, workdir, started)
    return 0 if met else 1


def _run(args, stack: contextlib.ExitStack, workdir: Path, started: str) -> bool:
    from tests import nginx_front
    from tests.live_app import LiveApp, production_env
    from tests.nginx_front import NginxFront, free_port

    h2load = ensure_h2load() if args.rate > 0 else ""
    procs = Processes()
    services = stack.enter_context(contextlib.ExitStack())  # closed before the rows are counted
    log(f"fresh database {PG_DB}")
    fresh_database()

    with open(workdir / "sink.log", "wb") as sink_log:
        sink = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--smtp-sink"], cwd=ROOT,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=sink_log)
    services.callback(stop_process, sink, wait=10)
    first = sink.stdout.readline().decode()
    if not first.startswith("PORT "):
        raise RuntimeError(f"the SMTP sink did not start: {first!r} {(workdir / 'sink.log').read_text()}")
    smtp_port = int(first.split()[1])
    procs.roots["smtp sink"] = sink.pid

    https_port = free_port()
    base_url = f"https://{HOST}:{https_port}"
    prefix = f"surge-{secrets.token_hex(4)}"
    services.callback(clear_redis, prefix)
    env = production_env(workdir, DATABASE_URL=f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_DB}", BASE_URL=base_url, SECRET_KEY="surge-bench", SESSION_COOKIE_SECURE="1", AUTO_UPGRADE="0", LOAD_SAMPLE="0", OUTBOX_EMBEDDED_WORKER="0", OUTBOX_POLL_SECONDS=f"{args.outbox_poll:g}", PROXY_FIX_HOPS="1", MAIL_BACKEND="smtp", SMTP_HOST=HOST, SMTP_PORT=str(smtp_port), SMTP_TLS="none", REDIS_URL=REDIS_URL, RATELIMIT_KEY_PREFIX=prefix, SIGN_RATE_LIMIT=LIMIT, CONFIRM_RATE_LIMIT=LIMIT, EMAIL_REQUEST_RATE_LIMIT=LIMIT, OUTREACH_RATE_LIMIT=LIMIT, PYTHONDONTWRITEBYTECODE="1", GUNICORN_CMD_ARGS=f"--threads {args.threads}")
    flask = [str(VENV_BIN / "flask"), "--app", "campaign"]
    done = subprocess.run([*flask, "init-db"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180,
                          check=False)
    if done.returncode != 0 or SLUG not in done.stdout:
        raise RuntimeError(f"init-db failed:\n{done.stdout}\n{done.stderr}")

    log(f"gunicorn: {args.workers} workers x {args.threads} threads (gunicorn.conf.py)")
    app = LiveApp(env, workdir / "gunicorn.log", workers=args.workers)
    services.callback(app.stop)
    app.start(timeout=120)
    procs.roots["gunicorn"] = app.proc.pid

    outbox = start_logged([*flask, "outbox", "work"], workdir / "outbox.log", cwd=ROOT, env=env,
                          start_new_session=True)
    services.callback(stop_process, outbox, group=True)
    procs.roots["outbox worker"] = outbox.pid

    original = nginx_front._main_config
    nginx_front._main_config = lambda directory, server_file: original(directory, server_file).replace(
        "worker_processes 1;", f"worker_processes {args.nginx_workers};")
    try:
        nginx = NginxFront(workdir / "nginx", [app.port], https_port=https_port)
        services.callback(nginx.stop)
        nginx.start()
    finally:
        nginx_front._main_config = original
    procs.roots["nginx"] = nginx.proc.pid
    log(f"nginx on {base_url}, SMTP sink on port {smtp_port}")
    context = ssl.create_default_context(cafile=str(nginx.certificates.ca_file))

    async def go() -> dict:
        reader = asyncio.StreamReader(limit=1 << 20)
        loop = asyncio.get_running_loop()
        transport, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sink.stdout)
        shim = type("Sink", (), {"stdout": reader})()
        try:
            return await surge(args, base_url, https_port, context, shim, procs, workdir, h2load)
        finally:
            transport.close()

    log(f"load: {args.rate:g} reads/s and {args.sign_rate:g} signers/s for {args.duration:g} s")
    result = asyncio.run(go())
    outbox_left = _wait_outbox_empty(10)
    services.close()  # everything stopped before the rows are counted
    rows = count_rows()
    text, data, met = report(args, result, rows, started)
    if outbox_left:
        text += f"\n- outbox: {outbox_left} messages still pending at the end"
    print("\n" + text, flush=True)
    profiles = sorted(workdir.glob("profile-worker-*.txt"))
    if profiles:
        print("\nProfile of the gunicorn workers:\n" + summarize_profiles(profiles), flush=True)
        outbox_profile = workdir / "profile-outbox.txt"
        if outbox_profile.exists():
            print("\nProfile of the outbox worker:\n" + summarize_profiles([outbox_profile], top=12), flush=True)
    if args.keep_workdir:
        log(f"logs: {workdir}")
    if args.json:
        args.json.write_text(json.dumps(data, indent=2, default=str))
    return met


def _wait_outbox_empty(seconds: float) -> int:
    import psycopg

    deadline = time.monotonic() + seconds
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        while True:
            left = conn.execute("SELECT count(*) FROM outbox_messages WHERE status = 'pending'").fetchone()[0]
            if not left or time.monotonic() > deadline:
                return left
            time.sleep(0.5)


if __name__ == "__main__":
    sys.exit(main())
