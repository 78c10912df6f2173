"""Reads of the published record: a page's public change history (published changes and reviews)."""

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models

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

    Two queries whatever the length of the history.
    """
    entries = [
        HistoryEntry(revision.published_at, "published", revision.change_request.change_note,
                     revision.change_request.significance)
        for revision in published_history(obj)
    ]
    reviewed = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, action=AuditAction.CONFIRM_REVIEWED
    ).values_list("created_at", flat=True)
    entries.extend(HistoryEntry(when, "reviewed") for when in reviewed)
    return sorted(entries, key=lambda entry: entry.when, reverse=True)
