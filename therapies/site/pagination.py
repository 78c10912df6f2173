"""One way to turn ?page= into a page of a list, with a message instead of an error for bad input."""

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.http import HttpRequest

from .caching import refuse_to_store


def page_of(
    request: HttpRequest, items, per_page: int, *, first_shown: str = "the first page is shown"
) -> tuple[Page, str]:
    """The requested page (first for nonsense, last when past the end) and a notice to show, if any."""
    paginator = Paginator(items, per_page)
    requested = request.GET.get("page")
    try:
        return paginator.page(requested or 1), ""
    except PageNotAnInteger:
        refuse_to_store(request)  # a junk page number is answered, never kept in the page cache
        return paginator.page(1), f"“{requested}” is not a page number, so {first_shown}."
    except EmptyPage:
        refuse_to_store(request)
        last = paginator.num_pages
        return paginator.page(last), (
            f"There is no page {requested}; the list has {last} page{'s' if last != 1 else ''}. This is the last one."
        )
