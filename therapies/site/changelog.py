"""The public change log: /updates/ (and the Atom feed in feeds.py).

It lists, newest first, published change requests, each with its public change note and links to the pages it
changed that are live now, and pages taken off the site, each with the reviewer's public reason (issue 14: the
page promises every change, and an unpublish is one). A change whose pages have all since been taken off the site
is not listed: the log never points readers at unpublished content; the unpublish entry names the page, unlinked.
Unpublishes recorded before their reason was declared public (audit details without "public") are not shown.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.db.models import CharField, Exists, F, OuterRef, Q, Value
from django.db.models.fields.json import KT
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ..models import AuditAction, AuditEvent, ChangeRequest, Revision, Significance, page_kinds
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


CHANGE, UNPUBLISH = "change", "unpublish"
ENTRY_FIELDS = ("pk", "entry_kind", "at", "note", "level", "page_name")


def public_unpublishes(significance: str | None = None):
    """Unpublish events of pages, recorded with a public reason (workflow.publishing.public_unpublish)."""
    events = AuditEvent.objects.filter(
        action=AuditAction.UNPUBLISH, details__public=True,
        content_type__in=[kind.content_type() for kind in page_kinds()],
    )
    return events.filter(details__significance=significance) if significance else events


def log_entries(significance: str | None = None):
    """Every entry of the log, newest first, as one query: rows of ENTRY_FIELDS (published changes and unpublishes)."""
    text = CharField()
    changes = published_changes(significance).order_by().annotate(
        entry_kind=Value(CHANGE, output_field=text), at=F("published_at"), note=F("change_note"),
        level=F("significance"), page_name=Value("", output_field=text),
    ).values_list(*ENTRY_FIELDS)
    unpublishes = public_unpublishes(significance).order_by().annotate(
        entry_kind=Value(UNPUBLISH, output_field=text), at=F("created_at"), note=KT("details__reason"),
        level=KT("details__significance"), page_name=F("object_repr"),
    ).values_list(*ENTRY_FIELDS)
    return changes.union(unpublishes, all=True).order_by("-at", "-entry_kind", "-pk")


@dataclass
class Unpublished:
    """A page taken off the site, as the log shows it: named, not linked (it has no public page now)."""

    pk: int
    page_name: str
    reason: str
    significance: str
    at: object
    kind: str = UNPUBLISH

    @property
    def significance_heading(self) -> str:
        return Significance.heading_of(self.significance)


def entries_of(rows) -> list:
    """The log's rows as what the page and the feed show: change requests with their live pages, and unpublishes.
    No query for an unpublish; one plus one per kind with pages for all the change requests together."""
    entries = []
    for pk, entry_kind, at, note, level, page_name in rows:
        if entry_kind == UNPUBLISH:
            entries.append(Unpublished(pk, page_name, note or "", level or "", at))
        else:
            change = ChangeRequest(pk=pk, published_at=at, change_note=note, significance=level)
            change.kind = CHANGE
            entries.append(change)
    with_live_pages([entry for entry in entries if entry.kind == CHANGE])
    return entries


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
