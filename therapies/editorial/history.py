"""Reads of the published record: a page's public change history (published changes and reviews)."""

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Value

from ..models import AuditAction, AuditEvent, Revision, State


def published_history(obj: models.Model) -> list[Revision]:
    """Published revisions of one object, newest first, each with its change request's public note."""
    return list(
        Revision.objects.filter(
            content_type=ContentType.objects.get_for_model(obj),
            object_id=obj.pk,
            published_at__isnull=False,
            change_request__state=State.PUBLISHED,
        )
        .select_related("change_request")
        .order_by("-published_at")
    )


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a page's public history: a published change, or a review that found nothing to change."""

    when: datetime.datetime
    kind: str  # "published" or "reviewed"
    note: str = ""
    significance: str = ""


def page_history(obj: models.Model) -> list[HistoryEntry]:
    """A public page's history, newest first: its published changes and its "still accurate" reviews.

    One query whatever the length of the history, reading only the dates and notes (not the revisions'
    snapshots, which are most of their size).
    """
    content_type = ContentType.objects.get_for_model(obj)
    text = models.CharField()
    published = (
        Revision.objects.filter(
            content_type=content_type, object_id=obj.pk, published_at__isnull=False,
            change_request__state=State.PUBLISHED,
        )
        .annotate(entry_kind=Value("published", output_field=text), entry_note=F("change_request__change_note"),
                  entry_significance=F("change_request__significance"))
        .values_list("published_at", "entry_kind", "entry_note", "entry_significance")
    )
    reviewed = (
        AuditEvent.objects.filter(content_type=content_type, object_id=obj.pk, action=AuditAction.CONFIRM_REVIEWED)
        .annotate(entry_kind=Value("reviewed", output_field=text), entry_note=Value("", output_field=text),
                  entry_significance=Value("", output_field=text))
        .values_list("created_at", "entry_kind", "entry_note", "entry_significance")
    )
    entries = [HistoryEntry(*row) for row in published.order_by().union(reviewed.order_by(), all=True)]
    # Newest first; a change published at the same moment as a review comes first.
    return sorted(entries, key=lambda entry: (entry.when, entry.kind == "published"), reverse=True)
