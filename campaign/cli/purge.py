"""`flask purge`: the retention schedule, meant for cron (see the README)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from campaign.clock import utcnow
from campaign.signing import purge as retention


def _describe(done: retention.CampaignPurge, verb: str) -> str:
    return (f"{verb} /c/{done.slug} (closed {done.closed_at:%Y-%m-%d}): "
            f"{done.signatures} signatures, {done.confirmation_links} confirmation links "
            f"and {done.outbox_messages} emails removed.")


@click.command("purge")
@click.option("--days", type=click.IntRange(min=0), default=None,
              help="Anonymize campaigns closed more than this many days ago "
                   "[default: PURGE_AFTER_DAYS, 180]")
@click.option("--pending-days", type=click.IntRange(min=0), default=None,
              help="Delete pending signatures older than this "
                   "[default: PURGE_PENDING_DAYS, 30]")
@click.option("--batch", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Rows per transaction.")
@click.option("--dry-run", is_flag=True, help="Only say what would be done.")
@with_appcontext
def purge_command(days: int | None, pending_days: int | None, batch: int, dry_run: bool) -> None:
    """Remove signers' personal data from campaigns closed long ago; the counts stay."""
    config = current_app.config
    days = config["PURGE_AFTER_DAYS"] if days is None else days
    pending_days = config["PURGE_PENDING_DAYS"] if pending_days is None else pending_days
    now = utcnow()
    if dry_run:
        report = retention.estimate(now=now, days=days, pending_days=pending_days)
        for done in report.campaigns:
            click.echo(_describe(done, "Would anonymize"))
    else:
        report = retention.purge(now=now, days=days, pending_days=pending_days, batch=batch,
                                 progress=lambda done: click.echo(_describe(done, "Anonymized")))
    would = "Would delete" if dry_run else "Deleted"
    click.echo(f"{would} {report.pending_deleted} pending signatures unconfirmed for over "
               f"{pending_days} days and {report.data_requests_deleted} older data-deletion "
               "emails.")
    if report.did_nothing:
        click.echo("Nothing to purge.")


COMMANDS = [purge_command]
