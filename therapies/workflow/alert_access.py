"""Support's access to readers' alert addresses (issue 26): permission first, then the audit record.

Readers' addresses are personal data held for one purpose. Only holders of `see_alert_addresses` (the
Support group) may look at them, and every look and every deletion is an audit event naming the rows.
The admin (admin/alerts.py) calls these; the rule does not live only in its screens.
"""

from django.db import models, transaction

from ..models import AlertSubscriber, AuditAction, AuditEvent
from .audit import record
from .errors import WorkflowError

SEE_ADDRESSES = "therapies.see_alert_addresses"
NOT_SUPPORT = "Only support staff can see the addresses of people who get email alerts."


def can_see_alert_addresses(user) -> bool:
    return bool(user.is_active and user.is_staff and user.has_perm(SEE_ADDRESSES))


def record_addresses_seen(*, user, subscriber_ids: list[int], search: str = "") -> AuditEvent:
    """Record that `user` was shown these subscribers' addresses (a list page, a search, one row)."""
    if not can_see_alert_addresses(user):
        raise WorkflowError(NOT_SUPPORT)
    return record(user, AuditAction.SEE_ALERT_ADDRESSES, details={"shown": subscriber_ids, "search": search})


def delete_alert_addresses(*, user, subscribers: models.QuerySet) -> int:
    """Delete addresses (a reader asked by email, or they bounce for good), with their alerts and emails."""
    if not (can_see_alert_addresses(user) and user.has_perm("therapies.delete_alertsubscriber")):
        raise WorkflowError(NOT_SUPPORT)
    with transaction.atomic():
        ids = list(subscribers.values_list("pk", flat=True))
        record(user, AuditAction.DELETE_ALERT_ADDRESSES, details={"subscribers": ids})
        AlertSubscriber.objects.filter(pk__in=ids).delete()
    return len(ids)
