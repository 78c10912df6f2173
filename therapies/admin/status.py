"""Each content list's status column and filter (issue 14: an editor could not tell from a list what is pending).

Modelled on Wagtail's `DraftStateMixin.status_string` ("live", "live + draft", "live + scheduled", "scheduled",
"draft", "expired"), in this site's words: "live", "live + draft in change request #n", "live + scheduled <time> in
change request #n", "scheduled <time> …" for a page not yet live, "draft only", "unpublished" (once live, taken off),
and the flags "review overdue" and "comes off the site <time>".

One implementation for every content kind (models/kinds.py): the base admin of every kind (PublishStateAdmin)
annotates its list with the open change request holding each row — its lock (ContentLock, unique per row) — and
that change request's schedule, as subqueries of the list's own query, so the number of queries does not grow with
the rows shown. The filter reads the same annotations.
"""

from django.contrib import admin
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from .. import workflow
from ..models import ContentLock, kind_for, live_q


def with_status(queryset: models.QuerySet) -> models.QuerySet:
    """Rows of a content kind with `pending_change_request` (the open one holding it) and `pending_publish_at`."""
    lock = ContentLock.objects.filter(content_type=kind_for(queryset.model).content_type(), object_id=OuterRef("pk"))
    return queryset.annotate(
        pending_change_request=Subquery(lock.values("change_request_id")[:1]),
        pending_publish_at=Subquery(lock.values("change_request__publish_at")[:1]),
    )


def status_parts(obj: models.Model) -> list[tuple[str, str, str]]:
    """(flag, words, link) for each part of a row's status, the main one first; `obj` comes from with_status()."""
    change_request, publish_at = obj.pending_change_request, obj.pending_publish_at
    link = reverse("admin:therapies_changerequest_change", args=[change_request]) if change_request else ""
    pending = ""
    if publish_at:
        pending = f"scheduled {workflow.format_when(publish_at)} in change request #{change_request}"
    elif change_request:
        pending = f"draft in change request #{change_request}"
    flag = "scheduled" if publish_at else "draft"
    if obj.is_live:
        parts = [(flag, f"live + {pending}", link) if pending else ("live", "live", "")]
    elif obj.first_published_at:
        parts = [("unpublished", "unpublished", "")] + ([(flag, pending, link)] if pending else [])
    elif publish_at:
        parts = [("scheduled", pending, link)]
    else:
        where = f", in change request #{change_request}" if change_request else ""
        parts = [("draft", f"draft only{where}", link)]
    if obj.is_live and obj.review_overdue:
        parts.append(("overdue", "review overdue", ""))
    if obj.unpublish_at:
        parts.append(("scheduled", f"comes off the site {workflow.format_when(obj.unpublish_at)}", ""))
    return parts


def status_html(obj: models.Model) -> str:
    return format_html_join(
        " ", "{}",
        ((format_html('<a class="status status-{}" href="{}">{}</a>', flag, link, words) if link
          else format_html('<span class="status status-{}">{}</span>', flag, words),)
         for flag, words, link in status_parts(obj)),
    )


class StatusFilter(admin.SimpleListFilter):
    """A filter for each status the column shows, on the annotations of with_status()."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [
            ("live", "Live, nothing pending"),
            ("live_draft", "Live + draft in a change request"),
            ("scheduled", "Scheduled to go live"),
            ("overdue", "Review overdue"),
            ("draft_only", "Draft only (never published)"),
            ("unpublished", "Unpublished"),
            ("coming_off", "Scheduled to come off the site"),
        ]

    def queryset(self, request, queryset):
        live, not_live = live_q(), ~live_q()  # "published" has one definition (models/querysets.py)
        conditions = {
            "live": live & Q(pending_change_request__isnull=True),
            "live_draft": live & Q(pending_change_request__isnull=False, pending_publish_at__isnull=True),
            "scheduled": Q(pending_publish_at__isnull=False),
            "overdue": live & Q(next_review_due__lt=timezone.localdate()),
            "draft_only": not_live & Q(first_published_at__isnull=True),
            "unpublished": not_live & Q(first_published_at__isnull=False),
            "coming_off": Q(unpublish_at__isnull=False),
        }
        return queryset.filter(conditions[self.value()]) if self.value() in conditions else queryset
