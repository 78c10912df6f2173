"""The editorial state machine and its actions (DESIGN.md "Editorial model", rules 1-8).

Every action is a plain function with keyword-only arguments that
  1. checks permission, then state (a `can_*` function returns the refusal in the user's words),
  2. runs in one transaction,
  3. writes one AuditEvent,
  4. sends its emails once the transaction has committed.
Views, admin actions, management commands and tests all call these; no rule lives only in the UI.

    draft ──submit──▶ in_review ──approve──▶ approved ──publish──▶ published
      ▲                  │  │
      └─changes_requested◀┘  └─reject─▶ rejected
    draft|changes_requested ──withdraw──▶ withdrawn
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django.utils.formats import date_format

from . import notifications
from .models import (
    OPEN_STATES,
    AuditAction,
    AuditEvent,
    ChangeRequest,
    ContentLock,
    ReviewComment,
    Revision,
    Risk,
    Significance,
    State,
    Therapy,
    Trial,
)
from .review_cycle import next_review_due
from .safety import safety_reasons
from .signals import content_published
from .snapshots import apply_snapshot, instance_from_snapshot, snapshot_of, validate_snapshot

logger = logging.getLogger(__name__)

EDIT = "edit_content"
REVIEW = "review_content"


class WorkflowError(Exception):
    """An action was refused; the message is for the user, in their words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PublishConflict(WorkflowError):
    """Publishing would overwrite a newer live version, or publish an invalid or dangling object."""


class StaleDraft(WorkflowError):
    """A draft was saved from a form opened before someone else's save (optimistic version check)."""


# --- Roles -------------------------------------------------------------------------------------


def roles(user: AbstractBaseUser | None) -> set[str]:
    """The editorial roles a user holds through groups or direct permissions.

    Deliberately not `user.has_perm()`: that is always true for superusers, and a
    site administrator must not be able to bypass review (DESIGN.md rule 1).
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    cached = getattr(user, "_editorial_roles", None)
    if cached is None:
        cached = set(
            Permission.objects.filter(
                Q(group__user=user) | Q(user=user),
                content_type__app_label="therapies",
                codename__in=[EDIT, REVIEW],
            ).values_list("codename", flat=True)
        )
        user._editorial_roles = cached
    return cached


def is_editor(user) -> bool:
    """Medical editors and medical reviewers may both draft changes."""
    return bool(roles(user) & {EDIT, REVIEW})


def is_reviewer(user) -> bool:
    return REVIEW in roles(user)


def display_name(user) -> str:
    if user is None:
        return "the editorial team"
    return user.get_full_name() or user.get_username()


def is_author(change_request: ChangeRequest, user) -> bool:
    return change_request.authors.filter(pk=user.pk).exists()


# --- Checks: each returns None when allowed, or the refusal in the user's words ---------------


def _state_label(change_request: ChangeRequest) -> str:
    return change_request.get_state_display().lower()


def can_edit(change_request: ChangeRequest, user) -> str | None:
    if not is_editor(user):
        return "Only medical editors and reviewers can change drafts."
    if change_request.state not in OPEN_STATES:
        return f"Change request #{change_request.pk} is {_state_label(change_request)}; it can no longer be edited."
    return None


def can_submit(change_request: ChangeRequest, user) -> str | None:
    if not is_editor(user):
        return "Only medical editors and reviewers can submit changes for review."
    if not is_author(change_request, user):
        return "Only an author of this change request can submit it for review."
    if change_request.state not in (State.DRAFT, State.CHANGES_REQUESTED):
        return f"Change request #{change_request.pk} is {_state_label(change_request)}, not a draft."
    if not change_request.revisions.exists():
        return "Add at least one change before submitting for review."
    return None


def _can_review(change_request: ChangeRequest, user, verb: str) -> str | None:
    if not is_reviewer(user):
        return f"Only medical reviewers can {verb}."
    if change_request.state != State.IN_REVIEW:
        return f"Change request #{change_request.pk} is {_state_label(change_request)}, not in review."
    return None


def can_approve(change_request: ChangeRequest, user) -> str | None:
    refusal = _can_review(change_request, user, "approve changes")
    if refusal:
        return refusal
    if is_author(change_request, user):
        # Four eyes (rule 2): no exemption, not even for superusers.
        return "You edited this change request, so someone else must approve it."
    return None


def can_request_changes(change_request: ChangeRequest, user) -> str | None:
    return _can_review(change_request, user, "request changes")


def can_reject(change_request: ChangeRequest, user) -> str | None:
    return _can_review(change_request, user, "reject changes")


def can_withdraw(change_request: ChangeRequest, user) -> str | None:
    if not is_author(change_request, user) or not is_editor(user):
        return "Only an author of this change request can withdraw it."
    if change_request.state not in (State.DRAFT, State.CHANGES_REQUESTED):
        return f"Change request #{change_request.pk} is {_state_label(change_request)}; only drafts can be withdrawn."
    return None


def can_publish(change_request: ChangeRequest, user) -> str | None:
    if not is_reviewer(user):
        return "Only medical reviewers can publish."
    if change_request.state != State.APPROVED:
        return (
            f"Change request #{change_request.pk} is {_state_label(change_request)}; "
            "only approved changes can be published."
        )
    return None


def can_comment(change_request: ChangeRequest, user) -> str | None:
    if not is_editor(user):
        return "Only medical editors and reviewers can comment."
    return None


def can_schedule(change_request: ChangeRequest, user) -> str | None:
    """Scheduling is publishing at a set time: the same people, the same state."""
    if not is_reviewer(user):
        return "Only medical reviewers can schedule publishing."
    if change_request.state != State.APPROVED:
        return (
            f"Change request #{change_request.pk} is {_state_label(change_request)}; "
            "only approved changes can be scheduled."
        )
    return None


def can_unschedule(change_request: ChangeRequest, user) -> str | None:
    refusal = can_schedule(change_request, user)
    if refusal:
        return refusal
    if change_request.publish_at is None:
        return f"Change request #{change_request.pk} is not scheduled."
    return None


CHECKS: dict[str, Callable[[ChangeRequest, object], str | None]] = {
    "edit": can_edit,
    "submit": can_submit,
    "approve": can_approve,
    "request_changes": can_request_changes,
    "reject": can_reject,
    "withdraw": can_withdraw,
    "publish": can_publish,
    "comment": can_comment,
    "schedule": can_schedule,
    "unschedule": can_unschedule,
}


def available_actions(change_request: ChangeRequest, user) -> set[str]:
    """What `user` may do to `change_request` now: the buttons the review page offers."""
    return {name for name, check in CHECKS.items() if check(change_request, user) is None}


def _plain(text: str | None) -> str:
    """Text typed by a user, trimmed. A NUL character can't be stored (PostgreSQL refuses it): say so."""
    text = (text or "").strip()
    if "\x00" in text:
        raise WorkflowError("The text contains a NUL character, which cannot be saved; remove it and try again.")
    return text


def _require(refusal: str | None) -> None:
    if refusal:
        raise WorkflowError(refusal)


# --- Helpers -------------------------------------------------------------------------------------


def _audit(
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


def _announce(objects: list[models.Model], action: str) -> None:
    """Tell listeners (search index, page cache) once the transaction has committed."""
    objects = list(objects)
    transaction.on_commit(lambda: content_published.send(sender=None, objects=objects, action=action))


def _locked_change_request(change_request: ChangeRequest) -> ChangeRequest:
    """Re-read the change request with a row lock, so two clicks can't both act on one state."""
    return ChangeRequest.objects.select_for_update().get(pk=change_request.pk)


def _back_to_draft_if_reviewed(change_request: ChangeRequest) -> None:
    """Rule 5: editing a change request in review or approved sends it back for re-review."""
    if change_request.state in (State.IN_REVIEW, State.APPROVED):
        change_request.state = State.DRAFT
        change_request.approved_by = None
        change_request.approved_at = None
        # A schedule was part of the approval: once re-approved, an old time must not publish it at once.
        change_request.publish_at = None
        change_request.save(update_fields=["state", "approved_by", "approved_at", "publish_at", "updated_at"])


def _lock_object(change_request: ChangeRequest, obj: models.Model) -> None:
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


def _release_locks(change_request: ChangeRequest) -> None:
    ContentLock.objects.filter(change_request=change_request).delete()


def model_for(revision: Revision) -> type[models.Model]:
    return revision.content_type.model_class()


def describe_validation_error(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "; ".join(f"{field}: {' '.join(m for m in messages)}" for field, messages in error.message_dict.items())
    return " ".join(error.messages)


# --- Actions: drafting -------------------------------------------------------------------------------


def start_change_request(*, user, title: str, significance: str = Significance.MINOR) -> ChangeRequest:
    if not is_editor(user):
        raise WorkflowError("Only medical editors and reviewers can start a change request.")
    title = _plain(title)
    if not title:
        raise WorkflowError("Give the change request a short title.")
    with transaction.atomic():
        change_request = ChangeRequest.objects.create(title=title[:200], created_by=user, significance=significance)
        change_request.authors.add(user)
        _audit(user, AuditAction.CREATE, change_request=change_request)
    return change_request


def add_object(*, change_request: ChangeRequest, user, obj: models.Model) -> Revision:
    """Draft a change to an existing object: take its lock and snapshot its live state."""
    with transaction.atomic():
        change_request = _locked_change_request(change_request)
        _require(can_edit(change_request, user))
        # Re-read: the caller's copy may be older than the live row (its live revision is the base).
        obj = type(obj).objects.get(pk=obj.pk)
        existing = change_request.revisions.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
        ).first()
        if existing:
            return existing
        _lock_object(change_request, obj)
        revision = Revision.objects.create(
            change_request=change_request,
            content_type=ContentType.objects.get_for_model(obj),
            object_id=obj.pk,
            object_repr=str(obj)[:200],
            snapshot=snapshot_of(obj),
            base_snapshot=snapshot_of(obj),
            base_revision_id=obj.live_revision_id,
            is_new=False,
            edited_by=user,
        )
        change_request.authors.add(user)
        _back_to_draft_if_reviewed(change_request)
        _audit(user, AuditAction.EDIT, change_request=change_request, obj=obj, details={"step": "added"})
    return revision


def create_object(*, change_request: ChangeRequest, user, model: type[models.Model], snapshot: dict) -> Revision:
    """Draft a new object. Its row exists from now on, not live, so other drafts can link to it."""
    with transaction.atomic():
        change_request = _locked_change_request(change_request)
        _require(can_edit(change_request, user))
        try:
            validate_snapshot(model, snapshot, None)
        except ValidationError as error:
            raise WorkflowError(
                f"The new {model._meta.verbose_name} is not valid: {describe_validation_error(error)}"
            ) from None
        obj = instance_from_snapshot(model, snapshot)
        obj.live = False
        obj.save()
        apply_snapshot(obj, snapshot)
        _lock_object(change_request, obj)
        revision = Revision.objects.create(
            change_request=change_request,
            content_type=ContentType.objects.get_for_model(obj),
            object_id=obj.pk,
            object_repr=str(obj)[:200],
            snapshot=snapshot,
            is_new=True,
            edited_by=user,
        )
        change_request.authors.add(user)
        _back_to_draft_if_reviewed(change_request)
        safety = _propose_safety(change_request, model, None, snapshot)
        _audit(user, AuditAction.EDIT, change_request=change_request, obj=obj,
               details={"step": "created", **safety})
    return revision


def save_draft(*, revision: Revision, user, snapshot: dict, expected_version: int | None = None) -> Revision:
    """Save an edited snapshot. Live content is untouched; a reviewed change goes back to draft.

    `expected_version` is the revision's version when the editor opened the form: if someone has
    saved since, the save is refused (StaleDraft) rather than silently overwriting their work.
    """
    with transaction.atomic():
        change_request = _locked_change_request(revision.change_request)
        _require(can_edit(change_request, user))
        model = model_for(revision)
        obj = model.objects.get(pk=revision.object_id)
        revision = Revision.objects.select_for_update().select_related("edited_by").get(pk=revision.pk)
        if expected_version is not None and expected_version != revision.version:
            raise StaleDraft(
                f"Someone else saved this draft since you opened it ({display_name(revision.edited_by)}, "
                f"{timezone.localtime(revision.updated_at):%d %b %Y %H:%M:%S}). Reload the page to see their "
                "changes; your text is below so nothing is lost."
            )
        try:
            validate_snapshot(model, snapshot, obj)
        except ValidationError as error:
            raise WorkflowError(f"{obj} could not be saved: {describe_validation_error(error)}") from None
        changed = revision.snapshot != snapshot
        revision.snapshot = snapshot
        revision.edited_by = user
        revision.version += 1
        if revision.is_new:
            # The not-yet-live row mirrors its draft, so links and unique names stay correct.
            apply_snapshot(obj, snapshot)
            revision.object_repr = str(obj)[:200]
        revision.save()
        change_request.authors.add(user)
        if changed:
            _back_to_draft_if_reviewed(change_request)
        safety = _propose_safety(change_request, model, revision.base_snapshot, snapshot)
        _audit(user, AuditAction.EDIT, change_request=change_request, obj=obj,
               details={"step": "saved", **safety})
    return revision


def _propose_safety(change_request: ChangeRequest, model: type[models.Model], base_snapshot: dict | None,
                    snapshot: dict) -> dict:
    """Propose "safety" significance for a draft that adds a risk, changes a risk's frequency or a
    boxed warning (safety.py). It only ever raises it; the reviewer confirms or changes it on approval.
    Returns what to add to the audit details."""
    if change_request.significance == Significance.SAFETY:
        return {}
    reasons = safety_reasons(model, base_snapshot, snapshot)
    if not reasons:
        return {}
    change_request.significance = Significance.SAFETY
    change_request.save(update_fields=["significance", "updated_at"])
    return {"significance": Significance.SAFETY, "safety": reasons}


def remove_object(*, revision: Revision, user) -> None:
    """Take one object out of a change request (a never-published new object is deleted)."""
    with transaction.atomic():
        change_request = _locked_change_request(revision.change_request)
        _require(can_edit(change_request, user))
        obj = model_for(revision).objects.filter(pk=revision.object_id).first()
        ContentLock.objects.filter(
            change_request=change_request, content_type=revision.content_type, object_id=revision.object_id
        ).delete()
        revision.delete()
        if revision.is_new and obj is not None:
            _delete_unpublished([obj])
        change_request.authors.add(user)
        _back_to_draft_if_reviewed(change_request)
        _audit(
            user, AuditAction.REMOVE, change_request=change_request, obj=obj, details={"object": revision.object_repr}
        )


def update_change_note(*, change_request: ChangeRequest, user, change_note: str) -> ChangeRequest:
    """Edit the public change note (the wording readers see is part of what is reviewed)."""
    with transaction.atomic():
        change_request = _locked_change_request(change_request)
        _require(can_edit(change_request, user))
        change_note = _plain(change_note)
        if not change_note:
            raise WorkflowError("Write the change note before saving it.")
        if change_note != change_request.change_note:
            change_request.change_note = change_note
            change_request.save(update_fields=["change_note", "updated_at"])
            change_request.authors.add(user)
            _back_to_draft_if_reviewed(change_request)
            _audit(user, AuditAction.EDIT, change_request=change_request, details={"change_note": change_note})
    return change_request


# --- Actions: review ------------------------------------------------------------------------------------


def submit(*, change_request: ChangeRequest, user, change_note: str | None = None) -> ChangeRequest:
    with transaction.atomic():
        change_request = _locked_change_request(change_request)
        _require(can_submit(change_request, user))
        if change_note is not None:
            change_request.change_note = _plain(change_note)
        if not change_request.change_note:
            raise WorkflowError("Write a public change note before submitting: readers see it in the page history.")
        change_request.state = State.IN_REVIEW
        change_request.submitted_at = timezone.now()
        change_request.save()
        _audit(user, AuditAction.SUBMIT, change_request=change_request)
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
    _require(can_comment(change_request, user))
    body = _plain(body)
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
        _audit(user, AuditAction.COMMENT, change_request=change_request,
               details={"comment": note.pk, "field": field_name})
        notifications.on_commit(notifications.COMMENTED, change_request, actor=user, extra={"comment": note})
    return note


def approve(*, change_request: ChangeRequest, user, significance: str | None = None) -> ChangeRequest:
    with transaction.atomic():
        change_request = _locked_change_request(change_request)
        _require(can_approve(change_request, user))
        if significance:
            change_request.significance = significance
        change_request.state = State.APPROVED
        change_request.approved_by = user
        change_request.approved_at = timezone.now()
        change_request.save()
        _audit(user, AuditAction.APPROVE, change_request=change_request,
               details={"significance": change_request.significance})
        notifications.on_commit(notifications.APPROVED, change_request, actor=user)
    return change_request


def request_changes(*, change_request: ChangeRequest, user, comment_text: str) -> ChangeRequest:
    with transaction.atomic():
        change_request = _locked_change_request(change_request)
        _require(can_request_changes(change_request, user))
        if not _plain(comment_text):
            raise WorkflowError("Say what needs to change: the editor will see your comment.")
        ReviewComment.objects.create(change_request=change_request, author=user, body=_plain(comment_text))
        change_request.state = State.CHANGES_REQUESTED
        change_request.save()
        _audit(
            user, AuditAction.REQUEST_CHANGES, change_request=change_request, details={"comment": _plain(comment_text)}
        )
        notifications.on_commit(notifications.CHANGES_REQUESTED, change_request, actor=user,
                                extra={"comment_text": _plain(comment_text)})
    return change_request


def reject(*, change_request: ChangeRequest, user, reason: str) -> ChangeRequest:
    with transaction.atomic():
        change_request = _locked_change_request(change_request)
        _require(can_reject(change_request, user))
        if not _plain(reason):
            raise WorkflowError("Give the reason for rejecting: the authors will see it.")
        _close(change_request, State.REJECTED, _plain(reason))
        _audit(user, AuditAction.REJECT, change_request=change_request, details={"reason": _plain(reason)})
        notifications.on_commit(notifications.REJECTED, change_request, actor=user)
    return change_request


def withdraw(*, change_request: ChangeRequest, user, reason: str = "") -> ChangeRequest:
    with transaction.atomic():
        change_request = _locked_change_request(change_request)
        _require(can_withdraw(change_request, user))
        _close(change_request, State.WITHDRAWN, _plain(reason))
        _audit(user, AuditAction.WITHDRAW, change_request=change_request, details={"reason": _plain(reason)})
    return change_request


def _close(change_request: ChangeRequest, state: str, reason: str) -> None:
    """End a change request without touching live content; drop objects it had created."""
    change_request.state = state
    change_request.closed_reason = reason
    change_request.save()
    _release_locks(change_request)
    new_objects = []
    for revision in change_request.revisions.filter(is_new=True).select_related("content_type"):
        obj = model_for(revision).objects.filter(pk=revision.object_id, first_published_at__isnull=True).first()
        if obj is not None:
            new_objects.append(obj)
    _delete_unpublished(new_objects)


def _delete_unpublished(objects: list[models.Model]) -> None:
    """Delete never-published rows, trials first (they protect their therapy)."""
    order = {Trial: 0, Therapy: 1, Risk: 2}
    for obj in sorted(objects, key=lambda o: order.get(type(o), 9)):
        try:
            with transaction.atomic():
                obj.delete()
        except ProtectedError:
            # Another draft links to it; it stays hidden (not live) and that draft can't publish the link.
            logger.info("Kept unpublished %s: another draft links to it", obj)


# --- Actions: publishing -------------------------------------------------------------------------------


def _review_due(model: type[models.Model], now: datetime.datetime) -> datetime.date:
    """When the next review of content of `model` reviewed at `now` falls due (review_cycle.py)."""
    return next_review_due(model, now)


def _check_publishable(change_request: ChangeRequest, revisions: list[Revision]) -> dict[int, models.Model]:
    """Every check before the first write: conflicts (rule 3), validity, dangling links (rule 4)."""
    in_request = {(r.content_type.model_class(), r.object_id) for r in revisions}
    objects: dict[int, models.Model] = {}
    for revision in revisions:
        model = model_for(revision)
        obj = model.objects.select_for_update().filter(pk=revision.object_id).first()
        if obj is None:
            raise PublishConflict(f"{revision.object_repr} no longer exists; remove it from this change request.")
        if not revision.is_new and obj.live_revision_id != revision.base_revision_id:
            raise PublishConflict(
                f"{obj} was published by another change request after this draft was started. "
                f"Nothing was published: open {obj} in this change request again to start from the new version."
            )
        try:
            validate_snapshot(model, revision.snapshot, obj)
        except ValidationError as error:
            raise PublishConflict(
                f"{obj} is not valid: {describe_validation_error(error)}. Nothing was published."
            ) from None
        for linked_model, linked_id, what in _links(model, revision.snapshot):
            if (linked_model, linked_id) in in_request:
                continue
            if not linked_model.objects.filter(pk=linked_id, live=True).exists():
                name = linked_model.objects.filter(pk=linked_id).first() or f"#{linked_id}"
                raise PublishConflict(
                    f"{obj} links to the {what} “{name}”, which is not published and not part of this "
                    "change request. Nothing was published."
                )
        objects[revision.pk] = obj
    return objects


def _links(model: type[models.Model], snapshot: dict) -> list[tuple[type[models.Model], int, str]]:
    """Content a snapshot links to that must be live for the public page (rule 4)."""
    if model is Trial:
        return [(Therapy, snapshot["fields"]["therapy"], "therapy")]
    if model is Therapy:
        return [(Risk, row["risk"], "risk") for row in snapshot["children"].get("therapy_risks", [])]
    return []


def publish(*, change_request: ChangeRequest, user) -> ChangeRequest:
    """Apply every revision of an approved change request in one transaction, or none (rule 3)."""
    with transaction.atomic():
        change_request = _locked_change_request(change_request)
        _require(can_publish(change_request, user))
        _publish_approved(change_request, user)
    return change_request


def _publish_approved(change_request: ChangeRequest, user, *, scheduled_for: datetime.datetime | None = None) -> None:
    """Publish a change request already locked and checked by the caller (publish, publish_due).

    Runs inside the caller's transaction; raises PublishConflict before its first write.
    """
    revisions = list(change_request.revisions.select_related("content_type").order_by("pk"))
    objects = _check_publishable(change_request, revisions)
    now = timezone.now()
    for revision in revisions:
        obj = apply_snapshot(objects[revision.pk], revision.snapshot)
        obj.live = True
        obj.first_published_at = obj.first_published_at or now
        obj.last_published_at = now
        # A content publish by a reviewer counts as a review of the page (rule 6).
        obj.last_reviewed_at = now
        obj.last_reviewed_by = user
        obj.next_review_due = _review_due(type(obj), now)
        obj.live_revision = revision
        obj.save()
        revision.published_at = now
        revision.object_repr = str(obj)[:200]
        revision.save(update_fields=["published_at", "object_repr", "updated_at"])
    change_request.state = State.PUBLISHED
    change_request.published_by = user
    change_request.published_at = now
    # Published: no schedule is left pending (Wagtail once left "scheduled" times in the past).
    change_request.publish_at = None
    change_request.save()
    _release_locks(change_request)
    details = {"objects": [r.object_repr for r in revisions]}
    if scheduled_for is not None:
        details.update(scheduled=True, scheduled_for=scheduled_for.isoformat())
    _audit(user, AuditAction.PUBLISH, change_request=change_request, details=details)
    _announce(objects.values(), "publish")
    notifications.on_commit(notifications.PUBLISHED, change_request, actor=user,
                            extra={"scheduled_for": scheduled_for})


def unpublish(*, obj: models.Model, user, reason: str) -> models.Model:
    """Take an object off every public page, list, count, sitemap and search."""
    if not is_reviewer(user):
        raise WorkflowError("Only medical reviewers can unpublish content.")
    if not _plain(reason):
        raise WorkflowError("Give the reason for unpublishing: it is kept in the audit log.")
    with transaction.atomic():
        obj = type(obj).objects.select_for_update().get(pk=obj.pk)
        if not obj.live:
            raise WorkflowError(f"{obj} is not published.")
        obj.live = False
        obj.unpublish_at = None  # off the site now: a pending scheduled unpublish has nothing left to do
        obj.save(update_fields=["live", "unpublish_at"])
        _audit(user, AuditAction.UNPUBLISH, obj=obj, details={"reason": _plain(reason)})
        _announce([obj], "unpublish")
    return obj


def confirm_reviewed(*, obj: models.Model, user, note: str) -> models.Model:
    """Rule 6: a reviewer confirms the whole page is still accurate, without changing content."""
    if not is_reviewer(user):
        raise WorkflowError("Only medical reviewers can confirm that a page is still accurate.")
    if not _plain(note):
        raise WorkflowError("Add a short note on what you checked.")
    with transaction.atomic():
        obj = type(obj).objects.select_for_update().get(pk=obj.pk)
        if not obj.live:
            raise WorkflowError(f"{obj} is not published, so there is no page to confirm.")
        now = timezone.now()
        obj.last_reviewed_at = now
        obj.last_reviewed_by = user
        obj.next_review_due = _review_due(type(obj), now)
        obj.save(update_fields=["last_reviewed_at", "last_reviewed_by", "next_review_due"])
        _audit(user, AuditAction.CONFIRM_REVIEWED, obj=obj, details={"note": _plain(note)})
        _announce([obj], "confirm_reviewed")
    return obj


def revert(*, revision: Revision, user) -> ChangeRequest:
    """Rule 7: start a new change request holding an older published version; reviewed like any other."""
    if revision.published_at is None:
        raise WorkflowError("Only a published version can be restored.")
    obj = model_for(revision).objects.filter(pk=revision.object_id).first()
    if obj is None:
        raise WorkflowError(f"{revision.object_repr} no longer exists.")
    with transaction.atomic():
        change_request = start_change_request(
            user=user,
            title=f"Revert {obj} to the version of {timezone.localtime(revision.published_at):%d %b %Y %H:%M}",
        )
        new_revision = add_object(change_request=change_request, user=user, obj=obj)
        new_revision.snapshot = revision.snapshot
        new_revision.save(update_fields=["snapshot", "updated_at"])
        _audit(user, AuditAction.REVERT, change_request=change_request, obj=obj,
               details={"restored_revision": revision.pk})
    return change_request


# --- Actions: scheduling -------------------------------------------------------------------------------------
#
# A reviewer approves a change to go live at a set time, or a page to come off the site at one.
# `manage.py publish_scheduled` runs publish_due() from cron every minute, on every app server at
# once: row locks with SKIP LOCKED make each item go to exactly one of them, and every item's
# schedule is cleared when it runs, so nothing is ever left "scheduled" in the past.

SCHEDULED = "scheduled"
SCHEDULE_CANCELLED = "cancelled"
SCHEDULE_FAILED = "failed"


def format_when(when: datetime.datetime) -> str:
    """A schedule time as reviewers read it, in the site's time zone: "12 May 2026 09:30 UTC"."""
    return f"{date_format(timezone.localtime(when), 'j M Y H:i')} {timezone.get_current_timezone_name()}"


def _future_time(when: datetime.datetime | None, purpose: str) -> datetime.datetime:
    if when is None:
        raise WorkflowError(f"Give the date and time {purpose}.")
    if timezone.is_naive(when):
        when = timezone.make_aware(when)  # in the site's time zone, as the form says
    if when <= timezone.now():
        raise WorkflowError(f"{format_when(when)} has already passed: choose a time in the future {purpose}.")
    return when


def schedule(*, change_request: ChangeRequest, user, publish_at: datetime.datetime) -> ChangeRequest:
    """Approve an approved change to go live at `publish_at`, or move it to a new time."""
    with transaction.atomic():
        change_request = _locked_change_request(change_request)
        _require(can_schedule(change_request, user))
        publish_at = _future_time(publish_at, "for the change to go live")
        previous = change_request.publish_at
        change_request.publish_at = publish_at
        change_request.save(update_fields=["publish_at", "updated_at"])
        _audit(user, AuditAction.APPROVE, change_request=change_request, details={
            "schedule": SCHEDULED,
            "step": f"scheduled to go live at {format_when(publish_at)}",
            "publish_at": publish_at.isoformat(),
            "previous": previous.isoformat() if previous else None,
        })
        _queue_schedule_email(change_request, user, "Scheduled", publish_at=publish_at, previous=previous)
    return change_request


def unschedule(*, change_request: ChangeRequest, user) -> ChangeRequest:
    """Cancel a change's schedule: it stays approved, to be published now or scheduled again."""
    with transaction.atomic():
        change_request = _locked_change_request(change_request)
        _require(can_unschedule(change_request, user))
        previous = change_request.publish_at
        change_request.publish_at = None
        change_request.save(update_fields=["publish_at", "updated_at"])
        _audit(user, AuditAction.APPROVE, change_request=change_request, details={
            "schedule": SCHEDULE_CANCELLED,
            "step": f"schedule for {format_when(previous)} cancelled",
            "previous": previous.isoformat(),
        })
        _queue_schedule_email(change_request, user, "Schedule cancelled", publish_at=None, previous=previous)
    return change_request


def _queue_schedule_email(change_request: ChangeRequest, user, what: str, *, publish_at, previous) -> None:
    emails = notifications.queue_message(
        to=[a.email for a in change_request.authors.filter(is_active=True).exclude(pk=user.pk)],
        subject=f"{what}: #{change_request.pk} {change_request.title}",
        template="therapies/email/scheduled.txt",
        context={"change_request": change_request, "actor": user, "publish_at": publish_at, "previous": previous,
                 "when": format_when(publish_at) if publish_at else "",
                 "previous_when": format_when(previous) if previous else ""},
        change_request=change_request,
    )
    notifications.deliver_on_commit(emails)


def schedule_unpublish(*, obj: models.Model, user, at: datetime.datetime, reason: str = "") -> models.Model:
    """Set a live page to come off the site at `at` (publish_scheduled does it)."""
    if not is_reviewer(user):
        raise WorkflowError("Only medical reviewers can schedule content to be unpublished.")
    with transaction.atomic():
        obj = type(obj).objects.select_for_update().get(pk=obj.pk)
        if not obj.live:
            raise WorkflowError(f"{obj} is not published, so there is nothing to take off the site.")
        at = _future_time(at, "for it to come off the site")
        previous = obj.unpublish_at
        obj.unpublish_at = at
        obj.save(update_fields=["unpublish_at"])
        _audit(user, AuditAction.UNPUBLISH, obj=obj, details={
            "schedule": SCHEDULED,
            "step": f"scheduled to come off the site at {format_when(at)}",
            "unpublish_at": at.isoformat(),
            "previous": previous.isoformat() if previous else None,
            "reason": _plain(reason),
        })
    return obj


def unschedule_unpublish(*, obj: models.Model, user) -> models.Model:
    """Cancel a page's scheduled unpublishing: it stays on the site."""
    if not is_reviewer(user):
        raise WorkflowError("Only medical reviewers can change when content is unpublished.")
    with transaction.atomic():
        obj = type(obj).objects.select_for_update().get(pk=obj.pk)
        if obj.unpublish_at is None:
            raise WorkflowError(f"{obj} is not scheduled to come off the site.")
        previous = obj.unpublish_at
        obj.unpublish_at = None
        obj.save(update_fields=["unpublish_at"])
        _audit(user, AuditAction.UNPUBLISH, obj=obj, details={
            "schedule": SCHEDULE_CANCELLED,
            "step": f"scheduled unpublishing at {format_when(previous)} cancelled",
            "previous": previous.isoformat(),
        })
    return obj


@dataclass(frozen=True)
class ScheduledOutcome:
    """What publish_due() did with one due item (printed by the publish_scheduled command)."""

    action: str  # "publish" or "unpublish"
    label: str
    ok: bool
    message: str


def publish_due(*, now: datetime.datetime | None = None) -> list[ScheduledOutcome]:
    """Publish every approved change whose publish_at has come; unpublish every page whose unpublish_at has.

    Safe to run at the same moment on several servers: each item is taken under a row lock with
    SKIP LOCKED (PostgreSQL; SQLite serialises writers anyway) and its state re-checked inside the
    lock, so each is done exactly once. One item failing never stops the others.
    """
    now = now or timezone.now()
    outcomes: list[ScheduledOutcome | None] = []
    due = ChangeRequest.objects.filter(state=State.APPROVED, publish_at__lte=now).order_by("publish_at", "pk")
    for pk in list(due.values_list("pk", flat=True)):
        outcomes.append(_isolated("publish", f"change request #{pk}", _publish_scheduled, pk, now))
    for model in (Therapy, Trial, Risk):
        due_objects = model.objects.filter(unpublish_at__lte=now).order_by("unpublish_at", "pk")
        for pk in list(due_objects.values_list("pk", flat=True)):
            label = f"{model._meta.verbose_name} #{pk}"
            outcomes.append(_isolated("unpublish", label, _unpublish_scheduled, model, pk, now))
    return [outcome for outcome in outcomes if outcome is not None]


def _isolated(action: str, label: str, run: Callable, *args) -> ScheduledOutcome | None:
    try:
        return run(*args)
    except Exception as error:  # one broken item must not stop the others; it is retried next run
        logger.exception("Scheduled %s of %s failed unexpectedly", action, label)
        return ScheduledOutcome(action, label, False, f"unexpected error, will be retried: {error}")


def _scheduler_of(change_request: ChangeRequest):
    """The reviewer who set the current schedule: it is published in their name."""
    event = (
        change_request.audit_events.filter(action=AuditAction.APPROVE, details__schedule=SCHEDULED)
        .select_related("actor")
        .order_by("-created_at", "-pk")
        .first()
    )
    return event.actor if event else change_request.approved_by


def _publish_scheduled(pk: int, now: datetime.datetime) -> ScheduledOutcome | None:
    with transaction.atomic():
        change_request = (
            ChangeRequest.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, state=State.APPROVED, publish_at__lte=now)
            .first()
        )
        if change_request is None:
            return None  # another server holds it, or it was published, cancelled or moved meanwhile
        scheduled_for = change_request.publish_at
        scheduler = _scheduler_of(change_request)
        try:
            with transaction.atomic():  # a conflict rolls back to here; the lock is kept
                if can_publish(change_request, scheduler):
                    raise WorkflowError(
                        f"{display_name(scheduler)}, who scheduled it, can no longer publish. "
                        "A medical reviewer must publish it or schedule it again."
                    )
                _publish_approved(change_request, scheduler, scheduled_for=scheduled_for)
        except WorkflowError as error:
            _record_schedule_failure(change_request, scheduler, scheduled_for, error.message)
            return ScheduledOutcome("publish", str(change_request), False, error.message)
        if scheduler is not None and scheduler.email:
            notifications.deliver_on_commit(notifications.queue_message(
                to=[scheduler.email],
                subject=f"Published as scheduled: #{change_request.pk} {change_request.title}",
                template="therapies/email/published.txt",
                context={"change_request": change_request, "actor": scheduler, "scheduled_for": scheduled_for},
                change_request=change_request,
            ))
    return ScheduledOutcome("publish", str(change_request), True,
                            f"published as scheduled for {format_when(scheduled_for)}")


def _record_schedule_failure(change_request: ChangeRequest, scheduler, scheduled_for, message: str) -> None:
    """Say loudly that a scheduled publish did not happen: it stays approved, its past schedule is cleared
    (retrying every minute would only repeat the conflict), the log and the people involved are told."""
    change_request.publish_at = None
    change_request.save(update_fields=["publish_at", "updated_at"])
    _audit(None, AuditAction.COMMENT, change_request=change_request, details={
        "schedule": SCHEDULE_FAILED,
        "step": f"scheduled publishing at {format_when(scheduled_for)} failed: {message}",
        "scheduled_for": scheduled_for.isoformat(),
        "error": message,
    })
    people = list(change_request.authors.filter(is_active=True))
    if scheduler is not None:
        people.append(scheduler)
    notifications.deliver_on_commit(notifications.queue_message(
        to=[person.email for person in people],
        subject=f"Scheduled publishing failed: #{change_request.pk} {change_request.title}",
        template="therapies/email/schedule_failed.txt",
        context={"change_request": change_request, "when": format_when(scheduled_for), "message": message},
        change_request=change_request,
    ))


def _unpublish_scheduled(model: type[models.Model], pk: int, now: datetime.datetime) -> ScheduledOutcome | None:
    """Take a page off the site in the name of the reviewer who scheduled it.

    Unlike publishing, this does not re-check that they are still a reviewer: taking a page
    down errs on the safe side, and it was a reviewer's decision when it was made.
    """
    with transaction.atomic():
        obj = model.objects.select_for_update(skip_locked=True).filter(pk=pk, unpublish_at__lte=now).first()
        if obj is None:
            return None
        scheduled_for = obj.unpublish_at
        event = (
            AuditEvent.objects.filter(
                content_type=ContentType.objects.get_for_model(model), object_id=pk,
                action=AuditAction.UNPUBLISH, details__schedule=SCHEDULED,
            )
            .select_related("actor")
            .order_by("-created_at", "-pk")
            .first()
        )
        scheduler = event.actor if event else None
        obj.unpublish_at = None
        if not obj.live:
            obj.save(update_fields=["unpublish_at"])
            return ScheduledOutcome("unpublish", str(obj), True, "was already off the site; schedule cleared")
        obj.live = False
        obj.save(update_fields=["live", "unpublish_at"])
        reason = (event.details.get("reason") if event else "") or "scheduled"
        _audit(scheduler, AuditAction.UNPUBLISH, obj=obj, details={
            "scheduled": True, "scheduled_for": scheduled_for.isoformat(), "reason": reason,
            "step": f"unpublished as scheduled for {format_when(scheduled_for)}",
        })
        _announce([obj], "unpublish")
        if scheduler is not None and scheduler.email:
            notifications.deliver_on_commit(notifications.queue_message(
                to=[scheduler.email],
                subject=f"Unpublished as scheduled: {obj}",
                template="therapies/email/unpublished_scheduled.txt",
                context={"obj": obj, "actor": scheduler, "when": format_when(scheduled_for), "reason": reason,
                         "admin_path": f"/admin/therapies/{model._meta.model_name}/{obj.pk}/change/"},
            ))
    return ScheduledOutcome("unpublish", str(obj), True, f"unpublished as scheduled for {format_when(scheduled_for)}")


# --- Reads used by pages -------------------------------------------------------------------------------------


def open_change_request_for(obj: models.Model) -> ChangeRequest | None:
    lock = (
        ContentLock.objects.select_related("change_request")
        .filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
        .first()
    )
    return lock.change_request if lock else None
