"""Tags for how pages are found and shared: schema.org JSON-LD and the correction form."""

from functools import lru_cache

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from ..site import structured_data as schema
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


def _script(context, build, *args) -> SafeString | str:
    request = context.get("request")
    return json_ld_script(build(request, *args)) if request is not None else ""


@register.simple_tag(takes_context=True)
def home_structured_data(context, description: str = "") -> SafeString | str:
    """The home page's WebSite and WebPage."""
    return _script(context, schema.home_graph, description or "")


@register.simple_tag(takes_context=True)
def list_structured_data(context, name: str, items, description: str = "") -> SafeString | str:
    """A list page's CollectionPage and the ItemList of the pages it shows, numbered as on the page."""
    page_obj = context.get("page_obj")
    start = page_obj.start_index() if page_obj is not None and page_obj.paginator.count else 1
    return _script(context, schema.collection_graph, name, description or "", items, start)


@register.simple_tag(takes_context=True)
def compare_structured_data(context, name: str, therapies, description: str = "") -> SafeString | str:
    """The compare page: a MedicalWebPage about the therapies compared."""
    return _script(context, schema.compare_graph, name, description or "", therapies or [])


@register.simple_tag(takes_context=True)
def about_structured_data(context, name: str, description: str = "") -> SafeString | str:
    """The About page's AboutPage."""
    return _script(context, schema.about_graph, name, description or "")


@register.simple_tag
def correction_form(obj) -> SafeString:
    """The "Suggest a correction" form for a content page; it posts to its own, never-cached URL."""
    return _correction_form_html(correction_url(obj))


@lru_cache(maxsize=2048)
def _correction_form_html(action: str) -> SafeString:
    """The empty form is the same for every reader of a page, so each process renders it once per page
    (crispy-forms took about a sixth of an uncached therapy page)."""
    form = CorrectionForm(action=action)
    # No per-reader token on a page that is served from the shared page cache: the post is
    # checked as same-origin instead (corrections.is_same_origin_post).
    form.helper.disable_csrf = True
    html = render_to_string("therapies/includes/_correction_form.html", {"form": form, "action": action})
    return mark_safe(html)  # noqa: S308  rendered by the template, which escapes
