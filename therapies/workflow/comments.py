"""Review comments (DESIGN.md rule 11): said only while the change request is open, resolved rather than lost,
and an approval or publish over open comments needs an explicit "approve anyway" (Wagtail's comment resolution)."""

from django.db import transaction
from django.utils import timezone

from ..editorial import notifications
from ..models import AuditAction, ChangeRequest, ReviewComment, Revision, limits
from .audit import record
from .errors import WorkflowError, clean_text, require
from .permissions import can_comment

OPEN_COMMENTS = (
    "There {are} {count} open comment{s} on this change request. Resolve {them}, or tick “approve anyway” to go "
    "ahead with {them} open."
)


def open_comments(change_request: ChangeRequest):
    """The threads nobody has resolved yet, oldest first (replies belong to their thread)."""
    return change_request.comments.filter(parent__isnull=True, resolved_at__isnull=True).select_related(
        "author", "revision").order_by("created_at", "pk")


def require_comments_settled(change_request: ChangeRequest, approve_anyway: bool) -> None:
    """Rule 11: approving or publishing with open comments needs the reviewer's explicit "approve anyway"."""
    if approve_anyway:
        return
    count = open_comments(change_request).count()
    if count:
        many = count != 1
        raise WorkflowError(OPEN_COMMENTS.format(are="are" if many else "is", count=count, s="s" if many else "",
                                                 them="them" if many else "it"))


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


def _thread(note: ReviewComment, user) -> ReviewComment:
    change_request = note.change_request
    require(can_comment(change_request, user))
    if note.parent_id is not None:
        raise WorkflowError("Resolve or reopen the whole discussion, from its first comment.")
    return note


def resolve_comment(*, note: ReviewComment, user) -> ReviewComment:
    """Mark a thread resolved, by whom and when (audited)."""
    with transaction.atomic():
        note = _thread(ReviewComment.objects.select_for_update().select_related("change_request").get(pk=note.pk),
                       user)
        if note.resolved_at is not None:
            raise WorkflowError("That comment is already resolved.")
        note.resolved_at = timezone.now()
        note.resolved_by = user
        note.save(update_fields=["resolved_at", "resolved_by"])
        record(user, AuditAction.RESOLVE_COMMENT, change_request=note.change_request,
               details={"comment": note.pk, "field": note.field_name})
    return note


def reopen_comment(*, note: ReviewComment, user) -> ReviewComment:
    """Open a resolved thread again (audited)."""
    with transaction.atomic():
        note = _thread(ReviewComment.objects.select_for_update().select_related("change_request").get(pk=note.pk),
                       user)
        if note.resolved_at is None:
            raise WorkflowError("That comment is already open.")
        note.resolved_at = None
        note.resolved_by = None
        note.save(update_fields=["resolved_at", "resolved_by"])
        record(user, AuditAction.REOPEN_COMMENT, change_request=note.change_request,
               details={"comment": note.pk, "field": note.field_name})
    return note
