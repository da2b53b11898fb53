"""Export commands cut short: no temporary file and no half file left, and nothing unaudited."""
from __future__ import annotations

import signal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from campaign import audit
from campaign.delivery import exports
from campaign.extensions import db
from campaign.models import AuditEntry
from tests.delivery.test_exports import PEOPLE, add_signers


@pytest.fixture
def folder(tmp_path):
    """An empty folder to export into (tmp_path holds the test's SQLite database)."""
    path = tmp_path / "exports"
    path.mkdir()
    return path


def _entries(app, action: str = "export.signers") -> list[AuditEntry]:
    with app.app_context():
        query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        return list(db.session.scalars(query))


def _raise(error: BaseException):
    def stop():
        raise error

    return stop


def _signal(number: int):
    return lambda: signal.raise_signal(number)


def _cut_after_first_chunk(monkeypatch, stop) -> None:
    """Make every signer export call stop() once its first chunk (personal data) is out."""
    real = exports.chunks

    def cut(*args, **kwargs):
        parts = real(*args, **kwargs)
        yield next(parts)
        stop()
        yield from parts

    monkeypatch.setattr(exports, "chunks", cut)


@pytest.mark.parametrize("stop", [_raise(RuntimeError("disk gone")), _raise(KeyboardInterrupt()),
                                  _signal(signal.SIGTERM), _signal(signal.SIGHUP)],
                         ids=["exception", "ctrl-c", "kill", "terminal-closed"])
def test_an_export_cut_short_leaves_no_part_file_and_no_file(app, runner, make_campaign, folder,
                                                             monkeypatch, stop):
    slug = make_campaign()
    add_signers(app, slug)
    _cut_after_first_chunk(monkeypatch, stop)
    handler = signal.getsignal(signal.SIGTERM)
    out = folder / "signers.csv"
    result = runner.invoke(args=["export", "signers", slug, "--out", str(out)])
    assert result.exit_code != 0
    assert list(folder.iterdir()) == []  # neither signers.csv nor a .part beside it
    (entry,) = _entries(app)
    assert entry.detail["complete"] is False
    assert signal.getsignal(signal.SIGTERM) == handler  # put back once the export ended


def test_an_export_cut_short_keeps_the_earlier_file_as_it_was(app, runner, make_campaign, folder,
                                                              monkeypatch):
    slug = make_campaign()
    add_signers(app, slug)
    out = folder / "signers.csv"
    out.write_text("yesterday's export\n")
    _cut_after_first_chunk(monkeypatch, _raise(KeyboardInterrupt()))
    assert runner.invoke(args=["export", "signers", slug, "--out", str(out)]).exit_code != 0
    assert [p.name for p in folder.iterdir()] == ["signers.csv"]
    assert out.read_text() == "yesterday's export\n"


def _audit_fails(monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise OperationalError("INSERT INTO audit_log", {}, Exception("disk I/O error"))

    monkeypatch.setattr(audit, "record", refuse)


@pytest.mark.parametrize("to_file", [True, False], ids=["file", "stdout"])
def test_no_export_without_its_audit_line(app, runner, make_campaign, folder, monkeypatch,
                                          to_file):
    slug = make_campaign()
    add_signers(app, slug)
    _audit_fails(monkeypatch)
    out = folder / "signers.csv"
    result = runner.invoke(args=["export", "signers", slug]
                           + (["--out", str(out)] if to_file else []))
    assert result.exit_code != 0
    assert "audit" in result.output and "nothing was exported" in result.output
    assert not any(person[1] in result.stdout for person in PEOPLE)
    assert list(folder.iterdir()) == []


def test_no_representatives_export_without_its_audit_line(app, runner, make_campaign, folder,
                                                          monkeypatch):
    slug = make_campaign()
    _audit_fails(monkeypatch)
    out = folder / "representatives.csv"
    result = runner.invoke(args=["export", "representatives", slug, "--out", str(out)])
    assert result.exit_code != 0 and "nothing was exported" in result.output
    assert list(folder.iterdir()) == []


def test_no_delivery_packets_without_their_audit_line(app, runner, make_campaign, folder,
                                                      monkeypatch):
    slug = make_campaign()
    _audit_fails(monkeypatch)
    result = runner.invoke(args=["export", "delivery", slug, "--out", str(folder / "packets")])
    assert result.exit_code != 0 and "nothing was exported" in result.output
    assert list(folder.iterdir()) == []  # not even the folder
