"""Commands for representatives and postcode → district mappings: import, list, recompute."""
from __future__ import annotations

import time
from collections.abc import Callable

import click
from flask.cli import AppGroup
from sqlalchemy import select

from campaign.campaigns import store
from campaign.clock import utcnow
from campaign.extensions import db
from campaign.models import Representative
from campaign.places import redistricting
from campaign.representatives import sources
from campaign.representatives.data_files import UnreadableFile
from campaign.representatives.sources import ImportReport, InvalidSource

representatives_cli = AppGroup(
    "representatives", help="Import representatives and postcode → district mappings.")

# Checked by the importer, which says plainly what is wrong with a missing or unreadable file.
FILE = click.Path(dir_okay=False)
SOURCE = click.option("--source", required=True,
                      help="Your name for this data set, e.g. uk-commons; importing it again "
                           "replaces it.")


@representatives_cli.command("import-congress")
@click.argument("path", type=FILE)
def import_congress(path: str) -> None:
    """Replace the members of Congress from legislators-current.yaml."""
    _run(lambda: sources.import_congress(path, now=utcnow()))


@representatives_cli.command("import-zccd")
@click.argument("path", type=FILE)
def import_zccd(path: str) -> None:
    """Replace the US ZIP → congressional district mapping from zccd.csv."""
    _run(lambda: sources.import_zccd(path))


@representatives_cli.command("import-csv")
@click.argument("path", type=FILE)
@SOURCE
def import_csv(path: str, source: str) -> None:
    """Replace a source's representatives from the plain CSV (columns in the README)."""
    _run(lambda: sources.import_representatives_csv(path, source, now=utcnow()))


@representatives_cli.command("import-postcodes")
@click.argument("path", type=FILE)
@SOURCE
def import_postcodes(path: str, source: str) -> None:
    """Replace a source's postcode → district mapping from the plain CSV (README)."""
    _run(lambda: sources.import_postcodes_csv(path, source))


def _run(do_import: Callable[[], ImportReport]) -> None:
    started = time.perf_counter()
    try:
        report = do_import()
    except (UnreadableFile, InvalidSource) as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    _print_report(report, time.perf_counter() - started)


def _print_report(report: ImportReport, seconds: float) -> None:
    changes = ""
    if report.added or report.updated or report.unchanged or report.removed:
        changes = (f" (added {report.added}, updated {report.updated}, unchanged "
                   f"{report.unchanged}, removed {report.removed})")
    click.echo(f"{report.source}: read {report.read}, imported {report.imported}{changes}, "
               f"skipped {len(report.skipped)}, in {seconds:.1f} s.")
    for skipped in report.skipped:
        click.echo(f"skipped {skipped.where}: {skipped.reason}")
    for note in report.notes:
        click.echo(f"note: {note}")
    for warning in report.warnings:
        click.echo(f"warning: {warning}")


@representatives_cli.command("list")
@click.option("--country", help="Only this country (ISO code, e.g. US).")
@click.option("--region", help="Only this state or region (e.g. MN).")
def list_representatives(country: str | None, region: str | None) -> None:
    """Every imported representative: country, region, district, office, name, party, source."""
    query = select(Representative).order_by(
        Representative.country, Representative.region, Representative.district,
        Representative.office, Representative.name)
    if country:
        query = query.where(Representative.country == country.upper())
    if region:
        query = query.where(Representative.region == region)
    shown = 0
    for rep in db.session.scalars(query):
        click.echo("\t".join((rep.country, rep.region, rep.district or "-", rep.office, rep.name,
                              rep.party, rep.source)))
        shown += 1
    click.echo(f"{shown} representatives.", err=True)


@representatives_cli.command("recompute-districts")
@click.argument("slug", required=False)
def recompute_districts(slug: str | None) -> None:
    """Place every signature (or one campaign's) in its districts again, from the mapping."""
    campaign_id = None
    if slug is not None:
        campaign = store.get_by_slug(slug)
        if campaign is None:
            raise click.ClickException(f"No campaign {slug!r}.")
        campaign_id = campaign.id
    after, read, changed = 0, 0, 0
    while True:
        batch = redistricting.recompute_batch(after, campaign_id=campaign_id)
        db.session.commit()  # batch by batch: writers are never held up for long
        if batch.last_id is None:
            break
        after, read, changed = batch.last_id, read + batch.read, changed + batch.changed
    where = f" of /c/{slug}" if slug else ""
    click.echo(f"Recomputed the districts of {read} signatures{where}: {changed} changed.")


COMMANDS = [representatives_cli]
