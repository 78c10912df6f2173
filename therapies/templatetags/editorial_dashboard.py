"""{% editorial_dashboard as sections %}: the signed-in user's dashboard on the admin index (dashboard.py)."""

from django import template

from ..admin.dashboard import Section, sections_for

register = template.Library()


@register.simple_tag(takes_context=True)
def editorial_dashboard(context) -> list[Section]:
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    return sections_for(request.user)
