"""One open change request per object (a lock row), the row lock on a change request, and rule 5."""


from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction

from ..editorial import notifications
from ..models import (
    AuditAction,
    ChangeRequest,
    ContentLock,
    Revision,
    State,
    cited_models,
    kind_for,
)
from .audit import record
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
        change_request.approved_digest = ""
        # A schedule was part of the approval: once re-approved, an old time must not publish it at once,
        # nor in the name of whoever set it, and an old failure no longer applies.
        cleared = change_request.clear_schedule()
        change_request.save(
            update_fields=["state", "approved_by", "approved_at", "approved_digest", *cleared, "updated_at"]
        )


def send_back_citing(obj: models.Model, *, user, change_request: ChangeRequest, why: str) -> list[ChangeRequest]:
    """Rule 5, "or anything it cites": change requests in review or approved that cite `obj` as a source go back
    to draft, because what their reviewer approved the page with is changing (`why`: "was edited", "was
    published"). Each gets an audit event and its authors an email. Returns them."""
    if type(obj) not in cited_models():
        return []
    cited = (type(obj), obj.pk)
    revisions = (
        Revision.objects.filter(change_request__state__in=(State.IN_REVIEW, State.APPROVED))
        .exclude(change_request=change_request)
        .select_related("content_type", "change_request")
        .order_by("change_request_id")
    )
    citing = {
        revision.change_request_id: revision.change_request
        for revision in revisions
        if cited in kind_for(model_for(revision)).citations(revision.snapshot)
    }
    sent_back = []
    for other in citing.values():
        other = locked_change_request(other)
        if other.state not in (State.IN_REVIEW, State.APPROVED):
            continue
        back_to_draft_if_reviewed(other)
        step = f"back to draft: the source “{obj}” it cites {why} in change request #{change_request.pk}"
        record(user, AuditAction.RE_REVIEW, change_request=other, obj=obj, details={"step": step})
        notifications.deliver_on_commit(notifications.queue_message(
            to=[a.email for a in other.authors.filter(is_active=True)],
            subject=f"Back to draft: #{other.pk} {other.title}",
            template="therapies/email/back_to_draft.txt",
            context={"change_request": other, "source": obj, "why": why, "cause": change_request},
            change_request=other,
        ))
        sent_back.append(other)
    return sent_back


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

