"""Numbered pages for every API list: `?page=2&page_size=50`, with links to the pages either side.

Page numbers, not cursors: the lists are small (hundreds of rows), ordered by a unique key, and
change only when something is published, so a page number is as stable as a cursor and a person
can read it. Both numbers are bounded, because an unbounded page times a page size becomes an
OFFSET the database refuses.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase

PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
MAX_PAGE = 10_000


class NumberedPages(PaginationBase):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description="Which page, from 1.")
        page_size: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Items per page.")

    class Output(Schema):
        count: int = Field(description="Items in the whole list.")
        page: int
        pages: int = Field(description="Pages in the whole list (at least 1).")
        next: str | None = Field(description="The next page, or null on the last.")
        previous: str | None = Field(description="The previous page, or null on the first.")
        items: list[Any]

    items_attribute = "items"

    def paginate_queryset(self, queryset, pagination: Input, request: HttpRequest, **params: Any) -> dict:
        """One count and one slice of the list; a page past the end is empty, not an error."""
        count = queryset.count()
        size = pagination.page_size
        pages = max(1, -(-count // size))
        start = (pagination.page - 1) * size
        return {
            "count": count,
            "page": pagination.page,
            "pages": pages,
            "next": _page_url(request, pagination.page + 1) if pagination.page < pages else None,
            "previous": _page_url(request, min(pagination.page - 1, pages)) if pagination.page > 1 else None,
            "items": list(queryset[start : start + size]) if start < count else [],
        }


def _page_url(request: HttpRequest, page: int) -> str:
    """This request's address with another page number (filters and page size kept)."""
    query = request.GET.copy()
    query["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
