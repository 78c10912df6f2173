"""The reviewer assistant's panel on the review screen (editorial/assistant/): each finding linked to its row.

A finding names a field of an object or of one of its child rows; the link goes to that row of the
diff when the page shows one, else to the object's section (an unchanged empty section has no diff row).
"""

from ..editorial.assistant import review_findings, revision_anchor
from ..models import ChangeRequest, Revision


def page_anchors(entries: list[dict]) -> set[str]:
    """The ids the review page gives its revisions and the rows of their diffs."""
    anchors = set()
    for entry in entries:
        diff = entry["diff"]
        anchors.add(revision_anchor(entry["revision"].pk))
        anchors.update(change.anchor for change in diff.fields)
        for row in diff.rows:
            anchors.add(row.anchor)
            anchors.update(change.anchor for change in row.fields)
    return anchors


def assistant_panel(change_request: ChangeRequest, revisions: list[Revision], entries: list[dict]) -> dict:
    """The panel's findings: those worth a look, and those only noted (reading grades within the aim)."""
    anchors = page_anchors(entries)
    items = [{"finding": f, "anchor": f.anchor_in(anchors)} for f in review_findings(change_request, revisions)]
    return {
        "flagged": [item for item in items if item["finding"].flagged],
        "noted": [item for item in items if not item["finding"].flagged],
    }
