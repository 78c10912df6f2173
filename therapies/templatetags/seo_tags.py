"""Tags for how pages are found and shared: schema.org JSON-LD and the correction form."""

from django import template
from django.utils.safestring import SafeString

from ..site.corrections import CorrectionForm, correction_url
from ..site.structured_data import graph_for, json_ld_script

register = template.Library()


@register.simple_tag(takes_context=True)
def structured_data(context, obj) -> SafeString | str:
    """<script type="application/ld+json"> describing a therapy, trial or risk page."""
    request = context.get("request")
    if obj is None or request is None or not hasattr(obj, "get_absolute_url"):
        return ""
    return json_ld_script(graph_for(obj, request))


@register.inclusion_tag("therapies/includes/_correction_form.html", takes_context=True)
def correction_form(context, obj) -> dict:
    """The "Suggest a correction" form for a content page; it posts to its own, never-cached URL."""
    action = correction_url(obj)
    form = CorrectionForm(action=action)
    # No per-reader token on a page that is served from the shared page cache: the post is
    # checked as same-origin instead (corrections.is_same_origin_post).
    form.helper.disable_csrf = True
    return {"form": form, "page_object": obj, "action": action}
