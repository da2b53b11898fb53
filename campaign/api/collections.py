"""What every collection of the API shares: reading page, per_page and filter, and the links."""
from __future__ import annotations

from flask import abort, request, url_for

from campaign import query_args
from campaign.api.blueprint import base_url, bp, problem
from campaign.osdi import filters, paging
from campaign.osdi.documents import collection


class BadFilter(Exception):
    """The filter parameter could not be read: answered with a 400 problem."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def conditions() -> list[filters.Condition]:
    """The request's `filter` conditions (none when absent); BadFilter when malformed."""
    text = request.args.get("filter", "")
    if not text:
        return []
    try:
        return filters.parse(text)
    except filters.InvalidFilter as error:
        raise BadFilter(str(error)) from error


@bp.errorhandler(BadFilter)
def refused_filter(error: BadFilter):
    """The answer to a malformed filter."""
    return problem(400, "Invalid filter", error.message)


def page_of(query) -> paging.Page:
    """The requested page of query: page from 1, per_page 1..100 (25 when absent)."""
    page = query_args.bounded_int("page", maximum=paging.PAGE_MAX) or 1
    per_page = query_args.bounded_int("per_page", maximum=paging.PER_PAGE_MAX) or paging.PER_PAGE
    found = paging.fetch(query, page=page, per_page=per_page)
    if page > found.total_pages:
        abort(404, f"There are {found.total_pages} pages.")
    return found


def answer(name: str, documents: list[dict], found: paging.Page, endpoint: str, **values) -> dict:
    """A collection's document with self, next and previous links keeping per_page and filter."""
    kept = {"per_page": found.per_page, **values}
    if request.args.get("filter"):
        kept["filter"] = request.args["filter"]

    def link(page: int) -> dict:
        return {"href": base_url() + url_for(endpoint, page=page, **kept)}

    links = {"self": link(found.page)}
    if found.has_next:
        links["next"] = link(found.page + 1)
    if found.has_previous:
        links["previous"] = link(found.page - 1)
    return collection(name, documents, links=links, total_records=found.total_records,
                      total_pages=found.total_pages, page=found.page, per_page=found.per_page)
