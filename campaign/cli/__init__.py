"""Flask commands, one module per concept; each lists its commands in COMMANDS."""
from flask import Flask

from campaign.cli import campaigns, events, exports, organizers, purge, representatives, webhooks


def register_commands(app: Flask) -> None:
    """Attach every command to the app's `flask` CLI."""
    for module in (campaigns, organizers, exports, representatives, purge, events, webhooks):
        for command in module.COMMANDS:
            app.cli.add_command(command)
