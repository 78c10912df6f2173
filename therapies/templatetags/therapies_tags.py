"""Template filters for public pages."""

import datetime

from django import template
from django.utils.dateformat import format as format_date
from django.utils.safestring import SafeString

from ..editorial.rendering import render_markdown
from ..models import DatePrecision

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
