"""Reads of the published record: a page's public change history."""

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import Revision, State


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
