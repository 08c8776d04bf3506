"""One page of a list: which rows to fetch and what the pager shows (templates/_macros/pager.html).

Page sizes, one per kind of list:
- the organisation's dashboard shows CLIENTS_PER_PAGE clients a page (SPEC §4: 50);
- every beheer list (an organisation's anonymous clients, the audit log) BEHEER_PER_PAGE rows.
"""

from dataclasses import dataclass

from sqlalchemy import Select, func, select

from .db import session

CLIENTS_PER_PAGE = 50
BEHEER_PER_PAGE = 100


@dataclass(frozen=True)
class Page:
    number: int  # 1-based, always within 1..pages
    per_page: int
    total: int  # rows in the whole list

    @classmethod
    def of(cls, requested: int, total: int, per_page: int) -> "Page":
        """The requested page, moved into 1..pages (past the end: the last page)."""
        pages = max(1, -(-total // per_page))
        return cls(min(max(requested, 1), pages), per_page, total)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.per_page

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    def slice(self, query: Select) -> Select:
        """The query limited to this page's rows (the query must have a stable order)."""
        return query.limit(self.per_page).offset(self.offset)


def page_of(query: Select, requested: int, per_page: int) -> Page:
    """The requested page of the rows `query` selects (counted in one statement)."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    return Page.of(requested, total, per_page)
