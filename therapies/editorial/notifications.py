"""Emails about change requests (DESIGN.md rule 8), through a transactional outbox.

An action writes its emails as OutboundEmail rows inside its own transaction, so
a rolled-back action sends nothing and a committed one always has its emails on
record. Delivery is tried right after the commit; a failing mail server never
undoes the action: the failure is logged and `manage.py send_pending_email`
(cron) retries.

Every sender claims the rows it sends (`SELECT … FOR UPDATE SKIP LOCKED`, held until each is marked
sent), so the on-commit delivery and the cron job on every app server, running at once, never send
one email twice: a row another sender holds is skipped, and a row already sent is not picked again.
A subject is always one line (a line break in a header makes the mail library refuse the message).
Every link in an email is absolute: templates write `{{ site_url }}` before a path (settings.SITE_URL), since a
mail program cannot open a path alone (issue 14).
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from ..models import OutboundEmail
from ..models.limits import one_line
from ..models.roles import REVIEW, users_with

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

MAX_ATTEMPTS = 10
CLAIM_BATCH = 50  # rows a sender claims (and holds) at a time


def reviewers():
    """The medical reviewers (models/roles.py, the one definition)."""
    return users_with(REVIEW)


def recipients(event: str, change_request, actor) -> list[str]:
    if event == SUBMITTED:
        # Reviewers who can act on it: not its own authors (four eyes).
        users = reviewers().exclude(pk__in=change_request.authors.values("pk"))
    else:
        users = change_request.authors.filter(is_active=True)
    return sorted({u.email for u in users.exclude(pk=actor.pk) if u.email})


def queue(event: str, change_request, *, actor, extra: dict | None = None) -> list[OutboundEmail]:
    """Record the emails for an event (call inside the action's transaction)."""
    return queue_message(
        to=recipients(event, change_request, actor),
        subject=SUBJECTS[event].format(pk=change_request.pk, title=change_request.title),
        template=f"therapies/email/{event}.txt",
        context={"change_request": change_request, "actor": actor, **(extra or {})},
        change_request=change_request,
    )


def _claimable():
    return OutboundEmail.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)


def deliver(emails) -> int:
    """Try to send the given emails that are still unsent and not being sent by another sender; return how
    many went. Failures are logged and kept for retry."""
    ids = [e.pk for e in emails if e.sent_at is None and e.attempts < MAX_ATTEMPTS]
    if not ids:
        return 0
    with transaction.atomic():
        claimed = list(_claimable().filter(pk__in=ids).select_for_update(skip_locked=True).order_by("pk"))
        return _send_claimed(claimed)


def _send_claimed(pending: list[OutboundEmail]) -> int:
    """Send rows this transaction holds locked, marking each as it goes."""
    sent = 0
    if not pending:
        return 0
    try:
        connection = get_connection(fail_silently=False)
        connection.open()
    except Exception as error:  # the mail server is down: keep everything for the next run
        logger.error("Mail server unavailable; %d email(s) kept for retry: %s", len(pending), error)
        OutboundEmail.objects.filter(pk__in=[e.pk for e in pending]).update(last_error=str(error)[:1000])
        return 0
    try:
        for email in pending:
            # one_line: rows queued before subjects were kept to one line would otherwise fail for good.
            message = EmailMessage(one_line(email.subject), email.body, settings.DEFAULT_FROM_EMAIL, [email.to],
                                   connection=connection)
            try:
                message.send()
            except Exception as error:
                logger.error("Could not send email #%s to %s; kept for retry: %s", email.pk, email.to, error)
                OutboundEmail.objects.filter(pk=email.pk).update(
                    attempts=email.attempts + 1, last_error=str(error)[:1000]
                )
            else:
                OutboundEmail.objects.filter(pk=email.pk).update(
                    attempts=email.attempts + 1, sent_at=timezone.now(), last_error=""
                )
                sent += 1
    finally:
        connection.close()
    return sent


def send_pending() -> int:
    """Retry every unsent email (the send_pending_email command), one claimed batch at a time, each row at most
    once per run (a failing one is left for the next run, not retried in a loop)."""
    sent, after = 0, 0
    while True:
        with transaction.atomic():
            batch = list(_claimable().filter(pk__gt=after).select_for_update(skip_locked=True)
                         .order_by("pk")[:CLAIM_BATCH])
            if not batch:
                return sent
            sent += _send_claimed(batch)
        after = batch[-1].pk


def on_commit(event: str, change_request, *, actor, extra: dict | None = None) -> None:
    """Queue the emails now, in the action's transaction; try to deliver them once it commits."""
    deliver_on_commit(queue(event, change_request, actor=actor, extra=extra))


def queue_message(
    *, to: list[str], subject: str, template: str, context: dict, change_request=None
) -> list[OutboundEmail]:
    """Record one email to each address (inside the caller's transaction), for messages that are
    not a change-request event: schedules, scheduled-publishing failures, review reminders."""
    to = sorted({address for address in to if address})
    if not to:
        return []
    body = render_to_string(template, {**context, "site_url": settings.SITE_URL})
    return OutboundEmail.objects.bulk_create(
        [OutboundEmail(to=address, subject=one_line(subject)[:300], body=body, change_request=change_request)
         for address in to]
    )


def deliver_on_commit(emails: list[OutboundEmail]) -> None:
    """Try to send `emails` once the surrounding transaction has committed (retried by cron if not)."""
    if emails:
        transaction.on_commit(lambda: deliver(emails))
