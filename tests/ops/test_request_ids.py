"""Request ids: in every answer and on every log line of the request; log lines without personal data."""
from __future__ import annotations

import logging
import re
import secrets

import pytest

from campaign.ops import request_ids
from campaign.ops.security import redact_personal

TOKEN = secrets.token_urlsafe(32)


def test_every_answer_carries_a_fresh_random_id(client, make_campaign):
    slug = make_campaign()
    ids = [client.get(path).headers["X-Request-ID"]
           for path in ["/", f"/c/{slug}", f"/c/{slug}/count.json", "/no-such-page", "/healthz"]]
    assert all(re.fullmatch(r"[0-9a-f]{16}", request_id) for request_id in ids), ids
    assert len(set(ids)) == len(ids)


def test_a_visitor_cannot_choose_the_id(client):
    answer = client.get("/", headers={"X-Request-ID": "chosen-by-visitor-123"})
    assert answer.headers["X-Request-ID"] != "chosen-by-visitor-123"


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("0f8fad5b-d9cb-469f-a165-70867728950e", True),  # a UUID
        ("4f1c9e2a7b3d40f6a8e5c1d2b3a4f5e6", True),  # nginx's $request_id
        ("short", False),
        ("x" * 65, False),
        ("has space in it", False),
        ("tab\tseparated-value", False),
        ("quote\"d-value-here", False),
        ("<script>alert(1)</script>", False),
    ],
)
def test_a_trusted_proxy_id_is_kept_only_when_it_looks_sane(app, client, sent, kept):
    app.config["REQUEST_ID_FROM_PROXY"] = True
    answer = client.get("/", headers={"X-Request-ID": sent})
    assert (answer.headers["X-Request-ID"] == sent) is kept


def test_log_lines_of_a_request_carry_its_id(app, client, capsys):
    logger = logging.getLogger("campaign.test_request_ids")

    def two_lines():
        logger.warning("first step")
        logger.warning("second step")
        return "done"

    app.add_url_rule("/two-lines", "two_lines", two_lines)
    request_id = client.get("/two-lines").headers["X-Request-ID"]
    lines = [line for line in capsys.readouterr().err.splitlines() if "step" in line]
    assert len(lines) == 2
    assert all(f"WARNING [{request_id}] campaign.test_request_ids: " in line for line in lines)
    logger.warning("outside any request")
    assert "WARNING [-] campaign.test_request_ids: outside any request" in capsys.readouterr().err


def test_the_log_handler_is_installed_once_however_many_apps(app):
    request_ids.configure_logging("INFO")
    request_ids.configure_logging("INFO")
    handlers = logging.getLogger("campaign").handlers
    assert sum(isinstance(h, request_ids.StderrHandler) for h in handlers) == 1
    assert not any(type(h) is logging.StreamHandler for h in handlers)  # Flask's default is gone


@pytest.mark.parametrize(
    ("line", "private"),
    [
        (f"GET /c/river/confirm/{TOKEN} HTTP/1.1", TOKEN),
        (f"POST /c/river/remove/{TOKEN}?x=1 HTTP/1.1", TOKEN),
        (f"GET /c/river/some-future-link/{TOKEN} HTTP/1.1", TOKEN),
        (f"GET /c/river?token={TOKEN}&ref=x HTTP/1.1", TOKEN),
        ("GET /organizer/c/river/signers?q=Ada+Lovelace&status=pending HTTP/1.1", "Ada+Lovelace"),
        ("GET /organizer/c/river/signers?name=Lovelace HTTP/1.1", "Lovelace"),
        ("GET /organizer/c/river/signers?q=ada%40example.org HTTP/1.1", "ada%40example.org"),
        ("ValueError: no mail for ada.lovelace+petitions@example.org", "ada.lovelace"),
        ("ValueError: josé@bücher.de was refused", "bücher"),
        ('DETAIL:  Key (campaign_id, email_key)=(1, ada@example.org) already exists.', "ada@"),
        ("DETAIL:  Failing row contains (7, Ada Lovelace, null).", "Lovelace"),
    ],
)
def test_log_lines_lose_tokens_addresses_searches_and_row_values(line, private):
    assert private not in redact_personal(line)


@pytest.mark.parametrize(
    "line",
    [
        "GET /c/keep-the-river-clean-2026/signed HTTP/1.1",
        "GET /c/river?ref=whatsapp&page=2 HTTP/1.1",
        "outbox message 12 (confirm) will be retried: server unavailable (ConnectionRefusedError)",
        "sqlalchemy.exc.OperationalError: (psycopg.OperationalError) connection failed",
        'File "/srv/campaign/.venv/lib/python3.11/site-packages/flask/app.py", line 917',
    ],
)
def test_log_lines_keep_what_is_not_personal(line):
    assert redact_personal(line) == line
