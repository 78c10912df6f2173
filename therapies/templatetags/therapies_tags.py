"""Template filters and tags for public pages."""

import datetime

from django import template
from django.utils.dateformat import format as format_date
from django.utils.safestring import SafeString

from ..editorial.rendering import render_markdown
from ..models import DatePrecision, Significance

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
