"""One open change request per object (a lock row), the row lock on a change request, and rule 5."""


from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction

from ..models import (
    ChangeRequest,
    ContentLock,
    Revision,
    State,
)
from .errors import WorkflowError
from .permissions import (
    display_name,
)


def locked_change_request(change_request: ChangeRequest) -> ChangeRequest:
    """Re-read the change request with a row lock, so two clicks can't both act on one state."""
    return ChangeRequest.objects.select_for_update().get(pk=change_request.pk)


def back_to_draft_if_reviewed(change_request: ChangeRequest) -> None:
    """Rule 5: editing a change request in review or approved sends it back for re-review."""
    if change_request.state in (State.IN_REVIEW, State.APPROVED):
        change_request.state = State.DRAFT
        change_request.approved_by = None
        change_request.approved_at = None
        # A schedule was part of the approval: once re-approved, an old time must not publish it at once,
        # nor in the name of whoever set it, and an old failure no longer applies.
        cleared = change_request.clear_schedule()
        change_request.save(update_fields=["state", "approved_by", "approved_at", *cleared, "updated_at"])


def lock_object(change_request: ChangeRequest, obj: models.Model) -> None:
    """Take the object's lock for this change request, or say who holds it."""
    content_type = ContentType.objects.get_for_model(obj)
    try:
        with transaction.atomic():
            ContentLock.objects.create(content_type=content_type, object_id=obj.pk, change_request=change_request)
    except IntegrityError:
        holder = (
            ContentLock.objects.select_related("change_request__created_by")
            .filter(content_type=content_type, object_id=obj.pk)
            .first()
        )
        if holder is None:  # released between our insert and this read; let the user retry
            raise WorkflowError(f"{obj} is being changed by someone else right now; please try again.") from None
        other = holder.change_request
        raise WorkflowError(
            f"{obj} is already being changed in change request #{other.pk} "
            f"(“{other.title}”) by {display_name(other.created_by)}."
        ) from None


def release_locks(change_request: ChangeRequest) -> None:
    ContentLock.objects.filter(change_request=change_request).delete()


def model_for(revision: Revision) -> type[models.Model]:
    return revision.content_type.model_class()



# --- Reads used by pages -------------------------------------------------------------------------------------


def open_change_request_for(obj: models.Model) -> ChangeRequest | None:
    lock = (
        ContentLock.objects.select_related("change_request")
        .filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
        .first()
    )
    return lock.change_request if lock else None

