"""After publishing: say what went live, each page with a link to where readers now see it (issue 24)."""

from django.contrib import messages
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join

from ..models import ChangeRequest, kind_for


def live_pages(change_request: ChangeRequest) -> list[tuple[str, str, str]]:
    """(kind, name, public URL or "") for each object the change request published, in the order it lists them."""
    pages = []
    for revision in change_request.revisions.select_related("content_type").order_by("pk"):
        model = revision.content_type.model_class()
        kind = kind_for(model)
        obj = model.objects.live().filter(pk=revision.object_id).first()
        url = kind.public_url(obj) if obj is not None and kind.has_page else ""
        pages.append((kind.label, str(obj or revision.object_repr), url))
    return pages


def published_message(request: HttpRequest, change_request: ChangeRequest) -> None:
    """One message naming each page that went live; those with a public page link to it."""
    pages = live_pages(change_request)
    if not pages:
        return
    items = format_html_join(
        "", "<li>{}: {}</li>",
        ((label, format_html('<a href="{}">{}</a>', url, name) if url else name) for label, name, url in pages),
    )
    messages.info(request, format_html('Now live: <ul class="published-pages">{}</ul>', items))
