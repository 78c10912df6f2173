"""Publishing: apply every revision in one transaction or none (rules 3, 4, 6); unpublish; confirm reviewed."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from ..editorial import notifications
from ..editorial.review_cycle import next_review_due
from ..editorial.snapshots import apply_snapshot, validate_snapshot
from ..models import (
    AuditAction,
    ChangeRequest,
    PublicEvent,
    Revision,
    Significance,
    State,
    kind_for,
    limits,
)
from .audit import announce, record
from .errors import (
    PublishConflict,
    WorkflowError,
    clean_text,
    describe_validation_error,
    require,
    valid_significance,
)
from .locks import locked_change_request, model_for, open_change_request_for, release_locks, send_back_citing
from .permissions import (
    can_publish,
    is_reviewer,
)
from .public_record import record_public
from .seen import require_as_approved, require_seen

# --- Actions: publishing -------------------------------------------------------------------------------


def _review_due(model: type[models.Model], now: datetime.datetime) -> datetime.date:
    """When the next review of content of `model` reviewed at `now` falls due (review_cycle.py)."""
    return next_review_due(model, now)


def _check_publishable(change_request: ChangeRequest, revisions: list[Revision]) -> dict[int, models.Model]:
    """Every check before the first write: conflicts (rule 3), validity, the sections a live page must have
    (DESIGN.md "Content model"), dangling links (rule 4)."""
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
        missing = kind_for(model).missing_sections(revision.snapshot)
        if missing:
            raise PublishConflict(
                f"{obj} cannot be published: {'; '.join(missing)}. Every live {model._meta.verbose_name} page "
                "needs these sections, each with its sources. Nothing was published."
            )
        for linked_model, linked_id, link in kind_for(model).live_links(revision.snapshot):
            if (linked_model, linked_id) not in in_request:
                _check_link(change_request, obj, linked_model, linked_id, citation=link.citation)
        objects[revision.pk] = obj
    return objects


def _check_link(change_request: ChangeRequest, obj: models.Model, linked_model: type[models.Model], linked_id: int,
                *, citation: bool) -> None:
    """Rule 4 for one link from outside this change request: the linked row must be live. A cited source must
    also not be changing in another open change request: the page would go live citing words nobody approved
    for it, or the source would change under it as soon as that one is published (issue 11, the source swap)."""
    linked = linked_model.objects.filter(pk=linked_id).first()
    name = linked or f"#{linked_id}"
    what = "cites the source" if citation else f"links to the {linked_model._meta.verbose_name}"
    holder = open_change_request_for(linked) if citation and linked is not None else None
    if holder is not None and holder.pk != change_request.pk:
        raise PublishConflict(
            f"{obj} {what} “{name}”, which is being changed in change request #{holder.pk} (“{holder.title}”). "
            "Nothing was published: publish that change request first, or stop citing the source here."
        )
    if linked is None or not linked.is_live:
        raise PublishConflict(
            f"{obj} {what} “{name}”, which is not published and not part of this change request. "
            "Nothing was published."
        )


def publish(
    *, change_request: ChangeRequest, user, seen: str | None = None, full_review: bool = False
) -> ChangeRequest:
    """Apply every revision of an approved change request in one transaction, or none (rule 3).

    `seen`: the digest the reviewer's page showed (rule 9). `full_review`: the reviewer ticked that every
    page in it was reviewed in full against its sources, which moves "Last reviewed" (rule 6).
    """
    with transaction.atomic():
        change_request = locked_change_request(change_request)
        require(can_publish(change_request, user))
        require_seen(change_request, seen)
        publish_approved(change_request, user, full_review=full_review)
    return change_request


def publish_approved(change_request: ChangeRequest, user, *, full_review: bool = False,
                     scheduled_for: datetime.datetime | None = None) -> None:
    """Publish a change request already locked and checked by the caller (publish, publish_due).

    Runs inside the caller's transaction; raises PublishConflict before its first write.
    """
    require_as_approved(change_request)
    revisions = list(change_request.revisions.select_related("content_type").order_by("pk"))
    objects = _check_publishable(change_request, revisions)
    now = timezone.now()
    for revision in revisions:
        obj = apply_snapshot(objects[revision.pk], revision.snapshot)
        obj.live = True
        obj.first_published_at = obj.first_published_at or now
        obj.last_published_at = now  # "Last updated" moves on every publish (rule 6)
        if full_review or revision.is_new:
            _record_full_review(obj, user, now)
        obj.live_revision = revision
        obj.save()
        revision.published_at = now
        revision.object_repr = str(obj)[:200]
        revision.save(update_fields=["published_at", "object_repr", "updated_at"])
        send_back_citing(obj, user=user, change_request=change_request, why="was published")
    change_request.state = State.PUBLISHED
    change_request.published_by = user
    change_request.published_at = now
    # Published: no schedule is left pending (Wagtail once left "scheduled" times in the past).
    change_request.clear_schedule()
    change_request.save()
    release_locks(change_request)
    details = {"objects": [r.object_repr for r in revisions], "full_review": full_review}
    if scheduled_for is not None:
        details.update(scheduled=True, scheduled_for=scheduled_for.isoformat())
    record(user, AuditAction.PUBLISH, change_request=change_request, details=details)
    record_public(PublicEvent.PUBLISH, [objects[revision.pk] for revision in revisions], at=now,
                  note=change_request.change_note, significance=change_request.significance,
                  change_request=change_request)
    announce(objects.values(), "publish")
    notifications.on_commit(notifications.PUBLISHED, change_request, actor=user,
                            extra={"scheduled_for": scheduled_for})


def _record_full_review(obj: models.Model, user, now: datetime.datetime) -> None:
    """Rule 6: "Last reviewed" and the next review date move only for a full clinical review of the page.

    Recorded by "Confirm still accurate", by a publish where the reviewer ticked that the whole page was
    reviewed, and by the first publish of a new page (every field of it was in the diff the reviewer
    approved). A one-line wording fix is not a review.
    """
    obj.last_reviewed_at = now
    obj.last_reviewed_by = user
    obj.next_review_due = _review_due(type(obj), now)


NEEDS_UNPUBLISH_REASON = "Give the reason for unpublishing: readers see it on the updates page, with the page's name."


def unpublish(*, obj: models.Model, user, reason: str, significance: str = Significance.MAJOR) -> models.Model:
    """Take an object off every public page, list, count, sitemap and search.

    The reason and significance go to the public change log (/updates/ and its feed) as well as the audit log:
    the log promises every change, and taking a page away is one (issue 14).
    """
    if not is_reviewer(user):
        raise WorkflowError("Only medical reviewers can unpublish content.")
    if not clean_text(reason, limit=limits.REASON, what="The reason"):
        raise WorkflowError(NEEDS_UNPUBLISH_REASON)
    valid_significance(significance)
    with transaction.atomic():
        obj = type(obj).objects.select_for_update().get(pk=obj.pk)
        if not obj.live:
            raise WorkflowError(f"{obj} is not published.")
        take_off_site(obj)
        reason = clean_text(reason)
        record(user, AuditAction.UNPUBLISH, obj=obj, details={"reason": reason, "significance": significance})
        record_public(PublicEvent.UNPUBLISH, [obj], note=reason, significance=significance)
        announce([obj], "unpublish")
    return obj


def take_off_site(obj: models.Model) -> None:
    """The one place a live row goes off the site (unpublish now, or as scheduled): every public
    query stops showing it, and a pending scheduled unpublish has nothing left to do."""
    obj.live = False
    obj.save(update_fields=["live", *clear_unpublish_schedule(obj)])


def clear_unpublish_schedule(obj: models.Model) -> list[str]:
    """Forget a page's scheduled unpublishing, who asked for it and why; return the fields to save.

    One place for the three, so no requester or reason outlives the time they belonged to.
    """
    obj.unpublish_at = None
    obj.unpublish_reason = ""
    obj.unpublish_requested_by = None
    return ["unpublish_at", "unpublish_reason", "unpublish_requested_by"]


def confirm_reviewed(*, obj: models.Model, user, note: str) -> models.Model:
    """Rule 6: a reviewer confirms the whole page is still accurate, without changing content."""
    if not is_reviewer(user):
        raise WorkflowError("Only medical reviewers can confirm that a page is still accurate.")
    if not clean_text(note, limit=limits.REASON, what="The note"):
        raise WorkflowError("Add a short note on what you checked.")
    with transaction.atomic():
        obj = type(obj).objects.select_for_update().get(pk=obj.pk)
        if not obj.live:
            raise WorkflowError(f"{obj} is not published, so there is no page to confirm.")
        _record_full_review(obj, user, timezone.now())
        obj.save(update_fields=["last_reviewed_at", "last_reviewed_by", "next_review_due"])
        record(user, AuditAction.CONFIRM_REVIEWED, obj=obj, details={"note": clean_text(note)})
        record_public(PublicEvent.CONFIRM, [obj], at=obj.last_reviewed_at)
        announce([obj], "confirm_reviewed")
    return obj


