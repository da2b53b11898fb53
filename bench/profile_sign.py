#!/usr/bin/env python3
"""Where one signature's server time goes: cProfile of the GET and the POST, in one process.

Builds the app as gunicorn would (production config, fresh database, sample campaign),
then drives it in-process with Flask's test client: each signature is a fresh visitor
who GETs /c/keep-library-grants and POSTs the form with its form token. The GETs and
the POSTs are profiled separately (the test client's own work is profiled too, but it is
small next to the app's: compare the totals with the per-request server CPU that
sign_load.py reports).

    .venv/bin/python bench/profile_sign.py                   # SQLite, 300 signatures
    .venv/bin/python bench/profile_sign.py --db postgresql   # drops/creates campaign_bench
    .venv/bin/python bench/profile_sign.py --dump /tmp/prof   # also write .pstats files
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

SLUG = "keep-library-grants"
_FORM_TOKEN = re.compile(r'<input[^>]*\bname="form_token"[^>]*\bvalue="([^"]*)"')


def by_package(prof: cProfile.Profile) -> list[tuple[str, float]]:
    """Own time (tottime) summed per top-level package: which library the CPU goes to."""
    totals: dict[str, float] = {}
    for (filename, _line, func), (_cc, _nc, tottime, _ct, _callers) in pstats.Stats(prof).stats.items():
        if "site-packages/" in filename:
            name = filename.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
        elif str(ROOT / "campaign") in filename:
            name = "campaign (the app)"
        elif filename.endswith(".html") or "templates" in filename:
            name = "templates (compiled Jinja)"
        elif filename == "~":
            name = f"builtins ({func[:40]})" if "method" in func else "builtins"
            name = "builtins/C methods"
        else:
            name = "stdlib: " + Path(filename).stem
        totals[name] = totals.get(name, 0.0) + tottime
    return sorted(totals.items(), key=lambda item: -item[1])


def components(app, n0: int) -> None:
    """Statements per request, and the cost of the parts that stand out, without profiler."""
    import timeit

    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from campaign.campaigns import store
    from campaign.public import forms, pages
    from campaign.signing import signer_input

    statements: list[str] = []

    def count(conn, cursor, statement, *rest):
        statements.append(statement.split(None, 1)[0].upper())

    event.listen(Engine, "before_cursor_execute", count)
    try:
        client = app.test_client()
        page = client.get(f"/c/{SLUG}")
        get_statements = list(statements)
        statements.clear()
        token = _FORM_TOKEN.search(page.get_data(as_text=True)).group(1)
        client.post(f"/c/{SLUG}/sign", data={
            "form_token": token, "full_name": "Component Signer", "email": f"component-{n0}@bench.example.com",
            "postcode": "12345", "country": "US"})
        post_statements = list(statements)
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    print(f"SQL statements (through SQLAlchemy; BEGIN/COMMIT and pool pre-ping not all counted):"
          f" GET {len(get_statements)} {get_statements}, POST {len(post_statements)} {post_statements}")

    def each(fn, number: int = 200) -> float:
        fn()
        return 1000 * timeit.timeit(fn, number=number) / number

    with app.test_request_context(f"/c/{SLUG}"):
        campaign = store.get_public(SLUG)
        form = forms.sign_form(campaign)
        rows = [
            ("store.get_public(slug) (one SELECT)", each(lambda: store.get_public(SLUG))),
            ("SignForm() construction", each(lambda: forms.sign_form(campaign))),
            (f"form.country() alone ({len(form.country.choices)} <option>s)", each(lambda: form.country())),
            ("_render_campaign() whole page (template + cached tallies)",
             each(lambda: pages._render_campaign(campaign, forms.sign_form(campaign)))),
            ("signer_input.clean_email", each(lambda: signer_input.clean_email("a.b@bench.example.com"))),
        ]
    print("Parts, in a request context, ms each:")
    for label, ms in rows:
        print(f"  {ms:8.3f}  {label}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--signatures", type=int, default=300)
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--dump", type=Path, help="directory for get.pstats and post.pstats")
    args = parser.parse_args()
    if not 0 < args.signatures <= 5000:
        parser.error("--signatures must be 1..5000")

    workdir = Path(tempfile.mkdtemp(prefix="campaign-profile-"))
    try:
        import sign_load

        db = sign_load.fresh_database(args.db, workdir, "campaign")
        os.environ.update(
            CAMPAIGN_ENV="production", SECRET_KEY="bench", BASE_URL="http://127.0.0.1:8000",
            DATABASE_URL=db.url, MAIL_BACKEND="file", MAIL_FILE_DIR=str(workdir / "mail"),
            OUTBOX_EMBEDDED_WORKER="0", LOAD_SAMPLE="1", SESSION_COOKIE_SECURE="0",
        )
        from campaign import create_app

        app = create_app(RATELIMIT_ENABLED=False)  # one client address: see sign_load.py
        get_prof, post_prof = cProfile.Profile(), cProfile.Profile()
        timings = {"GET": 0.0, "POST": 0.0}

        def one(n: int, profile: bool) -> None:
            client = app.test_client()  # a fresh visitor: no cookies
            t0 = time.perf_counter()
            if profile:
                get_prof.enable()
            page = client.get(f"/c/{SLUG}")
            if profile:
                get_prof.disable()
            t1 = time.perf_counter()
            assert page.status_code == 200, page.status_code
            token = _FORM_TOKEN.search(page.get_data(as_text=True)).group(1)
            data = {"form_token": token, "full_name": f"Profile Signer {n}",
                    "email": f"profile-{n}@bench.example.com", "postcode": f"{10000 + n:05d}",
                    "country": "US"}
            t2 = time.perf_counter()
            if profile:
                post_prof.enable()
            reply = client.post(f"/c/{SLUG}/sign", data=data)
            if profile:
                post_prof.disable()
            t3 = time.perf_counter()
            assert reply.status_code == 303, (reply.status_code, reply.get_data(as_text=True)[:500])
            timings["GET"] += t1 - t0
            timings["POST"] += t3 - t2

        for n in range(30):  # warm-up: templates compiled, caches filled, pool opened
            one(n, profile=False)
        timings.update(GET=0.0, POST=0.0)
        # Unprofiled timing first (cProfile slows calls down a lot)
        t0 = time.perf_counter()
        for n in range(30, 30 + args.signatures):
            one(n, profile=False)
        plain = (time.perf_counter() - t0) / args.signatures
        plain_get, plain_post = timings["GET"] / args.signatures, timings["POST"] / args.signatures
        timings.update(GET=0.0, POST=0.0)
        for n in range(30 + args.signatures, 30 + 2 * args.signatures):
            one(n, profile=True)

        print(f"{args.db}: {1000 * plain:.2f} ms per signature without profiler (test client, one thread):"
              f" GET {1000 * plain_get:.2f} ms, POST {1000 * plain_post:.2f} ms")
        components(app, 30 + 2 * args.signatures)
        for name, prof in (("GET /c/<slug>", get_prof), ("POST /c/<slug>/sign", post_prof)):
            key = name.split()[0]
            print(f"\n===== {name}: {1000 * timings[key] / args.signatures:.2f} ms each under cProfile")
            packages = by_package(prof)
            whole = sum(t for _, t in packages) or 1.0
            print("--- own time by package (share of this request's profiled time)")
            for name, seconds in packages[:14]:
                print(f"  {100 * seconds / whole:5.1f}%  {name}")
            for sort in ("cumulative", "tottime"):
                out = io.StringIO()
                stats = pstats.Stats(prof, stream=out).strip_dirs().sort_stats(sort)
                stats.print_stats(args.top)
                print(f"--- by {sort}")
                print(out.getvalue().split("\n", 6)[-1])
            if args.dump:
                args.dump.mkdir(parents=True, exist_ok=True)
                prof.dump_stats(args.dump / f"{key.lower()}-{args.db}.pstats")
        from campaign.extensions import db as sqla

        with app.app_context():
            sqla.session.remove()
            sqla.engine.dispose()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
