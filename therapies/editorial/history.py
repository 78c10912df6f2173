"""Reads of the published record: a page's published revisions (admin) and its public history (the public record)."""

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models

from ..models import PublicChange, PublicEvent, Revision, State


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
    corrected_at: datetime.datetime | None = None


HISTORY_KINDS = {PublicEvent.PUBLISH: "published", PublicEvent.CONFIRM: "reviewed"}


def page_history(obj: models.Model) -> list[HistoryEntry]:
    """A public page's history, newest first, from the public record (models.PublicChange): its published changes
    and its "still accurate" reviews, each note as last corrected. One query whatever the length of the history.
    """
    rows = PublicChange.objects.of(obj).filter(kind__in=list(HISTORY_KINDS)).values_list(
        "at", "kind", "note", "significance", "corrected_at"
    )
    entries = [HistoryEntry(at, HISTORY_KINDS[kind], note, significance, corrected)
               for at, kind, note, significance, corrected in rows]
    # Newest first; a change published at the same moment as a review comes first.
    return sorted(entries, key=lambda entry: (entry.when, entry.kind == "published"), reverse=True)
