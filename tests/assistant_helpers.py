"""Building what the reviewer assistant's checks read (therapies/editorial/assistant/) in tests."""

import copy

from therapies.editorial.assistant import Proposal
from therapies.editorial.snapshots import snapshot_of


def proposal(obj, *, new: bool = False, significance: str = "minor", revision_id: int = 7, **fields) -> Proposal:
    """The proposal of a change to `obj` setting `fields` (or of `obj` as a new object, new=True)."""
    base = snapshot_of(obj)
    proposed = copy.deepcopy(base)
    proposed["fields"].update(fields)
    return Proposal(revision_id, type(obj), obj.pk, str(obj), None if new else base, proposed, significance, 1)


def with_snapshot(original: Proposal, edit) -> Proposal:
    """The same proposal with its proposed snapshot changed by `edit(snapshot)`."""
    proposed = copy.deepcopy(original.snapshot)
    edit(proposed)
    return Proposal(original.revision_id, original.model, original.object_id, original.name, original.base,
                    proposed, original.significance, original.change_request_id)


def findings(check, p: Proposal, *, flagged_only: bool = True) -> list:
    return [f for f in check(p) if f.flagged or not flagged_only]
