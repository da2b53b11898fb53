"""Flask commands, one module per concept; each lists its commands in COMMANDS."""
from flask import Flask

from campaign.cli import campaigns, exports, organizers, purge, representatives


def register_commands(app: Flask) -> None:
    """Attach every command to the app's `flask` CLI."""
    for module in (campaigns, organizers, exports, representatives, purge):
        for command in module.COMMANDS:
            app.cli.add_command(command)
