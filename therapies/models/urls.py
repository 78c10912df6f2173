"""A content page's address without resolving the URL conf for every row (issue 27).

`reverse()` walks the URL patterns each time: on /updates/ (a hundred links) it was a fifth of the page's time,
and every list pays it per row. A page's address is its route with the slug put in, so the route is reversed
once per process (and script prefix) with a placeholder, and each row's slug is put in its place. A slug that
is not a plain ASCII slug (none is: the fields validate it) goes through `reverse()` as before.
"""

import functools
import re

from django.urls import get_script_prefix, reverse

PLACEHOLDER = "slug-placeholder-0f3a"
PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


@functools.lru_cache(maxsize=64)
def _route(name: str, prefix: str) -> str:
    return reverse(name, args=[PLACEHOLDER])


def slug_url(name: str, slug: str) -> str:
    """reverse(name, args=[slug]) for a URL pattern taking one slug."""
    if not PLAIN_SLUG.fullmatch(slug or ""):
        return reverse(name, args=[slug])
    return _route(name, get_script_prefix()).replace(PLACEHOLDER, slug)
