"""Commands for campaigns, articles, the database and the outbox: thin wrappers."""
from __future__ import annotations

import signal

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from campaign import articles, audit, cache, database
from campaign.campaigns import imports, readiness, sample, store
from campaign.counts import tallies
from campaign.extensions import db
from campaign.mail import outbox
from campaign.models import Campaign, CampaignStatus
from campaign.signing import signer_input

campaign_cli = AppGroup("campaign", help="Create, list, open and close campaigns.")
outbox_cli = AppGroup("outbox", help="Deliver queued email.")


@click.command("init-db")
@with_appcontext
@click.option("--sample/--no-sample", default=True, help="Load the sample campaign into an empty database.")
def init_db(**options) -> None:
    """Create or upgrade the database schema."""
    with database.migration_lock():
        database.upgrade_schema()
        loaded = sample.load_if_empty() if options["sample"] else None
    click.echo("Database is up to date." + (f" Sample campaign: /c/{loaded.slug}" if loaded else ""))


@click.command("import-article")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--slug", help="The campaign's slug (default: made from its drafted title).")
@click.option("--open", "open_now", is_flag=True,
              help="Open the campaign for signatures at once, unless the review lists open items.")
@click.option("--open-anyway", is_flag=True,
              help="Open it at once even with open items (drafts, unchecked emails, unmatched officials).")
@with_appcontext
def import_article_command(path: str, slug: str | None, open_now: bool, open_anyway: bool) -> None:
    """Create a campaign from an article file, or update the one already made from it."""
    if slug is not None and not store.is_valid_slug(slug):
        raise click.ClickException("The slug takes lower-case letters, digits and single hyphens.")
    with open(path, encoding="utf-8", errors="replace") as handle:
        imported = articles.read_article(handle.read())
    try:
        outcome = imports.import_article(imported, slug=slug)
    except store.InvalidCampaign as error:
        raise click.ClickException(str(error)) from None
    campaign = outcome.campaign
    opening = (open_now or open_anyway) and campaign.status != CampaignStatus.OPEN
    items = _open_when_reviewed(campaign, anyway=open_anyway) if opening else []
    db.session.commit()
    cache.forget(campaign.id)
    verb = "Created" if outcome.created else "Updated"
    click.echo(f"{verb} {campaign.status} campaign /c/{campaign.slug}")
    _print_report(outcome)
    _report_open_items(campaign, items, anyway=open_anyway)


def _open_when_reviewed(campaign: Campaign, *, anyway: bool) -> list[readiness.OpenItem]:
    """Open campaign (audited) unless the review lists open items, or anyway; the open items.

    The caller commits.
    """
    items = readiness.open_items(campaign)
    if anyway or not items:
        store.set_status(campaign, CampaignStatus.OPEN)
        audit.record("campaign.status", organizer=None, campaign=campaign, status=CampaignStatus.OPEN,
                     source="cli", **({"open_items": len(items)} if items else {}))
    return items


def _report_open_items(campaign: Campaign, items: list[readiness.OpenItem], *, anyway: bool) -> None:
    """List the open items, then fail (exit code 1) if they kept the campaign from opening."""
    if items:
        click.echo(f"Open items ({len(items)}), as the review at /organizer/c/{campaign.slug}/review lists them:")
        for item in items:
            click.echo(f"- {item.text}")
    if items and not anyway:
        count = f"{len(items)} open item{'' if len(items) == 1 else 's'}"
        raise click.ClickException(
            f"Not opened: the campaign has {count}. Deal with them in the review, or run the "
            "command again with --open-anyway to open it as it is.")


def _print_report(outcome: imports.ImportOutcome) -> None:
    report = outcome.report
    click.echo(f"Read {report.lines} lines: " + "; ".join(report.read))
    for note in [*report.notes, *outcome.notes]:
        click.echo(f"note: {note}")
    for problem in report.problems:
        click.echo(f"line {problem.line}: {problem.reason}: {problem.text[:80]}")
    if not report.problems:
        click.echo("Every line was placed.")


@campaign_cli.command("verify-contact")
@click.argument("slug")
@click.argument("name")
@click.option("--email", help="The correct address, if the imported one was wrong.")
def verify_contact(slug: str, name: str, email: str | None) -> None:
    """Mark an imported contact's email as checked, so the page offers it."""
    campaign = store.get_by_slug(slug)
    if campaign is None:
        raise click.ClickException(f"No campaign {slug!r}.")
    if email is not None:
        try:
            email = signer_input.clean_email(email)
        except signer_input.InvalidInput as error:
            raise click.ClickException(str(error)) from None
    if not imports.verify_contact(campaign, name, email):
        raise click.ClickException(f"No contact named {name!r} in /c/{slug}.")
    db.session.commit()
    click.echo(f"Verified {name} in /c/{slug}")


@campaign_cli.command("create")
@click.argument("slug")
@click.option("--title", required=True)
@click.option("--petition", "petition_text", required=True, help="What signers put their name to.")
@click.option("--target", default="", help="Whom the petition is addressed to.")
@click.option("--goal", default=1000, type=click.IntRange(min=1), show_default=True)
@click.option("--country", "default_country", default="US", show_default=True)
@click.option("--open", "open_now", is_flag=True, help="Open it for signatures at once.")
@click.option("--no-confirmation", is_flag=True, help="Count signatures without email confirmation.")
def create_campaign(slug, title, petition_text, target, goal, default_country, open_now, no_confirmation):
    """Create a campaign (a draft unless --open)."""
    try:
        campaign = store.create(
            slug=slug,
            title=title,
            petition_text=petition_text,
            target=target,
            goal=goal,
            default_country=default_country.upper(),
            status=CampaignStatus.OPEN if open_now else CampaignStatus.DRAFT,
            require_confirmation=not no_confirmation,
        )
    except store.InvalidCampaign as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Created {campaign.status} campaign /c/{campaign.slug}")


def _campaign(slug: str) -> Campaign:
    campaign = store.get_by_slug(slug)
    if campaign is None:
        raise click.ClickException(f"No campaign {slug!r}.")
    return campaign


def _set_status(slug: str, status: str) -> None:
    campaign = _campaign(slug)
    store.set_status(campaign, status)
    db.session.commit()
    cache.forget(campaign.id)
    click.echo(f"/c/{slug} is now {status}")


@campaign_cli.command("open")
@click.argument("slug")
@click.option("--open-anyway", is_flag=True,
              help="Open it even with open items (drafts, unchecked emails, unmatched officials).")
def open_campaign(slug: str, open_anyway: bool) -> None:
    """Open a campaign for signatures, unless the review lists open items."""
    campaign = _campaign(slug)
    if campaign.status == CampaignStatus.OPEN:
        click.echo(f"/c/{slug} is already open")
        return
    items = _open_when_reviewed(campaign, anyway=open_anyway)
    db.session.commit()
    cache.forget(campaign.id)
    if campaign.status == CampaignStatus.OPEN:
        click.echo(f"/c/{slug} is now open")
    _report_open_items(campaign, items, anyway=open_anyway)


@campaign_cli.command("close")
@click.argument("slug")
def close_campaign(slug: str) -> None:
    """Close a campaign: it keeps its count and takes no more signatures."""
    _set_status(slug, CampaignStatus.CLOSED)


@campaign_cli.command("list")
def list_campaigns() -> None:
    """Every campaign with its status and confirmed count."""
    rows = db.session.scalars(db.select(store.Campaign).order_by(store.Campaign.id)).all()
    counts = tallies.confirmed_counts([c.id for c in rows])
    for campaign in rows:
        click.echo(f"{campaign.slug}\t{campaign.status}\t{counts[campaign.id]}/{campaign.goal}\t{campaign.title}")


@outbox_cli.command("send")
@click.option("--limit", default=500, type=click.IntRange(min=1), show_default=True)
def outbox_send(limit: int) -> None:
    """Deliver the messages that are due, once, and say what happened."""
    total = outbox.DeliveryReport()
    while total.handled < limit:
        report = outbox.deliver_due(limit=min(100, limit - total.handled))
        if not report.handled:
            break
        total.sent += report.sent
        total.retried += report.retried
        total.failed += report.failed
    click.echo(
        f"sent {total.sent}, to retry {total.retried}, failed {total.failed}, "
        f"still queued {outbox.pending_count()}"
    )


@outbox_cli.command("work")
def outbox_work() -> None:
    """Deliver the outbox continuously until stopped (the production worker)."""
    worker = current_app.extensions["campaign_outbox"]
    signal.signal(signal.SIGTERM, lambda *_: worker.stop())
    click.echo("Outbox worker running; Ctrl-C or SIGTERM stops it.")
    try:
        worker.run()
    except KeyboardInterrupt:
        worker.stop()


COMMANDS = [init_db, import_article_command, campaign_cli, outbox_cli]
