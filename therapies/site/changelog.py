"""The public change log: /updates/ (and the Atom feed in feeds.py, the API's changes in api/views.py).

It lists, newest first, published change requests, each with its public change note and links to the pages it
changed that are live now, and pages taken off the site, each with the reviewer's public reason (issue 14: the
page promises every change, and an unpublish is one). A change whose pages have all since been taken off the site
is not listed: the log never points readers at unpublished content; the unpublish entry names the page, unlinked.

Everything here is read from the public record (models.PublicChange, issue 21), never from the audit log. A note
or reason a reviewer has corrected since shows the corrected wording, marked with the date of the correction.
"""

import datetime
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.db.models import CharField, F, Min, Q, Value
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..models import PublicChange, PublicEvent, Significance, page_kinds
from .caching import public_page, refuse_to_store
from .pagination import page_of

UPDATES_PER_PAGE = 20

CHANGE, UNPUBLISH = "change", "unpublish"
ENTRY_FIELDS = ("entry_pk", "entry_kind", "at", "note", "significance", "page_name", "corrected_at")


def on_live_pages() -> Q:
    """Rows of the public record about a page that is live now."""
    live = Q(pk__in=[])
    for kind in page_kinds():
        live |= Q(content_type=kind.content_type(), object_id__in=kind.model.objects.live().values("pk"))
    return live


def published_changes(significance: str | None = None):
    """One row per published change request with at least one live page (its first such page's row), as rows of
    ENTRY_FIELDS, newest first."""
    publishes = PublicChange.objects.filter(on_live_pages(), kind=PublicEvent.PUBLISH, change_request__isnull=False)
    first = publishes.order_by().values("change_request").annotate(first=Min("pk")).values("first")
    changes = PublicChange.objects.filter(pk__in=first)
    if significance:
        changes = changes.filter(significance=significance)
    text = CharField()
    return changes.annotate(
        entry_pk=F("change_request_id"), entry_kind=Value(CHANGE, output_field=text),
        page_name=Value("", output_field=text),
    ).values_list(*ENTRY_FIELDS).order_by("-at", "-entry_pk")


def public_unpublishes(significance: str | None = None):
    """Pages taken off the site, with the reviewer's public reason."""
    events = PublicChange.objects.filter(
        kind=PublicEvent.UNPUBLISH, content_type__in=[kind.content_type() for kind in page_kinds()],
    )
    return events.filter(significance=significance) if significance else events


def log_entries(significance: str | None = None):
    """Every entry of the log, newest first, as one query: rows of ENTRY_FIELDS (published changes and unpublishes)."""
    text = CharField()
    unpublishes = public_unpublishes(significance).order_by().annotate(
        entry_pk=F("pk"), entry_kind=Value(UNPUBLISH, output_field=text), page_name=F("object_repr"),
    ).values_list(*ENTRY_FIELDS)
    changes = published_changes(significance).order_by()
    return changes.union(unpublishes, all=True).order_by("-at", "-entry_kind", "-entry_pk")


@dataclass
class LogEntry:
    """One entry of the log as the page, the feed and the API show it. `pk` is the change request's id for a
    change (its pages are `live_pages`), the public record row's for a page taken off the site (named, not
    linked: it has no public page now)."""

    pk: int
    kind: str
    at: datetime.datetime
    note: str
    significance: str
    page_name: str = ""
    corrected_at: datetime.datetime | None = None
    live_pages: list = field(default_factory=list)

    @property
    def significance_heading(self) -> str:
        return Significance.heading_of(self.significance)


def entries_of(rows) -> list[LogEntry]:
    """The log's rows as what the page and the feed show: change requests with their live pages, and unpublishes.
    No query for an unpublish; one plus one per kind with pages for all the change requests together."""
    entries = [LogEntry(pk, kind, at, note or "", level or "", name, corrected)
               for pk, kind, at, note, level, name, corrected in rows]
    with_live_pages([entry for entry in entries if entry.kind == CHANGE])
    return entries


def with_live_pages(changes: list[LogEntry]) -> list[LogEntry]:
    """Give each change `.live_pages`: the live pages it changed. One query plus one per kind with pages."""
    pages = list(
        PublicChange.objects.filter(kind=PublicEvent.PUBLISH, change_request__in=[change.pk for change in changes])
        .order_by("pk")
        .values_list("change_request_id", "content_type_id", "object_id")
    )
    live: dict[tuple[int, int], object] = {}
    for kind in page_kinds():
        content_type = kind.content_type()
        ids = {object_id for _, ct, object_id in pages if ct == content_type.pk}
        if ids:
            for obj in kind.model.objects.live().filter(pk__in=ids).only("pk", kind.title_field, "slug"):
                live[(content_type.pk, obj.pk)] = obj
    for change in changes:
        change.live_pages = [
            live[(ct, object_id)] for cr_id, ct, object_id in pages if cr_id == change.pk and (ct, object_id) in live
        ]
    return changes


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
        request, log_entries(significance), UPDATES_PER_PAGE, first_shown="the newest updates are shown"
    )
    paginator = page.paginator
    context = {
        "form": form,
        "significance": significance,
        "significance_heading": Significance.heading_of(significance) if significance else "",
        "page_obj": page,
        "page_range": list(paginator.get_elided_page_range(page.number)),
        "changes": entries_of(page.object_list),
        "total": paginator.count,
        "page_notice": page_notice,
        "page_query": urlencode({"significance": significance}) if significance else "",
        "feed_query": urlencode({"significance": significance}) if significance else "",
    }
    return render(request, "therapies/updates.html", context)
