"""Emails about change requests (DESIGN.md rule 8).

Sent after the transaction commits, so a rolled-back action never emails, and a
failing mail server never undoes an action: the failure is logged instead.
"""

import logging

from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

SUBMITTED = "submitted"
COMMENTED = "commented"
APPROVED = "approved"
CHANGES_REQUESTED = "changes_requested"
REJECTED = "rejected"
PUBLISHED = "published"

SUBJECTS = {
    SUBMITTED: "Review requested: #{pk} {title}",
    COMMENTED: "New comment on #{pk} {title}",
    APPROVED: "Approved: #{pk} {title}",
    CHANGES_REQUESTED: "Changes requested: #{pk} {title}",
    REJECTED: "Rejected: #{pk} {title}",
    PUBLISHED: "Published: #{pk} {title}",
}


def reviewers():
    """Active users holding the review permission through a group or directly."""
    return get_user_model().objects.filter(
        Q(groups__permissions__codename="review_content") | Q(user_permissions__codename="review_content"),
        is_active=True,
    ).distinct()


def recipients(event: str, change_request, actor) -> list[str]:
    if event == SUBMITTED:
        # Reviewers who can act on it: not its own authors (four eyes).
        users = reviewers().exclude(pk__in=change_request.authors.values("pk"))
    else:
        users = change_request.authors.filter(is_active=True)
    return sorted({u.email for u in users.exclude(pk=actor.pk) if u.email})


def send(event: str, change_request, *, actor, extra: dict | None = None) -> int:
    to = recipients(event, change_request, actor)
    if not to:
        return 0
    subject = SUBJECTS[event].format(pk=change_request.pk, title=change_request.title)
    body = render_to_string(
        f"therapies/email/{event}.txt",
        {"change_request": change_request, "actor": actor, **(extra or {})},
    )
    try:
        return send_mass_mail([(subject, body, None, [address]) for address in to], fail_silently=False)
    except Exception:  # the action has committed; losing an email must not look like losing the work
        logger.exception("Could not send the %s email for change request #%s", event, change_request.pk)
        return 0


def on_commit(event: str, change_request, *, actor, extra: dict | None = None) -> None:
    transaction.on_commit(lambda: send(event, change_request, actor=actor, extra=extra))
