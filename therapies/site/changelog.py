"""The public change log: /updates/ (and the Atom feed in feeds.py).

It lists published change requests only, newest first, each with its public change note and
links to the pages it changed that are live now. A change whose pages have all since been taken
off the site is not listed: the log never points readers at, or describes, unpublished content.
"""

from urllib.parse import urlencode

from django import forms
from django.db.models import Exists, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..models import ChangeRequest, Revision, Significance, page_kinds
from .caching import public_page, refuse_to_store
from .pagination import page_of

UPDATES_PER_PAGE = 20


def published_changes(significance: str | None = None):
    """Published change requests with at least one live page, newest first."""
    touches_live_page = Q()
    for kind in page_kinds():
        touches_live_page |= Q(
            Exists(
                Revision.objects.filter(
                    change_request=OuterRef("pk"),
                    content_type=kind.content_type(),
                    object_id__in=kind.model.objects.live().values("pk"),
                )
            )
        )
    changes = ChangeRequest.objects.published().filter(touches_live_page)
    if significance:
        changes = changes.filter(significance=significance)
    return changes.only("pk", "significance", "change_note", "published_at").order_by("-published_at", "-pk")


def with_live_pages(change_requests: list[ChangeRequest]) -> list[ChangeRequest]:
    """Give each change request `.live_pages`: the live pages it changed. One query plus one per kind with pages."""
    revisions = list(
        Revision.objects.filter(change_request__in=[cr.pk for cr in change_requests])
        .order_by("pk")
        .values_list("change_request_id", "content_type_id", "object_id")
    )
    live: dict[tuple[int, int], object] = {}
    for kind in page_kinds():
        content_type = kind.content_type()
        ids = {object_id for _, ct, object_id in revisions if ct == content_type.pk}
        if ids:
            for obj in kind.model.objects.live().filter(pk__in=ids).only("pk", kind.title_field, "slug"):
                live[(content_type.pk, obj.pk)] = obj
    for change_request in change_requests:
        change_request.live_pages = [
            live[(ct, object_id)]
            for cr_id, ct, object_id in revisions
            if cr_id == change_request.pk and (ct, object_id) in live
        ]
        change_request.significance_heading = Significance.heading_of(change_request.significance)
    return change_requests


class UpdatesFilterForm(forms.Form):
    significance = forms.ChoiceField(
        label="Show",
        required=False,
        choices=[("", "All updates"), *[(value, f"{Significance.heading_of(value)}s only") for value in Significance]],
        error_messages={
            "invalid_choice": "“%(value)s” is not a kind of update we list (safety, major or minor), "
            "so all updates are shown."
        },
    )


def significance_from(request: HttpRequest) -> tuple[UpdatesFilterForm, str | None]:
    """The filter form and the significance to filter by (None when absent or not one we list)."""
    form = UpdatesFilterForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["significance"] or None
    if form.is_bound:
        refuse_to_store(request)  # an unknown significance is explained, never kept in the cache
    return form, None


@public_page(params=("significance", "page"))
def updates(request: HttpRequest) -> HttpResponse:
    form, significance = significance_from(request)
    page, page_notice = page_of(
        request, published_changes(significance), UPDATES_PER_PAGE, first_shown="the newest updates are shown"
    )
    paginator = page.paginator
    context = {
        "form": form,
        "significance": significance,
        "significance_heading": Significance.heading_of(significance) if significance else "",
        "page_obj": page,
        "page_range": list(paginator.get_elided_page_range(page.number)),
        "changes": with_live_pages(list(page.object_list)),
        "total": paginator.count,
        "page_notice": page_notice,
        "page_query": urlencode({"significance": significance}) if significance else "",
        "feed_query": urlencode({"significance": significance}) if significance else "",
    }
    return render(request, "therapies/updates.html", context)
