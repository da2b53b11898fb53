"""Commands for exports: a campaign's signer list to standard output or a file, audited."""
from __future__ import annotations

import contextlib
import os
import signal
import sys
import tempfile
import threading
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import BinaryIO

import click
from flask.cli import AppGroup

from campaign import audit, database
from campaign.campaigns import store
from campaign.clock import utcnow
from campaign.counts import constituents
from campaign.delivery import archive, export_log, exports
from campaign.extensions import db
from campaign.plurals import counted

export_cli = AppGroup("export", help="Export signer lists, counts per representative and "
                                     "delivery packets.")


@export_cli.command("signers")
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice(exports.FORMATS), default="csv",
              show_default=True)
@click.option("--confirmed-only", is_flag=True, help="Only signers who confirmed their address.")
@click.option("--contact-only", is_flag=True, help="Only signers who allowed contact.")
@click.option("--bom", is_flag=True, help="Start the CSV with a byte-order mark, for Excel.")
@click.option("--out", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file (readable by you only) instead of standard output.")
def export_signers(slug: str, fmt: str, confirmed_only: bool, contact_only: bool, bom: bool,
                   out: str | None) -> None:
    """Export a campaign's signers; the audit log records it with the row count."""
    campaign_id = _campaign(slug).id
    # A command's transaction holds SQLite's write lock from BEGIN: end it before a long export.
    db.session.close()
    filters = exports.Filters(confirmed_only=confirmed_only, contact_only=contact_only)
    with _audited():
        body = exports.stream(campaign_id, fmt, filters, bom=bom, organizer_id=None, source="cli")
    rows = _write(body, out)
    click.echo(f"Exported {counted(rows, 'row')} of /c/{slug} to {out or 'standard output'}.", err=True)


@export_cli.command("representatives")
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice(exports.FORMATS), default="csv",
              show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, writable=True),
              help="Write to this file instead of standard output.")
def export_representatives(slug: str, fmt: str, out: str | None) -> None:
    """Export the confirmed constituents and outreaches per representative; audited."""
    campaign = _campaign(slug)
    found = constituents.report(campaign.id)
    text = (constituents.report_csv(found) if fmt == "csv"
            else constituents.report_json(found, slug=campaign.slug, generated_at=utcnow()))
    campaign_id, rows = campaign.id, len(found.seats)
    db.session.rollback()  # ends the reads; the audit entry commits in a transaction of its own
    with _audited():  # before the first byte: an export that cannot be audited is not made
        export_log.begin(campaign_id, None, "export.representatives", format=fmt, rows=rows,
                             complete=True, source="cli")
    _write(_whole(text, rows), out)
    click.echo(f"Exported {counted(rows, 'representative')} of /c/{slug} to {out or 'standard output'}.",
               err=True)


@export_cli.command("delivery")
@click.argument("slug")
@click.option("--out", "directory", required=True,
              type=click.Path(file_okay=False, writable=True, path_type=Path),
              help="The folder to write the packets and summary.csv into (made if missing).")
def export_delivery(slug: str, directory: Path) -> None:
    """Write a PDF delivery packet per representative with constituents who signed; audited."""
    campaign_id = _campaign(slug).id
    db.session.rollback()
    # Minutes of reads: SQLite's write lock is taken only for the audit entry.
    reading = database.sqlite_write_intent.set(False)
    try:
        with _audited():
            delivered = archive.write_directory(campaign_id, directory, now=utcnow())
    except OSError as error:
        raise click.ClickException(f"Could not write to {directory}: {error.strerror}") from None
    finally:
        database.sqlite_write_intent.reset(reading)
    for entry in delivered:
        click.echo(f"{entry.file}: {counted(entry.packet.count, 'constituent')}, sha256 {entry.packet.sha256}")
    click.echo(f"Wrote {counted(len(delivered), 'packet')} and {archive.SUMMARY_NAME} "
               f"to {directory}.", err=True)


def _campaign(slug: str):
    campaign = store.get_by_slug(slug)
    if campaign is None:
        raise click.ClickException(f"No campaign {slug!r}.")
    return campaign


@contextlib.contextmanager
def _audited() -> Iterator[None]:
    """Turn an audit entry that could not be written into a message: nothing was exported."""
    try:
        yield
    except audit.AuditUnavailable:
        raise click.ClickException("Could not write the audit log entry, so nothing was "
                                   "exported.") from None


Body = Generator[str, None, int]


def _whole(text: str, rows: int) -> Body:
    """A document made in one piece, as a body _copy() can write."""
    yield text
    return rows


def _write(body: Body, out: str | None) -> int:
    if out is None:
        return _to_stdout(body)
    try:
        return _to_file(body, out)
    except OSError as error:  # no such directory, disk full...: the audit says how far it got
        raise click.ClickException(f"Could not write {out}: {error.strerror}") from None


def _copy(body: Body, handle: BinaryIO) -> int:
    """Write the export as UTF-8 and return its row count; closing it audits a cut-off export."""
    with contextlib.closing(body):
        while True:
            try:
                text = next(body)
            except StopIteration as finished:
                return finished.value
            handle.write(text.encode("utf-8"))


def _to_stdout(body: Body) -> int:
    stdout = sys.stdout.buffer  # bytes: UTF-8 whatever the terminal's encoding
    try:
        rows = _copy(body, stdout)
        stdout.flush()
    except BrokenPipeError:
        # The reader stopped early (`| head`): quietly, without a second error at exit.
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise click.ClickException("The output was closed before the export ended.") from None
    return rows


def _to_file(body: Body, path: str) -> int:
    """Write to a private temporary file beside path, renamed into place once complete.

    However the export ends early (an error, Ctrl-C, kill, the terminal closed), the temporary
    file, which holds signers' data, is removed and whatever was at path stays as it was.
    """
    directory = os.path.dirname(os.path.abspath(path))
    with _signals_interrupt():
        descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".export-", suffix=".part")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                rows = _copy(body, handle)
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
    return rows


ENDING_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


@contextlib.contextmanager
def _signals_interrupt() -> Iterator[None]:
    """SIGTERM and SIGHUP raise SystemExit here, so that finally blocks run as for Ctrl-C."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set handlers; such a caller handles signals itself
        return

    def stop(signum: int, _frame) -> None:
        raise SystemExit(128 + signum)

    previous = {number: signal.signal(number, stop) for number in ENDING_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


COMMANDS = [export_cli]
