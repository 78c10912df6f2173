"""Markdown to safe HTML.

Editors write Markdown; readers must never receive script, event handlers or
`javascript:` links from it, whoever wrote it. Markdown renders first, then nh3
(the Ammonia sanitizer) keeps only an allow-list of tags and attributes.
"""

from functools import lru_cache

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "h3", "h4",
    "blockquote", "code", "pre", "table", "thead", "tbody", "tr", "th", "td", "sup", "sub", "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}, "td": set()}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> SafeString:
    return mark_safe(_sanitised_html(text or ""))  # noqa: S308  nh3 allow-list sanitised just above


@lru_cache(maxsize=4096)
def _sanitised_html(text: str) -> str:
    """A pure function of the text, so each process keeps the most used results (pages re-render
    the same bodies on every request the page cache doesn't answer)."""
    html = markdown_lib.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    return cleaned
