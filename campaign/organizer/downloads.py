"""A campaign's signer list to take away: the exports page, and the CSV and JSON downloads."""
from __future__ import annotations

from flask import Response, abort, redirect, render_template, request, stream_with_context, url_for

from campaign.clock import utcnow
from campaign.delivery import exports
from campaign.organizer.access import campaign_or_404, current_organizer
from campaign.organizer.blueprint import bp

_YES = frozenset({"1", "true", "on", "yes"})
_NO = frozenset({"", "0", "false", "off", "no"})


def _flag(name: str) -> bool:
    """A yes/no query parameter; anything else is a 400, not a "no" that widens the export."""
    value = request.args.get(name, "").strip().lower()
    if value in _YES:
        return True
    if value not in _NO:
        abort(400)
    return False


def _options() -> tuple[exports.Filters, bool]:
    """The filters and the BOM choice from the query string."""
    filters = exports.Filters(confirmed_only=_flag("confirmed"), contact_only=_flag("contact"))
    return filters, _flag("bom")


def _query_args(filters: exports.Filters, bom: bool) -> dict[str, int]:
    chosen = {"confirmed": filters.confirmed_only, "contact": filters.contact_only, "bom": bom}
    return {name: 1 for name, on in chosen.items() if on}


@bp.get("/c/<slug>/exports", endpoint="exports")
def export_page(slug: str):
    """The export options as a GET form, with the rows each choice gives; it sends to a download."""
    campaign = campaign_or_404(current_organizer(), slug)
    fmt = request.args.get("format")
    if fmt in exports.FORMATS:
        filters, bom = _options()
        return redirect(url_for(f".signers_{fmt}", slug=slug, **_query_args(filters, bom)), 303)
    # Unconfirmed addresses may not be the signer's own: the safe choice is ticked at first.
    filters = exports.Filters(confirmed_only=True)
    return render_template(
        "organizer/exports.html", campaign=campaign, filters=filters, bom=False,
        counts=exports.filter_counts(campaign.id),
    )


@bp.get("/c/<slug>/signers.csv")
def signers_csv(slug: str) -> Response:
    """The signer list as CSV (?confirmed=1, ?contact=1, ?bom=1)."""
    return _download(slug, "csv")


@bp.get("/c/<slug>/signers.json")
def signers_json(slug: str) -> Response:
    """The signer list as a JSON array of objects (?confirmed=1, ?contact=1)."""
    return _download(slug, "json")


def _download(slug: str, fmt: str) -> Response:
    """The signer list streamed as an attachment, once its audit line is committed (else 503)."""
    organizer = current_organizer()
    campaign = campaign_or_404(organizer, slug)
    filters, bom = _options()
    filename = f"{campaign.slug}-signers-{utcnow():%Y%m%d}.{fmt}"
    body = exports.stream(campaign.id, fmt, filters, bom=bom, organizer_id=organizer.id,
                          source="web")
    return attachment(stream_with_context(body), exports.MEDIA_TYPES[fmt], filename)


def attachment(body, content_type: str, filename: str) -> Response:
    """A download: sent as a file, never cached or sniffed; filename is [a-z0-9.-] (slugs)."""
    response = Response(body, content_type=content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    # nginx would otherwise spool a big export to its disk (signer data) before passing it on.
    response.headers["X-Accel-Buffering"] = "no"
    return response
