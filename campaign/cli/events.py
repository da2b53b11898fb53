"""`flask events remind`: the day-before reminders, for cron where no outbox worker runs."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from campaign.clock import utcnow
from campaign.events import reminders
from campaign.extensions import db

events_cli = AppGroup("events", help="Events: reminders to attendees.")


@events_cli.command("remind")
def remind_command() -> None:
    """Write the day-before reminders that are due to the outbox (each attendee once)."""
    written = reminders.remind(now=utcnow())
    db.session.commit()
    click.echo(f"{written} reminders written to the outbox.")


COMMANDS = [events_cli]
