"""Drafting: start a change request, add, create, edit and remove objects, the change note, revert (rule 7)."""

import logging

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from ..editorial.safety import safety_reasons
from ..editorial.snapshots import apply_snapshot, instance_from_snapshot, snapshot_of, validate_snapshot
from ..models import (
    AuditAction,
    ChangeRequest,
    ContentLock,
    CorrectionStatus,
    CorrectionSuggestion,
    Revision,
    Significance,
    kind_for,
    limits,
)
from ..models.limits import one_line
from .audit import record
from .errors import StaleDraft, WorkflowError, clean_text, describe_validation_error, require, valid_significance
from .locks import back_to_draft_if_reviewed, lock_object, locked_change_request, model_for, send_back_citing
from .permissions import (
    can_edit,
    display_name,
    is_editor,
)

logger = logging.getLogger(__name__)

TITLE_LIMIT = ChangeRequest._meta.get_field("title").max_length


# --- Actions: drafting -------------------------------------------------------------------------------


def start_change_request(*, user, title: str, significance: str = Significance.MINOR) -> ChangeRequest:
    if not is_editor(user):
        raise WorkflowError("Only medical editors and reviewers can start a change request.")
    significance = valid_significance(significance)
    # One line (it is every email's subject), and no longer than the column.
    title = one_line(clean_text(title, limit=TITLE_LIMIT, what="The title"))
    if not title:
        raise WorkflowError("Give the change request a short title.")
    with transaction.atomic():
        change_request = ChangeRequest.objects.create(title=title, created_by=user, significance=significance)
        change_request.authors.add(user)
        record(user, AuditAction.CREATE, change_request=change_request)
    return change_request


def add_object(*, change_request: ChangeRequest, user, obj: models.Model) -> Revision:
    """Draft a change to an existing object: take its lock and snapshot its live state."""
    with transaction.atomic():
        change_request = locked_change_request(change_request)
        require(can_edit(change_request, user))
        # Re-read: the caller's copy may be older than the live row (its live revision is the base).
        obj = type(obj).objects.get(pk=obj.pk)
        existing = change_request.revisions.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
        ).first()
        if existing:
            return existing
        lock_object(change_request, obj)
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
        back_to_draft_if_reviewed(change_request)
        record(user, AuditAction.EDIT, change_request=change_request, obj=obj, details={"step": "added"})
    return revision


def create_object(*, change_request: ChangeRequest, user, model: type[models.Model], snapshot: dict) -> Revision:
    """Draft a new object. Its row exists from now on, not live, so other drafts can link to it."""
    with transaction.atomic():
        change_request = locked_change_request(change_request)
        require(can_edit(change_request, user))
        try:
            validate_snapshot(model, snapshot, None)
        except ValidationError as error:
            raise WorkflowError(
                f"The new {model._meta.verbose_name} is not valid: {describe_validation_error(error)}"
            ) from None
        obj = instance_from_snapshot(model, snapshot)  # not live: a snapshot never holds the publish state
        obj.save()
        apply_snapshot(obj, snapshot)
        lock_object(change_request, obj)
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
        back_to_draft_if_reviewed(change_request)
        safety = _propose_safety(change_request, model, None, snapshot)
        record(user, AuditAction.EDIT, change_request=change_request, obj=obj,
               details={"step": "created", **safety})
    return revision


def save_draft(*, revision: Revision, user, snapshot: dict, expected_version: int | None = None) -> Revision:
    """Save an edited snapshot. Live content is untouched; a reviewed change goes back to draft.

    `expected_version` is the revision's version when the editor opened the form: if someone has
    saved since, the save is refused (StaleDraft) rather than silently overwriting their work.
    """
    with transaction.atomic():
        change_request = locked_change_request(revision.change_request)
        require(can_edit(change_request, user))
        model = model_for(revision)
        obj = model.objects.get(pk=revision.object_id)
        revision = Revision.objects.select_for_update().select_related("edited_by").get(pk=revision.pk)
        if expected_version is not None and expected_version != revision.version:
            raise StaleDraft(
                f"Someone else saved this draft since you opened it ({display_name(revision.edited_by)}, "
                f"{timezone.localtime(revision.updated_at):%d %b %Y %H:%M:%S}). Reload the page to see their "
                "changes; your text is below so nothing is lost."
            )
        validate_draft(model, snapshot, obj)
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
            back_to_draft_if_reviewed(change_request)
            send_back_citing(obj, user=user, change_request=change_request, why="was edited")
        safety = _propose_safety(change_request, model, revision.base_snapshot, snapshot)
        record(user, AuditAction.EDIT, change_request=change_request, obj=obj,
               details={"step": "saved", **safety})
    return revision


def validate_draft(model: type[models.Model], snapshot: dict, obj: models.Model, *,
                   refusal: str = "{obj} could not be saved") -> None:
    """Every edit of an existing object's draft is checked the same way (save_draft, revert)."""
    live_slug = getattr(obj, "slug", None)
    if live_slug and obj.first_published_at and snapshot.get("fields", {}).get("slug", live_slug) != live_slug:
        # Links, bookmarks, the sitemap and the front cache's keys all name the live address.
        raise WorkflowError(f"{refusal.format(obj=obj)}: its page address (slug) “{live_slug}” is fixed once "
                            "the page has been live.")
    try:
        validate_snapshot(model, snapshot, obj)
    except ValidationError as error:
        raise WorkflowError(f"{refusal.format(obj=obj)}: {describe_validation_error(error)}") from None


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
        change_request = locked_change_request(revision.change_request)
        require(can_edit(change_request, user))
        obj = model_for(revision).objects.filter(pk=revision.object_id).first()
        ContentLock.objects.filter(
            change_request=change_request, content_type=revision.content_type, object_id=revision.object_id
        ).delete()
        revision.delete()
        if revision.is_new and obj is not None:
            delete_unpublished([obj])
        change_request.authors.add(user)
        back_to_draft_if_reviewed(change_request)
        record(
            user, AuditAction.REMOVE, change_request=change_request, obj=obj, details={"object": revision.object_repr}
        )


def update_change_note(*, change_request: ChangeRequest, user, change_note: str) -> ChangeRequest:
    """Edit the public change note (the wording readers see is part of what is reviewed)."""
    with transaction.atomic():
        change_request = locked_change_request(change_request)
        require(can_edit(change_request, user))
        change_note = clean_text(change_note, limit=limits.CHANGE_NOTE, what="The change note")
        if not change_note:
            raise WorkflowError("Write the change note before saving it.")
        if change_note != change_request.change_note:
            change_request.change_note = change_note
            change_request.save(update_fields=["change_note", "updated_at"])
            change_request.authors.add(user)
            back_to_draft_if_reviewed(change_request)
            record(user, AuditAction.EDIT, change_request=change_request, details={"change_note": change_note})
    return change_request



def delete_unpublished(objects: list[models.Model]) -> None:
    """Delete never-published rows in their kinds' delete order (a trial first: it protects its therapy)."""
    for obj in sorted(objects, key=lambda o: kind_for(o).delete_order):
        try:
            with transaction.atomic():
                obj.delete()
        except ProtectedError:
            # Another draft links to it; it stays hidden (not live) and that draft can't publish the link.
            logger.info("Kept unpublished %s: another draft links to it", obj)




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
            title=f"Revert {obj} to the version of {timezone.localtime(revision.published_at):%d %b %Y %H:%M}"[
                :TITLE_LIMIT
            ],
        )
        new_revision = add_object(change_request=change_request, user=user, obj=obj)
        # The same checks and the same safety proposal as any edit: the old version is a draft like another.
        model = type(obj)
        validate_draft(model, revision.snapshot, obj, refusal="The earlier version of {obj} cannot be restored")
        new_revision.snapshot = revision.snapshot
        new_revision.save(update_fields=["snapshot", "updated_at"])
        send_back_citing(obj, user=user, change_request=change_request, why="was set back to an earlier version")
        safety = _propose_safety(change_request, model, new_revision.base_snapshot, new_revision.snapshot)
        record(user, AuditAction.REVERT, change_request=change_request, obj=obj,
               details={"restored_revision": revision.pk, **safety})
    return change_request


def start_change_request_for(*, suggestions: list[CorrectionSuggestion], user) -> Revision:
    """Start a change request for the page these suggestions are about, and link them to it.

    All or nothing: if the page can't be added (for example another change request
    holds it), no empty change request is left behind. Raises WorkflowError.
    """
    targets = {(s.content_type_id, s.object_id) for s in suggestions}
    if len(targets) != 1 or None in next(iter(targets)):
        raise WorkflowError(
            "Choose suggestions about one page at a time: a change request is started for one page."
        )
    obj = suggestions[0].content_object
    if obj is None:
        raise WorkflowError("The page this suggestion was about no longer exists.")
    with transaction.atomic():
        change_request: ChangeRequest = start_change_request(user=user, title=f"Correction to {obj}"[:TITLE_LIMIT])
        revision = add_object(change_request=change_request, user=user, obj=obj)
        CorrectionSuggestion.objects.filter(pk__in=[s.pk for s in suggestions]).update(
            change_request=change_request, status=CorrectionStatus.IN_PROGRESS
        )
    return revision
