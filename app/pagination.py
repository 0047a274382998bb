"""A small pager for officer lists: page numbers in the query string, so it works with JS off
and a filtered list keeps its filters from page to page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.extensions import db


@dataclass
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def parse_page(raw: str | None) -> int:
    """``?page=`` as a positive int; junk is page 1 (never a 500)."""
    try:
        return max(1, min(int(raw or 1), 100000))
    except ValueError:
        return 1


def paginate(query: sa.Select, page: int, per_page: int) -> Page:
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(query.order_by(None).subquery())
    )
    items = list(db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)))
    return Page(items=items, page=page, per_page=per_page, total=total or 0)
