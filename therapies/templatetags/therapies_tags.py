"""Template filters and tags for public pages."""

import datetime

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.dateformat import format as format_date
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst, get_text_list

from ..editorial.rendering import render_markdown
from ..models import KINDS, DatePrecision, Significance, page_kinds
from ..site import fragments

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return render_markdown(text)


@register.simple_tag
def approval_date(date: datetime.date | None, precision: str) -> str:
    """An approval date as precisely as it is known: "21 September 2010", "March 2017", "2014"."""
    if date is None:
        return ""
    if precision == DatePrecision.YEAR:
        return str(date.year)
    if precision == DatePrecision.MONTH:
        return format_date(date, "F Y")
    return format_date(date, "j F Y")


@register.simple_tag
def kind_lists(path: str) -> list[dict]:
    """The main navigation's link to the list of each kind with a page (models/kinds.py), in the registry's order;
    `current` while the reader is on that list or one of its pages."""
    links = []
    for kind in page_kinds():
        url = reverse(kind.list_url_name)
        links.append({"url": url, "label": capfirst(kind.plural), "current": path.startswith(url)})
    return links


@register.simple_tag
def searched_kinds() -> str:
    """What site search finds, in words, in the registry's order: "therapies, trials and risks" (every kind
    with a search document, models/kinds.py)."""
    return str(get_text_list([kind.plural for kind in KINDS if kind.search], "and"))


@register.inclusion_tag("therapies/includes/_significance_badge.html")
def significance_badge(significance: str, *, minor: bool = True) -> dict:
    """The badge of a published change, worded by Significance.heading_of; a page's history passes minor=False
    so that only the changes a reader should notice are marked."""
    return {
        "significance": significance,
        "heading": Significance.heading_of(significance),
        "shown": minor or significance != Significance.MINOR,
    }


@register.filter(name="lead")
def lead_filter(text: str) -> SafeString:
    """The first block of a reviewed Markdown section, formatted: its first paragraph, or its first list item
    as a paragraph. "At a glance" quotes a section's own lead rather than a second copy of the words."""
    lines = (text or "").strip().replace("\r\n", "\n").split("\n")
    block: list[str] = []
    for line in lines:
        if not line.strip() or (block and line.startswith(("- ", "* ", "1. "))):
            break
        block.append(line)
    first = "\n".join(block)
    for marker in ("- ", "* ", "1. "):
        if first.startswith(marker):
            first = " ".join(part.strip() for part in first[len(marker):].split("\n"))
    return markdown_filter(first)


class PageFragmentNode(template.Node):
    def __init__(self, name: str, nodelist: template.NodeList) -> None:
        self.name, self.nodelist = name, nodelist

    def render(self, context: template.Context) -> SafeString:
        page_fragments = context.get("fragments")
        if not isinstance(page_fragments, fragments.PageFragments):  # a preview, or a page that keeps none
            return self.nodelist.render(context)
        if not settings.PAGE_FRAGMENTS:
            page_fragments.load()
            return self.nodelist.render(context)
        key = page_fragments.key(self.name)
        html = fragments.store.get(key)
        if html is None:
            page_fragments.load()
            html = self.nodelist.render(context)
            fragments.store.set(key, html)
        return mark_safe(html)  # noqa: S308  rendered by this template, escaped as it was rendered


@register.tag
def page_fragment(parser: template.base.Parser, token: template.base.Token) -> PageFragmentNode:
    """{% page_fragment "name" %}…{% endpage_fragment %}: kept per process under the stamp of what the page
    shows (site/fragments.py, the view's `fragments`), rendered again only when that changes."""
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError('Use {% page_fragment "name" %}…{% endpage_fragment %}.')
    nodelist = parser.parse(("endpage_fragment",))
    parser.delete_first_token()
    return PageFragmentNode(bits[1][1:-1], nodelist)
