"""The append-only audit log (rule 8) and the signal that tells the site content changed."""


from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from ..editorial.signals import content_published
from ..models import (
    AuditEvent,
    ChangeRequest,
)


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
    """Tell listeners (search index, page cache) once the transaction has committed."""
    objects = list(objects)
    transaction.on_commit(lambda: content_published.send(sender=None, objects=objects, action=action))

