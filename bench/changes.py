"""The change requests the bench scripts make: one field of one object changed, submitted, and approved or not.
Imported by scripts run under Django (`manage.py shell < bench/…`, or after django.setup())."""

from therapies import workflow


def submitted_change(editor, obj, field: str, text: str, *, title: str, note: str):
    """A change request by `editor` setting `obj`'s `field` to `text`, submitted for review."""
    change = workflow.start_change_request(user=editor, title=title)
    revision = workflow.add_object(change_request=change, user=editor, obj=obj)
    snapshot = revision.snapshot
    snapshot["fields"][field] = text
    workflow.save_draft(revision=revision, user=editor, snapshot=snapshot)
    return workflow.submit(change_request=change, user=editor, change_note=note)


def approved_change(editor, reviewer, obj, field: str, text: str, *, title: str, note: str):
    """The same, approved by `reviewer`: ready to publish."""
    change = submitted_change(editor, obj, field, text, title=title, note=note)
    return workflow.approve(change_request=change, user=reviewer)
