"""Review: submit, comment, approve (four eyes, rule 2), request changes, reject, withdraw."""


from django.db import transaction
from django.utils import timezone

from ..editorial import notifications
from ..models import (
    AuditAction,
    ChangeRequest,
    ReviewComment,
    Revision,
    State,
    limits,
)
from .audit import record
from .drafting import delete_unpublished
from .errors import WorkflowError, clean_text, require, valid_significance
from .locks import locked_change_request, model_for, release_locks
from .permissions import (
    can_approve,
    can_comment,
    can_reject,
    can_request_changes,
    can_submit,
    can_withdraw,
)
from .seen import require_seen

# Refusals of an action without the text it needs; the admin's confirm step (admin/confirm.py) asks the same before
# it shows what the action would do.
NEEDS_CHANGES_COMMENT = "Say what needs to change: the editor will see your comment."
NEEDS_REJECT_REASON = "Give the reason for rejecting: the authors will see it."

# --- Actions: review ------------------------------------------------------------------------------------


def submit(*, change_request: ChangeRequest, user, change_note: str | None = None) -> ChangeRequest:
    with transaction.atomic():
        change_request = locked_change_request(change_request)
        require(can_submit(change_request, user))
        if change_note is not None:
            change_request.change_note = clean_text(change_note, limit=limits.CHANGE_NOTE, what="The change note")
        if not change_request.change_note:
            raise WorkflowError("Write a public change note before submitting: readers see it in the page history.")
        change_request.state = State.IN_REVIEW
        change_request.submitted_at = timezone.now()
        change_request.save()
        record(user, AuditAction.SUBMIT, change_request=change_request)
        notifications.on_commit(notifications.SUBMITTED, change_request, actor=user)
    return change_request


def comment(
    *,
    change_request: ChangeRequest,
    user,
    body: str,
    revision: Revision | None = None,
    field_name: str = "",
    parent: ReviewComment | None = None,
) -> ReviewComment:
    require(can_comment(change_request, user))
    body = clean_text(body, limit=limits.COMMENT, what="The comment")
    if not body:
        raise WorkflowError("The comment is empty.")
    if revision is not None and revision.change_request_id != change_request.pk:
        raise WorkflowError("That revision belongs to another change request.")
    if parent is not None:
        if parent.change_request_id != change_request.pk:
            raise WorkflowError("That comment belongs to another change request.")
        # Replies nest one level and stay attached to the field the discussion is about.
        parent = parent.parent or parent
        revision, field_name = parent.revision, parent.field_name
    with transaction.atomic():
        note = ReviewComment.objects.create(
            change_request=change_request,
            revision=revision,
            field_name=field_name,
            parent=parent,
            author=user,
            body=body,
        )
        record(user, AuditAction.COMMENT, change_request=change_request,
               details={"comment": note.pk, "field": field_name})
        notifications.on_commit(notifications.COMMENTED, change_request, actor=user, extra={"comment": note})
    return note


def approve(
    *, change_request: ChangeRequest, user, significance: str | None = None, seen: str | None = None
) -> ChangeRequest:
    """Approve a change request in review (four eyes, rule 2) for exactly what the reviewer saw (rule 9).

    `seen` is the digest the review page showed (seen.review_digest); a change since then is refused.
    """
    with transaction.atomic():
        change_request = locked_change_request(change_request)
        require(can_approve(change_request, user))
        digest = require_seen(change_request, seen)
        if significance:
            change_request.significance = valid_significance(significance)
        change_request.state = State.APPROVED
        change_request.approved_by = user
        change_request.approved_at = timezone.now()
        change_request.approved_digest = digest
        change_request.save()
        record(user, AuditAction.APPROVE, change_request=change_request,
               details={"significance": change_request.significance})
        notifications.on_commit(notifications.APPROVED, change_request, actor=user)
    return change_request


def request_changes(*, change_request: ChangeRequest, user, comment_text: str) -> ChangeRequest:
    with transaction.atomic():
        change_request = locked_change_request(change_request)
        require(can_request_changes(change_request, user))
        if not clean_text(comment_text, limit=limits.COMMENT, what="The comment"):
            raise WorkflowError(NEEDS_CHANGES_COMMENT)
        ReviewComment.objects.create(change_request=change_request, author=user, body=clean_text(comment_text))
        change_request.state = State.CHANGES_REQUESTED
        change_request.save()
        record(user, AuditAction.REQUEST_CHANGES, change_request=change_request,
               details={"comment": clean_text(comment_text)})
        notifications.on_commit(notifications.CHANGES_REQUESTED, change_request, actor=user,
                                extra={"comment_text": clean_text(comment_text)})
    return change_request


def reject(*, change_request: ChangeRequest, user, reason: str) -> ChangeRequest:
    with transaction.atomic():
        change_request = locked_change_request(change_request)
        require(can_reject(change_request, user))
        if not clean_text(reason, limit=limits.REASON, what="The reason"):
            raise WorkflowError(NEEDS_REJECT_REASON)
        _close(change_request, State.REJECTED, clean_text(reason))
        record(user, AuditAction.REJECT, change_request=change_request, details={"reason": clean_text(reason)})
        notifications.on_commit(notifications.REJECTED, change_request, actor=user)
    return change_request


def withdraw(*, change_request: ChangeRequest, user, reason: str = "") -> ChangeRequest:
    with transaction.atomic():
        change_request = locked_change_request(change_request)
        require(can_withdraw(change_request, user))
        _close(change_request, State.WITHDRAWN, clean_text(reason, limit=limits.REASON, what="The reason"))
        record(user, AuditAction.WITHDRAW, change_request=change_request, details={"reason": clean_text(reason)})
    return change_request


def _close(change_request: ChangeRequest, state: str, reason: str) -> None:
    """End a change request without touching live content; drop objects it had created."""
    change_request.state = state
    change_request.closed_reason = reason
    change_request.save()
    release_locks(change_request)
    new_objects = []
    for revision in change_request.revisions.filter(is_new=True).select_related("content_type"):
        obj = model_for(revision).objects.filter(pk=revision.object_id, first_published_at__isnull=True).first()
        if obj is not None:
            new_objects.append(obj)
    delete_unpublished(new_objects)


