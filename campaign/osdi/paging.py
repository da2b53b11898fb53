"""OSDI paging: page and per_page in, total_pages and total_records out, rows in a stable order."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, func, select

from campaign.extensions import db

PER_PAGE = 25
PER_PAGE_MAX = 100
# page * per_page must stay an offset a database takes without trouble.
PAGE_MAX = 1_000_000


@dataclass(frozen=True)
class Page:
    """One page of a collection: its rows and the figures OSDI reports beside them."""

    rows: list
    page: int
    per_page: int
    total_records: int

    @property
    def total_pages(self) -> int:
        return max(1, -(-self.total_records // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.total_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def fetch(query: Select, *, page: int, per_page: int) -> Page:
    """The page of query's rows (query ordered by its caller, stably: a unique last key).

    The count is one aggregate over the same conditions, without the order.
    """
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return Page(rows=rows, page=page, per_page=per_page, total_records=total or 0)
