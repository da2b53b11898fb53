"""`flask webhooks send` and `flask webhooks work`: webhook deliveries, sent once or continuously."""
from __future__ import annotations

import signal

import click
from flask import current_app
from flask.cli import AppGroup

from campaign.clock import utcnow
from campaign.webhooks import sending

webhooks_cli = AppGroup("webhooks", help="Send queued webhook deliveries.")


@webhooks_cli.command("send")
@click.option("--limit", default=500, type=click.IntRange(min=1), show_default=True)
def webhooks_send(limit: int) -> None:
    """Send the deliveries that are due, once, and say what happened."""
    total = sending.SendReport()
    while total.handled < limit:
        report = sending.send_due(limit=min(sending.BATCH, limit - total.handled))
        if not report.handled:
            break
        total.add(report)
    pruned = sending.prune(utcnow())
    click.echo(f"delivered {total.delivered}, to retry {total.retried}, failed {total.failed}, "
               f"still queued {sending.queued_count()}, old deliveries removed {pruned}")


@webhooks_cli.command("work")
def webhooks_work() -> None:
    """Send deliveries continuously until stopped (the production worker)."""
    worker = current_app.extensions["campaign_webhooks"]
    signal.signal(signal.SIGTERM, lambda *_: worker.stop())
    click.echo("Webhook worker running; Ctrl-C or SIGTERM stops it.")
    try:
        worker.run()
    except KeyboardInterrupt:
        worker.stop()


COMMANDS = [webhooks_cli]
