"""Commands for organizer accounts: create, give campaigns, list, unlock, set a password."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from campaign import audit
from campaign.accounts import memberships, organizers, passwords
from campaign.campaigns import store
from campaign.clock import utcnow
from campaign.extensions import db
from campaign.models import MemberRole, Organizer, OrganizerRole
from campaign.signing.signer_input import InvalidInput

organizer_cli = AppGroup("organizer", help="Create organizer accounts and give them campaigns.")


def _existing(email: str) -> Organizer:
    organizer = organizers.get_by_email(email)
    if organizer is None:
        raise click.ClickException(f"No organizer with the address {email!r}.")
    return organizer


def _new_password(email: str, generate: bool) -> str:
    """A generated password, or one typed twice; a weak one is refused and asked for again."""
    if generate:
        return passwords.generate()

    def strong(value: str) -> str:
        try:
            passwords.check_strength(value, email=email)
        except passwords.WeakPassword as error:
            raise click.UsageError(str(error)) from None
        return value

    return click.prompt("Password", hide_input=True, confirmation_prompt=True, value_proc=strong)


def _show_generated(password: str) -> None:
    click.echo(f"Password (shown only this once, keep it somewhere safe): {password}")


@organizer_cli.command("create")
@click.argument("email")
@click.option("--admin", is_flag=True, help="An admin sees and manages every campaign.")
@click.option("--generate", is_flag=True, help="Make up a strong password and print it once.")
def create_organizer(email: str, admin: bool, generate: bool) -> None:
    """Create an organizer account; the password is asked for twice unless --generate."""
    try:
        address = organizers.normalize_email(email)
    except InvalidInput as error:
        raise click.ClickException(str(error)) from None
    if organizers.get_by_email(address) is not None:  # before asking for a password in vain
        raise click.ClickException(f"There is already an organizer {address}.")
    password = _new_password(address, generate)
    role = OrganizerRole.ADMIN if admin else OrganizerRole.ORGANIZER
    try:
        organizer = organizers.create(address, password, role=role)
    except passwords.WeakPassword as error:
        raise click.ClickException(str(error)) from None
    except organizers.AccountExists:
        raise click.ClickException(f"There is already an organizer {address}.") from None
    db.session.commit()
    click.echo(f"Created {role} {organizer.email} (id {organizer.id}).")
    if generate:
        _show_generated(password)


@organizer_cli.command("add")
@click.argument("slug")
@click.argument("email")
@click.option("--owner", is_flag=True, help="Make them an owner of the campaign, not a member.")
def add_to_campaign(slug: str, email: str, owner: bool) -> None:
    """Give an organizer access to a campaign."""
    campaign = store.get_by_slug(slug)
    if campaign is None:
        raise click.ClickException(f"No campaign {slug!r}.")
    organizer = _existing(email)
    role = MemberRole.OWNER if owner else MemberRole.MEMBER
    memberships.add_member(campaign, organizer, role)
    db.session.commit()
    click.echo(f"{organizer.email} can now manage /c/{slug} ({role}).")


@organizer_cli.command("list")
def list_organizers() -> None:
    """Every organizer with role, campaign count, last login and any lock."""
    now = utcnow()
    for line in organizers.summaries():
        organizer = line.organizer
        seen = organizer.last_login_at
        last = seen.strftime("%Y-%m-%d %H:%M UTC") if seen else "never"
        locked = " locked" if organizers.is_locked(organizer, now) else ""
        click.echo(f"{organizer.email}\t{organizer.role}\t{line.campaigns} campaigns\t"
                   f"last login {last}{locked}")


@organizer_cli.command("unlock")
@click.argument("email")
def unlock_organizer(email: str) -> None:
    """Lift the lock that wrong passwords put on an account."""
    organizer = _existing(email)
    was_locked = organizers.is_locked(organizer, utcnow())
    organizers.unlock(organizer)
    db.session.commit()
    click.echo(f"Unlocked {organizer.email}." if was_locked else
               f"{organizer.email} was not locked; its failed attempts are forgotten.")


@organizer_cli.command("set-password")
@click.argument("email")
@click.option("--generate", is_flag=True, help="Make up a strong password and print it once.")
def set_organizer_password(email: str, generate: bool) -> None:
    """Give an organizer a new password (a forgotten one); logs them out everywhere."""
    organizer = _existing(email)
    password = _new_password(organizer.email, generate)
    try:
        organizers.set_password(organizer, password, now=utcnow())
    except passwords.WeakPassword as error:
        raise click.ClickException(str(error)) from None
    audit.record("organizer.password_reset", organizer=organizer, via="command line")
    db.session.commit()
    click.echo(f"New password set for {organizer.email}; every session of theirs has ended.")
    if generate:
        _show_generated(password)


COMMANDS = [organizer_cli]
