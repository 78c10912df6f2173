"""Shortcuts that drive a change request through the workflow in tests."""

import re

from django.urls import reverse

from therapies import workflow
from therapies.models import ChangeRequest, Revision, Therapy


def draft_change(user, obj=None, *, title="Update dosing", **field_changes) -> tuple[ChangeRequest, Revision]:
    """A draft change request editing `obj` (ocrelizumab by default) with the given field values."""
    obj = obj or Therapy.objects.get(slug="ocrelizumab")
    change_request = workflow.start_change_request(user=user, title=title)
    revision = workflow.add_object(change_request=change_request, user=user, obj=obj)
    if field_changes:
        snapshot = revision.snapshot
        snapshot["fields"].update(field_changes)
        revision = workflow.save_draft(revision=revision, user=user, snapshot=snapshot)
    return change_request, revision


def submitted_change(user, obj=None, **field_changes) -> ChangeRequest:
    change_request, _ = draft_change(user, obj, **field_changes)
    return workflow.submit(change_request=change_request, user=user, change_note="Clarified the dosing.")


def approved_change(author, approver, obj=None, **field_changes) -> ChangeRequest:
    change_request = submitted_change(author, obj, **field_changes)
    return workflow.approve(change_request=change_request, user=approver)


def seen_on_review_page(client, change_request: ChangeRequest) -> str:
    """What the review page's approve, publish and schedule forms say the reviewer saw (rule 9), read from the
    hidden field as a browser would post it; "" when the page offers none of those forms."""
    html = client.get(reverse("admin:therapies_changerequest_change", args=[change_request.pk])).content.decode()
    found = re.search(r'name="seen" value="([0-9a-f]*)"', html)
    return found.group(1) if found else ""


def confirm_token(response) -> str:
    """The token of a confirm page's "Yes" button (therapies/admin/confirm.py); "" when the response is not one."""
    if response.status_code != 200:
        return ""
    found = re.search(r'name="confirm" value="([^"]+)"', response.content.decode())
    return found.group(1) if found else ""


def confirmed_post(client, url: str, data: dict | None = None, **kwargs):
    """Post an action's form, then confirm it on its confirm page as a reviewer would; a refusal before the confirm
    page (a redirect with a message) is returned as it is."""
    asked = client.post(url, data or {})
    token = confirm_token(asked)
    if not token:
        return client.get(asked["Location"], **kwargs) if kwargs.get("follow") and asked.status_code == 302 else asked
    return client.post(url, {"confirm": token}, **kwargs)
