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
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import F, Q
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
MAX_BACKOFF_SECONDS = 3600
# The server went away, not this message: stop the run and keep the rest as they are (no attempt counted).
CONNECTION_LOST = (smtplib.SMTPServerDisconnected, ConnectionError, TimeoutError)


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
    """Unsent rows under the attempt limit whose backoff (if one failed) has run out."""
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now())
    return OutboundEmail.objects.filter(due, sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)


def _backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after each failure, at most an hour."""
    return timedelta(seconds=min(60 * 2 ** (attempts - 1), MAX_BACKOFF_SECONDS))


def _message(email: OutboundEmail, connection) -> EmailMessage:
    # one_line: rows queued before subjects were kept to one line would otherwise fail for good.
    # The Message-ID is the row's own, so a copy sent again after a crash is recognisably the same message.
    domain = settings.SITE_URL.split("://", 1)[1].split(":")[0]
    headers = {"Message-ID": f"<outbox-{email.pk}@{domain}>", **email.headers}
    return EmailMessage(one_line(email.subject), email.body, settings.DEFAULT_FROM_EMAIL, [email.to],
                        connection=connection, headers=headers)


def deliver(emails) -> int:
    """Try to send the given emails that are still unsent and not being sent by another sender; return how
    many went. Failures are logged and kept for retry."""
    ids = [e.pk for e in emails if e.sent_at is None and e.attempts < MAX_ATTEMPTS]
    if not ids:
        return 0
    with transaction.atomic():
        claimed = list(_claimable().filter(pk__in=ids).select_for_update(skip_locked=True).order_by("pk"))
        return _send_claimed(claimed)


class Sent(int):
    """How many emails a batch sent; `server_lost` when the mail server was down or went away part-way."""

    server_lost = False

    @classmethod
    def lost(cls, sent: int) -> "Sent":
        result = cls(sent)
        result.server_lost = True
        return result


def _send_claimed(pending: list[OutboundEmail]) -> Sent:
    """Send rows this transaction holds locked, then mark those that went. If the server goes away, stop: what was
    sent is marked sent (the caller's transaction commits), the rest stays as it was, for the next run. (The marks
    commit with the claim either way, so one UPDATE for the batch is as safe as one per row, and much faster.)"""
    if not pending:
        return Sent(0)
    try:
        connection = get_connection(fail_silently=False)
        connection.open()
    except Exception as error:  # the mail server is down: keep everything for the next run
        logger.error("Mail server unavailable; %d email(s) kept for retry: %s", len(pending), error)
        OutboundEmail.objects.filter(pk__in=[e.pk for e in pending]).update(last_error=str(error)[:1000])
        return Sent.lost(0)
    sent_ids: list[int] = []
    try:
        lost = _send_each(pending, connection, sent_ids)
    finally:
        try:
            connection.close()
        except Exception:  # a connection the server dropped cannot say goodbye; nothing is lost
            logger.warning("Mail connection did not close cleanly", exc_info=True)
        OutboundEmail.objects.filter(pk__in=sent_ids).update(
            attempts=F("attempts") + 1, sent_at=timezone.now(), last_error="")
    return Sent.lost(len(sent_ids)) if lost else Sent(len(sent_ids))


def _send_each(pending: list[OutboundEmail], connection, sent_ids: list[int]) -> bool:
    """Send one by one, noting each that went in `sent_ids`; True when the server went away part-way."""
    for email in pending:
        try:
            _message(email, connection).send()
        except CONNECTION_LOST as error:
            logger.error("Mail server lost at email #%s; it and the rest are kept for the next run: %s",
                         email.pk, error)
            OutboundEmail.objects.filter(pk=email.pk).update(last_error=str(error)[:1000])
            return True
        except Exception as error:
            logger.error("Could not send email #%s to %s; kept for retry: %s", email.pk, email.to, error)
            OutboundEmail.objects.filter(pk=email.pk).update(
                attempts=email.attempts + 1, last_error=str(error)[:1000],
                next_attempt_at=timezone.now() + _backoff(email.attempts + 1),
            )
        else:
            sent_ids.append(email.pk)
    return False


def send_pending(progress=None) -> int:
    """Retry every unsent email (the send_pending_email command), one claimed batch at a time, each row at most
    once per run (a failing one is left for the next run, not retried in a loop). The run stops when the mail
    server is down or goes away. `progress(done, total)` is told after each batch."""
    sent, after, done = 0, 0, 0
    total = _claimable().count() if progress else 0
    while True:
        with transaction.atomic():
            batch = list(_claimable().filter(pk__gt=after).select_for_update(skip_locked=True)
                         .order_by("pk")[:CLAIM_BATCH])
            if not batch:
                return sent
            result = _send_claimed(batch)
            sent += result
        after, done = batch[-1].pk, done + len(batch)
        if progress:
            progress(min(done, total), max(total, done))
        if getattr(result, "server_lost", False):
            return sent


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


def deliver_queued(*, emails, **_signal_kwargs) -> None:
    """Receiver of signals.emails_queued (sent after the commit): try to send them now; cron retries."""
    deliver(emails)
