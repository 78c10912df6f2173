"""The public record (models/public_record.py): written here, in the transaction of the event it records.

`record_public` is called by publishing and scheduling for every public event of a page; listeners of
`signals.public_changes_recorded` get the rows once that transaction has committed. `correct_public_note`
is how a reviewer corrects the public wording of a past event: permission first, then the change, then an
audit event with the old and the new wording.
"""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from ..editorial.signals import public_changes_recorded
from ..models import AuditAction, ChangeRequest, PublicChange, PublicEvent, limits
from .audit import announce, record
from .errors import WorkflowError, clean_text, require
from .permissions import is_reviewer

NEEDS_CORRECTED_NOTE = "Give the corrected wording: readers see it in place of the old one."


def record_public(kind: str, objects: list[models.Model], *, note: str = "", significance: str = "",
                  at: datetime.datetime | None = None,
                  change_request: ChangeRequest | None = None) -> list[PublicChange]:
    """One row per page for one public event; listeners hear of them once the transaction commits."""
    at = at or timezone.now()
    rows = PublicChange.objects.bulk_create([
        PublicChange(
            kind=kind, content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk,
            object_repr=str(obj)[:200], significance=significance, note=note, at=at, change_request=change_request,
        )
        for obj in objects
    ])
    transaction.on_commit(lambda: public_changes_recorded.send(sender=None, changes=rows))
    return rows


def same_event(change: PublicChange) -> models.QuerySet:
    """The rows recorded by the event `change` belongs to: every page of a published change request shares its
    change note, so correcting it corrects them all; any other event is one page's."""
    if change.kind == PublicEvent.PUBLISH and change.change_request_id is not None:
        return PublicChange.objects.filter(kind=PublicEvent.PUBLISH, change_request_id=change.change_request_id)
    return PublicChange.objects.filter(pk=change.pk)


def can_correct(change: PublicChange, user) -> str | None:
    """Why `user` may not correct the public wording of `change`, or None."""
    if not is_reviewer(user):
        return "Only medical reviewers can correct what readers are told about a change."
    if change.kind == PublicEvent.CONFIRM:
        return "A “still accurate” confirmation shows readers no wording, so there is none to correct."
    return None


def corrected_wording(change: PublicChange, note: str | None) -> str:
    """The new wording, trimmed; refused if empty, too long or the same as what readers see now."""
    limit = limits.CHANGE_NOTE if change.kind == PublicEvent.PUBLISH else limits.REASON
    note = clean_text(note, limit=limit, what="The corrected wording")
    if not note:
        raise WorkflowError(NEEDS_CORRECTED_NOTE)
    if note == change.note:
        raise WorkflowError("The corrected wording is the same as the published one: nothing was changed.")
    return note


def correct_public_note(*, change: PublicChange, user, note: str) -> PublicChange:
    """A reviewer corrects the public wording of a past event: the note of a publish, the reason of an
    unpublish. Readers see the new wording marked as corrected; the audit log keeps both."""
    require(can_correct(change, user))
    with transaction.atomic():
        rows = list(same_event(change).select_for_update().order_by("pk"))
        if not rows:
            raise WorkflowError("That entry is no longer in the public record.")
        first = rows[0]
        note = corrected_wording(first, note)
        same_event(change).update(note=note, corrected_at=timezone.now(), corrected_by=user)
        record(user, AuditAction.CORRECT_PUBLIC, change_request=first.change_request, obj=_page_of(first),
               details={"public_change": first.pk, "event": first.kind, "old": first.note, "new": note,
                        "rows": [row.pk for row in rows]})
        announce([page for page in map(_page_of, rows) if page is not None], "correct_public")
    change.refresh_from_db()
    return change


def _page_of(change: PublicChange) -> models.Model | None:
    """The page a row is about, if it still exists."""
    model = change.content_type.model_class()
    return model.objects.filter(pk=change.object_id).first() if model is not None else None
