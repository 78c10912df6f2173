"""Rule 9: an approval is for what the reviewer saw.

The review page shows a change request as it is when the page is opened. If it changes before the
reviewer clicks Approve or Publish (an editor turns "20 mg" into "2000 mg" and resubmits, a cited
source is edited), the click must not cover words the reviewer never saw. So the approve, publish
and schedule forms carry the digest of what the page showed, and the action refuses when the
change request no longer has that digest. The approval stores the digest it covered, and
publishing (now or scheduled) refuses a change request that no longer matches it.

The digest covers everything the reviewer reads and the public will see: each revision (its object,
the live content it started from and the draft), the public change note, and the live content of
every source the drafts cite that is not itself part of the change request.
"""

import hashlib
import json

from django.core.serializers.json import DjangoJSONEncoder

from ..editorial.snapshots import snapshot_of
from ..models import ChangeRequest, kind_for
from .errors import PublishConflict, WorkflowError
from .locks import model_for

CHANGED_SINCE_OPENED = "This change request changed after you opened it: review it again."


def review_digest(change_request: ChangeRequest) -> str:
    """A SHA-256 digest (64 hex digits) of what a reviewer of this change request is shown."""
    revisions = list(change_request.revisions.select_related("content_type").order_by("pk"))
    drafted = {(model_for(revision), revision.object_id) for revision in revisions}
    cited: set = set()
    # As stored, not as the caller's copy remembers it: a copy read before an edit would describe older words.
    parts: list = [ChangeRequest.objects.filter(pk=change_request.pk).values_list("change_note", flat=True).get()]
    for revision in revisions:
        model = model_for(revision)
        parts.append([revision.pk, model._meta.label_lower, revision.object_id, revision.base_snapshot,
                      revision.snapshot])
        cited.update(kind_for(model).citations(revision.snapshot))
    for model, pk in sorted(cited - drafted, key=lambda item: (item[0]._meta.label_lower, item[1])):
        row = model._base_manager.filter(pk=pk).first()
        parts.append([model._meta.label_lower, pk, snapshot_of(row) if row is not None else None])
    encoded = json.dumps(parts, sort_keys=True, cls=DjangoJSONEncoder, ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


def require_seen(change_request: ChangeRequest, seen: str | None) -> str:
    """Refuse unless `seen` is the change request's digest now; return the digest.

    `seen` is what the reviewer's form carried. None means the caller read the change request itself
    in this same call (a management command, a test), so there is no earlier view to be stale; the
    review page always sends a value, and an empty or missing one is refused like a stale one.
    """
    digest = review_digest(change_request)
    if seen is not None and seen != digest:
        raise WorkflowError(CHANGED_SINCE_OPENED)
    return digest


def require_as_approved(change_request: ChangeRequest) -> None:
    """Publishing: the change request must still be what its approval covered."""
    if change_request.approved_digest and change_request.approved_digest != review_digest(change_request):
        raise PublishConflict(
            f"Change request #{change_request.pk} changed after it was approved, so the approval does not cover "
            "what would be published. Nothing was published: edit it (which sends it back to draft) and submit "
            "it for review again."
        )
