"""Commands for exports: a campaign's signer list to standard output or a file, audited."""
from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Generator
from typing import BinaryIO

import click
from flask.cli import AppGroup

from .. import campaigns, exports
from ..extensions import db

export_cli = AppGroup("export", help="Export signer lists as CSV or JSON.")


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
    campaign = campaigns.get_by_slug(slug)
    if campaign is None:
        raise click.ClickException(f"No campaign {slug!r}.")
    campaign_id = campaign.id
    # A command's transaction holds SQLite's write lock from BEGIN: end it before a long export.
    db.session.close()
    filters = exports.Filters(confirmed_only=confirmed_only, contact_only=contact_only)
    body = exports.stream(campaign_id, fmt, filters, bom=bom, organizer_id=None, source="cli")
    if out is None:
        rows = _to_stdout(body)
    else:
        try:
            rows = _to_file(body, out)
        except OSError as error:  # no such directory, disk full...: the audit says how far it got
            raise click.ClickException(f"Could not write {out}: {error.strerror}") from None
    click.echo(f"Exported {rows} rows of /c/{slug} to {out or 'standard output'}.", err=True)


Body = Generator[str, None, int]


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
    """Write to a private temporary file beside path, renamed into place once complete."""
    directory = os.path.dirname(os.path.abspath(path))
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


COMMANDS = [export_cli]
