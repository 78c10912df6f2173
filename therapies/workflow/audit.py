"""The append-only audit log (rule 8) and the signal that tells the site content changed."""


from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from ..editorial import frontend_cache
from ..editorial.signals import content_published
from ..models import (
    AuditEvent,
    ChangeRequest,
)
from ..models.page_keys import touched_keys


def record(
    actor,
    action: str,
    *,
    change_request: ChangeRequest | None = None,
    obj: models.Model | None = None,
    details: dict | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        change_request=change_request,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=obj.pk if obj is not None else None,
        object_repr=str(obj)[:200] if obj is not None else "",
        details=details or {},
    )


def announce(objects: list[models.Model], action: str) -> None:
    """Tell listeners (page cache, front cache, search index) once the transaction has committed. The keys
    the change touches are read here, in its transaction, and the front-cache purges are queued here too
    (an outbox); they are sent once the page cache has recorded the change (apps.py connects them in that
    order), so a front cache refetching a purged page can never get the old one from the page cache."""
    objects = list(objects)
    keys = touched_keys(objects)
    purges = frontend_cache.queue(keys)
    transaction.on_commit(lambda: content_published.send(sender=None, objects=objects, action=action, keys=keys,
                                                         purges=purges))

